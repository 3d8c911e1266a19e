// @fastify/rate-limit for the routes that opt in (login) and for unknown paths, answering in
// the envelope with Retry-After. Not global: most routes are bounded by authentication and
// cheap queries, the expensive one (password hashing) by its own queue.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { AppError, notFound } from './errors.js'

// Per client address and minute. A client walking unknown paths is a scanner (or a broken
// client in a loop): slow it down as fastify/demo does; nobody browsing needs more.
const NOT_FOUND_PER_MINUTE = 120

export default fp(async function rateLimitPlugin (fastify) {
  await fastify.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) } })
  })
  fastify.setNotFoundHandler({ preHandler: fastify.rateLimit({ max: NOT_FOUND_PER_MINUTE, timeWindow: 60_000 }) }, notFound)
}, { name: 'rate-limit', dependencies: ['errors'] })
