// Turns an environment (process.env, or the object a test passes) into a validated Config.
// Invalid values throw ConfigError with one line naming the variable; server.ts prints it and
// exits 1. Tests pass their own env object instead of mutating process.env.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fp from 'fastify-plugin'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema, type Config } from '../schemas/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const PLAIN_INTEGER = /^(0|[1-9][0-9]*)$/

// Settings whose values must not be echoed when they are refused: secrets, and URLs that may
// carry a password or an API key (user:password@, ?api_key=). The message goes to stderr and
// to the log, which operators ship elsewhere.
const SECRET_SETTINGS = new Set(['JWT_SECRET', 'CODEGEN_API_KEY'])
const URL_SETTINGS = new Set(['DATABASE_URL', 'CODEGEN_API_URL'])

/** A refused value as the message may show it: a URL by its scheme only, a secret not at all. */
function shownValue (key: string, value: string | undefined): string {
  if (SECRET_SETTINGS.has(key)) return '(hidden)'
  if (URL_SETTINGS.has(key) && value !== undefined) {
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0]
    return scheme === undefined
      ? `a value of ${value.length} characters (hidden: it may hold credentials)`
      : `${JSON.stringify(scheme + '…')} (the rest hidden: it may hold credentials)`
  }
  return JSON.stringify(value)
}

/** DATA_DIR left at its default: the embedded cluster may then live elsewhere (db/embedded.ts). */
export function dataDirIsDefault (config: Config): boolean {
  return config.DATA_DIR === ConfigSchema.properties.DATA_DIR.default
}

/** A comma-separated setting (TRUST_PROXY, CORS_ORIGINS, ADMIN_USERNAMES) as its trimmed, non-empty items. */
export function listSetting (value: string | undefined): string[] {
  return (value ?? '').split(',').map(item => item.trim()).filter(Boolean)
}

export function loadConfig (env: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[key]
    if (value === undefined || value === '') continue
    // Value.Convert would accept "1e3" or " 8"; configuration numbers are plain decimals.
    if (schema.type === 'integer' && !PLAIN_INTEGER.test(value)) {
      throw new ConfigError(`Invalid configuration: ${key} must be a whole number, got ${JSON.stringify(value)}`)
    }
    raw[key] = value
  }

  const config = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw)) as Record<string, unknown>
  const first = Value.Errors(ConfigSchema, config).First()
  if (first !== undefined) {
    const key = first.path.split('/')[1] ?? '(root)'
    throw new ConfigError(`Invalid configuration: ${key} ${first.message.toLowerCase()}, got ${shownValue(key, env[key])}`)
  }
  const parsed = config as Omit<Config, 'jwtSecret'>

  try {
    new Intl.DateTimeFormat('en', { timeZone: parsed.TZ_DAY })
  } catch {
    throw new ConfigError(`Invalid configuration: TZ_DAY is not a known time zone, got ${JSON.stringify(parsed.TZ_DAY)}`)
  }
  if (parsed.CODEGEN_API_URL !== undefined && parsed.CODEGEN_MODEL === undefined) {
    throw new ConfigError('Invalid configuration: CODEGEN_MODEL is required when CODEGEN_API_URL is set')
  }

  return { ...parsed, jwtSecret: resolveJwtSecret(parsed) }
}

/**
 * Production must be given a secret. Elsewhere one is generated on first start and kept in
 * DATA_DIR, so tokens survive restarts without anyone committing a secret.
 */
function resolveJwtSecret (config: Omit<Config, 'jwtSecret'>): string {
  if (config.JWT_SECRET !== undefined) return config.JWT_SECRET
  if (config.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required in production (at least 32 bytes)')
  }
  const file = join(config.DATA_DIR, 'jwt-secret')
  try {
    const kept = readFileSync(file, 'utf8').trim()
    if (kept.length >= 32) return kept
  } catch {
    // not generated yet
  }
  const secret = randomBytes(48).toString('base64url')
  mkdirSync(config.DATA_DIR, { recursive: true })
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return secret
}

/** Decorates the instance with the Config that server.ts (or a test) already loaded. */
export default fp<{ config: Config }>(async function configPlugin (fastify, options) {
  fastify.decorate('config', options.config)
}, { name: 'config' })
