import t from 'tap'
import { build, createDatabase } from '../helper.js'
import { createUser, TEST_PASSWORD } from '../accounts.js'

const USER_EXISTS = { error: { code: 'USER_ALREADY_EXISTS', message: '이미 가입된 사용자입니다.' } }

t.test('POST /auth/signup → 201 with the account and never the password', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/auth/signup',
    payload: { username: 'JIN HO', password: TEST_PASSWORD, nickname: '진호', email: 'Jinho@Example.com', admissionYear: 2024 }
  })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  t.match(body, {
    id: /^[0-9a-f-]{36}$/, username: 'JIN HO', nickname: '진호', email: 'Jinho@Example.com',
    schoolId: null, admissionYear: 2024, role: 'user', createdAt: /^\d{4}-\d\d-\d\dT/
  })
  t.same(Object.keys(body).sort(), ['admissionYear', 'createdAt', 'email', 'id', 'nickname', 'role', 'schoolId', 'username'])
  t.notOk(res.body.includes(TEST_PASSWORD), 'password not echoed')
  t.notOk(res.body.includes('argon2'), 'hash not echoed')
})

t.test('POST /signup (the original clients\' path) → 201 {username, nickname, …}', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/signup', payload: { username: 'legacy', password: TEST_PASSWORD, nickname: 'Legacy' } })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { username: 'legacy', nickname: 'Legacy' })
})

t.test('POST /auth/signup → 409 USER_ALREADY_EXISTS for the same name in another case', async (t) => {
  const app = await build(t)
  await createUser(app, { username: 'CaseName' })
  const res = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: 'casename', password: TEST_PASSWORD, nickname: 'x' } })
  t.equal(res.statusCode, 409)
  t.same(res.json(), USER_EXISTS)
})

t.test('POST /auth/signup → 409 for composed vs decomposed Hangul (NFC)', async (t) => {
  const app = await build(t)
  const composed = '\uD55C\uAE00' // 한글
  const decomposed = composed.normalize('NFD')
  t.not(composed, decomposed)
  await createUser(app, { username: composed })
  const res = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: decomposed, password: TEST_PASSWORD, nickname: 'x' } })
  t.equal(res.statusCode, 409)
  t.same(res.json(), USER_EXISTS)
})

t.test('POST /auth/signup → 409 for an email already used, in another case', async (t) => {
  const app = await build(t)
  await createUser(app, { email: 'Same@Example.com' })
  const res = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: 'other-mail', password: TEST_PASSWORD, nickname: 'x', email: 'same@example.COM' } })
  t.equal(res.statusCode, 409)
  t.same(res.json(), USER_EXISTS)
})

t.test('POST /auth/signup × 20 at once for one username → exactly one 201, the rest 409, no 5xx', async (t) => {
  const app = await build(t)
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => app.inject({
    method: 'POST', url: '/auth/signup', payload: { username: 'racer', password: TEST_PASSWORD, nickname: `racer${i}` }
  })))
  const statuses = answers.map(a => a.statusCode)
  t.equal(statuses.filter(s => s === 201).length, 1, 'one account created')
  t.equal(statuses.filter(s => s === 409).length, 19, 'the others are told it exists')
  const [{ count }] = await app.sql`select count(*)::int as count from users where username_key = 'racer'`
  t.equal(count, 1)
})

t.test('POST /auth/signup → 400 VALIDATION_FAILED with the failing field', async (t) => {
  const app = await build(t)
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['password too short', { username: 'v1', password: 'short', nickname: 'n' }, '/body/password'],
    ['password too long', { username: 'v2', password: 'x'.repeat(129), nickname: 'n' }, '/body/password'],
    ['username too long', { username: 'u'.repeat(51), password: TEST_PASSWORD, nickname: 'n' }, '/body/username'],
    ['blank username', { username: '   ', password: TEST_PASSWORD, nickname: 'n' }, '/body/username'],
    ['nickname too long', { username: 'v3', password: TEST_PASSWORD, nickname: 'n'.repeat(31) }, '/body/nickname'],
    ['missing nickname', { username: 'v4', password: TEST_PASSWORD }, '/body/nickname'],
    ['bad email', { username: 'v5', password: TEST_PASSWORD, nickname: 'n', email: 'not-an-email' }, '/body/email'],
    ['admissionYear out of range', { username: 'v6', password: TEST_PASSWORD, nickname: 'n', admissionYear: 1949 }, '/body/admissionYear'],
    ['admissionYear as a string', { username: 'v7', password: TEST_PASSWORD, nickname: 'n', admissionYear: '2020' }, '/body/admissionYear'],
    ['unknown property', { username: 'v8', password: TEST_PASSWORD, nickname: 'n', role: 'admin' }, '/body/role'],
    ['control character in username', { username: 'a\u0007b', password: TEST_PASSWORD, nickname: 'n' }, '/body/username']
  ]
  const countUsers = async () => (await app.sql`select count(*)::int as count from users`)[0]!.count as number
  const before = await countUsers()
  for (const [name, payload, path] of cases) {
    const res = await app.inject({ method: 'POST', url: '/auth/signup', payload })
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', message: '요청 값이 올바르지 않습니다.', details: [{ path }] } }, name)
  }
  t.equal(await countUsers(), before, 'nothing was stored')
})

t.test('POST /auth/signup with PASSWORD_MIN_LENGTH=15 → 400 for a 14-character password', async (t) => {
  const app = await build(t, { env: { PASSWORD_MIN_LENGTH: '15' } })
  const short = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: 'p14', password: 'a'.repeat(14), nickname: 'n' } })
  t.equal(short.statusCode, 400)
  const long = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: 'p15', password: 'a'.repeat(15), nickname: 'n' } })
  t.equal(long.statusCode, 201)
})

t.test('POST /auth/signup for a name in ADMIN_USERNAMES → role admin', async (t) => {
  const app = await build(t, { env: { ADMIN_USERNAMES: 'root, Boss' } })
  const res = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: 'boss', password: TEST_PASSWORD, nickname: 'B' } })
  t.equal(res.json().role, 'admin')
  const plain = await createUser(app)
  const me = await app.inject({ method: 'GET', url: '/auth/me', headers: plain.auth })
  t.equal(me.json().role, 'user')
})

t.test('POST /auth/signup → 503 SERVICE_UNAVAILABLE with Retry-After when the hashing queue is full, storing nothing', async (t) => {
  // One hashing slot and no queue. Eight signups at once: a fast machine may finish one hash
  // before a later request reaches the hasher, so only "some refused, some stored" is certain.
  const app = await build(t, { env: { HASH_CONCURRENCY: '1', HASH_QUEUE_LIMIT: '0' } })
  const names = Array.from({ length: 8 }, (_, i) => `queue-${i}`)
  const answers = await Promise.all(names.map(username => app.inject({
    method: 'POST', url: '/auth/signup', payload: { username, password: TEST_PASSWORD, nickname: username }
  })))
  const refused = answers.filter(a => a.statusCode === 503)
  const codes = answers.map(a => a.statusCode).join(', ')
  t.ok(refused.length >= 1 && refused.length < answers.length, `some refused, some stored (${codes})`)
  t.ok(answers.every(a => a.statusCode === 201 || a.statusCode === 503), 'nothing else, no 500')
  t.same(refused[0]!.json(), { error: { code: 'SERVICE_UNAVAILABLE', message: '서비스를 일시적으로 사용할 수 없습니다.' } })
  t.equal(refused[0]!.headers['retry-after'], '1')
  const [{ count }] = await app.sql`select count(*)::int as count from users where username_key like 'queue-%'`
  t.equal(count, answers.filter(a => a.statusCode === 201).length, 'only accepted signups were stored')
})

t.test('at start, admin names that no account has are logged: whoever signs up first with one would be an admin', async (t) => {
  const database = await createDatabase()
  const env = { DATABASE_URL: database, ADMIN_USERNAMES: 'RealAdmin, ghostadmin' }
  const warningsOf = async () => {
    const warnings: unknown[][] = []
    await build(t, { env, before: async (fastify) => { fastify.log.warn = (...args: unknown[]) => { warnings.push(args) } } })
    return warnings.filter(([, message]) => String(message).includes('ADMIN_USERNAMES'))
  }
  t.match(await warningsOf(), [[{ unclaimed: ['RealAdmin', 'ghostadmin'] }]], 'both unclaimed')
  const first = await build(t, { env })
  await createUser(first, { username: 'realadmin' })
  t.match(await warningsOf(), [[{ unclaimed: ['ghostadmin'] }]], 'the registered one (any case) is not named')
  await createUser(first, { username: 'GhostAdmin' })
  t.same(await warningsOf(), [], 'no warning once every name is registered')
})


t.test('POST /auth/signup with email: null → 201, the account without an email (as /auth/me answers it)', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/auth/signup', payload: { username: 'nomail', password: TEST_PASSWORD, nickname: '메일없음', email: null } })
  t.equal(res.statusCode, 201)
  t.equal(res.json().email, null)
})
