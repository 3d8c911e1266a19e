// Timetable: lectures with weekly slots, reviews, timetables, friends.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Flag, Limit, Page, Text, Timestamp, Uuid } from './common.js'
import { Username } from './auth.js'
import { UserSummary } from './social.js'

export const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const
export const Day = Type.Union(DAYS.map(day => Type.Literal(day)), { description: 'day of the week' })
export type Day = Static<typeof Day>

// 00:00–23:59, zero-padded.
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', examples: ['10:30'] })

export const Semester = Type.String({
  pattern: '^[0-9]{4}-(1|2|S|W)$',
  description: 'YYYY-1 spring, YYYY-2 fall, YYYY-S summer, YYYY-W winter',
  examples: ['2026-1']
})

export const Slot = Type.Object({
  day: Day,
  start: ClockTime,
  end: Type.String({ ...ClockTime, description: 'after start; a slot ending at 11:00 and one starting at 11:00 do not clash', examples: ['11:45'] }),
  room: Type.Optional(Type.Union([Type.String(), Type.Null()]))
})
export type Slot = Static<typeof Slot>

export const NewSlot = Type.Object({
  day: Day,
  start: ClockTime,
  end: Type.String({ ...ClockTime, description: 'after start', examples: ['11:45'] }),
  room: Type.Optional(Text(1, 50, { examples: ['T동 503호'] }))
}, { additionalProperties: false })
export type NewSlot = Static<typeof NewSlot>

export const MAX_SLOTS = 10

export const NewLectureBody = Type.Object({
  schoolId: Uuid,
  code: Text(1, 30, { examples: ['CS201-01'] }),
  title: Text(1, 100, { examples: ['자료구조'] }),
  professor: Text(1, 50, { examples: ['김민수'] }),
  credits: Type.Integer({ minimum: 0, maximum: 30, examples: [3] }),
  semester: Semester,
  slots: Type.Array(NewSlot, { minItems: 1, maxItems: MAX_SLOTS })
}, { additionalProperties: false })
export type NewLectureBody = Static<typeof NewLectureBody>

export const Lecture = Type.Object({
  id: Uuid,
  schoolId: Uuid,
  code: Type.String(),
  title: Type.String(),
  professor: Type.String(),
  credits: Type.Integer(),
  semester: Semester,
  slots: Type.Array(Slot),
  averageRating: Type.Union([Type.Number(), Type.Null()], { description: 'mean of the reviews, 2 decimals; null without reviews' }),
  reviewCount: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp
}, { description: 'A lecture of one school and semester' })
export type Lecture = Static<typeof Lecture>

export const LecturePage = Page(Lecture)

export const LectureQuery = Type.Object({
  schoolId: Type.Optional(Uuid),
  semester: Type.Optional(Semester),
  q: Type.Optional(Text(1, 100, { description: 'keeps lectures whose code, title or professor contains it (case-insensitive)' })),
  fits: Type.Optional(Type.String({ format: 'uuid', description: 'one of the caller\'s timetables: keeps the lectures of its semester that would not clash with it' })),
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type LectureQuery = Static<typeof LectureQuery>

export const NewReviewBody = Type.Object({
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  body: Text(1, 2000, { examples: ['과제가 많지만 배울 게 많습니다.'] })
}, { additionalProperties: false })
export type NewReviewBody = Static<typeof NewReviewBody>

export const Review = Type.Object({
  id: Uuid,
  lectureId: Uuid,
  author: UserSummary,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  body: Type.String(),
  createdAt: Timestamp
})
export type Review = Static<typeof Review>

export const ReviewPage = Page(Review)

export const NewTimetableBody = Type.Object({
  semester: Semester,
  name: Text(1, 50, { examples: ['1학기 시간표'] })
}, { additionalProperties: false })
export type NewTimetableBody = Static<typeof NewTimetableBody>

const timetableFields = {
  id: Uuid,
  ownerId: Uuid,
  semester: Semester,
  name: Type.String(),
  totalCredits: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp
}

export const TimetableSummary = Type.Object(timetableFields, { description: 'A timetable without its lectures' })
export type TimetableSummary = Static<typeof TimetableSummary>
export const TimetablePage = Page(TimetableSummary)

export const Timetable = Type.Object({
  ...timetableFields,
  lectures: Type.Array(Lecture, { description: 'in the order they were added' })
}, { description: 'A timetable with its lectures and their slots' })
export type Timetable = Static<typeof Timetable>

export const TimetableLectureParams = Type.Object({ id: Uuid, lectureId: Uuid }, { additionalProperties: false })

export const FriendRequestBody = Type.Object({ username: Username }, { additionalProperties: false })

export const FriendRequestResult = Type.Object({
  username: Type.String(),
  status: Type.Union([Type.Literal('requested'), Type.Literal('friends')], {
    description: 'requested: waiting for them; friends: you are friends now (they had asked you) or were already'
  })
})

export const FriendRequest = Type.Object({
  id: Uuid,
  user: UserSummary,
  createdAt: Timestamp
}, { description: 'A pending request: `user` is the other side' })
export type FriendRequest = Static<typeof FriendRequest>

export const FriendRequests = Type.Object({
  incoming: Type.Array(FriendRequest, { description: 'asked you, newest first (at most 100)' }),
  outgoing: Type.Array(FriendRequest, { description: 'you asked, newest first (at most 100)' })
})
export type FriendRequests = Static<typeof FriendRequests>

export const Friend = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  since: Timestamp
})
export type Friend = Static<typeof Friend>
export const FriendPage = Page(Friend)

export const Unfriended = Flag('unfriended')
