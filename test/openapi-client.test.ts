// issue 13 item 5: the document is good enough to generate a typed client from, as most of
// the service's users do. openapi-typescript generates the types from the live document, strict
// tsc checks test/client/flow.ts against them, and the flow runs against the real app on a real
// port: signup → login → follow → post → feed → refresh → logout.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { build } from './helper.js'
import { TEST_PASSWORD } from './accounts.js'
import { listen } from './raw-http.js'
import { signupToLogout } from './client/flow.js'

const ROOT = new URL('../../', import.meta.url)

t.test('a client generated from /swagger/json type-checks under strict tsc and runs signup → logout', async (t) => {
  const app = await build(t)
  const document = (await app.inject({ method: 'GET', url: '/swagger/json' })).json()

  // Inside the project, so the check resolves openapi-fetch from its node_modules.
  const dir = new URL(`dist/test/generated-client-${process.pid}/`, ROOT)
  mkdirSync(dir, { recursive: true })
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(new URL('schema.d.ts', dir), astToString(await openapiTS(document)))
  copyFileSync(new URL('test/client/flow.ts', ROOT), new URL('flow.ts', dir))
  writeFileSync(new URL('tsconfig.json', dir), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
      types: [], skipLibCheck: true, noUnusedLocals: true
    },
    files: ['flow.ts', 'schema.d.ts']
  }))
  const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('node_modules/typescript/bin/tsc', ROOT)), '-p', fileURLToPath(new URL('tsconfig.json', dir))], { encoding: 'utf8' })
  t.equal(tsc.status, 0, `strict tsc accepts the client: ${tsc.stdout}${tsc.stderr}`)

  const port = await listen(app)
  t.same(await signupToLogout(`http://127.0.0.1:${port}`, TEST_PASSWORD), ['signup', 'login', 'post', 'feed', 'refresh', 'logout'])
})
