// What the service knows about its database between requests: once a request finds it
// unavailable, one warning says so and a probe runs every half second until it answers again,
// then one line says it is back. Requests keep answering 503 meanwhile (plugins/errors.ts);
// the log holds two lines per outage instead of one per request.
import fp from 'fastify-plugin'
import { pingDatabase } from '../db/health.js'

const PROBE_EVERY_MS = 500

export interface DatabaseHealth {
  /** Called when a request failed because the database could not serve it. */
  unavailable: () => void
  readonly down: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    databaseHealth: DatabaseHealth
  }
}

export default fp(async function databaseHealthPlugin (fastify) {
  const { sql, log } = fastify
  let probe: NodeJS.Timeout | undefined
  let since = 0

  const health: DatabaseHealth = {
    get down () { return probe !== undefined },
    unavailable () {
      if (probe !== undefined) return
      since = Date.now()
      log.warn('database unavailable: answering 503 until it is back')
      probe = setInterval(() => {
        pingDatabase(sql, PROBE_EVERY_MS).then((up) => {
          if (!up || probe === undefined) return
          clearInterval(probe)
          probe = undefined
          log.info({ downMs: Date.now() - since }, 'database is back')
        }, () => {})
      }, PROBE_EVERY_MS)
      probe.unref()
    }
  }

  fastify.decorate('databaseHealth', health)
  fastify.addHook('onClose', async () => { clearInterval(probe) })
}, { name: 'db-health', dependencies: ['db'] })
