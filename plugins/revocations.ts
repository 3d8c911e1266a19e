// Which sessions were revoked recently, known in memory by every instance, so access tokens
// are checked without a database round trip yet a logout takes effect everywhere: at once on
// the instance that revoked, within DATABASE_CHANGES_INTERVAL (50 ms) on the others.
// Revoking transactions announce `session_revoked` (migrations 009 and 013); each instance
// reads the change log and adds the ids. Whenever the change log could not be read for a while
// the set is reloaded, so a change missed during a database blip is caught up. Entries older
// than the access-token lifetime are dropped: any access token of that session has expired by
// then.
import fp from 'fastify-plugin'
import { SESSION_REVOKED_CHANNEL } from '../db/channels.js'
import { listRevokedSessionIdsSince } from '../db/sessions.js'

export interface Revocations {
  isRevoked: (sessionId: string) => boolean
  /** Records locally at once; other instances read it from the change log after the commit. */
  add: (sessionIds: readonly string[]) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    revocations: Revocations
  }
}

export default fp(async function revocationsPlugin (fastify) {
  const { sql, config } = fastify
  // Kept a minute past the access TTL to cover clock skew between instances.
  const keepMs = (config.JWT_ACCESS_TTL + 60) * 1000
  const revokedAt = new Map<string, number>()

  const revocations: Revocations = {
    isRevoked: (sessionId) => revokedAt.has(sessionId),
    add (sessionIds) {
      const now = Date.now()
      for (const id of sessionIds) revokedAt.set(id, now)
    }
  }

  async function reload (): Promise<void> {
    const since = new Date(Date.now() - keepMs)
    for (const { id, revokedAt: at } of await listRevokedSessionIdsSince(sql, since)) {
      revokedAt.set(id, at.getTime())
    }
  }

  await fastify.subscribe(SESSION_REVOKED_CHANNEL, (payload) => revocations.add(payload.split(',')), reload)

  const prune = setInterval(() => {
    const cutoff = Date.now() - keepMs
    for (const [id, at] of revokedAt) if (at < cutoff) revokedAt.delete(id)
  }, 60_000)
  prune.unref()

  fastify.decorate('revocations', revocations)
  fastify.addHook('onClose', async () => {
    clearInterval(prune)
  })
}, { name: 'revocations', dependencies: ['config', 'db'] })
