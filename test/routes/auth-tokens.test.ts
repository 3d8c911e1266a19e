import t from 'tap'
import { build, TEST_JWT_SECRET } from '../helper.js'
import { createUser } from '../accounts.js'
import { decodeJwt, forgeJwt, tamperJwt } from '../jwt.js'

const INVALID_TOKEN = { error: { code: 'INVALID_TOKEN', message: '토큰이 유효하지 않습니다.' } }
const TOKEN_EXPIRED = { error: { code: 'TOKEN_EXPIRED', message: '토큰이 만료되었습니다.' } }
const now = () => Math.floor(Date.now() / 1000)

t.test('GET /auth/me → 200 the caller\'s account', async (t) => {
  const app = await build(t)
  const user = await createUser(app, { username: 'me-myself', nickname: '나' })
  const res = await app.inject({ method: 'GET', url: '/auth/me', headers: user.auth })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.json(), { id: user.id, username: 'me-myself', nickname: '나', role: 'user' })
})

t.test('GET /auth/me → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/auth/me' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
  t.equal(res.headers['cache-control'], 'no-store', 'errors from auth routes are not cached either')
})

t.test('GET /auth/me → 401 INVALID_TOKEN for every kind of forged or wrong token', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const claims = decodeJwt(user.token)
  const forged: Record<string, string> = {
    'alg none': forgeJwt(claims, { alg: 'none' }),
    'another secret': forgeJwt(claims, { secret: 'another-secret-that-is-long-enough-0000000' }),
    'HS512 with the right secret': forgeJwt(claims, { secret: TEST_JWT_SECRET, alg: 'HS512' }),
    'tampered payload (role admin)': tamperJwt(user.token, { role: 'admin' }),
    'refresh token used as access token': user.refreshToken,
    'access claims without a type': forgeJwt({ ...claims, type: undefined }, { secret: TEST_JWT_SECRET }),
    garbage: 'not.a.jwt',
    'empty signature': user.token.split('.').slice(0, 2).join('.') + '.'
  }
  for (const [name, token] of Object.entries(forged)) {
    const res = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    t.equal(res.statusCode, 401, name)
    t.same(res.json(), INVALID_TOKEN, name)
  }
  const notBearer = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Basic ${user.token}` } })
  t.same(notBearer.json(), INVALID_TOKEN, 'another scheme')
})

t.test('GET /auth/me → 401 TOKEN_EXPIRED only for a well-signed token past exp', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const expired = forgeJwt({ ...decodeJwt(user.token), iat: now() - 1000, exp: now() - 10 }, { secret: TEST_JWT_SECRET })
  const res = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${expired}` } })
  t.equal(res.statusCode, 401)
  t.same(res.json(), TOKEN_EXPIRED)
  const expiredAndForged = forgeJwt({ ...decodeJwt(user.token), exp: now() - 10 }, { secret: 'another-secret-that-is-long-enough-0000000' })
  const forged = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${expiredAndForged}` } })
  t.same(forged.json(), INVALID_TOKEN, 'a badly signed expired token is invalid, not expired')
})

t.test('GET /auth/me with Accept-Language: en → English message', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/auth/me', headers: { 'accept-language': 'en' } })
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: 'No token was given.' } })
})

async function refresh (app: Awaited<ReturnType<typeof build>>, refreshToken: string) {
  return await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken } })
}

t.test('POST /auth/refresh → 200 a new pair; the old refresh token is rotated out', async (t) => {
  const app = await build(t, { env: { REFRESH_REUSE_GRACE: '0' } })
  const user = await createUser(app)
  const res = await refresh(app, user.refreshToken)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const pair = res.json()
  t.not(pair.refreshToken, user.refreshToken)
  t.equal(decodeJwt(pair.token).sid, decodeJwt(user.token).sid, 'same session')
  t.equal((await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${pair.token}` } })).statusCode, 200)
})

t.test('POST /auth/refresh twice at once with the same token (two tabs) → both 200 with the same successor', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const [a, b] = await Promise.all([refresh(app, user.refreshToken), refresh(app, user.refreshToken)])
  t.equal(a!.statusCode, 200)
  t.equal(b!.statusCode, 200)
  t.equal(a!.json().refreshToken, b!.json().refreshToken, 'identical successor refresh token')
  t.equal((await refresh(app, a!.json().refreshToken)).statusCode, 200, 'and the successor works')
})

t.test('POST /auth/refresh with an older token → 401 INVALID_TOKEN and the whole session is revoked (theft)', async (t) => {
  const app = await build(t, { env: { REFRESH_REUSE_GRACE: '0' } })
  const user = await createUser(app)
  const second = (await refresh(app, user.refreshToken)).json()
  const stolen = await refresh(app, user.refreshToken)
  t.equal(stolen.statusCode, 401)
  t.same(stolen.json(), INVALID_TOKEN)
  t.same((await refresh(app, second.refreshToken)).json(), INVALID_TOKEN, 'the legitimate successor is dead too')
  const me = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${second.token}` } })
  t.same(me.json(), INVALID_TOKEN, 'and so are the session\'s access tokens')
  const [row] = await app.sql`select count(*)::int as n from audit_events where event = 'refresh_reuse_detected' and user_id = ${user.id}`
  t.equal(row!.n, 1, 'the theft is audited')
})

t.test('POST /auth/refresh with a token two rotations old, inside the grace window → theft all the same', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const second = (await refresh(app, user.refreshToken)).json()
  const third = (await refresh(app, second.refreshToken)).json()
  t.same((await refresh(app, user.refreshToken)).json(), INVALID_TOKEN)
  t.same((await refresh(app, third.refreshToken)).json(), INVALID_TOKEN)
})

t.test('POST /auth/refresh → 401 INVALID_TOKEN for an access token, garbage or another secret', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  for (const token of [user.token, 'garbage', forgeJwt(decodeJwt(user.refreshToken), { secret: 'another-secret-that-is-long-enough-0000000' })]) {
    const res = await refresh(app, token)
    t.equal(res.statusCode, 401)
    t.same(res.json(), INVALID_TOKEN)
  }
})

t.test('POST /auth/refresh → 401 TOKEN_EXPIRED for a session past its idle or absolute end', async (t) => {
  const app = await build(t)
  const idle = await createUser(app)
  await app.sql`update sessions set idle_expires_at = now() - interval '1 second' where user_id = ${idle.id}`
  t.same((await refresh(app, idle.refreshToken)).json(), TOKEN_EXPIRED)
  const old = await createUser(app)
  await app.sql`update sessions set absolute_expires_at = now() - interval '1 second' where user_id = ${old.id}`
  t.same((await refresh(app, old.refreshToken)).json(), TOKEN_EXPIRED)
})

t.test('POST /auth/refresh never issues a token that outlives the session\'s absolute end', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  // The session's absolute end is an hour away; the idle window (14 days) would run past it.
  const [row] = await app.sql`
    update sessions set absolute_expires_at = date_trunc('second', now()) + interval '1 hour'
    where user_id = ${user.id} returning extract(epoch from absolute_expires_at)::int as end_at`
  const res = await refresh(app, user.refreshToken)
  t.equal(res.statusCode, 200)
  t.equal(decodeJwt(res.json().refreshToken).exp, row!.endAt, 'exp is the absolute end, not 14 days on')
})

t.test('POST /auth/refresh → 401 TOKEN_EXPIRED for a well-signed refresh token past its exp', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const expired = forgeJwt({ ...decodeJwt(user.refreshToken), iat: now() - 100, exp: now() - 10 }, { secret: TEST_JWT_SECRET })
  t.same((await refresh(app, expired)).json(), TOKEN_EXPIRED)
})

t.test('POST /auth/refresh → 401 INVALID_TOKEN for a well-signed token naming no session, or another user\'s', async (t) => {
  const app = await build(t)
  const owner = await createUser(app)
  const other = await createUser(app)
  const claims = decodeJwt(owner.refreshToken)
  const noSession = forgeJwt({ ...claims, sid: '00000000-0000-4000-8000-000000000000' }, { secret: TEST_JWT_SECRET })
  const wrongUser = forgeJwt({ ...claims, sub: other.id }, { secret: TEST_JWT_SECRET })
  t.same((await refresh(app, noSession)).json(), INVALID_TOKEN)
  t.same((await refresh(app, wrongUser)).json(), INVALID_TOKEN)
  t.equal((await refresh(app, owner.refreshToken)).statusCode, 200, 'the real session was not harmed')
})

t.test('GET /auth/me → 401 INVALID_TOKEN once the account no longer exists', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  await app.sql`delete from users where id = ${user.id}`
  const res = await app.inject({ method: 'GET', url: '/auth/me', headers: user.auth })
  t.equal(res.statusCode, 401)
  t.same(res.json(), INVALID_TOKEN)
})

t.test('a verified token is remembered, yet one differing in a single signature byte is refused', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const good = await app.inject({ url: '/auth/me', headers: user.auth })
  t.equal(good.statusCode, 200, 'the real token, now in the verified-token cache')
  const [header, payload, signature] = user.token.split('.') as [string, string, string]
  // Flip one bit of one signature byte (not the last character, whose low bits base64url may ignore).
  const bytes = Buffer.from(signature, 'base64url')
  bytes[0] = bytes[0]! ^ 0x01
  const forged = `${header}.${payload}.${bytes.toString('base64url')}`
  t.not(forged, user.token)
  const res = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${forged}` } })
  t.equal(res.statusCode, 401)
  t.same(res.json(), INVALID_TOKEN)
  t.equal((await app.inject({ url: '/auth/me', headers: user.auth })).statusCode, 200, 'the real one still passes')
})
