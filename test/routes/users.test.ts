import t from 'tap'
import { build } from '../helper.js'
import { createUser } from '../accounts.js'
import { collectPages } from '../paging.js'

const app = await build(t)
// Created one after another so "newest first" has a known order.
const caller = await createUser(app, { username: 'caller', nickname: '나' })
const minjun = await createUser(app, { username: 'MinJun', nickname: '김민준' })
const jinho = await createUser(app, { username: 'JIN HO', nickname: 'Émile' })
const seoyeon = await createUser(app, { username: '서연', nickname: 'seoyeon' })
const percent = await createUser(app, { username: 'a%b_c', nickname: 'wild' })

const notFound = { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } }
type Item = { id: string, username: string, nickname: string }

async function search (q: string): Promise<string[]> {
  const res = await app.inject({ method: 'GET', url: `/users?q=${encodeURIComponent(q)}`, headers: caller.auth })
  if (res.statusCode !== 200) throw new Error(`GET /users?q=${q}: ${res.statusCode} ${res.body}`)
  return (res.json().items as Item[]).map(u => u.username)
}

t.test('GET /users → 200 every user except the caller, newest first', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users', headers: caller.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    items: [
      { id: percent.id, username: 'a%b_c', nickname: 'wild' },
      { id: seoyeon.id, username: '서연', nickname: 'seoyeon' },
      { id: jinho.id, username: 'JIN HO', nickname: 'Émile' },
      { id: minjun.id, username: 'MinJun', nickname: '김민준' }
    ],
    nextCursor: null
  })
})

t.test('GET /users → 200 in pages of limit, each user once', async (t) => {
  const { items, pages } = await collectPages<Item>(app, '/users', minjun.auth, 2)
  t.equal(pages, 2)
  t.same(items.map(u => u.username), ['a%b_c', '서연', 'JIN HO', 'caller'])
})

t.test('GET /users?q= → 200 prefix search on username and nickname, case-insensitive', async (t) => {
  t.same(await search('minj'), ['MinJun'], 'username prefix')
  t.same(await search('MINJ'), ['MinJun'], 'in any case')
  t.same(await search('jin h'), ['JIN HO'], 'with an inner space')
  t.same(await search('émi'), ['JIN HO'], 'nickname prefix, non-ASCII case folding')
  t.same(await search('SEO'), ['서연'], 'nickname prefix')
  t.same(await search('민준'), [], 'a prefix, not a substring')
  t.same(await search('cal'), [], 'never the caller')
  t.same(await search('nobody'), [])
})

t.test('GET /users?q= → 200 Hangul prefix, composed or decomposed', async (t) => {
  t.same(await search('김민'), ['MinJun'], 'nickname')
  t.same(await search('서'), ['서연'], 'username')
  t.same(await search('\u1109\u1165'), ['서연'], 'decomposed jamo are NFC-normalized first')
})

t.test('GET /users?q= → 200 LIKE wildcards match only themselves', async (t) => {
  t.same(await search('%'), [])
  t.same(await search('_'), [])
  t.same(await search('a%b_'), ['a%b_c'])
})

t.test('GET /users?q= → 200 everyone when q is empty', async (t) => {
  t.equal((await search('')).length, 4)
})

t.test('GET /users → 400 VALIDATION_FAILED for bad limits, a malformed cursor, a long q, an unknown parameter', async (t) => {
  const cases: Array<[string, string]> = [
    ['limit=0', '/querystring/limit'], ['limit=101', '/querystring/limit'], ['limit=abc', '/querystring/limit'],
    ['limit=1&limit=2', '/querystring/limit'],
    ['cursor=bm9wZQ', '/querystring/cursor'], [`q=${'a'.repeat(51)}`, '/querystring/q'], ['sort=name', '/querystring/sort']
  ]
  for (const [query, path] of cases) {
    const res = await app.inject({ method: 'GET', url: `/users?${query}`, headers: caller.auth })
    t.equal(res.statusCode, 400, query)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path }] } }, query)
  }
})

t.test('GET /users → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})

t.test('GET /users/{username} → 200 the profile with its counts', async (t) => {
  const subject = await createUser(app, { username: 'Profiled', nickname: '프로필' })
  for (const follower of [caller, minjun]) {
    await app.inject({ method: 'POST', url: '/follows', headers: follower.auth, payload: { username: 'profiled' } })
  }
  await app.inject({ method: 'POST', url: '/follows', headers: subject.auth, payload: { username: '서연' } })
  const posts = []
  for (const anonymous of [false, false, true, false]) {
    const res = await app.inject({ method: 'POST', url: '/posts', headers: subject.auth, payload: { title: 't', body: 'b', anonymous } })
    posts.push(res.json())
  }
  await app.inject({ method: 'DELETE', url: `/posts/${posts[3].id}`, headers: subject.auth })

  const res = await app.inject({ method: 'GET', url: '/users/Profiled', headers: caller.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { id: subject.id, username: 'Profiled', nickname: '프로필', followerCount: 2, followingCount: 1, postCount: 2 },
    'the anonymous and the deleted post are not counted')
  const own = await app.inject({ method: 'GET', url: '/users/profiled', headers: subject.auth })
  t.equal(own.json().postCount, 3, 'the author counts their anonymous post')
})

t.test('GET /users/{username} → 200 case-insensitive, any script, inner spaces', async (t) => {
  for (const name of ['jin%20ho', 'JIN%20HO', encodeURIComponent('서연'), encodeURIComponent('\u1109\u1165\u110b\u1167\u11ab')]) {
    const res = await app.inject({ method: 'GET', url: `/users/${name}`, headers: caller.auth })
    t.equal(res.statusCode, 200, name)
  }
  const res = await app.inject({ method: 'GET', url: '/users/jin%20ho', headers: caller.auth })
  t.same(res.json(), { id: jinho.id, username: 'JIN HO', nickname: 'Émile', followerCount: 0, followingCount: 0, postCount: 0 })
})

t.test('GET /users/{username} → 200 for a 50-character Hangul username', async (t) => {
  const long = await createUser(app, { username: '가'.repeat(50) })
  const res = await app.inject({ method: 'GET', url: `/users/${encodeURIComponent(long.username)}`, headers: caller.auth })
  t.equal(res.statusCode, 200)
  t.equal(res.json().id, long.id)
})

t.test('GET /users/{username} → 404 NOT_FOUND for an unknown user', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users/nobody', headers: caller.auth })
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('GET /users/{username} → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users/MinJun' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})

t.test('GET /users/{username}/posts → 200 that user\'s posts newest first, anonymous ones to the author only', async (t) => {
  const writer = await createUser(app, { username: 'writer' })
  const write = async (title: string, anonymous = false) =>
    (await app.inject({ method: 'POST', url: '/posts', headers: writer.auth, payload: { title, body: 'b', anonymous } })).json()
  const first = await write('first')
  const hidden = await write('anonymous', true)
  const last = await write('last')
  await app.inject({ method: 'POST', url: '/posts', headers: caller.auth, payload: { title: 'someone else', body: 'b' } })

  const res = await app.inject({ method: 'GET', url: '/users/WRITER/posts', headers: caller.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { items: [last, first], nextCursor: null })
  const own = await app.inject({ method: 'GET', url: '/users/writer/posts', headers: writer.auth })
  t.same(own.json().items.map((p: { id: string }) => p.id), [last.id, hidden.id, first.id])

  const paged = await collectPages<{ id: string }>(app, '/users/writer/posts', caller.auth, 1)
  t.same(paged.items.map(p => p.id), [last.id, first.id], 'limit=1 pages through the same posts')
})

t.test('GET /users/{username}/posts → 404 NOT_FOUND for an unknown user', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users/nobody/posts', headers: caller.auth })
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('GET /users/{username}/posts → 400 VALIDATION_FAILED for a malformed cursor', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users/MinJun/posts?cursor=%21%21', headers: caller.auth })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/querystring/cursor' }] } })
})
