// Security headers on every answer (helmet), tightened for a JSON API: nothing may be loaded
// or framed. The Swagger page sets its own CSP (see plugins/swagger.ts). CORS is off unless
// CORS_ORIGINS names the origins allowed to call the API from a browser.
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'

export default fp(async function securityHeadersPlugin (fastify) {
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] }
    },
    // The old header agrees with frame-ancestors 'none' (helmet's default is SAMEORIGIN).
    frameguard: { action: 'deny' }
  })
  const origins = fastify.config.CORS_ORIGINS
  if (origins !== undefined) {
    await fastify.register(cors, {
      origin: origins.split(',').map(o => o.trim()).filter(Boolean),
      exposedHeaders: ['x-request-id', 'retry-after']
    })
  }
}, { name: 'security-headers', dependencies: ['config'] })
