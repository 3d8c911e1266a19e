import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { listen, openConnection, parseResponses } from '../raw-http.js'

const SLOW_MS = 300
const UNAVAILABLE = { error: { code: 'SERVICE_UNAVAILABLE', message: '서비스를 일시적으로 사용할 수 없습니다.' } }

/** A route that takes SLOW_MS; `reached` resolves once a request is inside its handler. */
function slowRoute (): { register: (fastify: FastifyInstance) => void, reached: Promise<void> } {
  let inHandler: () => void = () => {}
  const reached = new Promise<void>((resolve) => { inHandler = resolve })
  return {
    reached,
    register (fastify) {
      fastify.route({
        method: 'GET',
        url: '/slow',
        handler: async function slow () {
          inHandler()
          await sleep(SLOW_MS)
          return { finished: true }
        }
      })
    }
  }
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`

/** Waits until `received()` holds `count` complete responses (or the connection closed). */
async function responses (connection: { received: () => string, closed: Promise<void> }, count: number, timeoutMs = 5000) {
  let closed = false
  void connection.closed.then(() => { closed = true })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const parsed = parseResponses(connection.received())
    if (parsed.length >= count || closed) return { parsed, closed }
    await sleep(10)
  }
  return { parsed: parseResponses(connection.received()), closed }
}

t.test('app.close() while a request is in flight → it finishes with 200, then its connection closes', async (t) => {
  const slow = slowRoute()
  const app = await build(t, { after: slow.register })
  const port = await listen(app)
  const busy = await openConnection(port)
  busy.socket.write(get('/slow'))
  await slow.reached
  const started = Date.now()
  const closing = app.close()
  const { parsed } = await responses(busy, 1)
  t.equal(parsed[0]?.status, 200)
  t.same(JSON.parse(parsed[0]?.body ?? 'null'), { finished: true })
  t.equal(parsed[0]?.headers.connection, 'close', 'told not to send more on this connection')
  await busy.closed
  await closing
  const ms = Date.now() - started
  t.ok(ms < SLOW_MS + 1500, `close() returned once the request was done (${ms} ms), not after the keep-alive timeout`)
})

t.test('a request on a kept-alive connection while shutdown hooks run → 503 SERVICE_UNAVAILABLE in the envelope', async (t) => {
  // Stands in for any plugin whose preClose takes a while: the listener is still open then.
  let shutdownStarted: () => void = () => {}
  const started = new Promise<void>((resolve) => { shutdownStarted = resolve })
  const app = await build(t, {
    after: (fastify) => {
      fastify.addHook('preClose', async () => {
        shutdownStarted()
        await sleep(200)
      })
    }
  })
  const port = await listen(app)
  const kept = await openConnection(port)
  kept.socket.write(get('/health'))
  t.equal((await responses(kept, 1)).parsed[0]?.status, 200, 'kept alive after a first answer')
  const closing = app.close()
  await started
  kept.socket.write(get('/health'))
  const { parsed } = await responses(kept, 2)
  const late = parsed[1]
  t.equal(late?.status, 503)
  t.match(late?.headers['content-type'], /^application\/json; charset=utf-8/)
  t.same(JSON.parse(late?.body ?? 'null'), UNAVAILABLE)
  t.equal(late?.headers.connection, 'close', 'told to close the connection')
  t.equal(late?.headers['retry-after'], '5', 'with Retry-After')
  await kept.closed
  await closing
})

t.test('a request pipelined behind the in-flight one → left unanswered on the closed connection, never a non-envelope body', async (t) => {
  const slow = slowRoute()
  const app = await build(t, { after: slow.register })
  const port = await listen(app)
  const busy = await openConnection(port)
  busy.socket.write(get('/slow'))
  await slow.reached
  const closing = app.close()
  await sleep(20)
  busy.socket.write(get('/health'))
  const { parsed, closed } = await responses(busy, 2)
  t.equal(parsed[0]?.status, 200, 'the in-flight request finishes')
  t.equal(parsed[0]?.headers.connection, 'close', 'the client knows to retry the rest elsewhere')
  t.ok(closed, 'the connection is closed')
  for (const res of parsed.slice(1)) {
    t.equal(res.status, 503)
    t.same(JSON.parse(res.body), UNAVAILABLE)
  }
  await closing
})

t.test('during the drain, an idle keep-alive connection is closed, never answered outside the envelope', async (t) => {
  const slow = slowRoute()
  const app = await build(t, { after: slow.register })
  const port = await listen(app)
  const idle = await openConnection(port)
  idle.socket.write(get('/health'))
  t.equal((await responses(idle, 1)).parsed[0]?.status, 200, 'kept alive after a first answer')
  const busy = await openConnection(port)
  busy.socket.write(get('/slow'))
  await slow.reached
  const closing = app.close()
  await sleep(20)
  idle.socket.write(get('/health'))
  const { parsed, closed } = await responses(idle, 2)
  const late = parsed.slice(1)
  t.ok(closed || late.length > 0, 'the connection is closed or answered')
  for (const res of late) {
    t.equal(res.status, 503)
    t.same(JSON.parse(res.body), UNAVAILABLE)
  }
  t.equal((await responses(busy, 1)).parsed[0]?.status, 200, 'the in-flight request still finishes')
  await closing
})

t.test('during the drain, a new connection is refused', async (t) => {
  const slow = slowRoute()
  const app = await build(t, { after: slow.register })
  const port = await listen(app)
  const busy = await openConnection(port)
  busy.socket.write(get('/slow'))
  await slow.reached
  const closing = app.close()
  await sleep(20)
  await t.rejects(openConnection(port), { code: 'ECONNREFUSED' })
  await closing
})
