// `npm run seed` on a fresh database, twice, and then the document's request examples that
// name no id sent as they are: what a person trying the service from the Swagger page does.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, createDatabase, TEST_JWT_SECRET } from './helper.js'

const SEED = fileURLToPath(new URL('../db/seed.js', import.meta.url))

function seed (databaseUrl: string, dataDir: string): { status: number | null, out: string } {
  const run = spawnSync(process.execPath, [SEED], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' }
  })
  return { status: run.status, out: `${run.stdout}${run.stderr}` }
}

t.test('npm run seed fills a fresh database once; the Swagger examples then work as they are', async (t) => {
  const database = await createDatabase()
  const dataDir = mkdtempSync(join(tmpdir(), 'campus-seed-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))

  const first = seed(database, dataDir)
  t.equal(first.status, 0, first.out)
  t.match(first.out, /demo logins: minjun, /, 'names the demo logins')
  const again = seed(database, dataDir)
  t.equal(again.status, 0, again.out)
  t.match(again.out, /seed: 0 users, 0 posts, 0 follows added/, 'a second run adds nothing')
  t.match(again.out, /with 0 new board posts and 0 new lectures/)

  const app = await build(t, { env: { DATABASE_URL: database } })
  const document = (await app.inject({ method: 'GET', url: '/swagger/json' })).json()
  const examples = (path: string): Array<[string, { value: Record<string, unknown> }]> =>
    Object.entries(document.paths[path].post.requestBody.content['application/json'].examples)

  const [[, signup]] = examples('/auth/signup')
  t.equal((await app.inject({ method: 'POST', url: '/auth/signup', payload: signup!.value })).statusCode, 201)
  const [[, credentials]] = examples('/auth/login')
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: credentials!.value })
  t.equal(login.statusCode, 200)
  const headers = { authorization: `Bearer ${login.json().token as string}` }
  // The seed's likers bring one board post to HOT_POST_LIKES, so /posts/hot is not empty.
  const hot = await app.inject({ url: '/posts/hot', headers })
  t.ok(hot.json().items.length >= 1, `a demo post is hot: ${hot.body.slice(0, 200)}`)
  for (const path of ['/follows', '/friends/requests', '/messages']) {
    for (const [name, { value }] of examples(path)) {
      const res = await app.inject({ method: 'POST', url: path, headers, payload: value })
      t.ok(res.statusCode === 200 || res.statusCode === 201, `POST ${path} with example ${name}: ${res.statusCode} ${res.body}`)
    }
  }
})
