// Signing and verifying the service's JWTs. HS256 only (any other `alg`, `none` included, is
// refused by the verifier), and every token carries `type`, so a refresh token can never pass
// as an access token or the other way round. Only a well-signed token past `exp` is
// TOKEN_EXPIRED; everything else wrong with a token is INVALID_TOKEN.
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import { AppError } from './errors.js'
import type { Role } from '../schemas/auth.js'

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

const VERIFIED_TOKENS_MAX = 10_000

/**
 * Tokens whose signature was checked, keyed by the whole token string, so a token that
 * differs in any byte (one of its signature's included) is a different key and is verified
 * afresh: no collision is possible. The HMAC check it saves was a fifth of GET /auth/me's CPU.
 * fast-jwt's own cache does this too, but hashes the token for its key (costing about what it
 * saves) or, keyed by the raw token, prints a security warning at every start that an operator
 * cannot tell is harmless. An entry lives no longer than the token's `exp`; failures are never
 * remembered; revocation is still checked on every request (plugins/auth.ts).
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { payload: Record<string, unknown>, expiresAt: number }>()
  constructor (private readonly max: number) {}

  get (token: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(token)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(token)
      return undefined
    }
    return entry.payload
  }

  add (token: string, payload: Record<string, unknown>): void {
    if (typeof payload.exp !== 'number') return
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(token, { payload, expiresAt: payload.exp * 1000 })
  }
}

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
    verify: { algorithms: ['HS256'] }
  })

  const verified = new VerifiedTokens(VERIFIED_TOKENS_MAX)

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
      let payload = verified.get(token)
      if (payload === undefined) {
        try {
          payload = fastify.jwt.verify<Record<string, unknown>>(token)
        } catch (error) {
          throw new AppError((error as { code?: string }).code === 'FAST_JWT_EXPIRED' ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN')
        }
        verified.add(token, payload)
      }
      if (!hasClaims(payload, type)) throw new AppError('INVALID_TOKEN')
      return payload as unknown as Claims[typeof type]
    }
  }
  fastify.decorate('tokens', tokens)
}, { name: 'tokens', dependencies: ['config', 'errors'] })
