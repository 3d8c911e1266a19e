// When PostgreSQL goes away or a table stays locked, requests answer 503 with Retry-After
// quickly instead of 500 or a long wait, nothing acknowledged is lost, and the service works
// again as soon as the database does.
import t from 'tap'
import postgres from 'postgres'
import { build, fileDatabaseUrl } from './helper.js'
import { createUser } from './accounts.js'
import { proxiedTestDatabase } from './tcp-proxy.js'
import { lockTable } from './locks.js'

t.test('database cut under load: every answer is 503 with Retry-After within 3 s (or a cached 200), none 500; back within 2 s of its return; no acknowledged write lost', async (t) => {
  const { proxy, url, real } = await proxiedTestDatabase(t)
  const app = await build(t, { env: { DATABASE_URL: url, LOGIN_RATE_LIMIT: '0' } })
  const user = await createUser(app)
  t.equal((await app.inject({ method: 'GET', url: '/auth/me', headers: user.auth })).statusCode, 200, 'the account is cached')

  await proxy.cut()
  const started = Date.now()
  const answers = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
    const began = Date.now()
    const res = i % 3 === 0
      ? await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: `during ${i}`, body: 'x' } })
      : i % 3 === 1
        ? await app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth })
        : await app.inject({ method: 'GET', url: '/auth/me', headers: user.auth })
    return { status: res.statusCode, ms: Date.now() - began, retryAfter: res.headers['retry-after'], code: res.json()?.error?.code }
  }))
  for (const a of answers) {
    t.ok(a.status === 503 || a.status === 200, `${a.status} in ${a.ms} ms`)
    t.ok(a.ms < 3000, 'within the bound')
    if (a.status === 503) t.same([a.code, a.retryAfter], ['SERVICE_UNAVAILABLE', '1'])
  }
  t.ok(answers.filter((_, i) => i % 3 === 2).every(a => a.status === 200), '/auth/me keeps answering from memory')
  t.equal(app.databaseHealth.down, true, 'the outage is known (one warning, then a probe)')
  t.ok(Date.now() - started < 5000)

  await proxy.restore()
  const back = Date.now()
  let created = 0
  let attempts = 0
  while (created === 0 && Date.now() - back < 5000) {
    attempts++
    const res = await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: 'after', body: 'x' } })
    if (res.statusCode === 201) created++
    else {
      t.equal(res.statusCode, 503, 'until then, still 503')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }
  t.equal(created, 1, `a write succeeds ${Date.now() - back} ms after the database is back (${attempts} attempts)`)
  t.ok(Date.now() - back < 2000, 'within 2 s')
  const probed = Date.now()
  while (app.databaseHealth.down && Date.now() - probed < 3000) await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(app.databaseHealth.down, false, 'the probe saw it back (and logged it once)')

  const direct = postgres(real, { max: 1 })
  t.teardown(() => direct.end())
  const titles = (await direct`select title from posts where author_id = ${user.id}`).map(row => row.title as string)
  t.same(titles, ['after'], 'the 503 writes were not stored, the acknowledged one was')
})

t.test('a table locked by someone else: its routes answer 503 after DATABASE_LOCK_TIMEOUT; other routes stay fast', async (t) => {
  const database = await fileDatabaseUrl()
  const app = await build(t, { env: { DATABASE_URL: database, DATABASE_LOCK_TIMEOUT: '300', DATABASE_STATEMENT_TIMEOUT: '2000' } })
  const user = await createUser(app)
  await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: 'before', body: 'x' } })

  // Until the lock is taken, a read would pass: lockTable waits for it.
  const lock = await lockTable(t, database, 'posts')

  const began = Date.now()
  const [blocked, other] = await Promise.all([
    app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth }),
    (async () => { const s = Date.now(); const res = await app.inject({ method: 'GET', url: '/schools' }); return { res, ms: Date.now() - s } })()
  ])
  t.equal(blocked.statusCode, 503)
  t.equal(blocked.headers['retry-after'], '1')
  t.ok(Date.now() - began < 2000, `the locked route answered in ${Date.now() - began} ms`)
  t.equal(other.res.statusCode, 200)
  t.ok(other.ms < 1000, `GET /schools took ${other.ms} ms while posts was locked`)
  t.equal(app.databaseHealth.down, false, 'a lock timeout is one query\'s trouble, not an outage')

  await lock.release()
  t.equal((await app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth })).statusCode, 200, 'back once the lock is gone')
})
