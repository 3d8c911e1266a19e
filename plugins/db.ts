// The one PostgreSQL pool, decorated as `fastify.sql`. Starts the embedded server when
// DATABASE_URL is unset, waits (bounded) for an unreachable database, applies migrations, and
// closes everything on shutdown. A bad database fails `ready()`, never the first request.
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import postgres, { type Sql } from 'postgres'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js'
import { dataDirIsDefault } from './config.js'
import { runMigrations } from '../db/migrate.js'

/**
 * Follows a NOTIFY channel for the instance's lifetime. `onListen` runs once before this
 * resolves and again after every reconnection of the listener, when notifications may have
 * been missed: the place to (re)load or forget what the channel keeps current.
 */
export type Subscribe = (channel: string, onNotify: (payload: string) => void, onListen: () => void | Promise<void>) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    sql: Sql
    subscribe: Subscribe
  }
}

export interface DatabaseOptions {
  /**
   * false: no database at all. Only `npm run openapi` builds the app this way, to read its
   * document: postgres.js connects on first use, and without a query nothing connects.
   */
  connect?: boolean
}

export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError'
}

async function waitForDatabase (sql: Sql, timeoutSeconds: number, warn: (msg: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`
      return
    } catch (error) {
      const reason = (error as Error).message
      if (Date.now() + 1000 > deadline) {
        throw new DatabaseUnreachableError(`database unreachable after ${timeoutSeconds}s (DATABASE_URL): ${reason}`)
      }
      warn(`database not reachable yet (attempt ${attempt}): ${reason}`)
      await sleep(Math.min(250 * 2 ** attempt, 2000))
    }
  }
}

export default fp<DatabaseOptions>(async function dbPlugin (fastify, options) {
  const { config, log } = fastify
  if (options.connect === false) {
    fastify.decorate('sql', postgres({ host: 'no-database.invalid', max: 1 }))
    fastify.decorate('subscribe', async () => {})
    return
  }
  let embedded: EmbeddedDatabase | undefined
  let url = config.DATABASE_URL
  if (url === undefined) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      database: 'app',
      relocate: dataDirIsDefault(config),
      log: (line) => log.debug({ component: 'embedded-postgres' }, line),
      notice: (line) => log.info({ component: 'embedded-postgres' }, line)
    })
    url = embedded.url
  }

  const sql = postgres(url, {
    max: config.DATABASE_POOL_SIZE,
    transform: postgres.camel,
    // Per attempt: start-up retries for DATABASE_CONNECT_TIMEOUT in all (waitForDatabase), and
    // during an outage a request learns within two seconds that there is no database.
    connect_timeout: 2,
    // Between reconnection attempts. postgres.js's default grows with every failure anywhere in
    // the pool (3^n / 100 s, up to 20 s): after a 5 s outage under load, connections waited
    // seconds more before trying again, requests queued behind them that long, and the first
    // write after the database's return came 7.8 s late. Capped at a quarter of a second,
    // requests during an outage fail about that fast, and the pool is back that soon.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.02 * 2 ** retries, 0.25),
    onnotice: () => {},
    // A read that waits seconds is worth less than a fast 503: a locked table or a runaway
    // query gives its connection back instead of starving every other route of the pool.
    connection: {
      application_name: 'campus-api',
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT,
      lock_timeout: config.DATABASE_LOCK_TIMEOUT
    }
  })

  try {
    await waitForDatabase(sql, config.DATABASE_CONNECT_TIMEOUT, (msg) => log.warn(msg))
    await runMigrations(sql, (msg) => log.info(msg))
  } catch (error) {
    await sql.end({ timeout: 1 })
    await embedded?.stop()
    throw error
  }

  const listeners: Array<{ unlisten: () => Promise<void> }> = []
  const subscribe: Subscribe = async (channel, onNotify, onListen) => {
    let started = false
    listeners.push(await sql.listen(channel, onNotify, () => {
      if (!started) return
      Promise.resolve(onListen()).catch((error: unknown) => log.error({ err: error, channel }, 'catching up after the listener reconnected failed'))
    }))
    started = true
    await onListen()
  }

  fastify.decorate('sql', sql)
  fastify.decorate('subscribe', subscribe)
  fastify.addHook('onClose', async () => {
    await Promise.all(listeners.map(async listener => await listener.unlisten().catch(() => {})))
    await sql.end({ timeout: 5 })
    await embedded?.stop()
  })
}, { name: 'db', dependencies: ['config'] })
