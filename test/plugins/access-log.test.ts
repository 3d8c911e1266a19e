import t from 'tap'
import Fastify from 'fastify'
import { AccessLog } from '../../plugins/access-log.js'

/** A Fastify with the access log writing into `lines`, pino's own lines going there too. */
async function server (lines: string[]) {
  const stream = { write: (line: string) => { lines.push(line) } }
  const fastify = Fastify({ logger: { level: 'info', stream }, logController: new AccessLog(stream) })
  fastify.get('/things/:id', async (request) => {
    if ((request.params as { id: string }).id === 'mine') Object.assign(request, { user: { id: 'user-"1"' } })
    request.log.info({ note: 'from a handler' }, 'through pino')
    return { ok: true }
  })
  await fastify.ready()
  return fastify
}

t.test('the access line is pino\'s: the same fields, in the same form, as a line pino writes', async (t) => {
  const lines: string[] = []
  const fastify = await server(lines)
  t.teardown(() => fastify.close())
  await fastify.inject({ url: '/things/mine' })
  const [fromPino, access] = lines.map(line => JSON.parse(line))
  t.equal(lines[1]!.endsWith('\n'), true, 'one line')
  t.same(Object.keys(access).slice(0, 5), Object.keys(fromPino).slice(0, 5), 'level, time, pid, hostname, reqId first, as pino puts them')
  t.match(access, { level: 30, pid: fromPino.pid, hostname: fromPino.hostname, reqId: fromPino.reqId, method: 'GET', route: '/things/:id', status: 200, ms: Number, userId: 'user-"1"', msg: 'request' })
  t.ok(Math.abs(access.time - fromPino.time) < 1000)
})

t.test('no user: no userId; no route (404): route null', async (t) => {
  const lines: string[] = []
  const fastify = await server(lines)
  t.teardown(() => fastify.close())
  await fastify.inject({ url: '/things/other' })
  await fastify.inject({ url: '/nowhere' })
  const access = lines.map(line => JSON.parse(line)).filter(line => line.msg === 'request')
  t.equal(access.length, 2)
  t.notOk('userId' in access[0])
  t.match(access[1], { route: null, status: 404 })
})
