// Timetables: a student's plan for one semester. Adding a lecture copies its slots into
// timetable_slots, whose exclusion constraint refuses any overlap: the database, not this
// code, is what keeps two clashing lectures out, whichever instance adds them.
import type { ISql, Sql } from 'postgres'
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
 * A timetable with its lectures, for its owner or a friend of the owner (checked in the same
 * query as the read); anyone else 403, an unknown one 404.
 */
export async function getTimetable (sql: ISql, viewerId: string, id: string): Promise<Timetable> {
  const [row] = await sql<Array<TimetableRow & { visible: boolean }>>`
    select ${timetableColumns(sql)},
      t.owner_id = ${viewerId} or exists (
        select 1 from friendships f where f.user_id = t.owner_id and f.friend_id = ${viewerId}) as visible
    from timetables t where t.id = ${id}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  if (!row.visible) throw new AppError('FORBIDDEN')
  const lectures = await sql<LectureRow[]>`
    select ${lectureColumns(sql)}
    from timetable_lectures tl join lectures l on l.id = tl.lecture_id
    where tl.timetable_id = ${id}
    order by tl.added_at, l.id`
  return { ...toSummary(row), lectures: lectures.map(toLecture) }
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
 * timetable row is locked first, so adds to one timetable queue instead of deadlocking on each
 * other's slot checks; the exclusion constraint (23P01) is the judge of a clash.
 */
export async function addLecture (sql: Sql, ownerId: string, timetableId: string, lectureId: string): Promise<Timetable> {
  try {
    await sql.begin(async (tx) => {
      const [timetable] = await tx<Array<{ semester: string, schoolId: string | null }>>`
        select t.semester, u.school_id
        from timetables t join users u on u.id = t.owner_id
        where t.id = ${timetableId} and t.owner_id = ${ownerId}
        for update of t`
      if (timetable === undefined) throw await refusal(tx, timetableId)
      const [lecture] = await tx<Array<{ semester: string, schoolId: string }>>`
        select semester, school_id from lectures where id = ${lectureId}`
      if (lecture === undefined) throw new AppError('NOT_FOUND')
      if (lecture.semester !== timetable.semester) {
        throw invalidField('/params/lectureId', `is a lecture of ${lecture.semester}, and the timetable is for ${timetable.semester}`)
      }
      if (timetable.schoolId !== null && lecture.schoolId !== timetable.schoolId) {
        throw invalidField('/params/lectureId', 'is a lecture of another school than yours')
      }
      const [added] = await tx`
        insert into timetable_lectures (timetable_id, lecture_id) values (${timetableId}, ${lectureId})
        on conflict do nothing
        returning lecture_id`
      if (added === undefined) return
      await tx`
        insert into timetable_slots (timetable_id, lecture_id, day, minutes)
        select ${timetableId}, lecture_id, day, minutes from lecture_slots where lecture_id = ${lectureId}`
    })
  } catch (error) {
    if ((error as { code?: string }).code === '23P01') throw await clashes(sql, timetableId, lectureId)
    throw error
  }
  return await getTimetable(sql, ownerId, timetableId)
}

/** Takes a lecture out of the caller's timetable (its slots go by cascade); idempotent. */
export async function removeLecture (sql: ISql, ownerId: string, timetableId: string, lectureId: string): Promise<Timetable> {
  const [owned] = await sql`
    with owned as (select id from timetables where id = ${timetableId} and owner_id = ${ownerId}),
    removed as (
      delete from timetable_lectures tl using owned
      where tl.timetable_id = owned.id and tl.lecture_id = ${lectureId}
    )
    select 1 from owned`
  if (owned === undefined) throw await refusal(sql, timetableId)
  return await getTimetable(sql, ownerId, timetableId)
}
