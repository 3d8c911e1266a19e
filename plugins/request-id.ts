// Every answer carries the request id its log lines carry, so a user reporting a 500 can
// hand over the one string that finds it. An incoming X-Request-Id is kept only when it is
// short and plain (it lands in logs); otherwise a fresh UUID is used.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import fp from 'fastify-plugin'

const SAFE_ID = /^[A-Za-z0-9._-]{8,64}$/

export function genReqId (req: IncomingMessage): string {
  const incoming = req.headers['x-request-id']
  return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID()
}

export default fp(async function requestIdPlugin (fastify) {
  // Sync hooks (done callback) throughout the per-request path: an async hook costs a promise
  // and a microtask per request for nothing when it awaits nothing.
  fastify.addHook('onRequest', function echoRequestId (request, reply, done) {
    reply.header('x-request-id', request.id)
    done()
  })
}, { name: 'request-id' })
