// The one PostgreSQL pool, decorated as `fastify.sql`. Starts the embedded server when
// DATABASE_URL is unset, waits (bounded) for an unreachable database, applies migrations, and
// closes everything on shutdown. A bad database fails `ready()`, never the first request.
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import postgres, { type Sql } from 'postgres'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js'
import { dataDirIsDefault } from './config.js'
import { runMigrations } from '../db/migrate.js'
import { ChangeLog } from '../db/change-log.js'

/** Change log rows are read within DATABASE_CHANGES_INTERVAL; kept this long for an instance whose reads fail a while. */
const CHANGES_KEPT_MS = 5 * 60_000

/**
 * Follows a channel of the database's change log (db/change-log.ts) for the instance's
 * lifetime. `onResume` runs once before this resolves and again whenever changes may have been
 * missed (reads failed for a while): the place to (re)load or forget what the channel keeps
 * current.
 */
export type Subscribe = (channel: string, onChange: (payload: string) => void, onResume: () => void | Promise<void>) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    sql: Sql
    subscribe: Subscribe
    /** The reader behind `subscribe` (its `settled()` is what tests wait on). */
    changeLog: ChangeLog
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
    fastify.decorate('changeLog', new ChangeLog(fastify.sql, { intervalMs: 1000, keepMs: CHANGES_KEPT_MS, onError: () => {} }))
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

  const changes = new ChangeLog(sql, {
    intervalMs: config.DATABASE_CHANGES_INTERVAL,
    keepMs: CHANGES_KEPT_MS,
    onError: (error) => log.warn({ err: error }, 'reading the change log failed; caches start over when it works again')
  })
  const subscribe: Subscribe = async (channel, onChange, onResume) => {
    await changes.follow(channel, { onChange, onResume })
  }

  fastify.decorate('sql', sql)
  fastify.decorate('subscribe', subscribe)
  fastify.decorate('changeLog', changes)
  fastify.addHook('onClose', async () => {
    changes.stop()
    await sql.end({ timeout: 5 })
    await embedded?.stop()
  })
}, { name: 'db', dependencies: ['config'] })
