// The OpenAPI document at /swagger/json, built from the route schemas, and Swagger UI at
// /swagger. Shared schemas (added with addSchema and an $id) become named components.
import { readFileSync } from 'node:fs'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

// The document's version is the package's: a client generated from it says which release it fits.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

type Json = Record<string, any>

// The top bar's logo is an SVG carrying its own <style> (its two colours), which the bundle
// inserts at run time: allowed by its hash rather than by 'unsafe-inline'. A Swagger UI that
// changes it shows up in test/swagger-browser.test.ts as a CSP error in the page.
const LOGO_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"

const hasHangul = (value: unknown): boolean => /[가-힣]/.test(JSON.stringify(value))

/** A body's examples by name: `ko` and `en` for a Korean one and its English twin. */
function namedExamples (examples: unknown[]): Record<string, { summary?: string, value: unknown }> {
  const korean = examples.filter(hasHangul).length
  if (examples.length === 2 && korean === 1) {
    return Object.fromEntries(examples.map(value => hasHangul(value)
      ? ['ko', { summary: '한국어', value }]
      : ['en', { summary: 'English', value }]))
  }
  return Object.fromEntries(examples.map((value, i) => [`example${i + 1}`, { value }]))
}

/**
 * The examples of a request body, by name, on its operation. A body is a `$ref` to its
 * component, and OpenAPI 3.0 gives a schema one `example`: the Korean and English samples a
 * component carries are listed here so the Swagger page offers each.
 */
function withBodyExamples (document: Json, components: Record<string, Json>): Json {
  for (const operations of Object.values(document.paths as Json)) {
    for (const operation of Object.values(operations as Json)) {
      const media = operation?.requestBody?.content?.['application/json']
      const id = typeof media?.schema?.$ref === 'string' ? media.schema.$ref.replace('#/components/schemas/', '') : undefined
      const examples = (id === undefined ? undefined : components[id]?.examples) as unknown[] | undefined
      if (examples !== undefined && examples.length >= 2) media.examples = namedExamples(examples)
    }
  }
  return document
}

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
      // In the order a newcomer meets them; each section of the Swagger page says what it holds.
      tags: [
        { name: 'auth', description: 'Accounts and tokens: sign up, log in, refresh (each refresh token works once), log out, sessions' },
        { name: 'users', description: 'Profiles and user search' },
        { name: 'posts', description: 'Posts, on a profile or in a board; anonymous ones hide their author from everyone else' },
        { name: 'feed', description: 'The posts of the users you follow, newest first' },
        { name: 'follows', description: 'Following and followers' },
        { name: 'likes', description: 'Liking a post (idempotent)' },
        { name: 'scraps', description: 'Saving a post for later (idempotent), and your saved posts' },
        { name: 'schools', description: 'The school catalog users, boards and lectures belong to' },
        { name: 'boards', description: 'A school\'s boards, their posts and search, favourites, hot posts' },
        { name: 'comments', description: 'Comments and one level of replies, with anonymous labels (익명1, 익명2…)' },
        { name: 'messages', description: 'Private messages, also to authors who stay anonymous' },
        { name: 'media', description: 'Images on posts: upload, serve (no token), delete' },
        { name: 'lectures', description: 'A school\'s lectures per semester, their reviews, and the ones that fit a timetable' },
        { name: 'timetables', description: 'Your timetables per semester; the database refuses clashing lectures' },
        { name: 'friends', description: 'Friend requests and friends, who may read each other\'s timetables' },
        { name: 'codegen', description: 'The code assistant: prompts to a model within a daily quota, history and stats' },
        { name: 'operations', description: 'Liveness and readiness probes' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the `token` from POST /auth/login' }
        }
      }
    },
    transformObject: (document) => withBodyExamples((document as { openapiObject: Json }).openapiObject, fastify.getSchemas() as Record<string, Json>),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })

  await fastify.register(swaggerUi, {
    routePrefix: '/swagger',
    // validatorUrl null: the UI would otherwise send the document's address to validator.swagger.io.
    uiConfig: { persistAuthorization: true, deepLinking: true, displayRequestDuration: true, validatorUrl: null },
    // Swagger UI's own CSP, less two parts that break it or loosen us (upgrading requests
    // to https breaks the page on a plain-http host, and nothing should frame it), plus the
    // one inline style its bundle inserts.
    staticCSP: true,
    transformStaticCSP: (header) => header
      .replace(/\s*upgrade-insecure-requests;?/, '')
      .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
      .replace("style-src 'self' https:", `style-src 'self' https: ${LOGO_STYLE}`)
  })
}, { name: 'swagger' })
