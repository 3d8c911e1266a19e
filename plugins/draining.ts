// While the server shuts down, requests still arriving on kept-alive connections get a 503 in
// the envelope (Fastify's own drain answer is not) and are told to close the connection.
// In-flight requests are untouched and finish normally.
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
}, { name: 'draining', dependencies: ['errors'] })
