import t from 'tap'
import { build } from '../helper.js'
import { createUser } from '../accounts.js'
import { Catalog, type SlotSpec } from '../catalog.js'
import { collectPages } from '../paging.js'

const app = await build(t, { env: { ADMIN_USERNAMES: 'lectureadmin' } })
const catalog = await Catalog.open(app, 'lectureadmin')
const [student, classmate] = await Promise.all([createUser(app), createUser(app)])

const LECTURE = {
  code: 'CS201', title: '자료구조', professor: '김민수', credits: 3, semester: '2026-1',
  slots: [{ day: 'MON', start: '09:00', end: '10:15', room: 'T503' }, { day: 'WED', start: '09:00', end: '10:15' }]
}

function post (body: object, headers = catalog.admin.auth) {
  return app.inject({ method: 'POST', url: '/lectures', headers, payload: { schoolId: catalog.schoolId, ...body } })
}

t.test('POST /lectures by an admin → 201 the lecture with its slots, no rating yet', async (t) => {
  const res = await post(LECTURE)
  t.equal(res.statusCode, 201)
  t.match(res.json(), {
    schoolId: catalog.schoolId, code: 'CS201', title: '자료구조', professor: '김민수', credits: 3, semester: '2026-1',
    slots: [{ day: 'MON', start: '09:00', end: '10:15', room: 'T503' }, { day: 'WED', start: '09:00', end: '10:15', room: null }],
    averageRating: null, reviewCount: 0
  })
  const again = await post(LECTURE)
  t.equal(again.statusCode, 409, 'the same code in the same school and semester')
  t.equal((await post({ ...LECTURE, semester: '2026-2' })).statusCode, 201, 'the same code another semester')
  const echoed = await post({ ...LECTURE, code: 'CS201-ECHO', slots: res.json().slots })
  t.equal(echoed.statusCode, 201, 'slots read back (room: null included) are accepted as they are')
  t.same(echoed.json().slots, res.json().slots)
})

t.test('POST /lectures by a student → 403 FORBIDDEN', async (t) => {
  const res = await post({ ...LECTURE, code: 'X1' }, student.auth)
  t.equal(res.statusCode, 403)
})

t.test('POST /lectures refuses bad slots and fields with 400 naming the field', async (t) => {
  const slot = (s: Partial<SlotSpec>) => ({ ...LECTURE, code: `BAD${Math.random()}`.slice(0, 12), slots: [{ day: 'MON', start: '09:00', end: '10:00', ...s }] })
  const cases: Array<[string, object, string]> = [
    ['end before start', slot({ start: '10:00', end: '09:00' }), '/body/slots/0/end'],
    ['end equal to start', slot({ end: '09:00' }), '/body/slots/0/end'],
    ['24:00', slot({ end: '24:00' }), '/body/slots/0/end'],
    ['9:00 without padding', slot({ start: '9:00' }), '/body/slots/0/start'],
    ['a day that is not one', slot({ day: 'MONDAY' }), '/body/slots/0/day'],
    ['no slot', { ...LECTURE, code: 'NOSLOT', slots: [] }, '/body/slots'],
    ['11 slots', { ...LECTURE, code: 'ELEVEN', slots: Array.from({ length: 11 }, (_, i) => ({ day: 'TUE', start: `${String(i + 8).padStart(2, '0')}:00`, end: `${String(i + 8).padStart(2, '0')}:30` })) }, '/body/slots'],
    ['overlapping slots of one lecture', { ...LECTURE, code: 'OVER', slots: [{ day: 'FRI', start: '09:00', end: '11:00' }, { day: 'FRI', start: '10:00', end: '12:00' }] }, '/body/slots/1'],
    ['credits 31', { ...LECTURE, code: 'CR', credits: 31 }, '/body/credits'],
    ['semester 2026-3', { ...LECTURE, code: 'SEM', semester: '2026-3' }, '/body/semester'],
    ['an unknown school', { ...LECTURE, code: 'NOSCHOOL', schoolId: '00000000-0000-4000-8000-000000000000' }, '/body/schoolId']
  ]
  for (const [name, body, path] of cases) {
    const res = await post(body)
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path }] } }, name)
  }
})

t.test('GET /lectures/{id} → 200; unknown → 404', async (t) => {
  const lecture = await catalog.lecture({ slots: [{ day: 'TUE', start: '13:00', end: '14:00' }] })
  const res = await app.inject({ url: `/lectures/${lecture.id}`, headers: student.auth })
  t.equal(res.statusCode, 200)
  t.equal(res.json().id, lecture.id)
  t.equal((await app.inject({ url: '/lectures/00000000-0000-4000-8000-000000000000', headers: student.auth })).statusCode, 404)
})

t.test('GET /lectures?q= finds a substring of the code, title or professor in any script, case-insensitively', async (t) => {
  const other = await catalog.anotherSchool()
  await other.lecture({ code: 'EE310', title: '회로이론', professor: '이영희', slots: [{ day: 'MON', start: '09:00', end: '10:00' }] })
  await other.lecture({ code: 'CS330', title: 'Operating Systems', professor: 'Park', slots: [{ day: 'TUE', start: '09:00', end: '10:00' }] })
  await other.lecture({ code: 'MA101', title: '미적분학 100%', professor: '최_교수', slots: [{ day: 'WED', start: '09:00', end: '10:00' }] })
  const titles = async (q: string) => {
    const res = await app.inject({ url: `/lectures?schoolId=${other.schoolId}&q=${encodeURIComponent(q)}`, headers: student.auth })
    t.equal(res.statusCode, 200, q)
    return res.json().items.map((l: { title: string }) => l.title)
  }
  t.same(await titles('회로'), ['회로이론'], 'two Korean syllables')
  t.same(await titles('로'), ['회로이론'], 'one')
  t.same(await titles('이영희'), ['회로이론'], 'the professor')
  t.same(await titles('cs3'), ['Operating Systems'], 'the code, lower case')
  t.same(await titles('SYSTEM'), ['Operating Systems'], 'the title, upper case')
  t.same(await titles('%'), ['미적분학 100%'], '% is literal')
  t.same(await titles('_'), ['미적분학 100%'], '_ is literal')
  t.same(await titles('없는강의'), [])
  t.same(await titles('이론 이영'), [], 'a term spanning the title and the professor is in neither')
  t.same(await titles('EE310 회로'), [], 'nor one spanning the code and the title')
})

t.test('GET /lectures filters by school and semester and pages newest first without repeats', async (t) => {
  const school = await catalog.anotherSchool()
  for (const code of ['B2', 'A1', 'C3', 'A2', 'B1']) await school.lecture({ code, slots: [{ day: 'MON', start: '09:00', end: '10:00' }] })
  await school.lecture({ code: 'A0', semester: '2026-2', slots: [{ day: 'MON', start: '09:00', end: '10:00' }] })
  const { items, pages } = await collectPages<{ code: string }>(app, `/lectures?schoolId=${school.schoolId}&semester=2026-1`, student.auth, 2)
  t.same(items.map(l => l.code), ['B1', 'A2', 'C3', 'A1', 'B2'])
  t.equal(pages, 3)
  const forged = await app.inject({ url: '/lectures?cursor=WyJ4Il0', headers: student.auth })
  t.equal(forged.statusCode, 400)
})

t.test('GET /lectures pages through codes of 30 four-byte characters: every nextCursor is accepted back', async (t) => {
  const school = await catalog.anotherSchool()
  for (const mark of ['😀', '😃', '😄']) await school.lecture({ code: mark.repeat(30), slots: [{ day: 'MON', start: '09:00', end: '10:00' }] })
  const { items, pages } = await collectPages<{ code: string }>(app, `/lectures?schoolId=${school.schoolId}`, student.auth, 1)
  t.same(items.map(l => l.code), ['😄', '😃', '😀'].map(mark => mark.repeat(30)))
  t.equal(pages, 3)
})

// Slots on a small grid so that random lectures often clash and often touch.
function randomSlots (random: () => number): SlotSpec[] {
  const slots: SlotSpec[] = []
  const count = 1 + Math.floor(random() * 2)
  for (let i = 0; i < count; i++) {
    const day = ['MON', 'TUE'][Math.floor(random() * 2)]!
    const start = 9 * 60 + 30 * Math.floor(random() * 12)
    const end = start + 30 * (1 + Math.floor(random() * 4))
    const clash = slots.some(s => s.day === day && toMin(s.start) < end && start < toMin(s.end))
    if (!clash) slots.push({ day, start: clock(start), end: clock(end) })
  }
  return slots
}
const toMin = (c: string) => Number(c.slice(0, 2)) * 60 + Number(c.slice(3))
const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
const overlaps = (a: SlotSpec[], b: SlotSpec[]) =>
  a.some(x => b.some(y => x.day === y.day && toMin(x.start) < toMin(y.end) && toMin(y.start) < toMin(x.end)))

t.test('GET /lectures?fits= keeps exactly the lectures a brute-force check says would not clash', async (t) => {
  let seed = 42
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
  const school = await catalog.anotherSchool()
  const lectures: Array<{ id: string, slots: SlotSpec[] }> = []
  for (let i = 0; i < 40; i++) {
    const slots = randomSlots(random)
    lectures.push({ id: (await school.lecture({ slots })).id, slots })
  }
  const other = await school.lecture({ semester: '2026-2', slots: [{ day: 'SUN', start: '09:00', end: '10:00' }] })
  const table = await school.timetable(student)
  const chosen: SlotSpec[] = []
  for (const lecture of lectures.slice(0, 12)) {
    if ((await school.add(student, table, lecture.id)).statusCode === 200) chosen.push(...lecture.slots)
  }
  const expected = lectures.filter(l => !overlaps(l.slots, chosen)).map(l => l.id).sort()
  const { items } = await collectPages<{ id: string }>(app, `/lectures?schoolId=${school.schoolId}&fits=${table}`, student.auth, 7)
  t.same(items.map(l => l.id).sort(), expected, `${expected.length} of 40 fit`)
  t.notOk(items.some(l => l.id === other.id), 'another semester never fits')
  t.ok(expected.length > 0 && expected.length < 40, 'the check is not trivial')
})

t.test('GET /lectures?fits= another user\'s timetable or an unknown one → 404', async (t) => {
  const table = await catalog.timetable(student)
  t.equal((await app.inject({ url: `/lectures?fits=${table}`, headers: classmate.auth })).statusCode, 404)
  t.equal((await app.inject({ url: '/lectures?fits=00000000-0000-4000-8000-000000000000', headers: student.auth })).statusCode, 404)
})

t.test('GET /lectures?fits= leaves out another school\'s lectures when the owner has a school, as PUT refuses them', async (t) => {
  const enrolled = await createUser(app)
  await app.sql`update users set school_id = ${catalog.schoolId} where id = ${enrolled.id}`
  const table = await catalog.timetable(enrolled)
  const own = await catalog.lecture({ slots: [{ day: 'SAT', start: '09:00', end: '10:00' }] })
  const elsewhere = await (await catalog.anotherSchool()).lecture({ slots: [{ day: 'SAT', start: '09:00', end: '10:00' }] })
  const { items } = await collectPages<{ id: string }>(app, `/lectures?fits=${table}`, enrolled.auth, 100)
  const ids = items.map(l => l.id)
  t.ok(ids.includes(own.id), 'their school\'s lecture fits')
  t.notOk(ids.includes(elsewhere.id), 'another school\'s does not')
  t.equal((await catalog.add(enrolled, table, elsewhere.id)).statusCode, 400, 'and PUT agrees')
})

t.test('reviews: POST → 201; the lecture\'s averageRating and reviewCount follow exactly; a second review → 409', async (t) => {
  const lecture = await catalog.lecture({ slots: [{ day: 'THU', start: '09:00', end: '10:00' }] })
  const review = (user = student, rating = 5) => app.inject({
    method: 'POST', url: `/lectures/${lecture.id}/reviews`, headers: user.auth, payload: { rating, body: '좋은 강의입니다.' }
  })
  const first = await review(student, 5)
  t.equal(first.statusCode, 201)
  t.match(first.json(), { lectureId: lecture.id, rating: 5, body: '좋은 강의입니다.', author: { id: student.id } })
  t.equal((await review(classmate, 2)).statusCode, 201)
  const duplicate = await review(student, 1)
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().error.code, 'CONFLICT')
  t.match((await app.inject({ url: `/lectures/${lecture.id}`, headers: student.auth })).json(), { averageRating: 3.5, reviewCount: 2 })

  const list = await app.inject({ url: `/lectures/${lecture.id}/reviews`, headers: student.auth })
  t.same(list.json().items.map((r: { rating: number }) => r.rating), [2, 5], 'newest first')

  t.equal((await app.inject({ method: 'DELETE', url: `/reviews/${first.json().id}`, headers: classmate.auth })).statusCode, 403)
  const gone = await app.inject({ method: 'DELETE', url: `/reviews/${first.json().id}`, headers: student.auth })
  t.same(gone.json(), { deleted: true })
  t.equal((await app.inject({ method: 'DELETE', url: `/reviews/${first.json().id}`, headers: student.auth })).statusCode, 404)
  t.match((await app.inject({ url: `/lectures/${lecture.id}`, headers: student.auth })).json(), { averageRating: 2, reviewCount: 1 })
})

t.test('reviews: an admin deletes any; rating 0 or 6 or an empty body → 400; an unknown lecture → 404', async (t) => {
  const lecture = await catalog.lecture({ slots: [{ day: 'THU', start: '11:00', end: '12:00' }] })
  const res = await app.inject({ method: 'POST', url: `/lectures/${lecture.id}/reviews`, headers: student.auth, payload: { rating: 4, body: 'ok' } })
  t.equal((await app.inject({ method: 'DELETE', url: `/reviews/${res.json().id}`, headers: catalog.admin.auth })).statusCode, 200)
  for (const payload of [{ rating: 0, body: 'x' }, { rating: 6, body: 'x' }, { rating: 3, body: '' }, { rating: 3, body: 'x'.repeat(2001) }]) {
    t.equal((await app.inject({ method: 'POST', url: `/lectures/${lecture.id}/reviews`, headers: student.auth, payload })).statusCode, 400)
  }
  const missing = await app.inject({ method: 'POST', url: '/lectures/00000000-0000-4000-8000-000000000000/reviews', headers: student.auth, payload: { rating: 3, body: 'x' } })
  t.equal(missing.statusCode, 404)
  t.equal((await app.inject({ url: '/lectures/00000000-0000-4000-8000-000000000000/reviews', headers: student.auth })).statusCode, 404)
})

t.test('the same review sent 8 times at once → one 201, seven 409, and the count is 1', async (t) => {
  const lecture = await catalog.lecture({ slots: [{ day: 'FRI', start: '15:00', end: '16:00' }] })
  const answers = await Promise.all(Array.from({ length: 8 }, () => app.inject({
    method: 'POST', url: `/lectures/${lecture.id}/reviews`, headers: classmate.auth, payload: { rating: 4, body: '동시에' }
  })))
  t.same(answers.map(a => a.statusCode).sort(), [201, ...Array(7).fill(409)])
  t.match((await app.inject({ url: `/lectures/${lecture.id}`, headers: student.auth })).json(), { averageRating: 4, reviewCount: 1 })
})
