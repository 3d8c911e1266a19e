// While the server shuts down, requests still arriving on kept-alive connections get a 503 in
// the envelope (Fastify's own drain answer is not) and are told to close the connection.
// In-flight requests finish normally, then their connection closes.
import fp from 'fastify-plugin'
import { AppError } from './errors.js'

export default fp(async function drainingPlugin (fastify) {
  let draining = false
  fastify.addHook('preClose', async () => {
    draining = true
  })
  fastify.addHook('onRequest', async (_request, reply) => {
    if (!draining) return
    reply.header('connection', 'close')
    throw new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '5' } })
  })
  // Fastify closes only the connections idle when the drain starts. One busy then would stay
  // open after its answer until keepAliveTimeout (72 s), holding close() and the shutdown.
  fastify.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close')
  })
}, { name: 'draining', dependencies: ['errors'] })
