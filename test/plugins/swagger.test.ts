import t from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'

type Operation = { operationId?: string, security?: Array<Record<string, unknown>>, tags?: string[], summary?: string, responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }
type OpenApi = { openapi: string, paths: Record<string, Record<string, Operation>>, components: { securitySchemes?: Record<string, unknown>, schemas?: Record<string, unknown> } }

/** Every route the app registers that the document must describe, as "GET /path/{id}". */
const routes: string[] = []
let app: Promise<FastifyInstance> | undefined
function document (): Promise<FastifyInstance> {
  app ??= build(t, {
    before: (fastify) => {
      fastify.addHook('onRoute', (route) => {
        if (route.schema?.hide === true || route.url.startsWith('/swagger')) return
        for (const method of [route.method].flat()) {
          if (method === 'HEAD') continue
          routes.push(`${method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
        }
      })
    }
  })
  return app
}

async function openapi (): Promise<OpenApi> {
  const res = await (await document()).inject({ method: 'GET', url: '/swagger/json' })
  return res.json()
}

t.test('GET /swagger → 200 Swagger UI (HTML)', async (t) => {
  const res = await (await document()).inject({ method: 'GET', url: '/swagger' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, /swagger-ui/i)
})

t.test('GET /swagger/json → 200 a valid OpenAPI 3 document', async (t) => {
  const res = await (await document()).inject({ method: 'GET', url: '/swagger/json' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const spec = res.json()
  t.match(spec.openapi, /^3\./)
  const validator = new Validator()
  const result = await validator.validate(spec)
  t.same(result.errors ?? [], [], 'no schema errors')
  t.equal(result.valid, true)
})

t.test('GET /swagger/json lists every route the app registers', async (t) => {
  const spec = await openapi()
  for (const known of ['GET /health', 'POST /auth/login', 'GET /auth/me', 'GET /feed']) {
    t.ok(routes.includes(known), `the collector saw ${known}`)
  }
  for (const route of routes) {
    const [method = '', path = ''] = route.split(' ')
    t.ok(spec.paths[path]?.[method.toLowerCase()], `${route} is documented`)
  }
})

t.test('GET /swagger/json: each operation has tags, a summary and a 500 ErrorEnvelope response', async (t) => {
  const spec = await openapi()
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok((operation.tags ?? []).length > 0, `${name} has tags`)
      t.ok((operation.summary ?? '').length > 0, `${name} has a summary`)
      const schema = operation.responses?.['500']?.content?.['application/json']?.schema
      t.equal(schema?.$ref, '#/components/schemas/ErrorEnvelope', `${name} documents its 500 as ErrorEnvelope`)
    }
  }
  t.ok(spec.components.schemas?.ErrorEnvelope, 'ErrorEnvelope is a named component')
})

t.test('GET /swagger/json: declared error statuses reference the envelope (GET /health/ready → 503)', async (t) => {
  const spec = await openapi()
  const schema = spec.paths['/health/ready']?.get?.responses?.['503']?.content?.['application/json']?.schema
  t.equal(schema?.$ref, '#/components/schemas/ErrorEnvelope')
})

t.test('GET /swagger/json: the bearerAuth security scheme exists', async (t) => {
  const spec = await openapi()
  t.match(spec.components.securitySchemes?.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
})

t.test('GET /swagger/json: every operation has a unique camelCase operationId', async (t) => {
  const spec = await openapi()
  const seen = new Map<string, string>()
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`
      const id = operation.operationId ?? ''
      t.match(id, /^[a-z][A-Za-z0-9]+$/, `${name} has a camelCase operationId (${id})`)
      t.notOk(seen.has(id), `${name}: ${id} is not also ${seen.get(id)}`)
      seen.set(id, name)
    }
  }
})

t.test('GET /swagger/json: every operation says whether it is public; protected ones document 401', async (t) => {
  const spec = await openapi()
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok(Array.isArray(operation.security), `${name} declares security`)
      const needsToken = (operation.security ?? []).length > 0 && !(operation.security ?? []).some(r => Object.keys(r).length === 0)
      if (needsToken) t.ok(operation.responses?.['401'], `${name} documents its 401`)
    }
  }
})
