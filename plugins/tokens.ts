// Signing and verifying the service's JWTs. HS256 only (any other `alg`, `none` included, is
// refused by the verifier), and every token carries `type`, so a refresh token can never pass
// as an access token or the other way round. Only a well-signed token past `exp` is
// TOKEN_EXPIRED; everything else wrong with a token is INVALID_TOKEN.
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import { AppError } from './errors.js'

export type Role = 'user' | 'admin'
export type AccessClaims = { type: 'access', sub: string, sid: string, role: Role, iat: number, exp: number }
export type RefreshClaims = { type: 'refresh', sub: string, sid: string, jti: string, iat: number, exp: number }
type Claims = { access: AccessClaims, refresh: RefreshClaims }

export interface Tokens {
  signAccess: (claims: { userId: string, sessionId: string, role: Role }) => { token: string, expiresIn: number }
  /** Deterministic for the same inputs, so a session can re-issue the identical token. */
  signRefresh: (claims: { userId: string, sessionId: string, jti: string, issuedAt: Date, expiresAt: Date }) => string
  verify: <T extends keyof Claims>(token: string, type: T) => Claims[T]
}

declare module 'fastify' {
  interface FastifyInstance {
    tokens: Tokens
  }
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

function hasClaims (payload: Record<string, unknown>, type: keyof Claims): boolean {
  if (payload.type !== type || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return false
  return type === 'access'
    ? payload.role === 'user' || payload.role === 'admin'
    : typeof payload.jti === 'string'
}

export default fp(async function tokensPlugin (fastify) {
  const { config } = fastify
  await fastify.register(jwt, {
    secret: config.jwtSecret,
    sign: { algorithm: 'HS256' },
    verify: {
      algorithms: ['HS256'],
      // Verified tokens are remembered, keyed by the exact token string (fast-jwt's default key
      // is a SHA-256 of it, about what the HMAC check it saves costs): the check was a fifth
      // of GET /auth/me's CPU. An entry lives no longer than the token's exp; revocation is
      // still checked on every request (plugins/auth.ts), and failures are never cached.
      cache: 10_000,
      cacheKeyBuilder: (token: string) => token
    }
  })

  const tokens: Tokens = {
    signAccess ({ userId, sessionId, role }) {
      const iat = Math.floor(Date.now() / 1000)
      const exp = iat + config.JWT_ACCESS_TTL
      const token = fastify.jwt.sign({ type: 'access', sub: userId, sid: sessionId, role, iat, exp })
      return { token, expiresIn: config.JWT_ACCESS_TTL }
    },

    signRefresh ({ userId, sessionId, jti, issuedAt, expiresAt }) {
      return fastify.jwt.sign({ type: 'refresh', sub: userId, sid: sessionId, jti, iat: seconds(issuedAt), exp: seconds(expiresAt) })
    },

    verify (token, type) {
      let payload: Record<string, unknown>
      try {
        payload = fastify.jwt.verify(token)
      } catch (error) {
        throw new AppError((error as { code?: string }).code === 'FAST_JWT_EXPIRED' ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN')
      }
      if (!hasClaims(payload, type)) throw new AppError('INVALID_TOKEN')
      return payload as unknown as Claims[typeof type]
    }
  }
  fastify.decorate('tokens', tokens)
}, { name: 'tokens', dependencies: ['config', 'errors'] })
