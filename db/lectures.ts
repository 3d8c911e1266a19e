// Lectures and their reviews: the admin-made catalog of a school's semester, its search and the
// `fits` filter, and one review per student per lecture with the rating kept exact.
import type { ISql, PendingQuery, Row, Sql } from 'postgres'
import type { Lecture, NewLectureBody, NewReviewBody, Review, Slot } from '../schemas/timetable.js'
import { DAYS, type Day } from '../schemas/timetable.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { containsText } from './search.js'

/** `HH:MM` → minutes since midnight. */
export function toMinutes (clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))
}

/** Minutes since midnight → `HH:MM`. */
export function toClock (minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

type SlotJson = { day: number, start: number, end: number, room: string | null }

export type LectureRow = {
  id: string
  schoolId: string
  code: string
  title: string
  professor: string
  credits: number
  semester: string
  slots: SlotJson[]
  reviewCount: number
  ratingSum: number
  createdAt: Date
}

/** The columns of a lecture, over `lectures l`: its slots come along as JSON, in week order. */
export function lectureColumns (sql: ISql): PendingQuery<Row[]> {
  return sql`
    l.id, l.school_id, l.code, l.title, l.professor, l.credits, l.semester, l.review_count,
    l.rating_sum, l.created_at,
    (select coalesce(json_agg(json_build_object(
        'day', s.day, 'start', lower(s.minutes), 'end', upper(s.minutes), 'room', s.room
      ) order by s.day, lower(s.minutes)), '[]')
     from lecture_slots s where s.lecture_id = l.id) as slots`
}

export function toSlot (slot: SlotJson): Slot {
  return { day: DAYS[slot.day]!, start: toClock(slot.start), end: toClock(slot.end), room: slot.room }
}

export function toLecture (row: LectureRow): Lecture {
  return {
    id: row.id,
    schoolId: row.schoolId,
    code: row.code,
    title: row.title,
    professor: row.professor,
    credits: row.credits,
    semester: row.semester,
    slots: row.slots.map(toSlot),
    averageRating: row.reviewCount === 0 ? null : Math.round(row.ratingSum / row.reviewCount * 100) / 100,
    reviewCount: row.reviewCount,
    createdAt: row.createdAt.toISOString()
  }
}

/** `Day HH:MM–HH:MM`, as a clash is described to a student. */
export function describeSlot (slot: { day: number, start: number, end: number }): string {
  return `${DAYS[slot.day]} ${toClock(slot.start)}–${toClock(slot.end)}`
}

/** Slots a schema cannot judge: each ends after it starts, and no two of one lecture overlap. */
function checkSlots (slots: NewLectureBody['slots']): void {
  const ranges = slots.map(slot => ({ day: slot.day, start: toMinutes(slot.start), end: toMinutes(slot.end) }))
  ranges.forEach((range, i) => {
    if (range.end <= range.start) throw invalidField(`/body/slots/${i}/end`, 'must be after start')
    const overlapping = ranges.findIndex((other, j) => j < i && other.day === range.day && other.start < range.end && range.start < other.end)
    if (overlapping !== -1) throw invalidField(`/body/slots/${i}`, `overlaps slot ${overlapping}`)
  })
}

const dayIndex = (day: Day): number => DAYS.indexOf(day)

/**
 * Adds a lecture with its slots in one transaction. 409 CONFLICT when the school already has
 * that code in that semester; 400 for an unknown school.
 */
export async function createLecture (sql: Sql, body: NewLectureBody): Promise<Lecture> {
  checkSlots(body.slots)
  try {
    return await sql.begin(async (tx) => {
      const [created] = await tx<Array<{ id: string }>>`
        insert into lectures (school_id, code, title, professor, credits, semester)
        values (${body.schoolId}, ${body.code}, ${body.title}, ${body.professor}, ${body.credits}, ${body.semester})
        on conflict (school_id, semester, code) do nothing
        returning id`
      if (created === undefined) throw new AppError('CONFLICT')
      await tx`
        insert into lecture_slots (lecture_id, day, minutes, room)
        select ${created.id}, d, int4range(s, e), r
        from unnest(${body.slots.map(s => dayIndex(s.day))}::smallint[], ${body.slots.map(s => toMinutes(s.start))}::int[],
                    ${body.slots.map(s => toMinutes(s.end))}::int[], ${body.slots.map(s => s.room ?? null)}::text[]) as x(d, s, e, r)`
      const [row] = await tx<LectureRow[]>`select ${lectureColumns(tx)} from lectures l where l.id = ${created.id}`
      return toLecture(row!)
    })
  } catch (error) {
    if ((error as { code?: string }).code === '23503') throw invalidField('/body/schoolId', 'is not a school')
    throw error
  }
}

/** One lecture with its rating, or 404. */
export async function getLecture (sql: ISql, id: string): Promise<Lecture> {
  const [row] = await sql<LectureRow[]>`select ${lectureColumns(sql)} from lectures l where l.id = ${id}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return toLecture(row)
}

export type LectureFilter = { schoolId?: string | undefined, semester?: string | undefined, q?: string | undefined, fits?: string | undefined }

/** The newest lectures first, as every list of the contract unless it says otherwise. */
const LECTURES_NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['l.created_at', 'timestamptz'], ['l.id', 'uuid']] }

/**
 * Lectures by school, semester and search term, the newest first. `fits` names one of the caller's
 * timetables (404 otherwise): only the lectures the timetable would take are kept, by the rules
 * of addLecture (its semester, the owner's school when they have one) and with no slot
 * overlapping a slot already in it, checked against timetable_slots' exclusion index, the same
 * one that refuses the clash when the lecture is added. The check is a scalar subquery on purpose: as
 * a plain NOT EXISTS the planner turns it into an anti join that first collects every slot of
 * every semester clashing with the timetable (20 000 rows and 240 ms on a 20 000-lecture
 * catalog); per lecture it is two index probes, and a page needs a few dozen lectures.
 */
export async function listLectures (sql: ISql, viewerId: string, filter: LectureFilter, page: KeysetRequest): Promise<Page<Lecture>> {
  const k = keyset(sql, LECTURES_NEWEST_FIRST, page)
  let fitting: { id: string, semester: string, ownerSchoolId: string | null } | undefined
  if (filter.fits !== undefined) {
    [fitting] = await sql<Array<{ id: string, semester: string, ownerSchoolId: string | null }>>`
      select t.id, t.semester, u.school_id as owner_school_id
      from timetables t join users u on u.id = t.owner_id
      where t.id = ${filter.fits} and t.owner_id = ${viewerId}`
    if (fitting === undefined) throw new AppError('NOT_FOUND')
  }
  const rows = await sql<Array<LectureRow & { position: string[] }>>`
    select ${lectureColumns(sql)}, ${k.position}
    from lectures l
    where true
      ${filter.schoolId === undefined ? sql`` : sql`and l.school_id = ${filter.schoolId}`}
      ${filter.semester === undefined ? sql`` : sql`and l.semester = ${filter.semester}`}
      ${filter.q === undefined ? sql`` : sql`and ${containsText(sql, sql`l.search_text`, filter.q)}`}
      ${fitting === undefined
        ? sql``
        : sql`and l.semester = ${fitting.semester}
          ${fitting.ownerSchoolId === null ? sql`` : sql`and l.school_id = ${fitting.ownerSchoolId}`}
          and not (select exists (
            select 1 from lecture_slots s
            join timetable_slots ts on ts.timetable_id = ${fitting.id} and ts.day = s.day and ts.minutes && s.minutes
            where s.lecture_id = l.id))`}
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toLecture)
}

type ReviewRow = { id: string, lectureId: string, authorId: string, username: string, nickname: string, rating: number, body: string, createdAt: Date }

function toReview (row: ReviewRow): Review {
  return {
    id: row.id,
    lectureId: row.lectureId,
    author: { id: row.authorId, username: row.username, nickname: row.nickname },
    rating: row.rating,
    body: row.body,
    createdAt: row.createdAt.toISOString()
  }
}

/**
 * The caller's review of a lecture; the lecture's count and rating sum move in the same
 * statement. 409 CONFLICT when they already reviewed it (the unique key decides, so two sent at
 * once store one), 404 for an unknown lecture.
 */
export async function createReview (sql: ISql, authorId: string, lectureId: string, body: NewReviewBody): Promise<Review> {
  try {
    const [row] = await sql<ReviewRow[]>`
      with review as (
        insert into lecture_reviews (lecture_id, author_id, rating, body)
        values (${lectureId}, ${authorId}, ${body.rating}, ${body.body})
        on conflict (lecture_id, author_id) do nothing
        returning *
      ), counted as (
        update lectures l set review_count = l.review_count + 1, rating_sum = l.rating_sum + review.rating
        from review where l.id = review.lecture_id
      )
      select review.id, review.lecture_id, review.author_id, u.username, u.nickname, review.rating, review.body, review.created_at
      from review join users u on u.id = review.author_id`
    if (row === undefined) throw new AppError('CONFLICT')
    return toReview(row)
  } catch (error) {
    if ((error as { code?: string }).code === '23503') throw new AppError('NOT_FOUND')
    throw error
  }
}

const REVIEWS_NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['r.created_at', 'timestamptz'], ['r.id', 'uuid']] }

/** A lecture's reviews, newest first (lecture_reviews_page_idx); 404 for an unknown lecture. */
export async function listReviews (sql: ISql, lectureId: string, page: KeysetRequest): Promise<Page<Review>> {
  const k = keyset(sql, REVIEWS_NEWEST_FIRST, page)
  const [lecture] = await sql`select 1 from lectures where id = ${lectureId}`
  if (lecture === undefined) throw new AppError('NOT_FOUND')
  const rows = await sql<Array<ReviewRow & { position: string[] }>>`
    select r.id, r.lecture_id, r.author_id, u.username, u.nickname, r.rating, r.body, r.created_at, ${k.position}
    from lecture_reviews r join users u on u.id = r.author_id
    where r.lecture_id = ${lectureId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toReview)
}

/** Deletes a review (its author or an admin) and takes it out of the lecture's rating; returns the lecture's id. */
export async function deleteReview (sql: ISql, viewer: { id: string, isAdmin: boolean }, id: string): Promise<string> {
  const [row] = await sql<Array<{ lectureId: string }>>`
    with removed as (
      delete from lecture_reviews
      where id = ${id} and (author_id = ${viewer.id} or ${viewer.isAdmin})
      returning lecture_id, rating
    ), uncounted as (
      update lectures l set review_count = l.review_count - 1, rating_sum = l.rating_sum - removed.rating
      from removed where l.id = removed.lecture_id
    )
    select lecture_id from removed`
  if (row !== undefined) return row.lectureId
  const [exists] = await sql`select 1 from lecture_reviews where id = ${id}`
  throw new AppError(exists === undefined ? 'NOT_FOUND' : 'FORBIDDEN')
}
