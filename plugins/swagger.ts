// The OpenAPI document at /swagger/json, built from the route schemas, and Swagger UI at
// /swagger. Shared schemas (added with addSchema and an $id) become named components.
import { readFileSync } from 'node:fs'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

// The document's version is the package's: a client generated from it says which release it fits.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

export default fp(async function swaggerPlugin (fastify) {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Campus API',
        version,
        description: 'Accounts, social, campus community, timetable and code assistant. ' +
          'Errors are `{ error: { code, message, details? } }`; messages follow `Accept-Language` (ko default, en). ' +
          'Lists are `{ items, nextCursor }`: pass `nextCursor` back as `?cursor=` until it is null. ' +
          'Authorize with the `token` of `POST /auth/login`; a `503` or `429` carries `Retry-After`.',
        // package.json's: a private package, not licensed for reuse.
        license: { name: 'UNLICENSED' },
        contact: { name: 'Campus API maintainers' }
      },
      // Relative: the document is served by the service it describes, whatever its address.
      servers: [{ url: '/', description: 'this service' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the `token` from POST /auth/login' }
        }
      }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })

  await fastify.register(swaggerUi, {
    routePrefix: '/swagger',
    // validatorUrl null: the UI would otherwise send the document's address to validator.swagger.io.
    uiConfig: { persistAuthorization: true, deepLinking: true, displayRequestDuration: true, validatorUrl: null },
    // Swagger UI's own CSP, less two parts that break it or loosen us: upgrading requests
    // to https breaks the page on a plain-http host, and nothing should frame it.
    staticCSP: true,
    transformStaticCSP: (header) => header
      .replace(/\s*upgrade-insecure-requests;?/, '')
      .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
  })
}, { name: 'swagger' })
