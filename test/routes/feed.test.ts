import t from 'tap'
import { build } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { collectPages } from '../paging.js'

const app = await build(t)
const [reader, alice, bob, carol, stranger] = await Promise.all([
  createUser(app, { username: 'reader' }),
  createUser(app, { username: 'alice' }),
  createUser(app, { username: '밥' }),
  createUser(app, { username: 'carol' }),
  createUser(app, { username: 'stranger' })
])

type PostItem = { id: string, title: string, author: { id: string } | null }

async function write (user: TestUser, title: string, anonymous = false): Promise<PostItem> {
  const res = await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title, body: '본문', anonymous } })
  if (res.statusCode !== 201) throw new Error(`POST /posts: ${res.statusCode} ${res.body}`)
  return res.json()
}

async function followAs (user: TestUser, username: string): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/follows', headers: user.auth, payload: { username } })
  if (res.statusCode !== 201) throw new Error(`POST /follows: ${res.statusCode} ${res.body}`)
}

t.test('GET /feed → 200 empty when the caller follows no one', async (t) => {
  const loner = await createUser(app)
  const res = await app.inject({ method: 'GET', url: '/feed', headers: loner.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { items: [], nextCursor: null })
})

t.test('GET /feed → 200 exactly the followed users\' posts, newest first', async (t) => {
  await followAs(reader, 'alice')
  await followAs(reader, '밥')
  await followAs(reader, 'carol')
  const a1 = await write(alice, 'alice 1')
  await write(reader, 'my own post')
  const b1 = await write(bob, '밥 1')
  await write(stranger, 'not followed')
  await write(carol, 'carol before unfollow')
  await write(alice, 'alice anonymous', true)
  const deleted = await write(bob, '밥 deleted')
  await app.inject({ method: 'DELETE', url: `/posts/${deleted.id}`, headers: bob.auth })
  const a2 = await write(alice, 'alice 2')
  await app.inject({ method: 'DELETE', url: '/follows/carol', headers: reader.auth })

  const res = await app.inject({ method: 'GET', url: '/feed', headers: reader.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json().items.map((p: PostItem) => p.title), ['alice 2', '밥 1', 'alice 1'],
    'not own posts, not strangers\', not unfollowed users\', not anonymous or deleted ones')
  t.same(res.json().items.map((p: PostItem) => p.id), [a2.id, b1.id, a1.id])
  t.same(res.json().items[0], a2, 'the same post shape as GET /posts/{id}')
  t.equal(res.json().nextCursor, null)
})

t.test('GET /feed → 200 paging 55 posts by 10 returns each once while new posts arrive', async (t) => {
  const follower = await createUser(app)
  const [x, y] = await Promise.all([createUser(app), createUser(app)])
  await followAs(follower, x.username)
  await followAs(follower, y.username)
  const written: string[] = []
  for (let i = 0; i < 55; i++) written.push((await write(i % 3 === 0 ? y : x, `post ${i}`)).id)
  const { items, pages } = await collectPages<PostItem>(app, '/feed', follower.auth, 10, async (page) => {
    await write(page % 2 === 0 ? x : y, 'arrived while paging')
  })
  t.equal(pages, 6)
  t.same(items.map(p => p.id), written.reverse(), 'every post exactly once, newest first, none of the newcomers')
})

t.test('GET /feed → 400 VALIDATION_FAILED for limit=0, limit=abc and a malformed cursor', async (t) => {
  for (const [query, path] of [['limit=0', '/querystring/limit'], ['limit=abc', '/querystring/limit'], ['cursor=%3D%3D%3D', '/querystring/cursor']]) {
    const res = await app.inject({ method: 'GET', url: `/feed?${query}`, headers: reader.auth })
    t.equal(res.statusCode, 400, query)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path }] } })
  }
})

t.test('GET /feed → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/feed' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})

t.test('GET /feed → 200 paging by 2 through 5 followees\' interleaved posts: the cutoff keeps every post, once, in order', async (t) => {
  // More followees with posts than a page holds, so the query's cutoff (the 3rd newest of the
  // followees' newest posts) is in play on every page.
  const follower = await createUser(app)
  const authors = await Promise.all(Array.from({ length: 5 }, () => createUser(app)))
  for (const author of authors) await followAs(follower, author.username)
  const order = [0, 1, 2, 0, 3, 4, 4, 1, 0, 2, 3, 3, 1, 4, 0, 2]
  const written: string[] = []
  for (const [i, a] of order.entries()) written.push((await write(authors[a]!, `interleaved ${i}`)).id)
  const { items, pages } = await collectPages<PostItem>(app, '/feed', follower.auth, 2)
  t.equal(pages, 8)
  t.same(items.map(p => p.id), written.reverse(), 'newest first, none skipped, none twice')
})
