// `npm run bench`: the side-by-side load benchmark. Builds a seeded PostgreSQL (embedded, or
// the server in DATABASE_URL), measures the machine's ceilings (a bare Fastify server in its
// own process; raw argon2id verifications at the service's parameters), then drives the built
// service (`./serve.sh`, its own process) with autocannon, scenario after scenario,
// and prints/writes the table with the targets checked. Never part of `npm test`.
//
//   npm run bench -- [--duration 10] [--warmup 3] [--connections 50] [--large]
//                    [--users 10000] [--posts 200000] [--follows 100] [--only me,login,community]
//                    [--log-levels info,warn] [--pin] [--service-arg=--cpu-prof ...] [--no-write]
//
// The service runs as production does, at LOG_LEVEL=info with its output going to a file; the
// cheap routes (health, me) are measured again at each further level of --log-levels, so the
// cost of the access log is a number in the table. --pin runs the service (and the ceiling
// server) on CPU 0 and this process, the load generator and raw argon2, on CPU 1 (taskset),
// which is how one-core figures are taken.
//
// The campus domains (community, timetable, codegen) run on a database of their own, a copy
// of the same users with a school's boards, a lecture catalog and timetables added (see
// bench/community.ts, bench/timetable.ts, bench/codegen.ts), against a second service that
// calls the benchmark's model (bench/model.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import argon2 from 'argon2'
import postgres, { type Sql } from 'postgres'
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js'
import { runMigrations } from '../db/migrate.js'
import { ARGON2_OPTIONS } from '../plugins/passwords.js'
import { ConfigSchema } from '../schemas/config.js'
import { BENCH_PASSWORD, benchUsername, seedPosts, seedSchools, seedUsersAndFollows, type SeedSize } from './seed.js'
import {
  argon2Ceiling, bearer, getJson, measure, postJson, measureProbe, measureWithProbe, rotating, type Bench, type Load, type LoadOptions, type Measurement, type Probe
} from './scenarios.js'
import { codegenScenarios } from './codegen.js'
import { COMMUNITY, communityScenarios, seedCommunity, seedThreads } from './community.js'
import { CATALOG, seedLectures, seedTimetables, timetableScenarios } from './timetable.js'
import { mediaScenarios } from './media.js'
import { checkTargets, formatTable, ratio, writeReport, type Report, type Row, type Target } from './report.js'

const distDir = fileURLToPath(new URL('..', import.meta.url))
const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url))
const TEMPLATE = 'campus_bench_template'
const FULL_DB = 'campus_bench_full'
const SMALL_DB = 'campus_bench_small'
const CAMPUS_DB = 'campus_bench_campus'
const GROUPS = ['ceiling', 'health', 'me', 'login', 'feed', 'posts', 'small', 'community', 'timetable', 'codegen', 'media'] as const

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'login-connections': { type: 'string', default: '32' },
    'probe-rate': { type: 'string', default: '100' },
    users: { type: 'string', default: '10000' },
    posts: { type: 'string' },
    follows: { type: 'string', default: '100' },
    large: { type: 'boolean', default: false },
    only: { type: 'string' },
    'log-levels': { type: 'string', default: 'info,warn' },
    pin: { type: 'boolean', default: false },
    'service-arg': { type: 'string', multiple: true, default: [] },
    'no-write': { type: 'boolean', default: false }
  }
})

function positive (name: string, text: string | undefined): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, got ${text}`)
  return n
}

const load: LoadOptions = {
  duration: positive('duration', args.duration),
  warmup: Number(args.warmup),
  connections: positive('connections', args.connections)
}
const loginConnections = positive('login-connections', args['login-connections'])
const probeRate = positive('probe-rate', args['probe-rate'])
const full: SeedSize = {
  users: positive('users', args.users),
  posts: positive('posts', args.posts ?? (args.large ? '1000000' : '200000')),
  follows: positive('follows', args.follows)
}
const small: SeedSize = { ...full, posts: Math.max(1, Math.round(full.posts / 10)) }
const only = new Set(args.only === undefined ? GROUPS : args.only.split(',').map(s => s.trim()))
for (const g of only) if (!(GROUPS as readonly string[]).includes(g)) throw new Error(`--only: unknown group ${g} (groups: ${GROUPS.join(', ')})`)
const logLevels = args['log-levels'].split(',').map(s => s.trim()).filter(s => s !== '')
const serviceLogLevel = logLevels[0] ?? 'info'
/** `taskset -c 0` in front of the service's and the ceiling's command under --pin. */
const pinnedTo = (command: string, argv: string[]): [string, string[]] =>
  args.pin ? ['taskset', ['-c', '0', command, ...argv]] : [command, argv]
const hashConcurrency = Number(process.env.HASH_CONCURRENCY ?? ConfigSchema.properties.HASH_CONCURRENCY.default)

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`)
const startedAt = new Date()
const workDir = mkdtempSync(join(tmpdir(), 'campus-api-bench-'))
// Embedded PostgreSQL runs as the postgres user when we are root: it must be able to enter here.
chmodSync(workDir, 0o711)
const children = new Set<ChildProcess>()

function withDatabase (url: string, database: string): string {
  const u = new URL(url)
  u.pathname = '/' + database
  return u.toString()
}

function spawnNode (name: string, argv: string[], env: NodeJS.ProcessEnv, command = process.execPath, pin = true): ChildProcess {
  const out = createWriteStream(join(workDir, `${name}.log`))
  const [pinnedCommand, pinnedArgv] = pin ? pinnedTo(command, argv) : [command, argv]
  const child = spawn(pinnedCommand, pinnedArgv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.pipe(out)
  child.stderr!.pipe(out)
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

function logTail (name: string): string {
  try {
    return readFileSync(join(workDir, `${name}.log`), 'utf8').split('\n').slice(-20).join('\n')
  } catch {
    return '(no log)'
  }
}

async function waitForHttp (url: string, child: ChildProcess, name: string, seconds: number, init: RequestInit = {}): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${logTail(name)}`)
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) })
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`${name} did not answer ${url} within ${seconds}s:\n${logTail(name)}`)
}

/** VmHWM: the peak resident set of a running process, in MiB. */
function peakRssMiB (pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Math.round(Number(match[1]) / 1024 * 10) / 10
}

type Service = { base: string, child: ChildProcess, name: string }

async function startService (name: string, databaseUrl: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Service> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DATA_DIR: join(workDir, `${name}-data`),
    JWT_SECRET: randomBytes(48).toString('base64url'),
    JWT_ACCESS_TTL: '3600',
    LOGIN_RATE_LIMIT: '0',
    // As production runs: info, its lines going to a file (spawnNode's log).
    LOG_LEVEL: serviceLogLevel,
    ...extraEnv
  }
  // Through serve.sh, as npm start and the image run it (it execs node: same pid).
  const child = spawnNode(name, [join(distDir, '../serve.sh'), ...args['service-arg']], env, 'sh')
  const base = `http://127.0.0.1:${port}`
  await waitForHttp(`${base}/health`, child, name, 60)
  return { base, child, name }
}

/** Access tokens of bench users 1..count, logged in two at a time (the hasher's width). */
async function tokensFor (base: string, count: number): Promise<string[]> {
  const tokens: string[] = []
  for (let i = 1; i <= count; i += 2) {
    const batch = [i, i + 1].filter(n => n <= count)
    const answers = await Promise.all(batch.map(n => postJson(`${base}/auth/login`, { username: benchUsername(n), password: BENCH_PASSWORD })))
    for (const a of answers) {
      if (a.status !== 200) throw new Error(`bench login failed: ${a.status} ${JSON.stringify(a.body)}`)
      tokens.push(a.body.token)
    }
  }
  return tokens
}

async function recreateDatabase (sql: Sql, name: string, template?: string): Promise<void> {
  await sql`drop database if exists ${sql(name)} with (force)`
  if (template === undefined) await sql`create database ${sql(name)}`
  else await sql`create database ${sql(name)} template ${sql(template)}`
}

async function timed<T> (what: string, task: () => Promise<T>): Promise<number> {
  const started = Date.now()
  await task()
  const seconds = Math.round((Date.now() - started) / 100) / 10
  log(`${what} in ${seconds}s`)
  return seconds
}

async function withDb (name: string, task: (db: Sql) => Promise<void>): Promise<void> {
  // camel: the query modules (the campus threads and timetables) expect the service's rows.
  const db = postgres(withDatabase(serverUrl, name), { max: 1, transform: postgres.camel, onnotice: () => {} })
  try {
    await task(db)
  } finally {
    await db.end({ timeout: 5 })
  }
}

type CampusData = { threadPostId?: string, timetables?: Awaited<ReturnType<typeof seedTimetables>> }

/**
 * Users and follows are seeded once into a template database; the full and the 1/10 data sets
 * are copies of it (a file copy, seconds) that differ only in their posts, and the campus data
 * set is a copy with no social posts and the campus domains' data.
 */
async function prepareDatabases (sql: Sql, hash: string, withSmall: boolean, campus: CampusData): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {}
  seconds.usersAndFollows = await timed(`${TEMPLATE}: ${full.users} users, ${full.users * full.follows} follows`, async () => {
    await recreateDatabase(sql, TEMPLATE)
    await withDb(TEMPLATE, async (db) => {
      await runMigrations(db)
      await seedUsersAndFollows(db, full, hash)
    })
  })
  const sets: Array<[string, SeedSize]> = [
    ...(socialGroups.some(g => only.has(g)) ? [[FULL_DB, full] as [string, SeedSize]] : []),
    ...(withSmall ? [[SMALL_DB, small] as [string, SeedSize]] : [])
  ]
  for (const [name, size] of sets) {
    seconds[name] = await timed(`${name}: ${size.posts} posts`, async () => {
      await recreateDatabase(sql, name, TEMPLATE)
      await withDb(name, db => seedPosts(db, size))
    })
  }
  if (campusGroups.some(g => only.has(g))) {
    seconds[CAMPUS_DB] = await timed(`${CAMPUS_DB}: ${COMMUNITY.boardPosts} board posts, ${CATALOG.schools * CATALOG.semesters.length * CATALOG.perSchoolAndSemester} lectures, threads and timetables`, async () => {
      await recreateDatabase(sql, CAMPUS_DB, TEMPLATE)
      await withDb(CAMPUS_DB, async (db) => {
        await seedSchools(db, CATALOG.schools)
        if (only.has('community')) {
          await seedCommunity(db, full.users)
          campus.threadPostId = (await seedThreads(db, full.users)).threadPostId
        }
        if (only.has('timetable')) {
          await seedLectures(db)
          campus.timetables = await seedTimetables(db)
        }
      })
    })
  }
  await sql`drop database if exists ${sql(TEMPLATE)} with (force)`
  return seconds
}

/** Whether a social route exists in this build: an unknown route answers 404 to every call. */
async function routeMissing (probe: () => Promise<{ status: number, body: any }>): Promise<{ missing: boolean, answer: { status: number, body: any } }> {
  const answer = await probe()
  return { missing: answer.status === 404, answer }
}

async function feedScenarios (
  service: Service, tokens: string[], label: string, run: (scenario: string, load: Load) => Promise<unknown>
): Promise<Report['skipped']> {
  const first = await routeMissing(() => getJson(`${service.base}/feed`, tokens[0]!))
  if (first.missing) return [{ scenario: `GET /feed first page${label}`, reason: 'the route does not exist in this build (404)' }]
  if (first.answer.status !== 200) throw new Error(`GET /feed answered ${first.answer.status}: ${JSON.stringify(first.answer.body)}`)

  await run(`GET /feed first page${label}`, {
    url: service.base, connections: load.connections,
    requests: [rotating(tokens, t => ({ method: 'GET', path: '/feed', headers: bearer(t) }))]
  })

  // Page 20 of each bench user's chain, found by following nextCursor.
  const deepPaths: string[] = []
  for (const token of tokens.slice(0, 10)) {
    let path = '/feed'
    for (let page = 1; page < 20; page++) {
      const { status, body } = await getJson(service.base + path, token)
      if (status !== 200 || body.nextCursor === null) break
      path = `/feed?cursor=${encodeURIComponent(body.nextCursor)}`
    }
    deepPaths.push(path)
  }
  const deep = deepPaths.map((path, i) => ({ path, token: tokens[i]! }))
  await run(`GET /feed page 20${label}`, {
    url: service.base, connections: load.connections,
    requests: [rotating(deep, d => ({ method: 'GET', path: d.path, headers: bearer(d.token) }))]
  })
  return []
}

const campusGroups = ['community', 'timetable', 'codegen', 'media'] as const
/** The groups that run on the social data set (the full one; small adds the 1/10 one). */
const socialGroups = ['health', 'me', 'login', 'feed', 'posts', 'small'] as const

/**
 * The campus domains' scenarios, on their data set, against a service whose code assistant
 * calls the benchmark's model with the daily quota raised out of the way.
 */
async function campusScenarios (
  versusCeiling: Bench['versusCeiling'], record: (row: Row) => void, peak: Record<string, number>, campus: CampusData,
  ceilingUrl: string | undefined
): Promise<Target[]> {
  const modelPort = await freePort()
  // Not pinned: the model is the service's dependency, not what is measured.
  const model = spawnNode('model', [join(distDir, 'bench/model.js')], { ...process.env, PORT: String(modelPort) }, process.execPath, false)
  const modelUrl = `http://127.0.0.1:${modelPort}/v1`
  await waitForHttp(`${modelUrl}/chat/completions`, model, 'model', 30, { method: 'POST', body: JSON.stringify({ messages: [] }) })
  const service = await startService('service-campus', withDatabase(serverUrl, CAMPUS_DB), {
    CODEGEN_API_URL: modelUrl,
    CODEGEN_MODEL: 'bench',
    CODEGEN_DAILY_LIMIT: '100000',
    CODEGEN_CONCURRENCY: String(Math.max(16, load.connections * 2))
  })
  const db = postgres(withDatabase(serverUrl, CAMPUS_DB), { max: 2, transform: postgres.camel, onnotice: () => {} })
  const targets: Target[] = []
  try {
    const bench: Bench = {
      base: service.base,
      tokens: await tokensFor(service.base, Math.max(COMMUNITY.likers, CATALOG.timetables)),
      connections: load.connections,
      db,
      versusCeiling
    }
    if (only.has('community') || only.has('timetable')) {
      // The same service with its page cache off, for the uncached comparisons.
      const uncached = await startService('service-campus-uncached', withDatabase(serverUrl, CAMPUS_DB), { PAGE_CACHE_MB: '0' })
      try {
        const uncachedBench = { ...bench, base: uncached.base, tokens: await tokensFor(uncached.base, bench.tokens.length) }
        if (only.has('community')) targets.push(...await communityScenarios(bench, uncachedBench, campus.threadPostId!))
        if (only.has('timetable')) targets.push(...await timetableScenarios(bench, uncachedBench, campus.timetables!))
        peak['service, campus, cache off'] = peakRssMiB(uncached.child.pid!)
      } finally {
        await stopChild(uncached.child)
      }
    }
    if (only.has('codegen')) targets.push(...await codegenScenarios(bench, modelUrl))
    if (only.has('media')) targets.push(...await mediaScenarios(bench, load, record, probeRate, ceilingUrl))
    peak['service, campus'] = peakRssMiB(service.child.pid!)
  } finally {
    await db.end({ timeout: 5 })
    await stopChild(service.child)
    await stopChild(model)
  }
  return targets
}

const serverUrlFromEnv = process.env.DATABASE_URL
let embedded: EmbeddedDatabase | undefined
let serverUrl: string

async function cleanup (): Promise<void> {
  await Promise.all([...children].map(stopChild))
  await embedded?.stop().catch(() => {})
  rmSync(workDir, { recursive: true, force: true })
}

process.once('SIGINT', () => {
  log('interrupted: stopping the service, the ceiling server and PostgreSQL')
  cleanup().finally(() => process.exit(130))
})

async function main (): Promise<Report> {
  const started = Date.now()
  if (serverUrlFromEnv === undefined) {
    log(`starting embedded PostgreSQL under ${workDir}`)
    embedded = await startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), database: 'postgres', serverFlags: ['-c', 'max_connections=200'], log: () => {} })
    serverUrl = embedded.url
  } else {
    serverUrl = withDatabase(serverUrlFromEnv, 'postgres')
    log('using the PostgreSQL server in DATABASE_URL (databases campus_bench_* are recreated)')
  }

  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  const hash = await argon2.hash(BENCH_PASSWORD, ARGON2_OPTIONS)
  const needsSmall = only.has('small')
  const campus: CampusData = {}
  let seedSeconds: Record<string, number>
  try {
    seedSeconds = await prepareDatabases(admin, hash, needsSmall, campus)
  } finally {
    await admin.end({ timeout: 5 })
  }

  const rows: Row[] = []
  const skipped: Report['skipped'] = []
  const peak: Record<string, number> = {}

  // The machine is shared and its speed drifts during a run: the bare server stays up and is
  // measured again (a shorter run) right before each scenario, and each scenario's ratio is
  // taken against that adjacent measurement. The first, full-length run is the table's row.
  let ceilingUrl: string | undefined
  const ceilingCheck: LoadOptions = { duration: Math.max(3, Math.round(load.duration / 2)), warmup: 1, connections: load.connections }
  async function ceilingNow (): Promise<number> {
    if (ceilingUrl === undefined) return 0
    const m = await measure('ceiling check', { url: ceilingUrl, connections: load.connections, requests: [{ method: 'GET', path: '/' }] }, ceilingCheck)
    ceilingChecks.push(m.requestsPerSecond)
    return m.requestsPerSecond
  }
  const ceilingChecks: number[] = []
  /** A row into the table, and its line in the log. */
  const record = (row: Row): Row => {
    rows.push(row)
    log(`${row.scenario}: ${row.requestsPerSecond} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}, errors ${row.errors}` +
      (row.ratio !== null && row.reference > 0 ? ` (${row.ratio} × ${row.against} ${row.reference})` : ''))
    return row
  }
  const push = (m: Measurement, against: string, of: number): Row =>
    record({ ...m, against, reference: of, ratio: ratio(m.requestsPerSecond, of) })
  /** A throughput scenario against the service, with its adjacent ceiling. */
  /** An autocannon load, or a scenario that measures itself (e.g. discardingLoad). */
  async function versusCeiling (scenario: string, serviceLoad: Load | (() => Promise<Measurement>)): Promise<Row> {
    const reference = await ceilingNow()
    const measured = typeof serviceLoad === 'function' ? await serviceLoad() : await measure(scenario, serviceLoad, load)
    return push(measured, 'ceiling', reference)
  }

  if (only.has('ceiling')) {
    const port = await freePort()
    const child = spawnNode('ceiling', [join(distDir, 'bench/ceiling.js')], { ...process.env, PORT: String(port) })
    await waitForHttp(`http://127.0.0.1:${port}/`, child, 'ceiling', 30)
    ceilingUrl = `http://127.0.0.1:${port}`
    const m = await measure('ceiling GET /', { url: ceilingUrl, connections: load.connections, requests: [{ method: 'GET', path: '/' }] }, load)
    push(m, 'ceiling', m.requestsPerSecond)
    peak.ceiling = peakRssMiB(child.pid!)
  }
  /** GET /health and GET /auth/me: the per-request cost every route pays. */
  async function cheapRoutes (target: Service, tokens: string[], label: string): Promise<void> {
    if (only.has('health')) {
      await versusCeiling(`GET /health${label}`, { url: target.base, connections: load.connections, requests: [{ method: 'GET', path: '/health' }] })
    }
    if (only.has('me')) {
      await versusCeiling(`GET /auth/me${label}`, {
        url: target.base, connections: load.connections,
        requests: [rotating(tokens, t => ({ method: 'GET', path: '/auth/me', headers: bearer(t) }))]
      })
    }
  }
  let argon: Awaited<ReturnType<typeof argon2Ceiling>> = { verifiesPerSecond: 0, verifies: 0, concurrency: hashConcurrency }

  if (socialGroups.some(g => only.has(g))) {
    const service = await startService('service', withDatabase(serverUrl, FULL_DB))
    try {
      const tokens = await tokensFor(service.base, 20)
      const logins = Array.from({ length: Math.min(full.users, 1000) }, (_, i) => JSON.stringify({ username: benchUsername(i + 1), password: BENCH_PASSWORD }))
      const loginLoad = (): Load => ({
        url: service.base, connections: loginConnections,
        // Logins still queued when autocannon stops would be served during the next run.
        settleSeconds: Math.min(30, Math.ceil(loginConnections / Math.max(1, argon.verifiesPerSecond)) + 1),
        requests: [rotating(logins, body => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, body }))]
      })
      // A liveness checker's view: a fixed, modest rate, so latency (not throughput) is compared.
      const healthProbe: Probe = { url: service.base, path: '/health', rate: probeRate }

      await cheapRoutes(service, tokens, '')
      // The same two at each further log level, on a service of their own.
      for (const level of logLevels.slice(1)) {
        if (!only.has('health') && !only.has('me')) break
        const quiet = await startService(`service-${level}`, withDatabase(serverUrl, FULL_DB), { LOG_LEVEL: level })
        try {
          await cheapRoutes(quiet, await tokensFor(quiet.base, 20), `, LOG_LEVEL=${level}`)
          peak[`service, LOG_LEVEL=${level}`] = peakRssMiB(quiet.child.pid!)
        } finally {
          await stopChild(quiet.child)
        }
      }
      if (only.has('login')) {
        // The login ceiling, measured right before the logins (the service idle meanwhile).
        log(`argon2id ceiling: ${hashConcurrency} verifications at once for ${load.duration}s`)
        argon = await argon2Ceiling(BENCH_PASSWORD, hashConcurrency, load.duration, Math.min(load.warmup, 2))
        log(`argon2id: ${argon.verifiesPerSecond} verifications/s`)
        push(await measure('POST /auth/login', loginLoad(), load), 'argon2', argon.verifiesPerSecond)
        const idle = await measureProbe('GET /health probe, idle', healthProbe, load)
        rows.push({ ...idle, against: 'idle p99', reference: idle.p99, ratio: 1 })
        const [busyLogin, busyProbe] = await measureWithProbe(
          'POST /auth/login, with the probe', loginLoad(), 'GET /health probe, logins saturating', healthProbe, load)
        push(busyLogin, 'argon2', argon.verifiesPerSecond)
        rows.push({ ...busyProbe, against: 'idle p99', reference: idle.p99, ratio: ratio(busyProbe.p99, idle.p99) })
        log(`/health probe p99: idle ${idle.p99} ms, logins saturating ${busyProbe.p99} ms`)
      }
      if (only.has('feed')) {
        skipped.push(...await feedScenarios(service, tokens, '', versusCeiling))
      }
      if (only.has('posts')) {
        const db = postgres(withDatabase(serverUrl, FULL_DB), { max: 1, onnotice: () => {} })
        const ids = (await db`select id from posts order by md5(id::text) limit 1000`.finally(() => db.end({ timeout: 5 }))).map(r => r.id as string)
        const byId = await routeMissing(() => getJson(`${service.base}/posts/${ids[0]}`, tokens[0]!))
        if (byId.missing) skipped.push({ scenario: 'GET /posts/{id}', reason: 'the route does not exist in this build (404)' })
        else {
          if (byId.answer.status !== 200) throw new Error(`GET /posts/{id} answered ${byId.answer.status}: ${JSON.stringify(byId.answer.body)}`)
          const pairs = ids.map((id, i) => ({ id, token: tokens[i % tokens.length]! }))
          await versusCeiling('GET /posts/{id}', {
            url: service.base, connections: load.connections,
            requests: [rotating(pairs, p => ({ method: 'GET', path: `/posts/${p.id}`, headers: bearer(p.token) }))]
          })
        }
        // Last on this data set: it adds posts to the feeds measured above.
        const create = await routeMissing(() => postJson(`${service.base}/posts`, { title: 'Bench probe', body: 'Does the route exist?' }, tokens[0]))
        if (create.missing) skipped.push({ scenario: 'POST /posts', reason: 'the route does not exist in this build (404)' })
        else {
          if (create.answer.status !== 201) throw new Error(`POST /posts answered ${create.answer.status}: ${JSON.stringify(create.answer.body)}`)
          const bodies = tokens.map((t, i) => ({ t, body: JSON.stringify({ title: `Bench post by user ${i + 1}`, body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(5) }) }))
          await versusCeiling('POST /posts', {
            url: service.base, connections: load.connections,
            requests: [rotating(bodies, b => ({ method: 'POST', path: '/posts', headers: { ...bearer(b.t), 'content-type': 'application/json' }, body: b.body }))]
          })
        }
      }
      peak.service = peakRssMiB(service.child.pid!)
    } finally {
      await stopChild(service.child)
    }
  }

  // How the feed query itself grows with the data: both data sets with the page cache off.
  const uncached: Array<[string, string, string, boolean]> = [
    ['service-uncached', FULL_DB, ', cache off', only.has('feed')],
    ['service-small', SMALL_DB, ', 1/10 data set, cache off', needsSmall]
  ]
  for (const [name, database, label, wanted] of uncached) {
    if (!wanted) continue
    const other = await startService(name, withDatabase(serverUrl, database), { FEED_CACHE_MB: '0' })
    try {
      const tokens = await tokensFor(other.base, 20)
      skipped.push(...await feedScenarios(other, tokens, label, versusCeiling))
      peak[`service${label}`] = peakRssMiB(other.child.pid!)
    } finally {
      await stopChild(other.child)
    }
  }


  const domainTargets: Target[] = []
  if (campusGroups.some(g => only.has(g))) domainTargets.push(...await campusScenarios(versusCeiling, record, peak, campus, ceilingUrl))

  const cpu = cpus()
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
  return {
    startedAt: startedAt.toISOString(),
    command,
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart },
    settings: { ...load, loginConnections, probeRate, full, small, hashConcurrency, logLevels, pinned: args.pin, database: serverUrlFromEnv === undefined ? 'embedded' : 'DATABASE_URL', serviceArgs: args['service-arg'] },
    argon2: argon,
    ceilingChecks,
    peakRssMiB: peak,
    rows,
    skipped,
    targets: [...checkTargets(rows, Math.max(0, ...Object.entries(peak).filter(([k]) => k !== 'ceiling').map(([, v]) => v)), skipped), ...domainTargets],
    seedSeconds,
    totalSeconds: Math.round((Date.now() - started) / 1000)
  }
}

if (args.pin) {
  if (cpus().length < 2) throw new Error('--pin needs two CPUs: the service on one, the load on the other')
  // This process generates the load and measures raw argon2: CPU 1, all its threads.
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { encoding: 'utf8' })
  if (pinned.status !== 0) throw new Error(`--pin: taskset failed: ${pinned.stderr}`)
}
const loadAverageAtStart = loadavg().map(n => Math.round(n * 100) / 100)
let exitCode = 0
try {
  const report = await main()
  process.stdout.write('\n' + formatTable(report) + '\n\n')
  if (!args['no-write']) log(`written: ${writeReport(resultsDir, report)} and latest.json`)
  log(`total ${report.totalSeconds}s`)
} catch (error) {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`)
  exitCode = 1
} finally {
  await cleanup()
}
process.exit(exitCode)
