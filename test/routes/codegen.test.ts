import t from 'tap'
import { request } from 'node:http'
import { build, fileDatabaseUrl, type Env } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { FakeModel } from '../fake-model.js'
import { listen } from '../raw-http.js'
import { dayIn, holdUnit, secondsToMidnight, storeAnswer } from '../../db/codegen.js'

const model = await FakeModel.start()
t.teardown(() => model.close())
const database = await fileDatabaseUrl()
const ENV: Env = {
  DATABASE_URL: database,
  CODEGEN_API_URL: model.url,
  CODEGEN_MODEL: 'test-model',
  CODEGEN_API_KEY: 'sk-test-key',
  CODEGEN_DAILY_LIMIT: '5',
  CODEGEN_TIMEOUT: '1',
  LOGIN_RATE_LIMIT: '0'
}
const app = await build(t, { env: ENV })

const ASK = { language: 'python', feature: 'code-generation', prompt: '중복을 제거하는 함수' }
function ask (user: TestUser, payload: object = ASK, on = app) {
  return on.inject({ method: 'POST', url: '/codegen/requests', headers: user.auth, payload })
}
async function stored (user: TestUser): Promise<number> {
  const [{ count }] = await app.sql`select count(*)::int as count from codegen_requests where user_id = ${user.id}`
  return count
}
async function remaining (user: TestUser): Promise<number> {
  return (await app.inject({ url: '/codegen/stats', headers: user.auth })).json().remainingToday
}
t.beforeEach(() => { model.mode = 'ok'; model.delayMs = 0; app.clock.now = () => new Date() })

t.test('POST /codegen/requests → 201 the stored answer with usage and remainingToday; the model got the prompt', async (t) => {
  const user = await createUser(app)
  const res = await ask(user)
  t.equal(res.statusCode, 201)
  t.match(res.json(), { ...ASK, answer: 'def dedupe(xs): return list(dict.fromkeys(xs))', usage: { promptTokens: 12, completionTokens: 7 }, remainingToday: 4 })
  const sent = model.received.at(-1)!
  t.equal(sent.body.model, 'test-model')
  t.equal(sent.authorization, 'Bearer sk-test-key')
  t.match(sent.body.messages, [{ role: 'system', content: /python[\s\S]*code-generation/ }, { role: 'user', content: ASK.prompt }])
  t.equal(await stored(user), 1)
})

t.test('POST /codegen/requests → 400 for labels or prompts out of bounds', async (t) => {
  const user = await createUser(app)
  for (const payload of [{ ...ASK, language: '' }, { ...ASK, feature: 'x'.repeat(41) }, { ...ASK, prompt: 'x'.repeat(4001) }, { language: 'py', feature: 'f' }]) {
    t.equal((await ask(user, payload)).statusCode, 400)
  }
})

t.test('the quota: 12 requests at once on two instances with a limit of 5 → exactly 5 stored, 7 × 429 with Retry-After', async (t) => {
  const second = await build(t, { env: ENV })
  const user = await createUser(app)
  model.delayMs = 50
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(user, ASK, i % 2 === 0 ? app : second)))
  const codes = answers.map(a => a.statusCode)
  t.equal(codes.filter(c => c === 201).length, 5, codes.join(', '))
  t.equal(codes.filter(c => c === 429).length, 7)
  const refused = answers.find(a => a.statusCode === 429)!
  t.same(refused.json(), { error: { code: 'QUOTA_EXCEEDED', message: '오늘 사용할 수 있는 횟수를 모두 사용했습니다.' } })
  t.match(refused.headers['retry-after'], /^\d+$/)
  t.equal(await stored(user), 5)
  t.equal(await remaining(user), 0)
})

t.test('seconds to midnight are right on days of 23 and 25 hours too (clock changes in TZ_DAY)', async (t) => {
  const cases: Array<[string, string, number]> = [
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT, a 23-hour day.
    ['America/New_York', '2026-03-08T05:00:00Z', 23 * 3600],
    // 2026-11-01: 02:00 EDT becomes 01:00 EST, a 25-hour day; 01:30 comes twice.
    ['America/New_York', '2026-11-01T04:00:00Z', 25 * 3600],
    ['America/New_York', '2026-11-01T05:30:00Z', 23.5 * 3600],
    ['America/New_York', '2026-11-01T06:30:00Z', 22.5 * 3600],
    ['Asia/Seoul', '2026-03-01T14:59:30Z', 30]
  ]
  for (const [zone, at, expected] of cases) t.equal(secondsToMidnight(zone, new Date(at)), expected, `${zone} at ${at}`)
  // Against the calendar itself: one second before the answer is still today, the answer is tomorrow.
  for (const zone of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Seoul']) {
    for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 7 * 3600 * 1000 + 1234 * 1000) {
      const now = new Date(at)
      const wait = secondsToMidnight(zone, now)
      const today = dayIn(zone, now)
      if (dayIn(zone, new Date(at + (wait - 1) * 1000)) !== today || dayIn(zone, new Date(at + wait * 1000)) === today) {
        t.fail(`${zone} at ${now.toISOString()}: ${wait} s`)
      }
    }
  }
})

t.test('Retry-After counts to midnight in TZ_DAY, and the next day the quota is back', async (t) => {
  const user = await createUser(app)
  // 2026-03-01 23:59:30 in Asia/Seoul (UTC+9).
  app.clock.now = () => new Date('2026-03-01T14:59:30Z')
  for (let i = 0; i < 5; i++) t.equal((await ask(user)).statusCode, 201)
  const refused = await ask(user)
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['retry-after'], '30')
  app.clock.now = () => new Date('2026-03-01T15:00:01Z')
  const nextDay = await ask(user)
  t.equal(nextDay.statusCode, 201)
  t.equal(nextDay.json().remainingToday, 4)
})

t.test('units held by a process that died mid-call stop counting once the call could no longer be running', async (t) => {
  const user = await createUser(app)
  const noon = new Date('2026-03-02T03:00:00Z') // 12:00 in Asia/Seoul
  app.clock.now = () => noon
  // What five calls leave behind when their process dies before answering: holds, never released.
  const quota = { limit: 5, day: dayIn('Asia/Seoul', noon), now: noon, holdSeconds: 1 + 30, retryAfter: 1 }
  for (let i = 0; i < 5; i++) await holdUnit(app.sql, user.id, quota)
  t.equal((await ask(user)).statusCode, 429, 'held units count while their calls could still be running')
  app.clock.now = () => new Date(noon.getTime() + 32_000) // past CODEGEN_TIMEOUT and the margin
  const answer = await ask(user)
  t.equal(answer.statusCode, 201, 'then they are given back')
  t.equal(answer.json().remainingToday, 4)
})

t.test('an answer whose quota row is gone is not stored: the store throws and leaves no record', async (t) => {
  const user = await createUser(app)
  const now = new Date()
  const quota = { limit: 5, day: dayIn('Asia/Seoul', now), now, holdSeconds: 31, retryAfter: 1 }
  const holdId = await holdUnit(app.sql, user.id, quota)
  await app.sql`delete from codegen_quota where user_id = ${user.id}`
  const body = { language: 'python', feature: 'code-generation', prompt: 'add two numbers' }
  await t.rejects(storeAnswer(app.sql, user.id, holdId, quota, body, 'def add(a, b): return a + b', null), /no quota row/)
  const [{ count }] = await app.sql`select count(*)::int as count from codegen_requests where user_id = ${user.id}`
  t.equal(count, 0, 'a record is stored only together with its counted unit')
})

t.test('upstream 500 or malformed JSON → 502 UPSTREAM_ERROR without its text; nothing stored, the unit given back', async (t) => {
  const user = await createUser(app)
  for (const mode of ['status500', 'malformed'] as const) {
    model.mode = mode
    const res = await ask(user)
    t.equal(res.statusCode, 502, mode)
    t.same(res.json(), { error: { code: 'UPSTREAM_ERROR', message: '외부 서비스 응답에 실패했습니다.' } })
    t.notMatch(res.body, /secret upstream detail|sk-test-key|127\.0\.0\.1/)
  }
  t.equal(await stored(user), 0)
  t.equal(await remaining(user), 5)
})

t.test('a model slower than CODEGEN_TIMEOUT → 502, nothing stored, quota intact', async (t) => {
  const user = await createUser(app)
  model.mode = 'slow'
  model.delayMs = 1500
  const res = await ask(user)
  t.equal(res.statusCode, 502)
  t.equal(await stored(user), 0)
  t.equal(await remaining(user), 5)
})

t.test('without CODEGEN_API_URL: POST → 503; the history still answers', async (t) => {
  const off = await build(t, { env: { DATABASE_URL: database, LOGIN_RATE_LIMIT: '0' } })
  const user = await createUser(off)
  const res = await ask(user, ASK, off)
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'SERVICE_UNAVAILABLE')
  t.equal((await off.inject({ url: '/codegen/requests', headers: user.auth })).statusCode, 200)
})

t.test('at most CODEGEN_CONCURRENCY calls in flight per instance; past it 503 with Retry-After, quota intact', async (t) => {
  const narrow = await build(t, { env: { ...ENV, CODEGEN_CONCURRENCY: '2', CODEGEN_TIMEOUT: '5' } })
  const user = await createUser(narrow)
  model.delayMs = 400
  const answers = await Promise.all(Array.from({ length: 4 }, () => ask(user, ASK, narrow)))
  const codes = answers.map(a => a.statusCode).sort()
  t.same(codes, [201, 201, 503, 503])
  t.equal(answers.find(a => a.statusCode === 503)!.headers['retry-after'], '1')
  t.equal(await remaining(user), 3, 'only the answered ones used quota')
})

t.test('history: newest first, one by id (others 404), delete one, delete all; deleting gives no quota back', async (t) => {
  const [user, other] = await Promise.all([createUser(app), createUser(app)])
  const first = (await ask(user, { ...ASK, language: 'python' })).json()
  const second = (await ask(user, { ...ASK, language: 'typescript', feature: 'refactoring' })).json()
  await ask(user, { ...ASK, language: 'python' })
  const list = await app.inject({ url: '/codegen/requests', headers: user.auth })
  t.same(list.json().items.map((r: { language: string }) => r.language), ['python', 'typescript', 'python'])
  t.equal((await app.inject({ url: `/codegen/requests/${first.id}`, headers: user.auth })).json().id, first.id)
  t.equal((await app.inject({ url: `/codegen/requests/${first.id}`, headers: other.auth })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/codegen/requests/${first.id}`, headers: other.auth })).statusCode, 404)

  const statsBefore = (await app.inject({ url: '/codegen/stats', headers: user.auth })).json()
  t.same(statsBefore, {
    total: 3, today: 3, remainingToday: 2, topLanguage: 'python', topFeature: 'code-generation',
    byLanguage: { python: 2, typescript: 1 }, byFeature: { 'code-generation': 2, refactoring: 1 },
    tokens: { prompt: 36, completion: 21 }
  })
  t.same((await app.inject({ method: 'DELETE', url: `/codegen/requests/${second.id}`, headers: user.auth })).json(), { deleted: true })
  t.same((await app.inject({ method: 'DELETE', url: '/codegen/requests', headers: user.auth })).json(), { deleted: 2 })
  t.same((await app.inject({ url: '/codegen/requests', headers: user.auth })).json().items, [])
  t.equal(await remaining(user), 2, 'still two left today')
})

/** POSTs with Accept: text/event-stream on a real port; the events as they came. */
async function stream (port: number, user: TestUser) {
  const res = await fetch(`http://127.0.0.1:${port}/codegen/requests`, {
    method: 'POST',
    headers: { ...user.auth, accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify(ASK)
  })
  const events: Array<{ event: string, data: any }> = []
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return { res, events, json: await res.json() as any }
  const decoder = new TextDecoder()
  let buffer = ''
  {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const [eventLine, dataLine] = buffer.slice(0, end).split('\n')
        buffer = buffer.slice(end + 2)
        events.push({ event: eventLine!.slice(7), data: JSON.parse(dataLine!.slice(6)) })
      }
    }
  }
  return { res, events, json: undefined as any }
}

t.test('streaming: deltas as the model writes, then done with the stored record', async (t) => {
  const port = await listen(await build(t, { env: ENV }))
  const user = await createUser(app)
  const { res, events } = await stream(port, user)
  t.equal(res.status, 200)
  t.ok(res.headers.get('x-request-id'), 'the hooks\' headers are kept')
  const deltas = events.filter(e => e.event === 'delta').map(e => e.data.text)
  t.same(deltas, model.pieces)
  const done = events.at(-1)!
  t.equal(done.event, 'done')
  t.match(done.data, { ...ASK, answer: model.pieces.join(''), usage: { promptTokens: 12, completionTokens: 7 }, remainingToday: 4 })
  t.equal(model.received.at(-1)!.body.stream, true)
  t.same(model.received.at(-1)!.body.stream_options, { include_usage: true })
  t.equal(await stored(user), 1)
})

t.test('streaming: a stream that breaks off, or stalls past the timeout, ends with event: error; nothing stored, quota intact', async (t) => {
  const port = await listen(await build(t, { env: ENV }))
  const user = await createUser(app)
  for (const mode of ['broken', 'stall'] as const) {
    model.mode = mode
    model.delayMs = 1500
    const { res, events } = await stream(port, user)
    t.equal(res.status, 200, mode)
    t.ok(events.some(e => e.event === 'delta'), `${mode}: the stream had begun`)
    t.same(events.at(-1), { event: 'error', data: { error: { code: 'UPSTREAM_ERROR', message: '외부 서비스 응답에 실패했습니다.' } } })
  }
  t.equal(await stored(user), 0)
  t.equal(await remaining(user), 5)
})

t.test('streaming: a model silent past the timeout → a JSON 502 (the stream never began)', async (t) => {
  const port = await listen(await build(t, { env: ENV }))
  const user = await createUser(app)
  model.mode = 'slow'
  model.delayMs = 1500
  const { res, json } = await stream(port, user)
  t.equal(res.status, 502)
  t.equal(json.error.code, 'UPSTREAM_ERROR')
  t.equal(await stored(user), 0)
})

t.test('streaming: a client that leaves mid-answer cancels the model call; nothing stored, quota intact', async (t) => {
  const port = await listen(await build(t, { env: ENV }))
  const user = await createUser(app)
  model.mode = 'stall'
  model.delayMs = 800
  const calls = model.received.length
  // A plain socket, destroyed at the first delta: the way a closed browser tab leaves.
  await new Promise<void>((resolve, reject) => {
    const req = request({ port, method: 'POST', path: '/codegen/requests', headers: { ...user.auth, accept: 'text/event-stream', 'content-type': 'application/json' } }, (res) => {
      res.once('data', () => { req.destroy(); resolve() })
    })
    req.on('error', () => {})
    req.end(JSON.stringify(ASK))
    setTimeout(() => reject(new Error('no delta within 3 s')), 3000).unref()
  })
  const started = Date.now()
  while (model.received[calls]?.closedEarly !== true && Date.now() - started < 3000) await new Promise(resolve => setTimeout(resolve, 20))
  t.equal(model.received[calls]?.closedEarly, true, 'the fake model saw its connection closed')
  // The unit is given back once the service has seen the abort through.
  const back = Date.now()
  while (await remaining(user) !== 5 && Date.now() - back < 3000) await new Promise(resolve => setTimeout(resolve, 20))
  t.equal(await remaining(user), 5)
  t.equal(await stored(user), 0)
})
