// Builds the real app for a test: production's server options and plugins, a real PostgreSQL
// database of this test file's own (cloned from the runner's migrated template), real argon2,
// real JWTs. Configuration comes in as an env object, never by mutating process.env.
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import postgres from 'postgres'
import app, { serverOptions } from '../app.js'
import { loadConfig } from '../plugins/config.js'

type Test = { teardown: (fn: () => unknown) => void }
export type Env = Record<string, string | undefined>

function requireEnv (name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is unset: run tests with \`npm test\``)
  return value
}

export function databaseUrl (database: string): string {
  const url = new URL(requireEnv('TEST_SERVER_URL'))
  url.pathname = '/' + database
  return url.toString()
}

/** A new database on the test server: a clone of the migrated template, or empty. */
export async function createDatabase (options: { empty?: boolean } = {}): Promise<string> {
  const name = `test_${randomUUID().slice(0, 8)}_${requireEnv('TEST_RUN_ID')}`
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} })
  try {
    if (options.empty === true) await admin`create database ${admin(name)}`
    // Cloning needs the template to have no connections; a clone started at the same
    // moment in another file can briefly hold one, so retry that one case.
    else {
      for (let attempt = 0; ; attempt++) {
        try {
          await admin`create database ${admin(name)} template ${admin(requireEnv('TEST_TEMPLATE'))}`
          break
        } catch (error) {
          if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error
          await new Promise(resolve => setTimeout(resolve, 50 + Math.random() * 100))
        }
      }
    }
  } finally {
    await admin.end()
  }
  return databaseUrl(name)
}

let fileDatabase: Promise<string> | undefined
/** This test file's database, created on first use and shared by its apps. */
export function fileDatabaseUrl (): Promise<string> {
  fileDatabase ??= createDatabase()
  return fileDatabase
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789'

export async function testEnv (env: Env = {}): Promise<Env> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'campus-api-data-')),
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: env.DATABASE_URL ?? await fileDatabaseUrl(),
    DATABASE_CONNECT_TIMEOUT: '5',
    ...env
  }
}

type BuildOptions = {
  env?: Env
  /** Runs on the root instance before the app registers, e.g. to collect routes with onRoute. */
  before?: (fastify: FastifyInstance) => void | Promise<void>
  /** Runs after the app registered, before ready, e.g. to add a route that throws. */
  after?: (fastify: FastifyInstance) => void | Promise<void>
}

export async function build (t: Test, options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = loadConfig(await testEnv(options.env))
  const fastify = Fastify(serverOptions(config))
  t.teardown(() => fastify.close())
  await options.before?.(fastify)
  await fastify.register(app, { config })
  await options.after?.(fastify)
  await fastify.ready()
  return fastify
}

/**
 * Reads until the value equals `expected` (compared as JSON) and returns how many ms that
 * took; after `withinMs` it throws with the last value seen. For effects that travel through
 * another connection (the change log), where there is no event to await.
 */
export async function eventually<T> (read: () => Promise<T>, expected: T, withinMs: number): Promise<number> {
  const started = Date.now()
  let last: T | undefined
  while (Date.now() - started < withinMs) {
    last = await read()
    if (JSON.stringify(last) === JSON.stringify(expected)) return Date.now() - started
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error(`still ${JSON.stringify(last)} after ${withinMs} ms, expected ${JSON.stringify(expected)}`)
}
