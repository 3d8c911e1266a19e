// The time the service reads where a day matters (the code assistant's daily quota), as
// `fastify.clock.now()`: tests move it to a day's last second instead of sleeping to midnight.
import fp from 'fastify-plugin'

export interface Clock {
  now: () => Date
}

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock
  }
}

export default fp(async function clockPlugin (fastify) {
  fastify.decorate('clock', { now: () => new Date() } satisfies Clock)
}, { name: 'clock' })
