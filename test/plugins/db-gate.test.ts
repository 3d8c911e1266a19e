// The database gate: a route holds at most its share of the pool, waits for it a bounded time
// in a bounded line, and a locked table's routes no longer starve the others.
import t from 'tap'
import postgres from 'postgres'
import { RouteGate } from '../../plugins/db-gate.js'
import { AppError } from '../../plugins/errors.js'
import { build, eventually, fileDatabaseUrl } from '../helper.js'
import { listen, openConnection } from '../raw-http.js'
import { lockTable } from '../locks.js'
import { createUser } from '../accounts.js'

t.test('RouteGate: admits up to its limit, then a line in order; a full line or a long wait is 503 with Retry-After', async (t) => {
  const gate = new RouteGate(2, 2, 100)
  t.equal(gate.enter(), undefined)
  t.equal(gate.enter(), undefined)
  const order: string[] = []
  const third = gate.enter()!.then(() => order.push('third'))
  const fourth = gate.enter()!.then(() => order.push('fourth'))
  const refused = await gate.enter()!.then(() => null, (error: unknown) => error)
  t.ok(refused instanceof AppError && refused.code === 'SERVICE_UNAVAILABLE' && refused.headers['retry-after'] === '1', 'the line is full: refused at once')
  gate.leave()
  gate.leave()
  await Promise.all([third, fourth])
  t.same(order, ['third', 'fourth'], 'first come, first served')
  t.equal(gate.inFlight, 2, 'places were handed over, not freed and retaken')

  const started = Date.now()
  const timedOut = await gate.enter()!.then(() => null, (error: unknown) => error)
  t.ok(timedOut instanceof AppError && timedOut.code === 'SERVICE_UNAVAILABLE')
  t.ok(Date.now() - started >= 95, `refused after its wait (${Date.now() - started} ms)`)
  t.equal(gate.waiting, 0, 'a waiter that gave up left the line')
  gate.leave()
  gate.leave()
  t.equal(gate.inFlight, 0)
})

t.test('every answered request gives its place back (no leak through inject, errors or 404s)', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  await Promise.all(Array.from({ length: 30 }, (_, i) => i % 3 === 0
    ? app.inject({ method: 'GET', url: '/schools' })
    : i % 3 === 1
      ? app.inject({ method: 'GET', url: '/posts/00000000-0000-4000-8000-000000000000', headers: user.auth })
      : app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: '' } })))
  for (const [route, gate] of app.routeGates) t.equal(gate.inFlight + gate.waiting, 0, route)
  t.equal(app.routeGates.get('GET /health'), undefined, 'the liveness probe is not gated')
})

t.test('posts locked by someone else under a burst: its routes answer 503 within their bounds, other routes keep their latency', async (t) => {
  const database = await fileDatabaseUrl()
  // Error-level log lines, which would carry a stack each.
  const errorLines: unknown[] = []
  // A pool of 10, a share of 3 per route; the lock outlasts the whole test.
  const app = await build(t, {
    before: (fastify) => {
      fastify.addHook('onRequest', (request, _reply, done) => {
        const log = request.log
        const error = log.error.bind(log)
        log.error = ((...args: Parameters<typeof error>) => { errorLines.push(args[0]); return error(...args) }) as typeof log.error
        done()
      })
    },
    env: {
      DATABASE_URL: database,
      DATABASE_POOL_SIZE: '10',
      DATABASE_ROUTE_SHARE: '0.3',
      DATABASE_QUEUE_TIMEOUT: '300',
      DATABASE_LOCK_TIMEOUT: '1500',
      LOGIN_RATE_LIMIT: '0'
    }
  })
  const user = await createUser(app)

  const lock = await lockTable(t, database, 'posts')

  const timed = async (send: () => Promise<{ statusCode: number, headers: Record<string, unknown> }>) => {
    const began = Date.now()
    const res = await send()
    return { status: res.statusCode, retryAfter: res.headers['retry-after'], ms: Date.now() - began }
  }
  // 40 requests on two routes that read posts: more than the whole pool, were it not gated.
  const blocked = Array.from({ length: 40 }, (_, i) => timed(() => i % 2 === 0
    ? app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth })
    : app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: `locked ${i}`, body: 'x' } })))
  await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(app.routeGates.get('GET /posts/mine')!.inFlight, 3, 'GET /posts/mine holds its share, no more')
  t.equal(app.routeGates.get('POST /posts')!.inFlight, 3, 'POST /posts holds its share, no more')

  // Meanwhile, routes on other tables: each answered at its normal speed.
  const others: Array<{ status: number, ms: number }> = []
  for (let i = 0; i < 10; i++) {
    others.push(await timed(() => app.inject({ method: 'GET', url: '/schools' })))
    others.push(await timed(() => app.inject({ method: 'GET', url: '/auth/sessions', headers: user.auth })))
  }
  for (const o of others) t.equal(o.status, 200)
  const slowest = Math.max(...others.map(o => o.ms))
  // Starved, they would wait for the blocked ones' lock timeout (1.5 s): the bound sits well
  // below it, and well above what a busy machine adds.
  t.ok(slowest < 1000, `other routes while posts is locked: slowest ${slowest} ms`)

  const answers = await Promise.all(blocked)
  for (const a of answers) {
    t.equal(a.status, 503)
    t.equal(a.retryAfter, '1')
  }
  t.same(errorLines, [], 'refusals by design are not logged as errors (no stack per request)')
  const latest = Math.max(...answers.map(a => a.ms))
  t.ok(latest < 1500 + 300 + 1000, `every blocked request answered within lock + line bounds (latest ${latest} ms)`)
  t.ok(answers.filter(a => a.ms < 1000).length >= 30, 'those in line were turned away after their wait, not after the lock\'s')

  await lock.release()
  const direct = postgres(database, { max: 1 })
  t.teardown(() => direct.end())
  const [{ stored }] = await direct<Array<{ stored: number }>>`select count(*)::int as stored from posts where author_id = ${user.id}`
  t.equal(stored, 0, 'no 503 write was stored')
  t.equal((await app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth })).statusCode, 200, 'back once the lock is gone')
})

t.test('a client that leaves while waiting in line does not keep a place: the next ones get in', async (t) => {
  const database = await fileDatabaseUrl()
  // One place for the route, held by a request stuck on a locked table.
  const app = await build(t, {
    env: { DATABASE_URL: database, DATABASE_POOL_SIZE: '10', DATABASE_ROUTE_SHARE: '0.1', DATABASE_QUEUE_TIMEOUT: '5000', DATABASE_LOCK_TIMEOUT: '3000' }
  })
  const user = await createUser(app)
  const port = await listen(app)
  const gate = app.routeGates.get('GET /posts/mine')!

  const lock = await lockTable(t, database, 'posts')

  const stuck = app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth })
  await eventually(async () => gate.inFlight, 1, 2000)
  const { socket, closed } = await openConnection(port)
  socket.write(`GET /posts/mine HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${user.auth.authorization}\r\n\r\n`)
  await eventually(async () => gate.waiting, 1, 2000)
  socket.destroy()
  await closed
  // The server has seen it go (its response closed) before the place frees up.
  const connections = () => new Promise<number>((resolve, reject) => app.server.getConnections((error, n) => error ? reject(error) : resolve(n)))
  await eventually(connections, 0, 2000)

  await lock.release()
  t.equal((await stuck).statusCode, 200, 'the request that held the place finishes')
  await eventually(async () => [gate.inFlight, gate.waiting], [0, 0], 2000)
  t.pass('the place handed to the client that left was given back at once')
  t.equal((await app.inject({ method: 'GET', url: '/posts/mine', headers: user.auth })).statusCode, 200, 'the next request gets in')
})
