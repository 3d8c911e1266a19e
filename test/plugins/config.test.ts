import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { freePort } from '../../db/embedded.js'
import { ConfigError, loadConfig } from '../../plugins/config.js'
import type { Env } from '../helper.js'

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0]

const SERVER = fileURLToPath(new URL('../../server.js', import.meta.url))
const SECRET = 'a-secret-that-is-definitely-longer-than-32-bytes'

function dataDir (): string {
  return mkdtempSync(join(tmpdir(), 'campus-api-config-'))
}

/** A minimal valid environment: nothing is written outside a temporary DATA_DIR. */
function env (extra: Env = {}): Env {
  return { DATA_DIR: dataDir(), JWT_SECRET: SECRET, ...extra }
}

function refusal (t: TapTest, extra: Env, variable: string): void {
  let thrown: unknown
  try {
    loadConfig(env(extra))
  } catch (error) {
    thrown = error
  }
  t.type(thrown, ConfigError, 'throws ConfigError')
  const message = (thrown as Error | undefined)?.message ?? ''
  t.notMatch(message, /[\r\n]/, 'the message is one line')
  t.match(message, variable, `the message names ${variable}`)
}

t.test('loadConfig refuses a bad PORT', async (t) => {
  for (const port of ['abc', '1e3', ' 8', '8 ', '0x50', '-1', '65536', '8.5', '8\n0']) {
    t.test(`PORT=${JSON.stringify(port)}`, async (t) => refusal(t, { PORT: port }, 'PORT'))
  }
})

t.test('loadConfig refuses an unknown LOG_LEVEL', async (t) => refusal(t, { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'))

t.test('loadConfig refuses a DATABASE_URL that is not postgres://', async (t) => {
  refusal(t, { DATABASE_URL: 'mysql://user@localhost/app' }, 'DATABASE_URL')
})

t.test('loadConfig refuses an unknown TZ_DAY', async (t) => {
  refusal(t, { TZ_DAY: 'Mars/Olympus_Mons' }, 'TZ_DAY')
  refusal(t, { TZ_DAY: 'Asia/Seoul\nX' }, 'TZ_DAY')
})

t.test('loadConfig refuses NODE_ENV=production without JWT_SECRET', async (t) => {
  refusal(t, { NODE_ENV: 'production', JWT_SECRET: undefined }, 'JWT_SECRET')
})

t.test('loadConfig refuses a JWT_SECRET shorter than 32 bytes, without echoing it', async (t) => {
  refusal(t, { JWT_SECRET: 'short-secret' }, 'JWT_SECRET')
  t.throws(() => loadConfig(env({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })), ConfigError)
  const error = t.throws(() => loadConfig(env({ JWT_SECRET: 'short-secret' })))
  t.notMatch((error as Error).message, 'short-secret', 'the secret never appears in the message')
})

t.test('a refused URL setting is shown by its scheme only: the rest may hold a password or a key', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['DATABASE_URL', 'postgresql+psycopg://app:S3cretPw@db:5432/campus', '"postgresql+psycopg://…"'],
    ['CODEGEN_API_URL', 'api.example.com/v1?api_key=sk-LIVE-123', 'a value of 38 characters'],
    ['CODEGEN_API_URL', 'ftp://user:sk-LIVE-123@example.com/v1', '"ftp://…"']
  ]
  for (const [key, value, shown] of cases) {
    const error = t.throws(() => loadConfig(env({ [key]: value, CODEGEN_MODEL: 'm' }))) as Error
    t.match(error.message, key)
    t.match(error.message, shown, `${key}: what is shown`)
    for (const secret of ['S3cretPw', 'sk-LIVE-123']) t.notMatch(error.message, secret, `${key}: no ${secret}`)
  }
})

t.test('loadConfig applies the documented defaults', async (t) => {
  const config = loadConfig({ DATA_DIR: dataDir(), JWT_SECRET: SECRET })
  t.match(config, {
    NODE_ENV: 'development',
    HOST: '0.0.0.0',
    PORT: 8000,
    JWT_ACCESS_TTL: 900,
    JWT_REFRESH_TTL: 1_209_600,
    REFRESH_REUSE_GRACE: 10,
    LOGIN_RATE_LIMIT: 20,
    PASSWORD_MIN_LENGTH: 8,
    CODEGEN_DAILY_LIMIT: 5,
    CODEGEN_TIMEOUT: 30,
    TZ_DAY: 'Asia/Seoul',
    LOG_LEVEL: 'info',
    ADMIN_USERNAMES: '',
    jwtSecret: SECRET
  })
  t.equal(config.DATABASE_URL, undefined, 'unset DATABASE_URL means the embedded database')
  t.equal(loadConfig({ JWT_SECRET: SECRET, DATA_DIR: dataDir(), PORT: '0' }).PORT, 0, 'PORT=0 is a valid port')
  t.equal(loadConfig({ JWT_SECRET: SECRET, DATA_DIR: dataDir(), PORT: '' }).PORT, 8000, 'an empty value means the default')
})

t.test('loadConfig generates a secret outside production, keeps it in DATA_DIR (0600) and reuses it', async (t) => {
  const dir = dataDir()
  const first = loadConfig({ DATA_DIR: dir })
  t.ok(first.jwtSecret.length >= 32, 'the generated secret is long enough')
  const file = join(dir, 'jwt-secret')
  t.equal(readFileSync(file, 'utf8').trim(), first.jwtSecret, 'kept in DATA_DIR')
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by the owner only')
  t.equal(loadConfig({ DATA_DIR: dir }).jwtSecret, first.jwtSecret, 'reused on the next start')
  t.not(loadConfig({ DATA_DIR: dataDir() }).jwtSecret, first.jwtSecret, 'another DATA_DIR gets another secret')
})

type Exit = { code: number | null, stderr: string, ms: number }

/** Runs the compiled server with exactly this environment (plus PATH). */
function runServer (extra: Env, timeoutMs = 15_000): Promise<Exit> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', DATA_DIR: dataDir(), ...extra },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server still running after ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr, ms: Date.now() - started })
    })
  })
}


t.test('server: PORT=abc → exit 1 with one line naming PORT', async (t) => {
  const { code, stderr } = await runServer({ PORT: 'abc', JWT_SECRET: SECRET })
  t.equal(code, 1)
  t.match(stderr, /^[^\n]*PORT[^\n]*\n$/, 'exactly one line, naming PORT')
})

t.test('server: NODE_ENV=production without JWT_SECRET → exit 1 with one line naming JWT_SECRET', async (t) => {
  const { code, stderr } = await runServer({ NODE_ENV: 'production' })
  t.equal(code, 1)
  t.match(stderr, /^[^\n]*JWT_SECRET[^\n]*\n$/, 'exactly one line, naming JWT_SECRET')
})

t.test('server: an unreachable DATABASE_URL → exit 1 within the connect timeout, saying so', async (t) => {
  const port = await freePort()
  const { code, stderr, ms } = await runServer({
    JWT_SECRET: SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${port}/app`,
    DATABASE_CONNECT_TIMEOUT: '2'
  }, 40_000)
  t.equal(code, 1)
  t.match(stderr, /^[^\n]*database[^\n]*\n$/i, 'one line mentioning the database')
  t.match(stderr, 'DATABASE_URL', 'names the variable to fix')
  t.notMatch(stderr, 'nothing', 'the password is not echoed')
  // Generous for a loaded CI machine (start-up included), yet well short of the 30 s default.
  t.ok(ms < 20_000, `gave up after DATABASE_CONNECT_TIMEOUT, not the default (${ms} ms)`)
})
