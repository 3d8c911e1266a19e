import t from 'tap'
import postgres from 'postgres'
import { build, fileDatabaseUrl } from '../helper.js'
import { createUser } from '../accounts.js'
import { collectPages } from '../paging.js'

const app = await build(t)
const [me, minjun, emily, daniel] = await Promise.all([
  createUser(app, { username: 'me' }),
  createUser(app, { username: 'MinJun', nickname: '민준' }),
  createUser(app, { username: 'emily' }),
  createUser(app, { username: 'daniel' })
])

const notFound = { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } }
type Item = { id: string, username: string, nickname: string, followedAt: string }

async function followAs (user: typeof me, username: string) {
  return await app.inject({ method: 'POST', url: '/follows', headers: user.auth, payload: { username } })
}

t.test('POST /follows → 201 {username} for a new follow, then 200 with the same body (idempotent)', async (t) => {
  const first = await followAs(me, 'minjun')
  t.equal(first.statusCode, 201)
  t.same(first.json(), { username: 'MinJun' }, 'the username as registered')
  const again = await followAs(me, 'MINJUN')
  t.equal(again.statusCode, 200)
  t.same(again.json(), { username: 'MinJun' })
  const following = await app.inject({ method: 'GET', url: '/follows/following', headers: me.auth })
  t.equal(following.json().items.length, 1, 'one follow, not two')
})

t.test('POST /follows → 400 VALIDATION_FAILED for following oneself', async (t) => {
  const res = await followAs(me, 'Me')
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', message: '요청 값이 올바르지 않습니다.', details: [{ path: '/body/username' }] } })
})

t.test('POST /follows → 404 NOT_FOUND for an unknown user', async (t) => {
  const res = await followAs(me, 'nobody')
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('POST /follows → 400 VALIDATION_FAILED for a missing, empty or extra field', async (t) => {
  for (const payload of [{}, { username: '   ' }, { username: 'emily', notify: true }]) {
    const res = await app.inject({ method: 'POST', url: '/follows', headers: me.auth, payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.equal(res.json().error.code, 'VALIDATION_FAILED')
  }
})

t.test('POST /follows → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/follows', payload: { username: 'emily' } })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})

t.test('DELETE /follows/{username} → 200 {unfollowed:true}, again 200 (idempotent)', async (t) => {
  const unfollower = await createUser(app)
  t.equal((await followAs(unfollower, 'emily')).statusCode, 201)
  const res = await app.inject({ method: 'DELETE', url: '/follows/Emily', headers: unfollower.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { unfollowed: true })
  const again = await app.inject({ method: 'DELETE', url: '/follows/emily', headers: unfollower.auth })
  t.equal(again.statusCode, 200)
  t.same(again.json(), { unfollowed: true })
  const following = await app.inject({ method: 'GET', url: '/follows/following', headers: unfollower.auth })
  t.same(following.json(), { items: [], nextCursor: null })
  t.equal((await followAs(unfollower, 'emily')).statusCode, 201, 'following again is a new follow')
})

t.test('DELETE /follows/{username} → 404 NOT_FOUND for an unknown user', async (t) => {
  const res = await app.inject({ method: 'DELETE', url: '/follows/nobody', headers: me.auth })
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('DELETE /follows/{username} → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'DELETE', url: '/follows/emily' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})

t.test('GET /follows/following → 200 the users the caller follows, most recent first', async (t) => {
  const follower = await createUser(app)
  for (const name of ['minjun', 'emily', 'daniel']) await followAs(follower, name)
  const res = await app.inject({ method: 'GET', url: '/follows/following', headers: follower.auth })
  t.equal(res.statusCode, 200)
  const { items, nextCursor } = res.json() as { items: Item[], nextCursor: null }
  t.same(items.map(({ followedAt: _, ...u }) => u), [
    { id: daniel.id, username: 'daniel', nickname: 'daniel' },
    { id: emily.id, username: 'emily', nickname: 'emily' },
    { id: minjun.id, username: 'MinJun', nickname: '민준' }
  ])
  t.equal(nextCursor, null)
  t.ok(items[0]!.followedAt >= items[1]!.followedAt && items[1]!.followedAt >= items[2]!.followedAt)

  const paged = await collectPages<Item>(app, '/follows/following', follower.auth, 2)
  t.equal(paged.pages, 2)
  t.same(paged.items, items, 'limit=2 pages through the same list')
})

t.test('GET /follows/followers → 200 the users who follow the caller, most recent first', async (t) => {
  const star = await createUser(app)
  for (const user of [minjun, emily, daniel]) await followAs(user, star.username)
  await app.inject({ method: 'DELETE', url: `/follows/${star.username}`, headers: emily.auth })
  const res = await app.inject({ method: 'GET', url: '/follows/followers', headers: star.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json().items.map((u: Item) => u.username), ['daniel', 'MinJun'])
  const following = await app.inject({ method: 'GET', url: '/follows/following', headers: star.auth })
  t.same(following.json(), { items: [], nextCursor: null }, 'followers are not followees')
})

t.test('GET /follows/followers → 200 paging 55 followers by 10 returns each once while new followers arrive', async (t) => {
  const star = await createUser(app)
  // Followers written straight into this file's database: 55 signups would cost 55 argon2 hashes.
  const sql = postgres(await fileDatabaseUrl(), { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  await sql`
    insert into users (username, username_key, nickname, nickname_key, password_hash)
    select 'fan' || i, 'fan' || i, 'fan' || i, 'fan' || i, 'x' from generate_series(1, 60) i`
  await sql`
    insert into follows (follower_id, followee_id, created_at)
    select id, ${star.id}, now() - (substr(username, 4)::int * interval '1 second')
    from users where username_key like 'fan%' and substr(username, 4)::int <= 55`
  let next = 56
  const { items, pages } = await collectPages<Item>(app, '/follows/followers', star.auth, 10, async () => {
    await sql`insert into follows (follower_id, followee_id) select id, ${star.id} from users where username_key = ${'fan' + next++}`
  })
  t.equal(pages, 6)
  t.same(items.map(u => u.username), Array.from({ length: 55 }, (_, i) => `fan${i + 1}`))
})

t.test('GET /follows/following → 400 VALIDATION_FAILED for limit=101 and a malformed cursor', async (t) => {
  for (const [query, path] of [['limit=101', '/querystring/limit'], ['cursor=abc', '/querystring/cursor']]) {
    const res = await app.inject({ method: 'GET', url: `/follows/following?${query}`, headers: me.auth })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path }] } })
  }
})

t.test('GET /follows/followers → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/follows/followers' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})
