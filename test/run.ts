// `npm test`: one PostgreSQL for the whole run (embedded, or the server in DATABASE_URL, as in
// the compose `test` service), one migrated template database, then tap over the compiled test
// files. Each test file clones its own database from the template (test/helper.ts), so files
// run in parallel without sharing rows. Ends with the line `N passed, N failed`.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js'
import { runMigrations } from '../db/migrate.js'

const RUN_ID = `${process.pid}_${Date.now().toString(36)}`
const TEMPLATE = `test_template_${RUN_ID}`
const distTestDir = fileURLToPath(new URL('.', import.meta.url))
const tapBin = join(dirname(createRequire(import.meta.url).resolve('tap/package.json')), 'dist/esm/run.mjs')

function withDatabase (url: string, database: string): string {
  const u = new URL(url)
  u.pathname = '/' + database
  return u.toString()
}

async function prepareTemplate (serverUrl: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin`create database ${admin(TEMPLATE)}`
  await admin.end()
  const template = postgres(withDatabase(serverUrl, TEMPLATE), { max: 1, onnotice: () => {} })
  await runMigrations(template)
  await template.end()
}

async function dropRunDatabases (serverUrl: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  const rows = await admin`select datname from pg_database where datname like ${'%' + RUN_ID}`
  for (const { datname } of rows) await admin`drop database if exists ${admin(datname)} with (force)`
  await admin.end()
}

/** Runs tap, passing its output through and counting results from its summary lines. */
function runTap (env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number, passed: number, failed: number }> {
  return new Promise((resolve) => {
    const tap = spawn(process.execPath, [tapBin, ...args], {
      env, stdio: ['ignore', 'pipe', 'inherit']
    })
    let output = ''
    tap.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      output += chunk.toString()
    })
    tap.on('close', (code) => {
      // tap's summary comment, e.g. "# { total: 120, pass: 118, fail: 2 }"
      const summary = /^# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/m.exec(output)
      const passed = Number(summary?.[2] ?? 0)
      const failed = summary === null ? (code === 0 ? 0 : 1) : Number(summary[3] ?? 0)
      resolve({ code: code ?? 1, passed, failed })
    })
  })
}

let embedded: EmbeddedDatabase | undefined
let dataDir: string | undefined
let serverUrl = process.env.DATABASE_URL
let result = { code: 1, passed: 0, failed: 1 }
try {
  if (serverUrl === undefined) {
    dataDir = await mkdtemp(join(tmpdir(), 'campus-api-test-'))
    embedded = await startEmbeddedPostgres({
      dataDir,
      database: 'postgres',
      // A throwaway cluster: durability buys nothing here, speed does.
      serverFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=400'],
      log: () => {}
    })
    serverUrl = embedded.url
  }
  await prepareTemplate(serverUrl)
  // Arguments pass through to tap; without test files named, every compiled test runs.
  const args = process.argv.slice(2)
  const namesFiles = args.some(a => !a.startsWith('-'))
  result = await runTap(
    { ...process.env, TEST_SERVER_URL: serverUrl, TEST_TEMPLATE: TEMPLATE, TEST_RUN_ID: RUN_ID, DATABASE_URL: '' },
    namesFiles ? args : [...args, join(distTestDir, '**/*.test.js')]
  )
} catch (error) {
  process.stderr.write(`test run failed to start: ${(error as Error).message}\n`)
} finally {
  if (serverUrl !== undefined) await dropRunDatabases(serverUrl).catch(() => {})
  await embedded?.stop().catch(() => {})
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
}
process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`)
process.exit(result.code === 0 && result.failed === 0 ? 0 : 1)
