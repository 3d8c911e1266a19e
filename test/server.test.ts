import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import { freePort } from '../db/embedded.js'
import { ConfigSchema } from '../schemas/config.js'
import { createDatabase, TEST_JWT_SECRET } from './helper.js'

// The entry production uses (npm start, the Dockerfile): serve.sh sets the runtime settings
// and execs node on start.cjs, which prepares the thread pool, then loads server.js.
const SERVE = fileURLToPath(new URL('../../serve.sh', import.meta.url))


async function waitForHealth (base: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`)
    try {
      if ((await fetch(`${base}/health`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error('server did not answer /health in time')
}

function exited (child: ChildProcess): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

type Started = { child: ChildProcess, base: string, output: () => string }

type Teardown = { teardown: (fn: () => unknown) => void }

/** serve.sh as production runs it, with `env` on top of a minimal environment. */
async function spawnServe (t: Teardown, env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  // Through env(1) to drop NODE_OPTIONS: tap adds an --import to every child's, which would
  // start the thread pool before start.cjs runs (a production process has none).
  const { NODE_OPTIONS, ...rest } = env
  const nodeOptions = NODE_OPTIONS === undefined ? [] : [`NODE_OPTIONS=${NODE_OPTIONS}`]
  const child = spawn('env', ['-u', 'NODE_OPTIONS', ...nodeOptions, 'sh', SERVE], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: await createDatabase(),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'campus-api-server-')),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn',
      ...rest
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return { child, base, output: () => output }
}

/** spawnServe, once it answers /health. */
async function start (t: Teardown, env: Record<string, string> = {}): Promise<Started> {
  const started = await spawnServe(t, env)
  await waitForHealth(started.base, started.child)
  return started
}

t.test('serve.sh serves, then SIGTERM → exit 0 within a few seconds and nothing answers', async (t) => {
  const { child, base, output } = await start(t)
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok' })
  const ready = await fetch(`${base}/health/ready`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ok', database: 'ok' })
  const missing = await fetch(`${base}/nothing-here`)
  t.equal(missing.status, 404)
  t.same(await missing.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })

  const started = Date.now()
  child.kill('SIGTERM')
  const result = await Promise.race([exited(child), sleep(15_000).then(() => 'still running' as const)])
  t.same(result, { code: 0, signal: null }, `exited cleanly (${Date.now() - started} ms); output: ${output()}`)
  await t.rejects(fetch(`${base}/health`), 'no longer answered')
})

type LogLine = { level: number, msg: string, reqId?: string, method?: string, route?: string | null, status?: number, ms?: number }

function jsonLines (output: string): LogLine[] {
  return output.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line) as LogLine)
}

t.test('LOG_LEVEL=info: one access line per request, every line written out before a SIGTERM exit', async (t) => {
  const { child, base, output } = await start(t, { LOG_LEVEL: 'info' })
  const ids: string[] = []
  for (const path of ['/health', '/posts/00000000-0000-4000-8000-000000000000', '/nothing-here']) {
    for (let i = 0; i < 20; i++) ids.push((await fetch(`${base}${path}`)).headers.get('x-request-id')!)
  }
  // Lines are written in blocks, but a quiet service still shows them within a second or so.
  await sleep(1500)
  t.equal(jsonLines(output()).filter(line => line.msg === 'request').slice(-1)[0]?.reqId, ids.at(-1), 'the last line is out before any exit')
  child.kill('SIGTERM')
  t.same(await exited(child), { code: 0, signal: null })
  // The last 60: waitForHealth's own requests come first.
  const access = jsonLines(output()).filter(line => line.msg === 'request').slice(-ids.length)
  t.same(access.map(line => line.reqId), ids, 'one line per request, in order, none lost at exit')
  t.match(access[0], { level: 30, method: 'GET', route: '/health', status: 200, ms: Number })
  t.match(access[20], { route: '/posts/:id', status: 401 }, 'the route pattern, not the URL with its id')
  t.match(access[40], { route: null, status: 404 })
  t.notOk(jsonLines(output()).some(line => line.msg === 'incoming request'), 'not Fastify\'s two lines per request')
  t.ok(jsonLines(output()).some(line => line.msg === 'shutting down'), 'the last line made it out')
  t.notMatch(output(), /FAST_JWT|Deprecation|SECURITY_RISK/, 'no alarming or deprecation line at start')
})

t.test('a start that fails still writes its fatal log line before exit(1)', async (t) => {
  const closedPort = await freePort()
  const { child, output } = await spawnServe(t, {
    LOG_LEVEL: 'info', DATABASE_URL: `postgres://nobody@127.0.0.1:${closedPort}/none`, DATABASE_CONNECT_TIMEOUT: '2'
  })
  t.equal((await exited(child)).code, 1)
  const fatal = jsonLines(output()).filter(line => line.level === 60)
  t.equal(fatal.length, 1, `one fatal JSON line: ${output()}`)
  t.match(fatal[0], { msg: /^database unreachable after 2s/ })
  t.notOk(fatal[0] !== undefined && 'err' in fatal[0], 'without the error object')
  t.notMatch(output(), /\n\s+at /, 'no stack trace at info')
})

/** Each thread of a process: its nice value and the CPU it has used, in clock ticks. */
function threads (pid: number): Array<{ tid: number, nice: number, ticks: number }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    // Fields after the parenthesised name: state is field 3; utime 14, stime 15, nice 19.
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return { tid: Number(tid), nice: Number(fields[16]), ticks: Number(fields[11]) + Number(fields[12]) }
  })
}

function residentMiB (pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024
}

/** `count` signups (users from..from+count-1), two at a time so that both pool threads hash. */
async function signups (base: string, count: number, from = 0): Promise<void> {
  async function signup (i: number): Promise<void> {
    const res = await fetch(`${base}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `pool${i}x${process.pid}`, password: 'correct horse battery', nickname: 'pool' })
    })
    if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`)
  }
  for (let i = from; i < from + count; i += 2) await Promise.all([signup(i), signup(i + 1)])
}

const onGlibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime !== undefined
const linuxOnly = process.platform === 'linux' ? {} : { skip: 'thread priorities are read from /proc' }

t.test('start.cjs: the thread pool is HASH_CONCURRENCY threads at a lower priority, and the hashes run there and reuse their memory', linuxOnly, async (t) => {
  const { child, base, output } = await start(t)
  const pid = child.pid!
  const defaults = { nice: ConfigSchema.properties.HASH_THREAD_NICE.default, size: ConfigSchema.properties.HASH_CONCURRENCY.default }
  const lowered = () => threads(pid).filter(thread => thread.nice === defaults.nice)
  t.equal(threads(pid).find(thread => thread.tid === pid)?.nice, 0, 'the event loop keeps the normal priority')
  t.notMatch(output(), 'thread pool had started', 'no warning')
  t.equal(lowered().length, defaults.size, `${defaults.size} pool threads at nice ${defaults.nice} (the defaults in schemas/config.ts)`)

  const before = lowered().reduce((sum, thread) => sum + thread.ticks, 0)
  await signups(base, 6) // 6 argon2id hashes, ~40 ms of CPU and 19 MiB each
  const after = lowered().reduce((sum, thread) => sum + thread.ticks, 0)
  t.ok(after - before >= 5, `the hashing CPU time went to the lowered threads (${after - before} ticks)`)
  // Each pool thread keeps its freed 19 MiB block in its glibc arena and hashes in it again
  // (serve.sh says why): memory for the hashes is a fixed cost of the pool's size, not one
  // that grows with the number of logins.
  const settled = residentMiB(pid)
  await signups(base, 12, 6)
  const grown = residentMiB(pid) - settled
  if (onGlibc) t.ok(grown < 12, `12 more hashes reused the pool's blocks (resident set grew ${grown.toFixed(1)} MiB)`)
})

t.test('start.cjs: UV_THREADPOOL_SIZE and HASH_THREAD_NICE are honoured; nice 0 leaves the pool alone', linuxOnly, async (t) => {
  const sized = await start(t, { UV_THREADPOOL_SIZE: '3', HASH_THREAD_NICE: '15' })
  t.equal(threads(sized.child.pid!).filter(thread => thread.nice === 15).length, 3)
  const plain = await start(t, { HASH_THREAD_NICE: '0' })
  t.same(threads(plain.child.pid!).filter(thread => thread.nice !== 0), [], 'every thread at the normal priority')
})

t.test('start.cjs warns when something started the thread pool before it could prepare it', linuxOnly, async (t) => {
  const preload = join(mkdtempSync(join(tmpdir(), 'campus-api-preload-')), 'preload.mjs')
  writeFileSync(preload, '// an ES module preload: loading it uses the thread pool\n')
  const early = await start(t, { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` })
  t.match(early.output(), 'UV_THREADPOOL_SIZE and HASH_THREAD_NICE were not applied')
  t.equal((await fetch(`${early.base}/health`)).status, 200, 'and serves anyway')
})

t.test('start.cjs: a priority it cannot set is reported, and the configuration check still refuses the value', linuxOnly, async (t) => {
  // os.setPriority accepts -20..19 only; the config schema allows 0..19 and stops the start.
  const { child, output } = await spawnServe(t, { HASH_THREAD_NICE: '25' })
  const result = await Promise.race([exited(child), sleep(15_000).then(() => 'still running' as const)])
  t.same(result, { code: 1, signal: null }, 'exits 1')
  t.match(output(), 'HASH_THREAD_NICE was not applied', 'the failed setpriority is a warning of its own')
  t.notMatch(output(), 'thread pool had started', 'not mistaken for a pool started too early')
  t.match(output(), /HASH_THREAD_NICE/, 'the configuration error names the variable')
})
