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
  fastify.addHook('onRequest', function refuseWhileDraining (_request, reply, done) {
    if (!draining) {
      done()
      return
    }
    reply.header('connection', 'close')
    done(new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '5' } }))
  })
  // Fastify closes only the connections idle when the drain starts. One busy then would stay
  // open after its answer until keepAliveTimeout (72 s), holding close() and the shutdown.
  fastify.addHook('onSend', function closeWhileDraining (_request, reply, payload, done) {
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'draining', dependencies: ['errors'] })
