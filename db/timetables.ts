// Timetables: a student's plan for one semester. Adding a lecture copies its slots into
// timetable_slots, whose exclusion constraint refuses any overlap: the database, not this
// code, is what keeps two clashing lectures out, whichever instance adds them.
import type { ISql } from 'postgres'
import type { NewTimetableBody, Timetable, TimetableSummary } from '../schemas/timetable.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { describeSlot, lectureColumns, toLecture, type LectureRow } from './lectures.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'

type TimetableRow = { id: string, ownerId: string, semester: string, name: string, totalCredits: number, createdAt: Date }

function toSummary (row: TimetableRow): TimetableSummary {
  return { id: row.id, ownerId: row.ownerId, semester: row.semester, name: row.name, totalCredits: row.totalCredits, createdAt: row.createdAt.toISOString() }
}

/** A timetable's columns over `timetables t`, its credits summed over timetable_lectures' key. */
function timetableColumns (sql: ISql) {
  return sql`
    t.id, t.owner_id, t.semester, t.name, t.created_at,
    (select coalesce(sum(l.credits), 0)::int from timetable_lectures tl join lectures l on l.id = tl.lecture_id
     where tl.timetable_id = t.id) as total_credits`
}

/** A new empty timetable; 409 CONFLICT when the caller has one of that name in that semester. */
export async function createTimetable (sql: ISql, ownerId: string, body: NewTimetableBody): Promise<Timetable> {
  const [row] = await sql<Array<Omit<TimetableRow, 'totalCredits'>>>`
    insert into timetables (owner_id, semester, name) values (${ownerId}, ${body.semester}, ${body.name})
    on conflict (owner_id, semester, name) do nothing
    returning id, owner_id, semester, name, created_at`
  if (row === undefined) throw new AppError('CONFLICT')
  return { ...toSummary({ ...row, totalCredits: 0 }), lectures: [] }
}

const NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['t.created_at', 'timestamptz'], ['t.id', 'uuid']] }

/** A user's timetables, newest first (timetables_owner_page_idx). */
export async function listTimetables (sql: ISql, ownerId: string, page: KeysetRequest): Promise<Page<TimetableSummary>> {
  const k = keyset(sql, NEWEST_FIRST, page)
  const rows = await sql<Array<TimetableRow & { position: string[] }>>`
    select ${timetableColumns(sql)}, ${k.position}
    from timetables t
    where t.owner_id = ${ownerId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toSummary)
}

/**
 * The columns of a timetable's answer, over `timetables t` (or a relation with its columns)
 * left joined to its lectures `lectures l`: the timetable on every row, beside one lecture
 * each, or beside nulls when it has none.
 */
function answerColumns (sql: ISql) {
  return sql`
    t.id as timetable_id, t.owner_id, t.semester as timetable_semester, t.name as timetable_name,
    t.created_at as timetable_created_at, ${lectureColumns(sql)}`
}

type AnswerRow = {
  timetableId: string, ownerId: string, timetableSemester: string, timetableName: string, timetableCreatedAt: Date
} & (LectureRow | { id: null })

/** The answer from rows of `answerColumns`; its total credits summed over the lectures shown. */
function toTimetable (rows: AnswerRow[]): Timetable {
  const timetable = rows[0]!
  const lectures = rows.flatMap(row => row.id === null ? [] : [toLecture(row as LectureRow)])
  return {
    id: timetable.timetableId,
    ownerId: timetable.ownerId,
    semester: timetable.timetableSemester,
    name: timetable.timetableName,
    totalCredits: lectures.reduce((sum, lecture) => sum + lecture.credits, 0),
    createdAt: timetable.timetableCreatedAt.toISOString(),
    lectures
  }
}

/**
 * A timetable with its lectures, for its owner or a friend of the owner (checked in the same
 * query as the read); anyone else 403, an unknown one 404.
 */
export async function getTimetable (sql: ISql, viewerId: string, id: string): Promise<Timetable> {
  const rows = await sql<Array<AnswerRow & { visible: boolean }>>`
    select ${answerColumns(sql)},
      t.owner_id = ${viewerId} or exists (
        select 1 from friendships f where f.user_id = t.owner_id and f.friend_id = ${viewerId}) as visible
    from timetables t
    left join timetable_lectures m on m.timetable_id = t.id
    left join lectures l on l.id = m.lecture_id
    where t.id = ${id}
    order by m.added_at, l.id`
  if (rows.length === 0) throw new AppError('NOT_FOUND')
  if (!rows[0]!.visible) throw new AppError('FORBIDDEN')
  return toTimetable(rows)
}

/** Why an owner-only change touched nothing: no such timetable (404), or not the caller's (403). */
async function refusal (sql: ISql, id: string): Promise<AppError> {
  const [row] = await sql`select 1 from timetables where id = ${id}`
  return new AppError(row === undefined ? 'NOT_FOUND' : 'FORBIDDEN')
}

export async function deleteTimetable (sql: ISql, ownerId: string, id: string): Promise<void> {
  const [row] = await sql`delete from timetables where id = ${id} and owner_id = ${ownerId} returning id`
  if (row === undefined) throw await refusal(sql, id)
}

/** The lectures already in `timetableId` that overlap `lectureId`'s slots, as TIME_CONFLICT details. */
async function clashes (sql: ISql, timetableId: string, lectureId: string): Promise<AppError> {
  const rows = await sql<Array<{ id: string, code: string, title: string, day: number, start: number, end: number }>>`
    select l.id, l.code, l.title, ts.day, lower(ts.minutes) as start, upper(ts.minutes) as end
    from lecture_slots s
    join timetable_slots ts on ts.timetable_id = ${timetableId} and ts.day = s.day and ts.minutes && s.minutes
    join lectures l on l.id = ts.lecture_id
    where s.lecture_id = ${lectureId} and ts.lecture_id <> ${lectureId}
    order by ts.day, lower(ts.minutes), l.code`
  return new AppError('TIME_CONFLICT', {
    details: rows.map(row => ({ path: `/lectures/${row.id}`, message: `${row.code} ${row.title} ${describeSlot(row)}` }))
  })
}

/**
 * Adds a lecture to the caller's timetable; adding one already there changes nothing. The
 * exclusion constraint (23P01) is the judge of a clash. Adds to one timetable queue on its row
 * (FOR UPDATE): PostgreSQL checks an exclusion constraint after inserting the index entry, so
 * two adds inserting clashing slots at once would each wait for the other, a deadlock broken
 * only after deadlock_timeout (tests: ten clashing lectures at once, and two whose slots are
 * stored in crossed day order, failed without the queue).
 */
export async function addLecture (sql: ISql, ownerId: string, timetableId: string, lectureId: string): Promise<Timetable> {
  // One statement, so one round trip and no explicit transaction: the lock, the checks, the
  // insert, the copy of the slots (which the exclusion constraint judges) and the answer. Its
  // reads see the timetable as it was when the statement began, so the answer's lectures are
  // those plus the one it added (after waiting for the lock, a lecture added by the request
  // it waited for is missing from this answer, and in the next read).
  // timetableId is null on the one row there is when the timetable is not the caller's.
  let rows: Array<Omit<AnswerRow, 'timetableId'> & { timetableId: string | null, lectureFound: boolean, lectureSemester: string | null, lectureSchoolId: string | null, ownerSchoolId: string | null }>
  try {
    rows = await sql`
      with t as (
        select t.id, t.owner_id, t.semester, t.name, t.created_at, u.school_id as owner_school_id
        from timetables t join users u on u.id = t.owner_id
        where t.id = ${timetableId} and t.owner_id = ${ownerId}
        for update of t
      ),
      lecture as (select id, semester, school_id from lectures where id = ${lectureId}),
      added as (
        insert into timetable_lectures (timetable_id, lecture_id)
        select t.id, lecture.id from t, lecture
        where lecture.semester = t.semester and (t.owner_school_id is null or lecture.school_id = t.owner_school_id)
        on conflict do nothing
        returning lecture_id, added_at
      ),
      added_slots as (
        insert into timetable_slots (timetable_id, lecture_id, day, minutes)
        select ${timetableId}, s.lecture_id, s.day, s.minutes from lecture_slots s join added on added.lecture_id = s.lecture_id
      ),
      members as (
        select lecture_id, added_at from timetable_lectures where timetable_id = (select id from t)
        union all
        select lecture_id, added_at from added
      )
      select ${answerColumns(sql)}, lecture.id is not null as lecture_found, lecture.semester as lecture_semester,
        lecture.school_id as lecture_school_id, t.owner_school_id
      from (values (1)) as one
      left join t on true
      left join lecture on true
      left join members m on true
      left join lectures l on l.id = m.lecture_id
      order by m.added_at, l.id`
  } catch (error) {
    if ((error as { code?: string }).code === '23P01') throw await clashes(sql, timetableId, lectureId)
    throw error
  }
  const verdict = rows[0]!
  if (verdict.timetableId === null) throw await refusal(sql, timetableId)
  if (!verdict.lectureFound) throw new AppError('NOT_FOUND')
  if (verdict.lectureSemester !== verdict.timetableSemester) {
    throw invalidField('/params/lectureId', `is a lecture of ${verdict.lectureSemester}, and the timetable is for ${verdict.timetableSemester}`)
  }
  if (verdict.ownerSchoolId !== null && verdict.lectureSchoolId !== verdict.ownerSchoolId) {
    throw invalidField('/params/lectureId', 'is a lecture of another school than yours')
  }
  // Added by a request that committed after this statement began: read it again to show it.
  if (!rows.some(row => row.id === lectureId)) return await getTimetable(sql, ownerId, timetableId)
  return toTimetable(rows as AnswerRow[])
}

/** Takes a lecture out of the caller's timetable (its slots go by cascade); idempotent. */
export async function removeLecture (sql: ISql, ownerId: string, timetableId: string, lectureId: string): Promise<Timetable> {
  // One statement, as addLecture: the answer is the lectures before it, less the one removed.
  const rows = await sql<Array<Omit<AnswerRow, 'timetableId'> & { timetableId: string | null }>>`
    with t as (select id, owner_id, semester, name, created_at from timetables where id = ${timetableId} and owner_id = ${ownerId}),
    removed as (
      delete from timetable_lectures tl using t
      where tl.timetable_id = t.id and tl.lecture_id = ${lectureId}
    )
    select ${answerColumns(sql)}
    from (values (1)) as one
    left join t on true
    left join timetable_lectures m on m.timetable_id = t.id and m.lecture_id <> ${lectureId}
    left join lectures l on l.id = m.lecture_id
    order by m.added_at, l.id`
  if (rows[0]!.timetableId === null) throw await refusal(sql, timetableId)
  return toTimetable(rows as AnswerRow[])
}
