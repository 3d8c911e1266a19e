// @fastify/rate-limit for the routes that opt in (login), answering in the envelope with
// Retry-After. Not global: most routes are bounded by authentication and cheap queries, the
// expensive one (password hashing) by its own queue.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { AppError } from './errors.js'

export default fp(async function rateLimitPlugin (fastify) {
  await fastify.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) } })
  })
}, { name: 'rate-limit', dependencies: ['errors'] })
