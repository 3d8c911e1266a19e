// Accounts by id, kept in memory for the hottest authenticated read (GET /auth/me): an account
// row changes rarely, and every change of its cached fields is announced on `user_changed` by a
// trigger (migrations 009 and 013), which every instance reads. Bounded (least recently used go
// first), and emptied whenever the change log could not be read for a while, since changes may
// have been missed.
import fp from 'fastify-plugin'
import { USER_CHANGED_CHANNEL } from '../db/channels.js'
import { findUserById, type UserRow } from '../db/users.js'

const MAX_ENTRIES = 10_000

export interface AccountCache {
  get: (id: string) => Promise<UserRow | undefined>
}

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountCache
  }
}

export default fp(async function accountCachePlugin (fastify) {
  const { sql } = fastify
  const entries = new Map<string, UserRow>()
  // Bumped by every invalidation: a read that started before one must not store what it read.
  let generation = 0

  function forget (id?: string): void {
    generation++
    if (id === undefined) entries.clear()
    else entries.delete(id)
  }

  const accounts: AccountCache = {
    async get (id) {
      const hit = entries.get(id)
      if (hit !== undefined) {
        // Map order is insertion order: re-inserting marks it most recently used.
        entries.delete(id)
        entries.set(id, hit)
        return hit
      }
      const startedAt = generation
      const row = await findUserById(sql, id)
      if (row !== undefined && startedAt === generation) {
        entries.set(id, row)
        if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!)
      }
      return row
    }
  }

  await fastify.subscribe(USER_CHANGED_CHANNEL, (id) => forget(id), () => forget())
  fastify.decorate('accounts', accounts)
}, { name: 'account-cache', dependencies: ['db'] })
