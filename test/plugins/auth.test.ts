// Every route that needs a token refuses a request without one, or with a bad one, before it
// reads anything: the list comes from the OpenAPI document, so a route added later is
// covered the day it lands, and a route that forgot requireAuthentication() fails here.
import t from 'tap'
import { build } from '../helper.js'

type Operation = { security?: Array<Record<string, unknown>> }

const SAMPLE_PARAMS: Record<string, string> = { id: '00000000-0000-4000-8000-000000000000', username: 'nobody' }

t.test('every protected operation answers 401 TOKEN_NOT_FOUND without a token and 401 INVALID_TOKEN with a forged one', async (t) => {
  const app = await build(t)
  const spec = (await app.inject({ method: 'GET', url: '/swagger/json' })).json() as { paths: Record<string, Record<string, Operation>> }
  let checked = 0
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const security = operation.security ?? []
      // `[]` is public; `[{}, {bearerAuth}]` takes a token optionally (logout).
      if (security.length === 0 || security.some(requirement => Object.keys(requirement).length === 0)) continue
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x')
      const name = `${method.toUpperCase()} ${path}`
      const bare = await app.inject({ method: method.toUpperCase() as 'GET', url })
      t.equal(bare.json()?.error?.code, 'TOKEN_NOT_FOUND', `${name} without a token`)
      t.equal(bare.statusCode, 401)
      const forged = await app.inject({ method: method.toUpperCase() as 'GET', url, headers: { authorization: 'Bearer not.a.token' } })
      t.equal(forged.json()?.error?.code, 'INVALID_TOKEN', `${name} with a forged token`)
      checked++
    }
  }
  t.ok(checked >= 20, `${checked} protected operations checked`)
})
