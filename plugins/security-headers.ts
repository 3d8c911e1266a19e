// Security headers on every answer (helmet), tightened for a JSON API: nothing may be loaded
// or framed. The Swagger page sets its own CSP (see plugins/swagger.ts). CORS is off unless
// CORS_ORIGINS names the origins allowed to call the API from a browser.
//
// The headers are fixed, so helmet computes them once, at start: @fastify/helmet rebuilds
// helmet's middleware (parsing every CSP directive) on each request, which was about 9% of the
// service's CPU under GET /auth/me load (bench/, node --cpu-prof).
import fp from 'fastify-plugin'
import Fastify from 'fastify'
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import cors from '@fastify/cors'
import { listSetting } from './config.js'

const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] }
  },
  // The old header agrees with frame-ancestors 'none' (helmet's default is SAMEORIGIN).
  frameguard: { action: 'deny' }
}

// Headers Fastify itself sets on the probe's answer: not helmet's to copy.
const OWN_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive'])

/** The headers helmet adds with these options, read from one answer of a throwaway instance. */
async function helmetHeaders (options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false })
  try {
    await probe.register(helmet, options)
    probe.get('/', async () => ({}))
    const res = await probe.inject({ method: 'GET', url: '/' })
    return Object.fromEntries(Object.entries(res.headers)
      .filter(([name, value]) => !OWN_HEADERS.has(name) && typeof value === 'string') as Array<[string, string]>)
  } finally {
    await probe.close()
  }
}

export default fp(async function securityHeadersPlugin (fastify) {
  const headers = await helmetHeaders(HELMET_OPTIONS)
  fastify.addHook('onRequest', function securityHeaders (_request, reply, done) {
    reply.headers(headers)
    done()
  })
  const origins = fastify.config.CORS_ORIGINS
  if (origins !== undefined) {
    await fastify.register(cors, {
      origin: listSetting(origins),
      exposedHeaders: ['x-request-id', 'retry-after']
    })
  }
}, { name: 'security-headers', dependencies: ['config'] })
