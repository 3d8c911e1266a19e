import t from 'tap'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { PageQuery, Text } from '../../schemas/common.js'
import { build } from '../helper.js'
import { listen, rawRequest } from '../raw-http.js'

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0]

// The contract's texts, written out rather than imported: a changed table must fail here.
const KO = {
  NOT_FOUND: '찾을 수 없습니다.',
  VALIDATION_FAILED: '요청 값이 올바르지 않습니다.',
  INVALID_JSON: '요청 본문이 올바른 JSON이 아닙니다.',
  PAYLOAD_TOO_LARGE: '요청 본문이 너무 큽니다.',
  UNSUPPORTED_MEDIA_TYPE: '지원하지 않는 형식입니다.',
  INTERNAL_ERROR: '서버 오류가 발생했습니다.'
}

function envelope (code: keyof typeof KO, details?: Array<{ path: string, message: string }>) {
  return { error: { code, message: KO[code], ...(details === undefined ? {} : { details }) } }
}

const Echo = Type.Object({
  name: Text(1, 20),
  year: Type.Optional(Type.Integer({ minimum: 1950, maximum: 2100 })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 }))
}, { additionalProperties: false })

const LEAKY_MESSAGE = 'insert into users (password_hash) values ($1): relation "users" does not exist'

/** Test-only routes, registered the way a domain route would be. */
function testRoutes (fastify: FastifyInstance): void {
  fastify.route({
    method: 'POST',
    url: '/test/echo',
    schema: { body: Echo, response: { 200: Echo } },
    handler: async function echo (request) { return request.body }
  })
  fastify.route({
    method: 'GET',
    url: '/test/boom',
    handler: async function boom () {
      const error = new Error(LEAKY_MESSAGE)
      Object.assign(error, { code: '42P01', query: 'insert into users (password_hash) values ($1)' })
      throw error
    }
  })
  fastify.route({
    method: 'GET',
    url: '/test/page',
    schema: { querystring: PageQuery },
    handler: async function page (request) { return request.query }
  })
}

let shared: Promise<FastifyInstance> | undefined
/** One app for the inject tests of this file; torn down with the file's root test. */
function app (): Promise<FastifyInstance> {
  shared ??= build(t, { after: testRoutes })
  return shared
}

function assertEnvelope (t: TapTest, res: { statusCode: number, headers: Record<string, unknown>, json: () => unknown }, status: number, body: unknown): void {
  t.equal(res.statusCode, status)
  t.match(res.headers['content-type'], /^application\/json; charset=utf-8/)
  t.same(res.json(), body)
}

function postEcho (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return app().then(a => a.inject({ method: 'POST', url: '/test/echo', headers, payload }))
}

t.test('GET /no-such-route → 404 NOT_FOUND', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/no-such-route' })
  assertEnvelope(t, res, 404, envelope('NOT_FOUND'))
})

t.test('POST /no-such-route with a body → 404 NOT_FOUND', async (t) => {
  const res = await (await app()).inject({ method: 'POST', url: '/no-such-route', payload: { a: 1 } })
  assertEnvelope(t, res, 404, envelope('NOT_FOUND'))
})

t.test('POST with malformed JSON → 400 INVALID_JSON', async (t) => {
  assertEnvelope(t, await postEcho('{"name": "kim"'), 400, envelope('INVALID_JSON'))
})

t.test('POST with a __proto__ key → 400 INVALID_JSON', async (t) => {
  assertEnvelope(t, await postEcho('{"name": "kim", "__proto__": {"admin": true}}'), 400, envelope('INVALID_JSON'))
})

t.test('POST with an empty JSON body → 400 INVALID_JSON', async (t) => {
  assertEnvelope(t, await postEcho(''), 400, envelope('INVALID_JSON'))
})

t.test('POST with text/plain to a JSON route → 415 UNSUPPORTED_MEDIA_TYPE', async (t) => {
  const res = await postEcho('{"name":"kim"}', { 'content-type': 'text/plain' })
  assertEnvelope(t, res, 415, envelope('UNSUPPORTED_MEDIA_TYPE'))
})

t.test('POST with a form body to a JSON route → 415 UNSUPPORTED_MEDIA_TYPE', async (t) => {
  const res = await postEcho('name=kim', { 'content-type': 'application/x-www-form-urlencoded' })
  assertEnvelope(t, res, 415, envelope('UNSUPPORTED_MEDIA_TYPE'))
})

t.test('POST with a body over 128 KiB → 413 PAYLOAD_TOO_LARGE', async (t) => {
  const res = await postEcho(JSON.stringify({ name: 'x'.repeat(129 * 1024) }))
  assertEnvelope(t, res, 413, envelope('PAYLOAD_TOO_LARGE'))
})

t.test('POST with a body just under 128 KiB is parsed (and then validated)', async (t) => {
  const res = await postEcho(JSON.stringify({ name: 'x'.repeat(127 * 1024) }))
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/name', message: 'must NOT have more than 20 characters' }]))
})

t.test('POST without a required property → 400 VALIDATION_FAILED naming it', async (t) => {
  const res = await postEcho('{}')
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/name', message: "must have required property 'name'" }]))
})

t.test('POST with an unknown property → 400 VALIDATION_FAILED (rejected, not stripped)', async (t) => {
  const res = await postEcho('{"name":"kim","role":"admin"}')
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/role', message: 'must NOT have additional properties' }]))
})

t.test('POST with a string over its maxLength → 400 VALIDATION_FAILED', async (t) => {
  const res = await postEcho(JSON.stringify({ name: 'x'.repeat(21) }))
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/name', message: 'must NOT have more than 20 characters' }]))
})

t.test('POST with "2020" for an integer → 400 VALIDATION_FAILED (bodies are not coerced)', async (t) => {
  const res = await postEcho('{"name":"kim","year":"2020"}')
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/year', message: 'must be integer' }]))
})

t.test('POST with a number for a string → 400 VALIDATION_FAILED (bodies are not coerced)', async (t) => {
  const res = await postEcho('{"name":12345}')
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/name', message: 'must be string' }]))
})

t.test('POST with a valid body → 200, echoed', async (t) => {
  const res = await postEcho('{"name":"kim","year":2020}')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { name: 'kim', year: 2020 })
})

t.test('GET /test/boom (an unexpected error) → 500 INTERNAL_ERROR without stack or SQL, with a request id', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/boom' })
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], /^application\/json; charset=utf-8/)
  t.equal(res.body, JSON.stringify(envelope('INTERNAL_ERROR')), 'exactly the envelope, nothing more')
  t.notMatch(res.body, /insert|users|password|42P01|at .*\.js/, 'no SQL, code or stack')
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a request id to quote when reporting it')
})

t.test('GET /test/boom with a plain X-Request-Id → 500 answering with that id', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'client-trace-0001' } })
  t.equal(res.statusCode, 500)
  t.equal(res.headers['x-request-id'], 'client-trace-0001')
})

t.test('GET /test/boom with an unsafe X-Request-Id → a fresh id instead', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'a b\tc<script>' } })
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/)
})

t.test('Accept-Language picks the message language', async (t) => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, '찾을 수 없습니다.'],
    ['en', 'Not found.'],
    ['en-US,en;q=0.9', 'Not found.'],
    ['fr, en;q=0.5', 'Not found.'],
    ['ko;q=0.1, en;q=0.9', 'Not found.'],
    ['ko-KR,ko;q=0.9,en;q=0.8', '찾을 수 없습니다.'],
    ['fr, de;q=0.5', '찾을 수 없습니다.'],
    ['en;q=0', '찾을 수 없습니다.'],
    ['*', '찾을 수 없습니다.']
  ]
  for (const [header, message] of cases) {
    const res = await (await app()).inject({ method: 'GET', url: '/missing', headers: header === undefined ? {} : { 'accept-language': header } })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { code: 'NOT_FOUND', message } }, `Accept-Language: ${header ?? '(none)'}`)
  }
})

t.test('Accept-Language: en → validation errors in English too', async (t) => {
  const res = await (await app()).inject({
    method: 'POST', url: '/test/echo', headers: { 'accept-language': 'en' }, payload: {}
  })
  t.equal(res.statusCode, 400)
  t.same(res.json(), { error: { code: 'VALIDATION_FAILED', message: 'The request is not valid.', details: [{ path: '/body/name', message: "must have required property 'name'" }] } })
})

t.test('GET /test/page → 200 with the default limit 20', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/page' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { limit: 20 })
})

t.test('GET /test/page?limit=5&cursor=abc → 200 with a number', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/page?limit=5&cursor=abc' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { limit: 5, cursor: 'abc' })
})

t.test('GET /test/page with a limit that is not a plain decimal in range → 400 VALIDATION_FAILED', async (t) => {
  const cases = ['0x10', '1e1', 'Infinity', '1.5', '%205', '5%20', '+5', '05', '', 'abc', '1&limit=2', '0', '101', '-1', '99999999999999999999']
  for (const raw of cases) {
    const res = await (await app()).inject({ method: 'GET', url: `/test/page?limit=${raw}` })
    t.equal(res.statusCode, 400, `limit=${raw} → 400`)
    const body = res.json()
    t.equal(body.error.code, 'VALIDATION_FAILED', `limit=${raw} → VALIDATION_FAILED`)
    t.equal(body.error.message, KO.VALIDATION_FAILED)
    t.same(body.error.details.map((d: { path: string }) => d.path), ['/querystring/limit'], `limit=${raw} → /querystring/limit`)
  }
})

t.test('GET /test/page with an unknown parameter → 400 VALIDATION_FAILED', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/page?offset=10' })
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/querystring/offset', message: 'must NOT have additional properties' }]))
})

t.test('GET /test/page with a repeated cursor → 400 VALIDATION_FAILED', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/test/page?cursor=a&cursor=b' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.details[0].path, '/querystring/cursor')
})

t.test('POST text with a NUL character → 400 VALIDATION_FAILED', async (t) => {
  const res = await postEcho('{"name":"kim\\u0000"}')
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/name', message: 'must not contain NUL characters or unpaired surrogates' }]))
})

t.test('POST text with a lone surrogate → 400 VALIDATION_FAILED', async (t) => {
  for (const text of ['\\ud800', 'a\\udc00b', '\\ud800\\ud800\\udc00']) {
    const res = await postEcho(`{"name":"${text}"}`)
    t.equal(res.statusCode, 400, text)
    t.equal(res.json().error.details[0].path, '/body/name')
  }
  const paired = await postEcho('{"name":"\\ud83d\\ude00"}')
  t.equal(paired.statusCode, 200, 'a proper surrogate pair (an emoji) is fine')
  t.equal(paired.json().name, '\u{1F600}')
})

t.test('POST decomposed Hangul → 200 stored NFC-normalized', async (t) => {
  const res = await postEcho('{"name":"\\u1100\\u1161"}')
  t.equal(res.statusCode, 200)
  t.equal(res.json().name, '\uac00')
})

t.test('POST text is trimmed before validation', async (t) => {
  const res = await postEcho(JSON.stringify({ name: '  kim  ' }))
  t.equal(res.statusCode, 200)
  t.equal(res.json().name, 'kim')
  const tooLong = await postEcho(JSON.stringify({ name: ' ' + 'x'.repeat(20) + ' ' }))
  t.equal(tooLong.statusCode, 200, 'outer spaces do not count against maxLength')
})

t.test('POST whitespace-only text → 400 VALIDATION_FAILED (minLength after trimming)', async (t) => {
  const res = await postEcho(JSON.stringify({ name: '   ' }))
  assertEnvelope(t, res, 400, envelope('VALIDATION_FAILED', [{ path: '/body/name', message: 'must NOT have fewer than 1 characters' }]))
})

t.test('POST a password → 200 with its spaces kept', async (t) => {
  const res = await postEcho(JSON.stringify({ name: 'kim', password: '  pass word  ' }))
  t.equal(res.statusCode, 200)
  t.equal(res.json().password, '  pass word  ')
})

t.test('GET /health → security headers for a JSON API', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/health' })
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.match(res.headers['content-security-policy'], /default-src 'none'/)
})

t.test('GET /missing → security headers on errors too', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/missing' })
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
})

t.test('GET /swagger → its own CSP: its scripts allowed, no upgrade-insecure-requests, not framable', async (t) => {
  const res = await (await app()).inject({ method: 'GET', url: '/swagger' })
  t.equal(res.statusCode, 200)
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, /script-src 'self'/)
  t.notMatch(csp, /upgrade-insecure-requests/)
  t.match(csp, /frame-ancestors 'none'/)
  t.notMatch(csp, /default-src 'none'/, 'not the API policy, which would blank the page')
})

t.test('over a real port', async (t) => {
  const real = await build(t, { after: testRoutes })
  const port = await listen(real)

  t.test('a request with a 20 KB header → 431 HEADERS_TOO_LARGE in the envelope', async (t) => {
    const [res] = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    t.equal(res?.status, 431)
    t.match(res?.headers['content-type'], /^application\/json; charset=utf-8/)
    t.same(JSON.parse(res?.body ?? 'null'), { error: { code: 'HEADERS_TOO_LARGE', message: '요청 헤더가 너무 큽니다.' } })
  })

  t.test('GET /%zz (malformed URL encoding) → 400 VALIDATION_FAILED in the envelope', async (t) => {
    const [res] = await rawRequest(port, 'GET /%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    t.equal(res?.status, 400)
    t.match(res?.headers['content-type'], /^application\/json; charset=utf-8/)
    t.same(JSON.parse(res?.body ?? 'null'), envelope('VALIDATION_FAILED'))
  })

  t.test('garbage instead of HTTP → 400 VALIDATION_FAILED in the envelope', async (t) => {
    const [res] = await rawRequest(port, 'HELLO\r\n\r\n')
    t.equal(res?.status, 400)
    t.same(JSON.parse(res?.body ?? 'null'), envelope('VALIDATION_FAILED'))
  })
})

t.test('a path parameter longer than the router allows → 404 NOT_FOUND envelope', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: `/users/${'a'.repeat(201)}` })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })
})

t.test('a client walking unknown paths is slowed down: past 120 a minute, 429 RATE_LIMITED with Retry-After', async (t) => {
  const app = await build(t)
  const answers = []
  for (let i = 0; i < 121; i++) answers.push(await app.inject({ url: `/scan/${i}` }))
  t.ok(answers.slice(0, 120).every(a => a.statusCode === 404), 'the first 120 are plain 404s')
  const limited = answers[120]!
  t.equal(limited.statusCode, 429)
  t.same(limited.json(), { error: { code: 'RATE_LIMITED', message: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.' } })
  t.match(limited.headers['retry-after'], /^\d+$/)
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'real routes are not affected')
})
