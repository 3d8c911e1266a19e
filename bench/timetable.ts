// The timetable under load: a catalog of 20 000 lectures (10 schools × 4 semesters × 500)
// with Korean titles and professors, one or two weekly slots each, and a timetable of 9
// lectures for each of 50 users. The catalog is generated inside PostgreSQL; the timetables go
// through db/timetables.ts, so their slots are checked by the exclusion constraint as the
// route's are.
import type { Sql } from 'postgres'
import { AppError } from '../plugins/errors.js'
import { addLecture, createTimetable, removeLecture } from '../db/timetables.js'
import { bulk, benchId } from './seed.js'
import { bearer, getJson, rotating, type Bench } from './scenarios.js'
import { atLeastCeiling, type Target } from './report.js'
import type { Request } from 'autocannon'

export const CATALOG = {
  schools: 10,
  semesters: ['2025-1', '2025-2', '2026-1', '2026-2'],
  perSchoolAndSemester: 500,
  /** The semester (of school 1) the timetables are for. */
  timetableSemester: '2026-1',
  timetables: 50,
  lecturesPerTimetable: 9
}

const SUBJECTS = [
  '자료구조', '알고리즘', '운영체제', '컴퓨터네트워크', '데이터베이스', '선형대수학', '미분적분학', '확률과통계',
  '일반물리학', '일반화학', '경제학원론', '경영학개론', '심리학개론', '사회학개론', '한국사', '대학글쓰기',
  '영어회화', '프로그래밍기초', '객체지향프로그래밍', '컴퓨터구조', '인공지능', '기계학습', '소프트웨어공학', '컴파일러', '정보보호'
]
const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임']
const GIVEN_NAMES = ['민준', '서연', '도윤', '지우', '하준', '서윤', '예준', '하은', '시우', '지민']
/** Search terms a student types: a title word (4 and 3 characters), a professor, a code, 2 characters. */
const TERMS = ['자료구조', '데이터', '김민준', 'cs01', '운영']

/**
 * Lecture k (1-based) belongs to school 1 + (k - 1) / 2000 and semester (k - 1) / 500 mod 4;
 * its number n within that catalog decides code, title, professor and slots: day n mod 5 at
 * 9 + (n / 5) mod 9 o'clock for 75 minutes, and for even n the same hour two days later. So
 * catalogs have lectures at every hour of the week, many of them clashing.
 */
export async function seedLectures (sql: Sql): Promise<void> {
  const { schools, semesters, perSchoolAndSemester: per } = CATALOG
  const total = schools * semesters.length * per
  await bulk(sql, ['lectures', 'lecture_slots'], async (tx) => {
    await tx`
      insert into lectures (id, school_id, code, title, professor, credits, semester)
      select md5('bench-lecture-' || k)::uuid,
             md5('bench-school-' || (1 + (k - 1) / ${per * semesters.length}))::uuid,
             'CS' || lpad(n::text, 4, '0'),
             (${SUBJECTS}::text[])[1 + n % ${SUBJECTS.length}] || ' ' || (1 + n / ${SUBJECTS.length}),
             (${SURNAMES}::text[])[1 + n % ${SURNAMES.length}] || (${GIVEN_NAMES}::text[])[1 + (n / ${SURNAMES.length}) % ${GIVEN_NAMES.length}],
             1 + n % 3,
             (${semesters}::text[])[1 + ((k - 1) / ${per}) % ${semesters.length}]
      from generate_series(1, ${total}) as k, lateral (select (k - 1) % ${per} + 1) as x(n)
      order by 1`
    await tx`
      insert into lecture_slots (lecture_id, day, minutes, room)
      select md5('bench-lecture-' || k)::uuid, d, int4range(h * 60, h * 60 + 75), '공학관 ' || (100 + n % 50)
      from generate_series(1, ${total}) as k,
           lateral (select (k - 1) % ${per} + 1) as x(n),
           lateral (select 9 + (n / 5) % 9) as y(h),
           lateral (select n % 5 union all select (n % 5 + 2) % 5 where n % 2 = 0) as z(d)`
  })
}

/** A timetable and one more lecture that fits it, for the add/remove scenario. */
type Planned = { userIndex: number, timetableId: string, spareLectureId: string }

/**
 * Timetables of users 1 … timetables: lectures of school 1 in the timetable semester, taken in
 * catalog order from a different place for each user, skipping those that clash.
 */
export async function seedTimetables (sql: Sql): Promise<Planned[]> {
  const lectures = (await sql<Array<{ id: string }>>`
    select id from lectures where school_id = ${benchId('bench-school-1')} and semester = ${CATALOG.timetableSemester}
    order by code`).map(r => r.id)
  const planned: Planned[] = []
  for (let u = 1; u <= CATALOG.timetables; u++) {
    const ownerId = benchId(`bench-user-${u}`)
    const timetable = await createTimetable(sql, ownerId, { semester: CATALOG.timetableSemester, name: '벤치 시간표' })
    let added = 0
    let spare: string | undefined
    for (let i = 0; spare === undefined && i < lectures.length; i++) {
      const lectureId = lectures[(u * 37 + i) % lectures.length]!
      try {
        await addLecture(sql, ownerId, timetable.id, lectureId)
      } catch (error) {
        if (error instanceof AppError && error.code === 'TIME_CONFLICT') continue
        throw error
      }
      if (++added > CATALOG.lecturesPerTimetable) {
        await removeLecture(sql, ownerId, timetable.id, lectureId)
        spare = lectureId
      }
    }
    if (spare === undefined) throw new Error(`no room for ${CATALOG.lecturesPerTimetable + 1} lectures in timetable ${u}`)
    planned.push({ userIndex: u, timetableId: timetable.id, spareLectureId: spare })
  }
  return planned
}

/**
 * The scenarios and the targets. Searches and fits are measured on `bench` (its page
 * cache on) and, for the record, on `uncached` (the same service with PAGE_CACHE_MB=0).
 */
export async function timetableScenarios (bench: Bench, uncached: Bench, planned: Planned[]): Promise<Target[]> {
  const { base, tokens, connections, db, versusCeiling } = bench
  const schools = (await db<Array<{ id: string }>>`select id from schools order by name`).map(r => r.id)
  const searches = (of: Bench) => schools.flatMap((school, s) => CATALOG.semesters.flatMap((semester, m) => TERMS.map((term, t) => ({
    path: `/lectures?schoolId=${school}&semester=${semester}&q=${encodeURIComponent(term)}`,
    token: of.tokens[(s + m + t) % of.tokens.length]!
  }))))
  const [first] = searches(bench)
  const probe = await getJson(base + first!.path, first!.token)
  if (probe.status !== 200 || probe.body.items.length === 0) throw new Error(`GET ${first!.path}: ${probe.status}, ${probe.body.items?.length} items`)
  const searchOn = (of: Bench) => ({ url: of.base, connections, requests: [rotating(searches(of), s => ({ method: 'GET' as const, path: s.path, headers: bearer(s.token) }))] })
  const search = await versusCeiling('GET /lectures?q=', searchOn(bench))
  await versusCeiling('GET /lectures?q=, cache off', searchOn(uncached))

  // As a student asks it: their school's lectures that fit (the timetables hold school 1's).
  const school1 = benchId('bench-school-1')
  const fitsOn = (of: Bench) => ({
    url: of.base, connections,
    requests: [rotating(planned, p => ({ method: 'GET' as const, path: `/lectures?schoolId=${school1}&fits=${p.timetableId}`, headers: bearer(of.tokens[p.userIndex - 1]!) }))]
  })
  const fits = await versusCeiling('GET /lectures?fits=', fitsOn(bench))
  await versusCeiling('GET /lectures?fits=, cache off', fitsOn(uncached))

  const withToken = planned.map(p => ({ ...p, token: tokens[p.userIndex - 1]! }))
  // Each connection keeps one timetable (its own while there are enough) and alternates adding
  // and removing that timetable's spare lecture: every request changes the timetable.
  let next = 0
  const pairPath = (context: Record<string, unknown>) => {
    context.pair ??= withToken[next++ % withToken.length]
    const p = context.pair as (typeof withToken)[number]
    return { path: `/timetables/${p.timetableId}/lectures/${p.spareLectureId}`, headers: bearer(p.token) }
  }
  const toggle: Request[] = [
    { method: 'PUT', setupRequest: (request, context) => ({ ...request, ...pairPath(context) }) },
    { method: 'DELETE', setupRequest: (request, context) => ({ ...request, ...pairPath(context) }) }
  ]
  const change = await versusCeiling('PUT and DELETE /timetables/{id}/lectures/{lectureId}', { url: base, connections, requests: toggle })

  return [
    atLeastCeiling('GET /lectures?q= req/s', search, 0.15),
    atLeastCeiling('GET /lectures?fits= req/s', fits, 0.1),
    atLeastCeiling('timetable add/remove req/s', change, 0.08)
  ]
}
