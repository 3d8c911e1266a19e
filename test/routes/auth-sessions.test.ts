import t from 'tap'
import { build, fileDatabaseUrl } from '../helper.js'
import { createUser, login } from '../accounts.js'

const INVALID_TOKEN = { error: { code: 'INVALID_TOKEN', message: '토큰이 유효하지 않습니다.' } }

type App = Awaited<ReturnType<typeof build>>
const me = (app: App, token: string) => app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
const refresh = (app: App, refreshToken: string) => app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken } })

t.test('POST /auth/logout {refreshToken} → 200 {loggedOut:true}; that session\'s tokens stop working', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const res = await app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken: user.refreshToken } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { loggedOut: true })
  t.equal(res.headers['cache-control'], 'no-store')
  t.same((await refresh(app, user.refreshToken)).json(), INVALID_TOKEN)
  t.same((await me(app, user.token)).json(), INVALID_TOKEN)
})

t.test('POST /auth/logout with only a Bearer token → ends the current session, not the others', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const other = await login(app, user.username)
  const res = await app.inject({ method: 'POST', url: '/auth/logout', headers: user.auth })
  t.same(res.json(), { loggedOut: true })
  t.same((await me(app, user.token)).json(), INVALID_TOKEN)
  t.equal((await me(app, other.token)).statusCode, 200, 'the other session lives on')
  // Many clients send Content-Type: application/json with no body at all: the same logout.
  const third = await login(app, user.username)
  const typed = await app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${third.token}`, 'content-type': 'application/json' } })
  t.equal(typed.statusCode, 200)
  t.same((await me(app, third.token)).json(), INVALID_TOKEN)
  // Elsewhere an empty JSON body is still refused.
  const signup = await app.inject({ method: 'POST', url: '/auth/signup', headers: { 'content-type': 'application/json' } })
  t.equal(signup.json().error.code, 'INVALID_JSON')
  const broken = await app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${other.token}`, 'content-type': 'application/json' }, payload: '{"refreshToken":' })
  t.equal(broken.json().error.code, 'INVALID_JSON', 'broken JSON is refused on logout too')
})

t.test('POST /auth/logout {allSessions:true} with a Bearer token → every session of the user ends', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const laptop = await login(app, user.username)
  const bystander = await createUser(app)
  const res = await app.inject({ method: 'POST', url: '/auth/logout', headers: user.auth, payload: { allSessions: true } })
  t.same(res.json(), { loggedOut: true })
  for (const pair of [user, laptop]) {
    t.same((await me(app, pair.token)).json(), INVALID_TOKEN)
    t.same((await refresh(app, pair.refreshToken)).json(), INVALID_TOKEN)
  }
  t.equal((await me(app, bystander.token)).statusCode, 200, 'other users are untouched')
})

t.test('POST /auth/logout {refreshToken} → 401 INVALID_TOKEN for garbage or an access token; nothing is revoked', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  for (const refreshToken of ['garbage', user.token]) {
    const res = await app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken } })
    t.equal(res.statusCode, 401)
    t.same(res.json(), INVALID_TOKEN)
  }
  t.equal((await me(app, user.token)).statusCode, 200, 'the session lives on')
})

t.test('POST /auth/logout → 401 TOKEN_NOT_FOUND with neither a refresh token nor a Bearer token', async (t) => {
  const app = await build(t)
  for (const payload of [{}, { allSessions: true }]) {
    const res = await app.inject({ method: 'POST', url: '/auth/logout', payload })
    t.equal(res.statusCode, 401)
    t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
  }
})

t.test('GET /auth/sessions → the caller\'s live sessions, the current one marked', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const second = await login(app, user.username)
  const ended = await login(app, user.username)
  await app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken: ended.refreshToken } })
  await createUser(app)
  const res = await app.inject({ method: 'GET', url: '/auth/sessions', headers: { authorization: `Bearer ${second.token}`, 'user-agent': 'ignored-here' } })
  t.equal(res.statusCode, 200)
  const { items } = res.json()
  t.equal(items.length, 2, 'two live sessions; the logged-out one and other users\' are not listed')
  t.same(items.map((s: { current: boolean }) => s.current).sort(), [false, true])
  t.match(items[0], { id: /^[0-9a-f-]{36}$/, createdAt: /T/, lastUsedAt: /T/, ip: '127.0.0.1' })
})

t.test('DELETE /auth/sessions/{id} → 200 {revoked:true}; that session ends', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const phone = await login(app, user.username)
  const { items } = (await app.inject({ method: 'GET', url: '/auth/sessions', headers: user.auth })).json()
  const phoneSession = items.find((s: { current: boolean }) => !s.current)
  const res = await app.inject({ method: 'DELETE', url: `/auth/sessions/${phoneSession.id}`, headers: user.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { revoked: true })
  t.same((await me(app, phone.token)).json(), INVALID_TOKEN)
  t.equal((await me(app, user.token)).statusCode, 200)
})

t.test('DELETE /auth/sessions/{id} → 404 NOT_FOUND for another user\'s session, 400 for a bad id', async (t) => {
  const app = await build(t)
  const owner = await createUser(app)
  const intruder = await createUser(app)
  const { items } = (await app.inject({ method: 'GET', url: '/auth/sessions', headers: owner.auth })).json()
  const res = await app.inject({ method: 'DELETE', url: `/auth/sessions/${items[0].id}`, headers: intruder.auth })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })
  t.equal((await me(app, owner.token)).statusCode, 200, 'the owner\'s session is untouched')
  const bad = await app.inject({ method: 'DELETE', url: '/auth/sessions/not-a-uuid', headers: owner.auth })
  t.equal(bad.statusCode, 400)
})

t.test('a logout on one instance is refused by another instance on the same database within a second', async (t) => {
  const database = await fileDatabaseUrl()
  const first = await build(t, { env: { DATABASE_URL: database } })
  const second = await build(t, { env: { DATABASE_URL: database } })
  const user = await createUser(first)
  t.equal((await me(second, user.token)).statusCode, 200, 'the second instance accepts the token')

  await first.inject({ method: 'POST', url: '/auth/logout', headers: user.auth })
  const started = Date.now()
  let status = 200
  while (status === 200 && Date.now() - started < 3000) {
    status = (await me(second, user.token)).statusCode
    if (status === 200) await new Promise(resolve => setTimeout(resolve, 10))
  }
  const elapsed = Date.now() - started
  t.equal(status, 401, 'refused on the second instance')
  t.ok(elapsed < 1000, `within a second (took ${elapsed} ms)`)
})

t.test('an instance started after a logout knows the session is revoked', async (t) => {
  const database = await fileDatabaseUrl()
  const first = await build(t, { env: { DATABASE_URL: database } })
  const user = await createUser(first)
  await first.inject({ method: 'POST', url: '/auth/logout', headers: user.auth })
  const late = await build(t, { env: { DATABASE_URL: database } })
  t.same((await me(late, user.token)).json(), INVALID_TOKEN)
})

t.test('operations without query parameters refuse any: 400 naming it, nothing done', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  for (const [method, url] of [['GET', '/auth/me?foo=1'], ['GET', '/auth/sessions?limit=5'], ['GET', '/health?verbose=1']] as const) {
    const res = await app.inject({ method, url, headers: user.auth })
    t.equal(res.statusCode, 400, url)
    t.equal(res.json().error.code, 'VALIDATION_FAILED', url)
    t.match(res.json().error.details, [{ path: /^\/querystring\/(foo|limit|verbose)$/ }], url)
  }
  const posted = await app.inject({ method: 'POST', url: '/posts?draft=1', headers: user.auth, payload: { title: '제목', body: '본문' } })
  t.equal(posted.statusCode, 400)
  const [{ count }] = await app.sql`select count(*)::int as count from posts where author_id = ${user.id}`
  t.equal(count, 0, 'the post was not written')
  t.equal((await app.inject({ url: '/auth/me', headers: user.auth })).statusCode, 200, 'without one: as before')
})
