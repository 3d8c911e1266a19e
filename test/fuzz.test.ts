// Every operation of the API document, sent malformed and odd input: wrong types, out-of-range
// numbers, NUL and lone surrogates, huge and empty strings, Korean and emoji, SQL and path
// metacharacters, unknown and real ids, broken JSON. Whatever arrives, the answer must be one
// the document declares for that operation (a generated client has a type for it), and every
// error must be the contract's envelope, without a stack trace or SQL. The input is drawn from a
// fixed seed, so a failure names a request that fails again the same way.
// Nothing here is random at run time; the seed only chooses which odd inputs are sent.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { documentText } from '../openapi.js'
import { createdId, createUser, type TestUser } from './accounts.js'
import { Catalog } from './catalog.js'
import { build } from './helper.js'
import { seeded } from './seeded.js'

// Another seed, or more rounds, explore further:
// FUZZ_SEED=<n> FUZZ_ROUNDS=<n> npm test -- dist/test/fuzz.test.js
const SEED = Number(process.env.FUZZ_SEED ?? 20261204)
const ROUNDS_PER_OPERATION = Number(process.env.FUZZ_ROUNDS ?? 50)

type Schema = {
  $ref?: string, type?: string, enum?: unknown[], const?: unknown, anyOf?: Schema[], oneOf?: Schema[],
  properties?: Record<string, Schema>, items?: Schema, examples?: unknown[]
}
type Operation = {
  operationId: string
  parameters?: Array<{ in: string, name: string, schema: Schema }>
  requestBody?: { content: Record<string, { schema: Schema, examples?: Record<string, { value: unknown }> }> }
  responses: Record<string, unknown>
}
type Document = { paths: Record<string, Record<string, Operation>>, components: { schemas: Record<string, Schema> } }

const ODD_TEXT = [
  '', ' ', 'a', '0', '-1', '1e999', '99999999999999999999', 'null', 'true', '%', '_', '\'', '"', '\\', '../..',
  '한국어', '익명(글쓴이)', '😀', 'x'.repeat(5000), '\u0000', '\ud800', '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '2026-1', '9999-9', 'MON', '25:99', '<script>', 'NaN', '[]', '{}',
  '\'; drop table posts; --', 'bWFsZm9ybWVk'
]
const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53, '', 'x'.repeat(100_000), '\u0000', [], {}, [1, 2], { a: 1 }, '한글', '😀😀😀']
const LEAKS = /\bat .+:\d+:\d+|\b(select|insert|update|delete)\b.+\b(from|into|set|where)\b|postgres|syntax error/i

/** Encodes for a URL; a lone surrogate (which encodeURIComponent refuses) goes as its raw bytes. */
function urlText (value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return '%ED%A0%80'
  }
}

const app = await build(t, { env: { ADMIN_USERNAMES: 'fuzzadmin' } })
const doc = JSON.parse(await documentText(app)) as Document
const catalog = await Catalog.open(app, 'fuzzadmin')
const user = await createUser(app)
const other = await createUser(app)

/** Real ids and names, so that some requests get past the 404s into the routes' own checks. */
async function realValues (app: FastifyInstance, catalog: Catalog, user: TestUser, other: TestUser): Promise<string[]> {
  const created = (url: string, payload: object, by = user) => createdId(app, by, url, payload)
  const boardId = await created('/boards', { schoolId: catalog.schoolId, category: '자유', name: '퍼즈 게시판' })
  const postId = await created('/posts', { boardId, title: '제목', body: '본문', anonymous: true })
  const commentId = await created(`/posts/${postId}/comments`, { body: '댓글', anonymous: true }, other)
  const lecture = await catalog.lecture({ slots: [{ day: 'MON', start: '10:00', end: '11:15' }] })
  const timetableId = await catalog.timetable(user)
  return [boardId, postId, commentId, lecture.id, timetableId, catalog.schoolId, user.id, other.username, user.username]
}

const real = await realValues(app, catalog, user, other)
const { chance, pick } = seeded(SEED)
const pathValues = [...ODD_TEXT, ...real, ...real]

function resolve (schema: Schema | undefined): Schema {
  if (schema?.$ref !== undefined) return resolve(doc.components.schemas[schema.$ref.split('/').pop()!])
  return schema ?? {}
}

/** A value shaped like `schema` most of the time, and anything at all the rest. */
function valueFor (schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(schema)
  const choices = s.anyOf ?? s.oneOf
  if (choices !== undefined) return valueFor(pick(choices), depth)
  if (chance(0.25)) return pick(ODD_VALUES)
  if (s.enum !== undefined) return pick(s.enum)
  if (s.const !== undefined) return s.const
  switch (s.type) {
    case 'string': return s.examples !== undefined && chance(0.5) ? s.examples[0] : pick(pathValues)
    case 'integer': return pick([0, 1, -1, 5, 100, 2 ** 31, 2 ** 53])
    case 'number': return pick([0, 1.5, -3, 1e300])
    case 'boolean': return chance(0.5)
    case 'array': return depth > 4 ? [] : Array.from({ length: pick([0, 1, 3, 50]) }, () => valueFor(s.items, depth + 1))
    case 'object': {
      const object: Record<string, unknown> = {}
      for (const [key, property] of Object.entries(s.properties ?? {})) if (chance(0.8)) object[key] = valueFor(property, depth + 1)
      if (chance(0.2)) object.unexpected = 'x'
      return object
    }
    default: return pick(ODD_VALUES)
  }
}

/**
 * One of the document's examples of this body with one property changed: mostly valid, so the
 * request gets past validation into the route (ids swapped for real ones: past the 404s too).
 */
function nearlyValid (schema: Schema, examples: unknown[]): unknown {
  const s = resolve(schema)
  const example = examples.length === 0 ? undefined : pick(examples)
  if (example === null || typeof example !== 'object' || Array.isArray(example)) return valueFor(schema)
  const body: Record<string, unknown> = { ...example }
  for (const key of Object.keys(body)) if (/Id$/.test(key) && chance(0.7)) body[key] = pick(real)
  const keys = Object.keys(s.properties ?? {})
  if (keys.length > 0 && chance(0.7)) {
    const key = pick(keys)
    if (chance(0.2)) delete body[key]
    else body[key] = valueFor(s.properties![key])
  }
  return body
}

function bodyFor (operation: Operation): string | undefined {
  const json = operation.requestBody?.content['application/json']
  if (json === undefined) return undefined
  if (chance(0.05)) return '{"title": '
  if (chance(0.05)) return JSON.stringify(pick(ODD_VALUES))
  const examples = Object.values(json.examples ?? {}).map(example => example.value)
  return JSON.stringify(chance(0.5) ? nearlyValid(json.schema, examples) : valueFor(json.schema))
}

function urlFor (path: string, operation: Operation): string {
  const url = path.replace(/\{\w+\}/g, () => urlText(String(pick(pathValues))))
  const query = (operation.parameters ?? [])
    .filter(p => p.in === 'query' && chance(0.6))
    .map(p => `${p.name}=${urlText(String(chance(0.5) ? pick(ODD_TEXT) : valueFor(p.schema)))}`)
  return query.length === 0 ? url : `${url}?${query.join('&')}`
}

/** What is wrong with this answer, or undefined. */
function problemWith (operation: Operation, res: LightMyRequestResponse): string | undefined {
  if (!(String(res.statusCode) in operation.responses)) return `status ${res.statusCode} is not in the document`
  if (res.statusCode >= 500 && res.statusCode !== 503) return `status ${res.statusCode}`
  if (res.statusCode < 400) return undefined
  let body: { error?: { code?: unknown, message?: unknown } }
  try {
    body = res.json()
  } catch {
    return 'the error is not JSON'
  }
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') return 'the error is not the envelope'
  if (LEAKS.test(res.body)) return 'the error shows a stack trace or SQL'
  return undefined
}

t.test(`every operation, ${ROUNDS_PER_OPERATION} odd requests each: only documented answers, errors in the envelope`, async (t) => {
  const problems: string[] = []
  const statuses = new Map<number, number>()
  let sent = 0
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      // Ending the session would turn every later request into a 401.
      if (operation.operationId === 'logout' || path.startsWith('/auth/sessions')) continue
      for (let round = 0; round < ROUNDS_PER_OPERATION; round++) {
        const url = urlFor(path, operation)
        const payload = bodyFor(operation)
        const res = await app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: { ...pick([user, user, user, other]).auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(payload === undefined ? {} : { payload })
        })
        sent++
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        const problem = problemWith(operation, res)
        if (problem !== undefined) problems.push(`${operation.operationId}: ${problem}: ${method.toUpperCase()} ${url.slice(0, 160)} ${(payload ?? '').slice(0, 160)} → ${res.body.slice(0, 200)}`)
      }
    }
  }
  t.comment(`answers: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status} × ${n}`).join(', ')}`)
  t.ok(sent >= 60 * ROUNDS_PER_OPERATION, `${sent} requests sent (seed ${SEED})`)
  t.same(problems, [], 'no request got an undocumented answer or a malformed error')
})
