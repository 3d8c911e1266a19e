// Timetable: lectures with weekly slots, reviews, timetables, friends.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, exampleOf, Flag, Limit, Page, Text, Timestamp, Uuid, UUID } from './common.js'
import { SAMPLE_SCHOOL_ID, SAMPLE_USER_ID, Username } from './auth.js'
import { UserSummary } from './social.js'

const SAMPLE_LECTURE_ID = '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b'
const SAMPLE_TIMETABLE_ID = '8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a'
const SAMPLE_TIME = '2026-02-20T09:00:00.000Z'

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
}, {
  $id: 'Slot',
  description: 'A weekly meeting of a lecture',
  examples: [{ day: 'MON', start: '10:30', end: '11:45', room: 'T동 503호' }]
})
export type Slot = Static<typeof Slot>

export const NewSlot = Type.Object({
  day: Day,
  start: ClockTime,
  end: Type.String({ ...ClockTime, description: 'after start', examples: ['11:45'] }),
  // null as well, so that a slot read back from a lecture (room: null) is accepted as it is.
  room: Type.Optional(Type.Union([Text(1, 50, { examples: ['T동 503호'] }), Type.Null()]))
}, {
  $id: 'NewSlot',
  additionalProperties: false,
  description: 'A weekly meeting of a new lecture; the slots of one lecture may not overlap',
  examples: [{ day: 'MON', start: '10:30', end: '11:45', room: 'T동 503호' }, { day: 'WED', start: '10:30', end: '11:45' }]
})
export type NewSlot = Static<typeof NewSlot>

export const MAX_SLOTS = 10

// A lecture as an admin sends it, and (with its id and reviews) as it is answered.
const sampleLecture = {
  schoolId: SAMPLE_SCHOOL_ID,
  code: 'CS201-01',
  title: '자료구조',
  professor: '김민수',
  credits: 3,
  semester: '2026-1',
  slots: [{ day: 'MON', start: '10:30', end: '11:45', room: 'T동 503호' }, { day: 'WED', start: '10:30', end: '11:45', room: 'T동 503호' }]
}

export const NewLectureBody = Type.Object({
  schoolId: Uuid,
  code: Text(1, 30, { examples: ['CS201-01'] }),
  title: Text(1, 100, { examples: ['자료구조'] }),
  professor: Text(1, 50, { examples: ['김민수'] }),
  credits: Type.Integer({ minimum: 0, maximum: 30, examples: [3] }),
  semester: Semester,
  slots: Type.Array(NewSlot, { minItems: 1, maxItems: MAX_SLOTS })
}, {
  $id: 'NewLectureBody',
  additionalProperties: false,
  description: 'A lecture of a school\'s catalog (admin only)',
  examples: [
    sampleLecture,
    {
      schoolId: SAMPLE_SCHOOL_ID,
      code: 'EN101-02',
      title: 'Academic English',
      professor: 'Sarah Kim',
      credits: 2,
      semester: '2026-1',
      slots: [{ day: 'TUE', start: '13:00', end: '14:50' }]
    }
  ]
})
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
}, {
  $id: 'Lecture',
  description: 'A lecture of one school and semester',
  examples: [{
    id: SAMPLE_LECTURE_ID,
    ...sampleLecture,
    averageRating: 4.5,
    reviewCount: 2,
    createdAt: SAMPLE_TIME
  }]
})
export type Lecture = Static<typeof Lecture>

export const LecturePage = Page(Lecture)

export const LectureQuery = Type.Object({
  schoolId: Type.Optional(Uuid),
  semester: Type.Optional(Semester),
  q: Type.Optional(Text(1, 100, { description: 'keeps lectures whose code, title or professor contains it (case-insensitive)' })),
  fits: Type.Optional(Type.String({ ...UUID, description: 'one of the caller\'s timetables: keeps the lectures of its semester that would not clash with it' })),
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type LectureQuery = Static<typeof LectureQuery>

export const NewReviewBody = Type.Object({
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  body: Text(1, 2000, { examples: ['과제가 많지만 배울 게 많습니다.'] })
}, {
  $id: 'NewReviewBody',
  additionalProperties: false,
  description: 'A review of a lecture: one per user and lecture',
  examples: [{ rating: 5, body: '과제가 많지만 배울 게 많습니다.' }, { rating: 4, body: 'Clear lectures, fair exams.' }]
})
export type NewReviewBody = Static<typeof NewReviewBody>

export const Review = Type.Object({
  id: Uuid,
  lectureId: Uuid,
  author: UserSummary,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  body: Type.String(),
  createdAt: Timestamp
}, {
  $id: 'Review',
  description: 'A review of a lecture',
  examples: [{
    id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    lectureId: SAMPLE_LECTURE_ID,
    author: exampleOf(UserSummary),
    rating: 5,
    body: '과제가 많지만 배울 게 많습니다.',
    createdAt: SAMPLE_TIME
  }]
})
export type Review = Static<typeof Review>

export const ReviewPage = Page(Review)

export const NewTimetableBody = Type.Object({
  semester: Semester,
  name: Text(1, 50, { examples: ['1학기 시간표'] })
}, {
  $id: 'NewTimetableBody',
  additionalProperties: false,
  description: 'A timetable of the caller\'s for one semester',
  examples: [{ semester: '2026-1', name: '1학기 시간표' }, { semester: '2026-2', name: 'Fall plan B' }]
})
export type NewTimetableBody = Static<typeof NewTimetableBody>

const timetableFields = {
  id: Uuid,
  ownerId: Uuid,
  semester: Semester,
  name: Type.String(),
  totalCredits: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp
}

const sampleTimetable = { id: SAMPLE_TIMETABLE_ID, ownerId: SAMPLE_USER_ID, semester: '2026-1', name: '1학기 시간표', totalCredits: 3, createdAt: SAMPLE_TIME }

export const TimetableSummary = Type.Object(timetableFields, {
  $id: 'TimetableSummary',
  description: 'A timetable without its lectures',
  examples: [sampleTimetable]
})
export type TimetableSummary = Static<typeof TimetableSummary>
export const TimetablePage = Page(TimetableSummary)

export const Timetable = Type.Object({
  ...timetableFields,
  lectures: Type.Array(Lecture, { description: 'in the order they were added' })
}, {
  $id: 'Timetable',
  description: 'A timetable with its lectures and their slots',
  examples: [{ ...sampleTimetable, lectures: [exampleOf(Lecture)] }]
})
export type Timetable = Static<typeof Timetable>

export const TimetableLectureParams = Type.Object({ id: Uuid, lectureId: Uuid }, { additionalProperties: false })

export const FriendRequestBody = Type.Object({ username: Username }, {
  $id: 'FriendRequestBody',
  additionalProperties: false,
  description: 'Whom to ask',
  examples: [{ username: 'minjun' }, { username: 'emily' }]
})

export const FriendRequestResult = Type.Object({
  username: Type.String(),
  status: Type.Union([Type.Literal('requested'), Type.Literal('friends')], {
    description: 'requested: waiting for them; friends: you are friends now (they had asked you) or were already'
  })
}, {
  $id: 'FriendRequestResult',
  description: 'Where the friendship stands after the request',
  examples: [{ username: 'jinho', status: 'requested' }]
})

export const FriendRequest = Type.Object({
  id: Uuid,
  user: UserSummary,
  createdAt: Timestamp
}, {
  $id: 'FriendRequest',
  description: 'A pending request: `user` is the other side',
  examples: [{ id: '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f', user: exampleOf(UserSummary), createdAt: SAMPLE_TIME }]
})
export type FriendRequest = Static<typeof FriendRequest>

export const FriendRequests = Type.Object({
  incoming: Type.Array(FriendRequest, { description: 'asked you, newest first (at most 100)' }),
  outgoing: Type.Array(FriendRequest, { description: 'you asked, newest first (at most 100)' })
}, {
  $id: 'FriendRequests',
  description: 'The caller\'s pending friend requests, both ways',
  examples: [{ incoming: [exampleOf(FriendRequest)], outgoing: [] }]
})
export type FriendRequests = Static<typeof FriendRequests>

export const Friend = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  since: Timestamp
}, {
  $id: 'Friend',
  description: 'A friend: may read your timetables, as you may theirs',
  examples: [{ id: SAMPLE_USER_ID, username: 'jinho', nickname: '진호', since: SAMPLE_TIME }]
})
export type Friend = Static<typeof Friend>
export const FriendPage = Page(Friend)

export const Unfriended = Flag('unfriended')
