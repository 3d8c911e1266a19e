import t from 'tap'
import { build, fileDatabaseUrl } from '../helper.js'
import { createUser } from '../accounts.js'
import { Catalog } from '../catalog.js'

const database = await fileDatabaseUrl()
const app = await build(t, { env: { DATABASE_URL: database, ADMIN_USERNAMES: 'ttadmin' } })
const catalog = await Catalog.open(app, 'ttadmin')
const [student, other] = await Promise.all([createUser(app), createUser(app)])

t.test('POST /timetables → 201 an empty timetable; GET /timetables lists it; the same name twice → 409', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/timetables', headers: student.auth, payload: { semester: '2026-2', name: '2학기' } })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { semester: '2026-2', name: '2학기', totalCredits: 0, lectures: [], ownerId: student.id })
  const list = await app.inject({ url: '/timetables', headers: student.auth })
  t.ok(list.json().items.some((x: { id: string }) => x.id === res.json().id))
  const again = await app.inject({ method: 'POST', url: '/timetables', headers: student.auth, payload: { semester: '2026-2', name: '2학기' } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'CONFLICT')
})

t.test('POST /timetables → 400 for a semester not like 2026-1, -2, -S or -W', async (t) => {
  for (const semester of ['2026-3', '26-1', '2026-s', '2026']) {
    const res = await app.inject({ method: 'POST', url: '/timetables', headers: student.auth, payload: { semester, name: 'x' } })
    t.equal(res.statusCode, 400, semester)
  }
})

t.test('PUT a lecture → 200 the timetable with it, its slots and totalCredits; again → 200, nothing changes', async (t) => {
  const table = await catalog.timetable(student)
  const lecture = await catalog.lecture({ title: '자료구조', credits: 3, slots: [{ day: 'MON', start: '09:00', end: '10:15', room: 'T503' }, { day: 'WED', start: '09:00', end: '10:15' }] })
  const res = await catalog.add(student, table, lecture.id)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.totalCredits, 3)
  t.same(body.lectures.map((l: { id: string }) => l.id), [lecture.id])
  t.same(body.lectures[0].slots, [{ day: 'MON', start: '09:00', end: '10:15', room: 'T503' }, { day: 'WED', start: '09:00', end: '10:15', room: null }])
  const again = await catalog.add(student, table, lecture.id)
  t.equal(again.statusCode, 200)
  t.same(again.json(), body, 'unchanged')
})

t.test('clashes: enclosing, enclosed, equal and partial overlaps are 409 TIME_CONFLICT; touching and other days are not', async (t) => {
  const base = await catalog.lecture({ code: 'BASE', title: '회로이론', slots: [{ day: 'TUE', start: '10:00', end: '12:00' }] })
  const cases = [
    { name: 'enclosing', slot: { day: 'TUE', start: '09:00', end: '13:00' }, clash: true },
    { name: 'enclosed', slot: { day: 'TUE', start: '10:30', end: '11:30' }, clash: true },
    { name: 'equal', slot: { day: 'TUE', start: '10:00', end: '12:00' }, clash: true },
    { name: 'overlapping the start', slot: { day: 'TUE', start: '09:00', end: '10:01' }, clash: true },
    { name: 'overlapping the end', slot: { day: 'TUE', start: '11:59', end: '13:00' }, clash: true },
    { name: 'touching before', slot: { day: 'TUE', start: '09:00', end: '10:00' }, clash: false },
    { name: 'touching after', slot: { day: 'TUE', start: '12:00', end: '13:00' }, clash: false },
    { name: 'another day', slot: { day: 'THU', start: '10:00', end: '12:00' }, clash: false }
  ]
  for (const c of cases) {
    const table = await catalog.timetable(student)
    t.equal((await catalog.add(student, table, base.id)).statusCode, 200)
    const candidate = await catalog.lecture({ slots: [c.slot] })
    const res = await catalog.add(student, table, candidate.id)
    if (c.clash) {
      t.equal(res.statusCode, 409, c.name)
      t.same(res.json(), {
        error: {
          code: 'TIME_CONFLICT',
          message: '시간이 겹치는 강의가 있습니다.',
          details: [{ path: `/lectures/${base.id}`, message: 'BASE 회로이론 TUE 10:00–12:00' }]
        }
      })
      const after = await app.inject({ url: `/timetables/${table}`, headers: student.auth })
      t.same(after.json().lectures.map((l: { id: string }) => l.id), [base.id], `${c.name}: nothing added`)
    } else {
      t.equal(res.statusCode, 200, c.name)
    }
  }
})

t.test('a lecture clashing with two lectures names both in details', async (t) => {
  const table = await catalog.timetable(student)
  const a = await catalog.lecture({ code: 'A1', title: '선형대수', slots: [{ day: 'FRI', start: '09:00', end: '10:00' }] })
  const b = await catalog.lecture({ code: 'B1', title: '확률과 통계', slots: [{ day: 'FRI', start: '11:00', end: '12:00' }] })
  await catalog.add(student, table, a.id)
  await catalog.add(student, table, b.id)
  const wide = await catalog.lecture({ slots: [{ day: 'FRI', start: '09:30', end: '11:30' }] })
  const res = await catalog.add(student, table, wide.id)
  t.equal(res.statusCode, 409)
  t.same(res.json().error.details.map((d: { path: string }) => d.path), [`/lectures/${a.id}`, `/lectures/${b.id}`])
})

t.test('a lecture of another semester → 400 VALIDATION_FAILED, nothing added', async (t) => {
  const table = await catalog.timetable(student, '2026-1')
  const fall = await catalog.lecture({ semester: '2026-2', slots: [{ day: 'MON', start: '15:00', end: '16:00' }] })
  const res = await catalog.add(student, table, fall.id)
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/params/lectureId' }] } })
})

t.test('a lecture of another school than the student\'s → 400 VALIDATION_FAILED, nothing added; one of their own → 200', async (t) => {
  const enrolled = await createUser(app)
  await app.sql`update users set school_id = ${catalog.schoolId} where id = ${enrolled.id}`
  const table = await catalog.timetable(enrolled)
  const elsewhere = await (await catalog.anotherSchool()).lecture({ slots: [{ day: 'TUE', start: '15:00', end: '16:00' }] })
  const refused = await catalog.add(enrolled, table, elsewhere.id)
  t.equal(refused.statusCode, 400)
  t.match(refused.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/params/lectureId', message: /another school/ }] } })
  const own = await catalog.lecture({ slots: [{ day: 'TUE', start: '15:00', end: '16:00' }] })
  const added = await catalog.add(enrolled, table, own.id)
  t.equal(added.statusCode, 200)
  t.same(added.json().lectures.map((l: { id: string }) => l.id), [own.id], 'only the own school\'s lecture is in')
})

t.test('PUT/DELETE on another user\'s timetable → 403; an unknown timetable or lecture → 404', async (t) => {
  const table = await catalog.timetable(student)
  const lecture = await catalog.lecture({ slots: [{ day: 'SAT', start: '10:00', end: '11:00' }] })
  t.equal((await catalog.add(other, table, lecture.id)).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: `/timetables/${table}/lectures/${lecture.id}`, headers: other.auth })).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: `/timetables/${table}`, headers: other.auth })).statusCode, 403)
  const missing = '00000000-0000-4000-8000-000000000000'
  t.equal((await catalog.add(student, missing, lecture.id)).statusCode, 404)
  t.equal((await catalog.add(student, table, missing)).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/timetables/${missing}/lectures/${lecture.id}`, headers: student.auth })).statusCode, 404)
  t.equal((await app.inject({ url: `/timetables/${missing}`, headers: student.auth })).statusCode, 404)
})

t.test('GET /timetables/{id} of a stranger → 403 FORBIDDEN', async (t) => {
  const table = await catalog.timetable(student)
  const res = await app.inject({ url: `/timetables/${table}`, headers: other.auth })
  t.equal(res.statusCode, 403)
  t.same(res.json(), { error: { code: 'FORBIDDEN', message: '권한이 없습니다.' } })
})

t.test('DELETE a lecture → 200 without it (idempotent); its time is free again', async (t) => {
  const table = await catalog.timetable(student)
  const first = await catalog.lecture({ credits: 2, slots: [{ day: 'SUN', start: '10:00', end: '11:00' }] })
  const second = await catalog.lecture({ slots: [{ day: 'SUN', start: '10:30', end: '11:30' }] })
  await catalog.add(student, table, first.id)
  t.equal((await catalog.add(student, table, second.id)).statusCode, 409)
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ method: 'DELETE', url: `/timetables/${table}/lectures/${first.id}`, headers: student.auth })
    t.equal(res.statusCode, 200)
    t.same(res.json().lectures, [])
    t.equal(res.json().totalCredits, 0)
  }
  t.equal((await catalog.add(student, table, second.id)).statusCode, 200)
})

t.test('DELETE /timetables/{id} → 200 {deleted:true}, then 404', async (t) => {
  const table = await catalog.timetable(student)
  const res = await app.inject({ method: 'DELETE', url: `/timetables/${table}`, headers: student.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { deleted: true })
  t.equal((await app.inject({ url: `/timetables/${table}`, headers: student.auth })).statusCode, 404)
})

t.test('ten mutually clashing lectures added at once through two instances → exactly one 200, nine 409, never 5xx', async (t) => {
  const second = await build(t, { env: { DATABASE_URL: database, ADMIN_USERNAMES: 'ttadmin' } })
  for (let round = 0; round < 3; round++) {
    const table = await catalog.timetable(student)
    const lectures = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      catalog.lecture({ slots: [{ day: 'THU', start: `1${i % 4}:00`, end: '14:30' }, { day: 'MON', start: '20:00', end: '20:30' }] })))
    const answers = await Promise.all(lectures.map((lecture, i) =>
      (i % 2 === 0 ? app : second).inject({ method: 'PUT', url: `/timetables/${table}/lectures/${lecture.id}`, headers: student.auth })))
    const codes = answers.map(a => a.statusCode).sort()
    t.same(codes, [200, ...Array(9).fill(409)], `round ${round}: ${codes.join(', ')}`)
    const [{ count }] = await app.sql`select count(*)::int as count from timetable_lectures where timetable_id = ${table}`
    t.equal(count, 1, 'one lecture stored')
  }
})

t.test('two lectures clashing on two days, added at once in crossed order, 20 times → one 200 and one 409 each time, never a deadlock', async (t) => {
  // Stored in opposite day orders: inserting each one's slots in the order it was written
  // could make each add wait for a slot the other holds.
  const codes: string[] = []
  for (let round = 0; round < 20; round++) {
    const table = await catalog.timetable(student)
    const [x, y] = await Promise.all([
      catalog.lecture({ slots: [{ day: 'MON', start: '09:00', end: '10:00' }, { day: 'WED', start: '09:00', end: '10:00' }] }),
      catalog.lecture({ slots: [{ day: 'WED', start: '09:30', end: '10:30' }, { day: 'MON', start: '09:30', end: '10:30' }] })
    ])
    const answers = await Promise.all([catalog.add(student, table, x.id), catalog.add(student, table, y.id)])
    codes.push(answers.map(a => a.statusCode).sort().join('/'))
  }
  t.same(codes, Array(20).fill('200/409'))
})

t.test('the same lecture added 8 times at once → 200 each, each showing it, stored once', async (t) => {
  const table = await catalog.timetable(student)
  const lecture = await catalog.lecture({ slots: [{ day: 'WED', start: '18:00', end: '19:00' }] })
  const answers = await Promise.all(Array.from({ length: 8 }, () => catalog.add(student, table, lecture.id)))
  t.same(answers.map(a => a.statusCode), Array(8).fill(200))
  // Those that found it added by another, a moment earlier, show it too.
  t.same(answers.map(a => a.json().lectures.map((l: { id: string }) => l.id)), Array(8).fill([lecture.id]), 'every answer shows the lecture')
  const [{ count }] = await app.sql`select count(*)::int as count from timetable_slots where timetable_id = ${table}`
  t.equal(count, 1)
})

t.test('the database itself refuses an overlapping slot, whatever the code does', async (t) => {
  const table = await catalog.timetable(student)
  const a = await catalog.lecture({ slots: [{ day: 'MON', start: '07:00', end: '08:00' }] })
  const b = await catalog.lecture({ slots: [{ day: 'MON', start: '07:30', end: '08:30' }] })
  await catalog.add(student, table, a.id)
  await app.sql`insert into timetable_lectures (timetable_id, lecture_id) values (${table}, ${b.id})`
  await t.rejects(app.sql`insert into timetable_slots (timetable_id, lecture_id, day, minutes) values (${table}, ${b.id}, 0, int4range(450, 510))`,
    { code: '23P01' })
})
