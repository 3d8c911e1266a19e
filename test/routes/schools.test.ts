import t from 'tap'
import { build } from '../helper.js'
import { createUser } from '../accounts.js'
import { collectPages } from '../paging.js'

const app = await build(t, { env: { ADMIN_USERNAMES: 'schooladmin' } })
const [admin, student] = await Promise.all([createUser(app, { username: 'schooladmin' }), createUser(app)])

async function addSchool (name: string) {
  return await app.inject({ method: 'POST', url: '/schools', headers: admin.auth, payload: { name } })
}

t.test('POST /schools by an admin → 201 the school, stored NFC and trimmed', async (t) => {
  const res = await addSchool('  \u1112\u1169\u11bc익대학교  ')
  t.equal(res.statusCode, 201)
  const school = res.json()
  t.equal(school.name, '홍익대학교')
  t.match(school, { id: /^[0-9a-f-]{36}$/, createdAt: /Z$/ })
})

t.test('a duplicate name, differing only in case or normalization, is 409 CONFLICT', async (t) => {
  t.equal((await addSchool('Seoul National University')).statusCode, 201)
  const res = await addSchool('SEOUL national university')
  t.equal(res.statusCode, 409)
  t.same(res.json(), { error: { code: 'CONFLICT', message: '이미 처리된 요청입니다.' } })
  t.equal((await addSchool('홍익대학교')).statusCode, 409)
})

t.test('the same new name sent 8 times at once → one 201, seven 409', async (t) => {
  const answers = await Promise.all(Array.from({ length: 8 }, () => addSchool('Korea University')))
  t.same(answers.map(a => a.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409])
})

t.test('a non-admin cannot add a school: 403 FORBIDDEN, nothing stored', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/schools', headers: student.auth, payload: { name: '가짜대학교' } })
  t.equal(res.statusCode, 403)
  t.equal(res.json().error.code, 'FORBIDDEN')
  const list = await app.inject({ url: '/schools?q=가짜' })
  t.same(list.json().items, [])
})

t.test('GET /schools needs no token; ?q= is a case-insensitive substring, % and _ literal', async (t) => {
  await Promise.all(['KAIST', 'Pohang 100% University', 'Ewha_Womans'].map(addSchool))
  const all = await app.inject({ url: '/schools' })
  t.equal(all.statusCode, 200)
  t.ok(all.json().items.length >= 5)
  t.same((await app.inject({ url: '/schools?q=kai' })).json().items.map((s: { name: string }) => s.name), ['KAIST'])
  t.same((await app.inject({ url: '/schools?q=익대' })).json().items.map((s: { name: string }) => s.name), ['홍익대학교'])
  t.same((await app.inject({ url: '/schools?q=%25' })).json().items.map((s: { name: string }) => s.name), ['Pohang 100% University'])
  t.same((await app.inject({ url: '/schools?q=a_w' })).json().items.map((s: { name: string }) => s.name), ['Ewha_Womans'])
})

t.test('the catalog pages newest first without repeats', async (t) => {
  const { items: names, pages } = await collectPages<{ id: string, name: string }>(app, '/schools', {}, 2)
  t.ok(pages >= 3)
  const sorted = await app.sql<Array<{ id: string }>>`select id from schools order by created_at desc, id desc`
  t.same(names.map(s => s.id), sorted.map(row => row.id))
  t.equal(new Set(names.map(s => s.id)).size, names.length)
  const forged = await app.inject({ url: '/schools?cursor=bm90LWEtY3Vyc29y' })
  t.equal(forged.statusCode, 400)
  t.equal(forged.json().error.details[0].path, '/querystring/cursor')
})

t.test('signup with schoolId and admissionYear → the account carries both', async (t) => {
  const school = (await addSchool('Yonsei University')).json()
  const res = await app.inject({
    method: 'POST', url: '/auth/signup',
    payload: { username: 'yonsei student', password: 'correct horse battery', nickname: '연세', schoolId: school.id, admissionYear: 2024 }
  })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { schoolId: school.id, admissionYear: 2024 })
})

t.test('signup with an unknown school → 400 VALIDATION_FAILED naming schoolId, nothing stored', async (t) => {
  const payload = { username: 'lost student', password: 'correct horse battery', nickname: '길잃음', schoolId: '00000000-0000-4000-8000-000000000000' }
  const res = await app.inject({ method: 'POST', url: '/auth/signup', payload })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, 'VALIDATION_FAILED')
  t.equal(res.json().error.details[0].path, '/body/schoolId')
  const again = await app.inject({ method: 'POST', url: '/auth/signup', payload: { ...payload, schoolId: undefined } })
  t.equal(again.statusCode, 201, 'the username was not taken by the refused signup')
})
