import t from 'tap'
import argon2 from 'argon2'
import { build } from '../helper.js'
import { createUser, TEST_PASSWORD } from '../accounts.js'
import { decodeJwt } from '../jwt.js'

const INVALID_CREDENTIALS = { error: { code: 'INVALID_CREDENTIALS', message: '아이디 또는 비밀번호가 올바르지 않습니다.' } }

t.test('POST /auth/login → 200 {token, refreshToken, tokenType, expiresIn}', async (t) => {
  const app = await build(t)
  const user = await createUser(app, { username: 'loginok' })
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'LOGINOK', password: TEST_PASSWORD } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  t.same(Object.keys(body).sort(), ['expiresIn', 'refreshToken', 'token', 'tokenType'])
  t.equal(body.tokenType, 'Bearer')
  t.equal(body.expiresIn, 900)
  const claims = decodeJwt(body.token)
  t.match(claims, { type: 'access', sub: user.id, sid: /^[0-9a-f-]{36}$/, role: 'user' })
  t.equal((claims.exp as number) - (claims.iat as number), 900)
  t.equal(decodeJwt(body.refreshToken).type, 'refresh', 'the refresh token has another type')
})

t.test('POST /login (the original clients\' path) → 200 {token, …}', async (t) => {
  const app = await build(t)
  await createUser(app, { username: 'legacylogin' })
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: 'legacylogin', password: TEST_PASSWORD } })
  t.equal(res.statusCode, 200)
  t.type(res.json().token, 'string')
})

t.test('POST /auth/login with {email, password} → 200', async (t) => {
  const app = await build(t)
  await createUser(app, { username: 'bymail', email: 'ByMail@Example.com' })
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'bymail@example.com', password: TEST_PASSWORD } })
  t.equal(res.statusCode, 200)
})

t.test('POST /auth/login → 401 INVALID_CREDENTIALS, the same for a wrong password, an unknown user and an unknown email', async (t) => {
  const app = await build(t)
  await createUser(app, { username: 'wrongpw' })
  for (const payload of [
    { username: 'wrongpw', password: 'not the password' },
    { username: 'nobody-here', password: TEST_PASSWORD },
    { email: 'nobody@example.com', password: TEST_PASSWORD }
  ]) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload })
    t.equal(res.statusCode, 401)
    t.same(res.json(), INVALID_CREDENTIALS)
  }
})

t.test('POST /auth/login → 400 unless exactly one of username, email', async (t) => {
  const app = await build(t)
  for (const payload of [{ password: 'x' }, { username: 'a', email: 'a@example.com', password: 'x' }]) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'VALIDATION_FAILED')
  }
})

t.test('POST /auth/login for an unknown user still runs argon2 (a dummy hash)', async (t) => {
  // One hashing slot and no queue: while one verification runs, a second one is refused with
  // 503. Two logins of unknown users at once therefore prove both went through the hasher.
  const app = await build(t, { env: { HASH_CONCURRENCY: '1', HASH_QUEUE_LIMIT: '0' } })
  // Once alone: the dummy hash itself is made in the background at start-up.
  const warmUp = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'ghost-0', password: TEST_PASSWORD } })
  t.equal(warmUp.statusCode, 401)
  // Eight at once rather than two: under a loaded machine two requests can reach the hasher
  // one after the other and both pass, which said nothing about the dummy hash.
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    app.inject({ method: 'POST', url: '/auth/login', payload: { username: `ghost-${i + 1}`, password: TEST_PASSWORD } })))
  const statuses = answers.map(a => a.statusCode)
  t.ok(statuses.every(s => s === 401 || s === 503), `statuses: ${statuses.join(',')}`)
  t.ok(statuses.includes(401) && statuses.includes(503), 'some verified, the rest refused by the full hasher')
  const refused = answers.find(a => a.statusCode === 503)!
  t.same(refused.json(), { error: { code: 'SERVICE_UNAVAILABLE', message: '서비스를 일시적으로 사용할 수 없습니다.' } })
  t.equal(refused.headers['retry-after'], '1')
})

t.test('POST /auth/login → 429 RATE_LIMITED with Retry-After past LOGIN_RATE_LIMIT per address', async (t) => {
  const app = await build(t, { env: { LOGIN_RATE_LIMIT: '3' } })
  const statuses = []
  let last
  for (let i = 0; i < 4; i++) {
    last = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: `someone${i}`, password: 'wrong password' } })
    statuses.push(last.statusCode)
  }
  t.same(statuses, [401, 401, 401, 429])
  t.same(last!.json(), { error: { code: 'RATE_LIMITED', message: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.' } })
  t.ok(Number(last!.headers['retry-after']) > 0, 'Retry-After in seconds')
  const other = await app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '10.0.0.9', payload: { username: 'x', password: 'wrong password' } })
  t.equal(other.statusCode, 401, 'another address is not affected')
})

t.test('the per-address limit counts /auth/login and /login together, and a throttled address is audited once a window', async (t) => {
  const app = await build(t, { env: { LOGIN_RATE_LIMIT: '4' } })
  const statuses = []
  for (let i = 0; i < 8; i++) {
    const url = i % 2 === 0 ? '/auth/login' : '/login'
    statuses.push((await app.inject({ method: 'POST', url, remoteAddress: '10.0.0.7', payload: { username: `guess${i}`, password: 'wrong password' } })).statusCode)
  }
  t.same(statuses, [401, 401, 401, 401, 429, 429, 429, 429], 'the alias does not double the guesses')
  const rows = await eventuallyRows(app)
  t.equal(rows.length, 1, 'one audit row for the throttled address, not one per refusal')
  t.match(rows[0], { ip: '10.0.0.7', details: { by: 'address' } })
})

t.test('when the throttle cannot be audited, the refusal still goes out and the failure is logged', async (t) => {
  const warnings: unknown[][] = []
  const app = await build(t, {
    env: { LOGIN_RATE_LIMIT: '1' },
    before: async (fastify) => { fastify.log.warn = (...args: unknown[]) => { warnings.push(args) } }
  })
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '10.0.0.8', payload: { username: 'x', password: 'wrong password' } })).statusCode, 401)
  await app.sql`alter table audit_events rename to audit_events_away`
  t.teardown(() => app.sql`alter table audit_events_away rename to audit_events`)
  const refused = await app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '10.0.0.8', payload: { username: 'x', password: 'wrong password' } })
  t.equal(refused.statusCode, 429)
  for (let i = 0; i < 50 && warnings.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 20))
  t.match(warnings.map(([, message]) => message), ['could not audit a throttled login'])
})

async function eventuallyRows (app: Awaited<ReturnType<typeof build>>) {
  // The audit insert is not awaited by the refusal: wait for it, and a moment more for any second one.
  const read = () => app.sql`select ip, details from audit_events where event = 'login_throttled' and ip = '10.0.0.7'`
  for (let i = 0; i < 50 && (await read()).length === 0; i++) await new Promise(resolve => setTimeout(resolve, 20))
  await new Promise(resolve => setTimeout(resolve, 100))
  return await read()
}

t.test('POST /auth/login → 429 after 5 failures in a row for one account, even with the right password', async (t) => {
  const app = await build(t)
  await createUser(app, { username: 'bruteforced', email: 'brute@example.com' })
  for (let i = 0; i < 5; i++) {
    // Failures by username and by email count against the same account.
    const payload = i % 2 === 0 ? { username: 'bruteforced', password: `guess ${i}` } : { email: 'brute@example.com', password: `guess ${i}` }
    t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload })).statusCode, 401)
  }
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bruteforced', password: TEST_PASSWORD } })
  t.equal(res.statusCode, 429)
  t.equal(res.json().error.code, 'RATE_LIMITED')
  t.ok(Number(res.headers['retry-after']) >= 1)
  const [events] = await app.sql`select count(*)::int as n from audit_events where event = 'login_throttled' and details->>'by' is null`
  t.equal(events!.n, 1, 'the throttled attempt is audited')
})

t.test('guesses sent at once get no more tries than guesses in a row: 12 at once → 5 checked (401), 7 × 429', async (t) => {
  const app = await build(t, { env: { LOGIN_RATE_LIMIT: '0' } })
  await createUser(app, { username: 'burst', email: 'burst@example.com' })
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => app.inject({
    method: 'POST', url: '/auth/login', remoteAddress: `10.1.0.${i + 1}`,
    // By username and by email: the same account, the same lane.
    payload: i % 2 === 0 ? { username: 'burst', password: `guess ${i}` } : { email: 'burst@example.com', password: `guess ${i}` }
  })))
  t.same(answers.map(a => a.statusCode).sort(), [...Array(5).fill(401), ...Array(7).fill(429)])
  const [row] = await app.sql`select failures from login_throttle where login_key = 'user:burst'`
  t.equal(row!.failures, 5, 'only five were checked against the hash')
})

t.test('POST /auth/login → 429 after 5 failures for an unknown username too (nothing revealed)', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 5; i++) {
    await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'does-not-exist', password: `guess ${i}` } })
  }
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'does-not-exist', password: 'again' } })
  t.equal(res.statusCode, 429)
  t.ok(res.headers['retry-after'])
})

t.test('a successful login resets the account\'s failure count', async (t) => {
  const app = await build(t)
  await createUser(app, { username: 'forgetful' })
  for (let i = 0; i < 4; i++) await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'forgetful', password: 'nope nope' } })
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'forgetful', password: TEST_PASSWORD } })).statusCode, 200)
  for (let i = 0; i < 4; i++) await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'forgetful', password: 'nope nope' } })
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'forgetful', password: TEST_PASSWORD } })).statusCode, 200)
})

t.test('POST /auth/login rehashes a stored hash made with other parameters', async (t) => {
  const app = await build(t)
  const user = await createUser(app, { username: 'legacyhash' })
  const weak = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 })
  await app.sql`update users set password_hash = ${weak} where id = ${user.id}`
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'legacyhash', password: TEST_PASSWORD } })
  t.equal(res.statusCode, 200)
  const [row] = await app.sql`select password_hash from users where id = ${user.id}`
  const params = /^\$argon2id\$v=19\$([^$]+)\$/.exec(row!.passwordHash)?.[1]?.split(',').sort()
  t.same(params, ['m=19456', 'p=1', 't=2'], 'OWASP parameters now')
})

t.test('POST /auth/login refuses a stored hash with absurd parameters without computing it', async (t) => {
  const app = await build(t)
  const user = await createUser(app, { username: 'absurdhash' })
  // 4 GiB of memory per verification: computing it would take the machine down.
  const absurd = '$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'
  await app.sql`update users set password_hash = ${absurd} where id = ${user.id}`
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'absurdhash', password: TEST_PASSWORD } })
  t.equal(res.statusCode, 401)
  t.same(res.json(), INVALID_CREDENTIALS)
})

t.test('login events are audited with address and agent, and never a password or token', async (t) => {
  const app = await build(t)
  const user = await createUser(app, { username: 'audited' })
  await app.inject({ method: 'POST', url: '/auth/login', headers: { 'user-agent': 'tap-test' }, payload: { username: 'audited', password: 'wrong password!' } })
  const rows = await app.sql`select event, user_id, ip, user_agent, details::text from audit_events where user_id = ${user.id} order by id`
  t.same(rows.map(r => r.event), ['signup', 'login_succeeded', 'login_failed'])
  t.match(rows[2], { userId: user.id, ip: '127.0.0.1', userAgent: 'tap-test' })
  const everything = JSON.stringify(rows)
  t.notOk(everything.includes(TEST_PASSWORD) || everything.includes('wrong password!'), 'no password')
  t.notOk(everything.includes(user.token) || everything.includes(user.refreshToken), 'no token')
  await t.rejects(app.sql`update audit_events set event = 'nothing'`, /append-only/, 'the trail cannot be rewritten')
  await t.rejects(app.sql`delete from audit_events`, /append-only/)
})
