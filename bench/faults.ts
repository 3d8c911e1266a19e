// `npm run faults`: what a client sees when PostgreSQL goes away and when a table stays locked.
// Runs the built service (`./serve.sh`, production settings) against a throwaway embedded
// PostgreSQL reached through a loopback TCP proxy (test/tcp-proxy.ts), drives a steady mixed
// load of 40 requests/s (signup, login, post, me, feed; open loop, so a slow answer does not
// slow the load), and on a fixed timeline:
//    0– 5 s  normal
//    5–10 s  the database cut (the proxy drops every connection and refuses new ones)
//   10–15 s  normal again
//   15–25 s  `posts` locked ACCESS EXCLUSIVE by another connection
//   25–30 s  normal again
// It prints, per phase, the answers by status and their latency (p50/p99/max), per route
// during the lock, how soon /health/ready and the first write followed each change, and the
// writes acknowledged against those stored. Never part of `npm test`; 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, copyFileSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { freePort, startEmbeddedPostgres } from '../db/embedded.js'
import { startTcpProxy } from '../test/tcp-proxy.js'
import { percentile, requestJson } from './scenarios.js'

const RATE = 40
const PHASES = [
  { name: 'before', until: 5 },
  { name: 'database cut', until: 10 },
  { name: 'after the cut', until: 15 },
  { name: 'posts locked', until: 25 },
  { name: 'after the lock', until: 30 }
] as const
const KINDS = ['signup', 'login', 'post', 'me', 'feed'] as const
type Kind = (typeof KINDS)[number]
type Answer = { kind: Kind, at: number, status: number, ms: number }

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`)
const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
const root = fileURLToPath(new URL('../..', import.meta.url))
const workDir = mkdtempSync(join(tmpdir(), 'campus-api-faults-'))
chmodSync(workDir, 0o711) // the embedded server runs as the postgres user when we are root
const password = 'fault-password-0123'
const run = randomBytes(3).toString('hex')

function summary (answers: Answer[]): string {
  const byStatus: Record<string, number> = {}
  for (const a of answers) {
    const status = a.status === 0 ? 'no answer' : String(a.status)
    byStatus[status] = (byStatus[status] ?? 0) + 1
  }
  const ms = answers.map(a => a.ms).sort((a, b) => a - b)
  const at = (q: number) => Math.round(percentile(ms, q))
  return `${answers.length} requests: ${Object.entries(byStatus).map(([s, n]) => `${s} × ${n}`).join(', ')}; ` +
    `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`
}

async function main (): Promise<void> {
  const database = await startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), database: 'faults', log: () => {} })
  const real = new URL(database.url)
  const proxy = await startTcpProxy('127.0.0.1', Number(real.port))
  const viaProxy = new URL(real)
  viaProxy.port = String(proxy.port)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const service: ChildProcess = spawn('sh', [join(root, 'serve.sh')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: viaProxy.toString(),
      DATA_DIR: join(workDir, 'data'),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOGIN_RATE_LIMIT: '0'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const serviceLog = createWriteStream(join(workDir, 'service.log'))
  service.stdout!.pipe(serviceLog)
  service.stderr!.pipe(serviceLog)
  const direct = postgres(database.url, { max: 2, onnotice: () => {} })
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('the service did not start')
      if (await fetch(`${base}/health/ready`).then(r => r.ok, () => false)) break
      await pause(200)
    }
    const call = (method: string, path: string, body?: unknown, token?: string) => requestJson(method, base + path, { body, token })
    // Ten users, each following the next three, each with a post: feeds have something to show.
    const users: Array<{ username: string, token: string }> = []
    for (let i = 0; i < 10; i++) {
      const username = `fault_${run}_u${i}`
      await call('POST', '/auth/signup', { username, password, nickname: `장애 ${i}` })
      users.push({ username, token: (await call('POST', '/auth/login', { username, password })).body.token })
    }
    for (let i = 0; i < 10; i++) {
      for (let k = 1; k <= 3; k++) await call('POST', '/follows', { username: users[(i + k) % 10]!.username }, users[i]!.token)
      await call('POST', '/posts', { title: `seed ${i}`, body: '준비된 글' }, users[i]!.token)
    }

    const answers: Answer[] = []
    const acknowledged = { post: 0, signup: 0 }
    const ready: Array<{ at: number, ok: boolean }> = []
    const started = performance.now()
    const now = () => (performance.now() - started) / 1000
    let stop = false
    const poller = (async () => {
      while (!stop) {
        const at = now()
        const ok = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(r => r.ok, () => false)
        ready.push({ at, ok })
        await pause(100)
      }
    })()

    const send = async (i: number): Promise<void> => {
      const kind = KINDS[i % KINDS.length]!
      const user = users[i % users.length]!
      const at = now()
      const sentAt = performance.now()
      let status = 0
      try {
        if (kind === 'signup') status = (await call('POST', '/auth/signup', { username: `fault_${run}_s${i}`, password, nickname: `가입 ${i}` })).status
        else if (kind === 'login') status = (await call('POST', '/auth/login', { username: user.username, password })).status
        else if (kind === 'post') status = (await call('POST', '/posts', { title: `fault-${run}-${i}`, body: '부하 중에 쓴 글' }, user.token)).status
        else if (kind === 'me') status = (await call('GET', '/auth/me', undefined, user.token)).status
        else status = (await call('GET', '/feed', undefined, user.token)).status
      } catch {
        status = 0
      }
      if (status === 201 && (kind === 'post' || kind === 'signup')) acknowledged[kind]++
      answers.push({ kind, at, status, ms: performance.now() - sentAt })
    }

    // The timeline's faults, each at its second.
    const events: Array<[number, string]> = []
    let releaseLock: (() => void) | undefined
    let lockHeld: Promise<unknown> | undefined
    const schedule = (async () => {
      await pause(5000 - (performance.now() - started))
      await proxy.cut(); events.push([now(), 'cut'])
      await pause(10_000 - (performance.now() - started))
      await proxy.restore(); events.push([now(), 'restored'])
      await pause(15_000 - (performance.now() - started))
      const locked = new Promise<void>(resolve => {
        lockHeld = direct.begin(async (tx) => {
          await tx`lock table posts in access exclusive mode`
          resolve()
          await new Promise<void>(release => { releaseLock = release })
        })
      })
      await locked; events.push([now(), 'locked'])
      await pause(25_000 - (performance.now() - started))
      releaseLock!(); await lockHeld; events.push([now(), 'unlocked'])
    })()

    const inFlight: Array<Promise<void>> = []
    const total = PHASES.at(-1)!.until * RATE
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / RATE - performance.now()
      if (wait > 0) await pause(wait)
      inFlight.push(send(i))
    }
    await schedule
    await Promise.all(inFlight)
    stop = true
    await poller

    const at = (name: string) => events.find(([, what]) => what === name)![0]
    log(`timeline: cut at ${at('cut').toFixed(2)} s, restored ${at('restored').toFixed(2)} s, locked ${at('locked').toFixed(2)} s, unlocked ${at('unlocked').toFixed(2)} s`)
    let from = 0
    for (const phase of PHASES) {
      const inPhase = answers.filter(a => a.at >= from && a.at < phase.until)
      log(`${phase.name} (${from}–${phase.until} s): ${summary(inPhase)}`)
      if (phase.name === 'posts locked' || phase.name === 'database cut') {
        for (const kind of KINDS) log(`    ${kind}: ${summary(inPhase.filter(a => a.kind === kind))}`)
      }
      from = phase.until
    }
    const firstAfter = (t: number, test: (a: Answer) => boolean) =>
      answers.filter(a => a.at >= t && test(a)).sort((a, b) => (a.at + a.ms / 1000) - (b.at + b.ms / 1000))[0]
    const firstWrite = firstAfter(at('restored'), a => (a.kind === 'post' || a.kind === 'signup') && a.status === 201)
    if (firstWrite !== undefined) log(`first acknowledged write after the database came back: ${Math.round((firstWrite.at + firstWrite.ms / 1000 - at('restored')) * 1000)} ms after it (sent ${Math.round((firstWrite.at - at('restored')) * 1000)} ms after)`)
    const firstReady = (t: number, ok: boolean) => ready.find(r => r.at >= t && r.ok === ok)
    const down = firstReady(at('cut'), false)
    const up = firstReady(at('restored'), true)
    log(`/health/ready: 503 ${down === undefined ? 'never' : `${Math.round((down.at - at('cut')) * 1000)} ms`} after the cut (polled every 100 ms), 200 again ${up === undefined ? 'never' : `${Math.round((up.at - at('restored')) * 1000)} ms`} after the return`)
    const [stored] = await direct<Array<{ posts: number, signups: number }>>`
      select (select count(*)::int from posts where title like ${`fault-${run}-%`}) as posts,
             (select count(*)::int from users where username like ${`fault_${run}_s%`}) as signups`
    log(`writes: posts acknowledged ${acknowledged.post}, stored ${stored!.posts}; signups acknowledged ${acknowledged.signup}, stored ${stored!.signups}`)
    const fiveHundreds = answers.filter(a => a.status >= 500 && a.status !== 503).length
    log(`answers other than 2xx/503 from the service: ${answers.filter(a => a.status !== 0 && a.status !== 503 && (a.status < 200 || a.status >= 300)).length} (5xx other than 503: ${fiveHundreds}); no answer: ${answers.filter(a => a.status === 0).length}`)
  } finally {
    await direct.end({ timeout: 5 })
    service.kill('SIGTERM')
    await new Promise(resolve => service.once('exit', resolve))
    await proxy.close()
    await database.stop()
    log(`the service's log: ${process.env.FAULTS_LOG ?? '(set FAULTS_LOG=<file> to keep it)'}`)
    if (process.env.FAULTS_LOG !== undefined) copyFileSync(join(workDir, 'service.log'), process.env.FAULTS_LOG)
    rmSync(workDir, { recursive: true, force: true })
  }
}

main().then(() => process.exit(0), (error: Error) => {
  process.stderr.write(`[faults] failed: ${error.stack ?? String(error)}\n`)
  process.exit(1)
})
