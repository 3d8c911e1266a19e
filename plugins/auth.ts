// The `authenticate` hook every protected route uses: a Bearer access token, verified in
// memory (signature, type, expiry, revoked session), sets `request.user`. No database round
// trip per request.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { AppError } from './errors.js'
import type { Role } from './tokens.js'

export type AuthUser = { id: string, sessionId: string, role: Role }

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: AuthUser
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest/preHandler hook: 401 unless a valid access token is presented. */
    authenticate: (request: FastifyRequest) => Promise<void>
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

export default fp(async function authPlugin (fastify) {
  const { tokens, revocations } = fastify

  fastify.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const token = bearerToken(request)
    if (token === undefined) throw new AppError('TOKEN_NOT_FOUND')
    const claims = tokens.verify(token, 'access')
    if (revocations.isRevoked(claims.sid)) throw new AppError('INVALID_TOKEN')
    request.user = { id: claims.sub, sessionId: claims.sid, role: claims.role }
  })
}, { name: 'auth', dependencies: ['tokens', 'revocations'] })
