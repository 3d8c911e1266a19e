// The root plugin and the server options, exported together so tests build the very instance
// production runs. Cross-cutting plugins are registered in order here; every folder under
// routes/ is one encapsulated domain plugin, loaded automatically.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import autoload from '@fastify/autoload'
import fp from 'fastify-plugin'
import { pino, type DestinationStream, type TransportSingleOptions } from 'pino'
import type { Config } from './schemas/config.js'
import configPlugin, { listSetting } from './plugins/config.js'
import errorsPlugin, { clientErrorHandler, frameworkErrors } from './plugins/errors.js'
import schemasPlugin from './plugins/schemas.js'
import validationPlugin from './plugins/validation.js'
import inputPlugin from './plugins/input.js'
import requestIdPlugin, { genReqId } from './plugins/request-id.js'
import drainingPlugin from './plugins/draining.js'
import securityHeadersPlugin from './plugins/security-headers.js'
import swaggerPlugin from './plugins/swagger.js'
import dbPlugin from './plugins/db.js'
import passwordsPlugin from './plugins/passwords.js'
import tokensPlugin from './plugins/tokens.js'
import revocationsPlugin from './plugins/revocations.js'
import authPlugin from './plugins/auth.js'
import accountFlowsPlugin from './plugins/account-flows.js'
import clockPlugin from './plugins/clock.js'
import modelClientPlugin from './plugins/model-client.js'
import databaseHealthPlugin from './plugins/db-health.js'
import databaseGatePlugin from './plugins/db-gate.js'
import accountCachePlugin from './plugins/account-cache.js'
import feedCachePlugin from './plugins/feed-cache.js'
import pageCachePlugin from './plugins/page-cache.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import { AccessLog, type LineDestination } from './plugins/access-log.js'

const here = dirname(fileURLToPath(import.meta.url))

// Secrets that must never reach a log line, wherever they appear in a logged object.
const REDACTED = [
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'password', 'token', 'refreshToken', 'accessToken',
  '*.password', '*.token', '*.refreshToken', '*.accessToken', '*.passwordHash'
]

/**
 * Where log lines go: pretty on a terminal; otherwise JSON through an asynchronous destination,
 * so a request never waits on a write(2) to stdout (synchronous writes of two lines per request
 * cost more than half the throughput of cheap routes). Lines queued at exit, a crash included,
 * are flushed synchronously by pino's own exit handler (test/server.test.ts proves it).
 */
function logOutput (config: Config): { transport: TransportSingleOptions } | { stream: DestinationStream & LineDestination } | Record<string, never> {
  if (process.stdout.isTTY) return { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } }
  if (config.LOG_LEVEL === 'silent') return {}
  // Written in blocks of 8 KiB (about 40 lines) rather than line by line: under load this took
  // GET /health at info from 45% to ~70% of its throughput at warn (bench --pin). A quiet
  // service still shows its lines within a second.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 8192 })
  setInterval(() => {
    try {
      destination.flush()
    } catch {
      // closed at exit: nothing left to flush
    }
  }, 1000).unref()
  return { stream: destination }
}

export function serverOptions (config: Config): FastifyServerOptions {
  const output = logOutput(config)
  return {
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED, censor: '[redacted]' },
      ...output
    },
    // One access line per request instead of two: plugins/access-log.ts.
    logController: new AccessLog('stream' in output && ['trace', 'debug', 'info'].includes(config.LOG_LEVEL) ? output.stream : undefined),
    genReqId,
    requestIdHeader: false,
    trustProxy: config.TRUST_PROXY === undefined ? false : listSetting(config.TRUST_PROXY),
    // The largest body the contract allows is a 10 000-character post; JSON escaping can
    // make each character up to 6 bytes.
    bodyLimit: 128 * 1024,
    requestTimeout: 30_000,
    keepAliveTimeout: 72_000,
    // plugins/draining.ts answers during shutdown, in the envelope.
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors,
    routerOptions: { maxParamLength: 200 }
  }
}

export interface AppOptions {
  config: Config
  /** false only to read the API document (`npm run openapi`): no database is started or used. */
  connectDatabase?: boolean
}

async function app (fastify: FastifyInstance, options: AppOptions): Promise<void> {
  await fastify.register(configPlugin, { config: options.config })
  await fastify.register(schemasPlugin)
  await fastify.register(errorsPlugin)
  await fastify.register(validationPlugin)
  await fastify.register(inputPlugin)
  await fastify.register(requestIdPlugin)
  await fastify.register(drainingPlugin)
  await fastify.register(securityHeadersPlugin)
  await fastify.register(swaggerPlugin)
  await fastify.register(dbPlugin, { connect: options.connectDatabase !== false })
  await fastify.register(databaseHealthPlugin)
  await fastify.register(databaseGatePlugin)
  await fastify.register(passwordsPlugin)
  await fastify.register(tokensPlugin)
  await fastify.register(revocationsPlugin)
  await fastify.register(authPlugin)
  await fastify.register(accountCachePlugin)
  await fastify.register(accountFlowsPlugin)
  await fastify.register(feedCachePlugin)
  await fastify.register(pageCachePlugin)
  await fastify.register(rateLimitPlugin)
  await fastify.register(clockPlugin)
  await fastify.register(modelClientPlugin)

  await fastify.register(autoload, {
    dir: join(here, 'routes'),
    dirNameRoutePrefix: false,
    // A domain folder's other files are its own helpers, not route plugins.
    matchFilter: (path: string) => /\/index\.js$/.test(path)
  })
}

// Not encapsulated: the error handler, validators, hooks and decorators (`sql`, `config`)
// belong to the instance server.ts (or a test) built, so anything registered beside the app
// gets the same envelope and validation rules as the routes under routes/.
export default fp(app, { name: 'app' })
