// Authentication, declared once per protected scope. A route plugin calls
// `fastify.requireAuthentication()` at its top: every route it then registers checks a Bearer
// access token in memory (signature, type, expiry, revoked session; no database round trip)
// and sets `request.user`, and the OpenAPI document gets the route's `security` and its 401
// answers. A route that stays public inside such a plugin says `config: { public: true }`.
// Routes outside any protected scope are documented as public (`security: []`).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, RouteOptions, onRequestHookHandler } from 'fastify'
import { AppError } from './errors.js'
import type { Role } from '../schemas/auth.js'
import { errors } from '../schemas/errors.js'
import { BearerAuth } from '../schemas/common.js'

export type AuthUser = { id: string, sessionId: string, role: Role }

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: AuthUser
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Makes every route registered after it in this plugin (and its children) need a token. */
    requireAuthentication: () => void
    /** The token check itself, for the rare route that decides per request. */
    authenticate: (request: FastifyRequest) => void
  }
  interface FastifyContextConfig {
    /** Inside a protected scope: this route needs no token. */
    public?: boolean
  }
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i

export function bearerToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined || header === '') return undefined
  const match = BEARER.exec(header)
  if (match === null) throw new AppError('INVALID_TOKEN')
  return match[1]
}

/** 403 FORBIDDEN unless the caller holds the admin role. */
export function requireAdmin (request: FastifyRequest): void {
  if (request.user.role !== 'admin') throw new AppError('FORBIDDEN')
}

function hooksOf (route: RouteOptions): onRequestHookHandler[] {
  const hooks = route.onRequest
  if (hooks === undefined) return []
  return Array.isArray(hooks) ? hooks : [hooks]
}

export default fp(async function authPlugin (fastify) {
  const { tokens, revocations } = fastify

  function authenticate (request: FastifyRequest): void {
    const token = bearerToken(request)
    if (token === undefined) throw new AppError('TOKEN_NOT_FOUND')
    const claims = tokens.verify(token, 'access')
    if (revocations.isRevoked(claims.sid)) throw new AppError('INVALID_TOKEN')
    request.user = { id: claims.sub, sessionId: claims.sid, role: claims.role }
  }
  // A sync hook: nothing here awaits, and Fastify skips the promise machinery for it.
  const onRequest: onRequestHookHandler = function authenticateRequest (request, _reply, done) {
    try {
      authenticate(request)
    } catch (error) {
      done(error as Error)
      return
    }
    done()
  }

  fastify.decorate('authenticate', authenticate)

  fastify.decorate('requireAuthentication', function requireAuthentication (this: FastifyInstance) {
    this.addHook('onRoute', (route) => {
      if (route.config?.public === true || route.schema?.hide === true) return
      route.onRequest = [onRequest, ...hooksOf(route)]
      route.schema = route.schema ?? {}
      route.schema.security = BearerAuth
      route.schema.response = { ...errors(401), ...(route.schema.response as object ?? {}) }
    })
  })

  // Runs for every route before any scope's own onRoute hook: anything a protected scope does
  // not claim is public, and the document says so instead of leaving it unsaid.
  fastify.addHook('onRoute', (route) => {
    if (route.schema?.hide === true) return
    route.schema = route.schema ?? {}
    route.schema.security ??= []
  })
}, { name: 'auth', dependencies: ['tokens', 'revocations'] })
