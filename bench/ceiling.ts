// The framework's ceiling on this machine: a bare Fastify server, in its own process, with one
// route answering a small JSON object. No logger, no hooks, no plugins: whatever the service
// does beyond this costs it requests per second. Started by bench/run.ts with PORT set; prints
// "listening <port>" once ready and exits on SIGTERM.
import Fastify from 'fastify'

const fastify = Fastify({ logger: false })

fastify.get('/', async function ceiling () {
  return { hello: 'world' }
})

// The same for a large binary body: whatever bytes were PUT here last, served as they are. The
// load generator's own cost grows with the body (autocannon decodes every body to a string),
// so an image route is also compared with this, on the same bytes.
let bytes: Buffer = Buffer.alloc(0)
fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_request, body, done) => done(null, body))
fastify.put('/bytes', async function keep (request) {
  bytes = request.body as Buffer
  return { stored: bytes.byteLength }
})
fastify.get('/bytes', async function serve (_request, reply) {
  return reply.type('image/jpeg').send(bytes)
})

const port = Number(process.env.PORT ?? 0)
await fastify.listen({ host: '127.0.0.1', port })
const address = fastify.server.address()
process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : port}\n`)

process.on('SIGTERM', () => {
  fastify.close().then(() => process.exit(0), () => process.exit(1))
})
