// Contract objects are named components a generated client can use: every body and answer of
// the document is a `$ref`, every component says what it is and shows an example, and every
// example is valid input or output as it stands (a person can send it from the Swagger page).
import t from 'tap'
import { loadComponents } from '../plugins/schemas.js'
import { makeAjv } from '../plugins/validation.js'
import { build } from './helper.js'

type Json = Record<string, any>

// Not JSON: the upload is multipart, and GET /media/{id} answers the image's bytes.
const NOT_JSON = new Set(['uploadPostImage body', 'getImage 200', 'createCodegenRequest 200'])

/** The document the app serves (one app for the file's document checks). */
let served: Promise<Json> | undefined
function servedDocument (): Promise<Json> {
  served ??= build(t).then(async app => (await app.inject({ method: 'GET', url: '/swagger/json' })).json())
  return served
}

const operationsOf = (document: Json): Json[] => Object.values(document.paths as Json).flatMap(methods => Object.values(methods as Json))

t.test('every request body and JSON answer of every operation is a $ref to a named component', async (t) => {
  const document = await servedDocument()
  const names = new Set(Object.keys(document.components.schemas))
  const inline: string[] = []
  const dangling: string[] = []
  for (const operation of operationsOf(document)) {
    const parts: Array<[string, Json | undefined]> = [['body', operation.requestBody?.content]]
    for (const [status, answer] of Object.entries(operation.responses as Json)) parts.push([status, answer.content])
    for (const [part, content] of parts) {
      if (content === undefined || NOT_JSON.has(`${operation.operationId} ${part}`)) continue
      const ref = content['application/json']?.schema?.$ref as string | undefined
      if (ref === undefined) inline.push(`${operation.operationId} ${part}`)
      else if (!names.has(ref.replace('#/components/schemas/', ''))) dangling.push(`${operation.operationId} ${part}: ${ref}`)
    }
  }
  t.same(inline, [], 'no inline object')
  t.same(dangling, [], 'every $ref names a component')
  t.ok(names.has('Post') && names.has('PostPage') && names.has('UserSummary') && names.has('TimetableSummaryPage'), 'named after what they are')

  // One page shape, named after its item: { items: Item[], nextCursor: string | null }.
  for (const name of [...names].filter(n => n.endsWith('Page'))) {
    const page = document.components.schemas[name]
    t.same(page.properties.items.items, { $ref: `#/components/schemas/${name.slice(0, -'Page'.length)}` }, `${name} lists ${name.slice(0, -4)}`)
    t.same(page.required, ['items', 'nextCursor'], `${name} has the page shape`)
  }
})

t.test('every component has a description and examples, and each example is valid as it stands', async (t) => {
  const components = await loadComponents(8)
  t.ok(components.length >= 60, `${components.length} components`)
  const ajv = makeAjv(false)
  for (const component of components) ajv.addSchema(component)
  for (const component of components) {
    const id = component.$id as string
    t.ok(typeof component.description === 'string' && component.description.length > 0, `${id} has a description`)
    const examples = component.examples as unknown[] | undefined
    t.ok(Array.isArray(examples) && examples.length > 0, `${id} has an example`)
    for (const [i, example] of (examples ?? []).entries()) {
      const valid = ajv.validate(id, structuredClone(example))
      t.ok(valid, `${id} example ${i + 1} is valid: ${ajv.errorsText(ajv.errors)}`)
    }
    // Request bodies are what people send from the Swagger page: Korean text has an English twin.
    const korean = (examples ?? []).filter(e => /[가-힣]/.test(JSON.stringify(e)))
    if (/Body$/.test(id) && korean.length > 0) t.ok(korean.length < (examples ?? []).length, `${id} offers an English example too`)
  }
})

t.test('a validator catches a wrong example: the check above can fail', async (t) => {
  const components = await loadComponents(8)
  const ajv = makeAjv(false)
  for (const component of components) ajv.addSchema(component)
  t.notOk(ajv.validate('SignupBody', { username: 'jinho', password: 'short', nickname: '진호' }), 'a short password is refused')
  t.notOk(ajv.validate('Post', { id: 'not-a-uuid' }), 'a partial post is refused')
})

t.test('the signup and login examples of the document work as they are', async (t) => {
  const app = await build(t)
  const document = (await app.inject({ method: 'GET', url: '/swagger/json' })).json()
  const signup = document.paths['/auth/signup'].post.requestBody.content['application/json'].examples
  const login = document.paths['/auth/login'].post.requestBody.content['application/json'].examples
  t.same(Object.keys(signup), ['ko', 'en'], 'a Korean and an English signup, by name')
  t.same(Object.keys(login), ['example1', 'example2'], 'two logins (by username, by email), no language to name')
  for (const language of ['ko', 'en']) {
    const created = await app.inject({ method: 'POST', url: '/auth/signup', payload: signup[language].value })
    t.equal(created.statusCode, 201, `signup ${language}: ${created.body}`)
  }
  for (const [name, { value }] of Object.entries(login as Record<string, { value: object }>)) {
    const loggedIn = await app.inject({ method: 'POST', url: '/auth/login', payload: value })
    t.equal(loggedIn.statusCode, 200, `login ${name}: ${loggedIn.body}`)
  }
})

t.test('every operation documents its 503, and every 429 and 503 its Retry-After header', async (t) => {
  const missing: string[] = []
  for (const operation of operationsOf(await servedDocument())) {
    const responses = operation.responses as Json
    if (responses['503'] === undefined) missing.push(`${operation.operationId} 503`)
    for (const status of ['429', '503']) {
      if (responses[status] !== undefined && responses[status].headers?.['retry-after'] === undefined) missing.push(`${operation.operationId} ${status} Retry-After`)
    }
  }
  t.same(missing, [], 'draining, a missing database or a busy share of the pool can answer 503 anywhere')
})
