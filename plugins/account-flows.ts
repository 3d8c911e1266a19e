// The account and session lifecycle: what signup, login, refresh (rotation and reuse
// detection) and logout do, apart from HTTP. The order of checks matters for security
// (throttle before verifying, the same work for unknown users, rotation under a row lock), so
// it lives in one readable place, decorated as `fastify.accountFlows`; routes/auth only wires
// it to HTTP, db/sessions.ts and plugins/tokens.ts are its parts.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { listSetting } from './config.js'
import { AppError, invalidField } from './errors.js'
import type { Role } from '../schemas/auth.js'
import type { Config } from '../schemas/config.js'
import type { Account, LoginBody, SignupBody, TokenPair } from '../schemas/auth.js'
import { recordAuditEvent, type AuditEvent } from '../db/audit.js'
import { findLoginState, recordLoginFailure, recordLoginSuccess, type LoginState } from '../db/logins.js'
import { lockSession, revokeAllSessions, revokeSession, rotateSession } from '../db/sessions.js'
import { identityKey, insertUser, isUsernameOrEmailTaken, unclaimedUsernames, updatePasswordHash, type UserRow } from '../db/users.js'

const SESSION_MAX_AGE_MS = 30 * 24 * 3600 * 1000

/** Token times are whole seconds; rounding stored times the same way makes re-signing exact. */
const wholeSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000)

/** A session idles out JWT_REFRESH_TTL after its last refresh, never past its absolute end. */
function idleExpiry (config: Config, now: number, absoluteExpiresAt: Date): Date {
  const idle = wholeSeconds(now + config.JWT_REFRESH_TTL * 1000)
  return idle < absoluteExpiresAt ? idle : absoluteExpiresAt
}

// ADMIN_USERNAMES as identity keys, parsed once per configuration (role checks are on hot paths).
const adminKeys = new WeakMap<Config, Set<string>>()

function roleOf (fastify: FastifyInstance, username: string): Role {
  const { config } = fastify
  let admins = adminKeys.get(config)
  if (admins === undefined) {
    admins = new Set(listSetting(config.ADMIN_USERNAMES).map(identityKey))
    adminKeys.set(config, admins)
  }
  return admins.has(identityKey(username)) ? 'admin' : 'user'
}

function toAccount (fastify: FastifyInstance, user: UserRow): Account {
  return { ...user, role: roleOf(fastify, user.username), createdAt: user.createdAt.toISOString() }
}

type Client = Pick<AuditEvent, 'ip' | 'userAgent'>

export function clientOf (request: FastifyRequest): Client {
  return { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null }
}

function audit (fastify: FastifyInstance, client: Client, event: Omit<AuditEvent, 'ip' | 'userAgent'>): Promise<void> {
  return recordAuditEvent(fastify.sql, { ...client, ...event })
}

async function signup (fastify: FastifyInstance, client: Client, body: SignupBody): Promise<Account> {
  const email = body.email ?? null
  // Cheap early answer for the common case; the unique indexes decide races below.
  if (await isUsernameOrEmailTaken(fastify.sql, body.username, email)) throw new AppError('USER_ALREADY_EXISTS')
  const passwordHash = await fastify.passwords.hash(body.password)
  const user = await insertUser(fastify.sql, {
    username: body.username, nickname: body.nickname, email, passwordHash, schoolId: body.schoolId ?? null, admissionYear: body.admissionYear ?? null
  })
  if (user === undefined) throw new AppError('USER_ALREADY_EXISTS')
  await audit(fastify, client, { event: 'signup', userId: user.id })
  return toAccount(fastify, user)
}

function tokenPair (
  fastify: FastifyInstance,
  p: { userId: string, sessionId: string, role: Role, jti: string, issuedAt: Date, expiresAt: Date }
): TokenPair {
  const access = fastify.tokens.signAccess(p)
  const refreshToken = fastify.tokens.signRefresh(p)
  return { token: access.token, refreshToken, tokenType: 'Bearer', expiresIn: access.expiresIn }
}

/**
 * Attempts on one login key run one at a time on this instance, each after the previous one's
 * failure is counted. Without it, guesses sent at once all read the key unlocked and were all
 * checked against the hash: 12 parallel wrong passwords got 12 answers where the lock allows 5.
 * (Across instances at most one attempt per instance runs at a time.) Entries go when their
 * lane empties.
 */
const loginLanes = new Map<string, Promise<unknown>>()

function inLoginLane<T> (key: string, attempt: () => Promise<T>): Promise<T> {
  const mine = (loginLanes.get(key) ?? Promise.resolve()).then(attempt, attempt)
  const settled = mine.then(() => {}, () => {})
  loginLanes.set(key, settled)
  void settled.then(() => { if (loginLanes.get(key) === settled) loginLanes.delete(key) })
  return mine
}

async function login (fastify: FastifyInstance, client: Client, body: LoginBody): Promise<TokenPair> {
  if ((body.username === undefined) === (body.email === undefined)) {
    throw invalidField('/body', 'give exactly one of username, email')
  }
  const first = await findLoginState(fastify.sql, body)
  const waits = loginLanes.has(first.loginKey)
  // The state read before waiting is stale once an attempt ahead of this one has ended.
  return await inLoginLane(first.loginKey, async () => await attemptLogin(fastify, client, body, waits ? await findLoginState(fastify.sql, body) : first))
}

async function attemptLogin (fastify: FastifyInstance, client: Client, body: LoginBody, state: LoginState): Promise<TokenPair> {
  const { sql, config } = fastify
  // Unknown names are throttled exactly like real accounts, so a 429 tells nothing either.
  if (state.secondsLocked > 0) {
    await audit(fastify, client, { event: 'login_throttled', userId: state.user?.id ?? null })
    throw new AppError('RATE_LIMITED', { headers: { 'retry-after': String(state.secondsLocked) } })
  }

  const { user } = state
  const { ok, needsRehash } = await fastify.passwords.verify(user?.passwordHash, body.password)
  if (!ok || user === undefined) {
    await recordLoginFailure(sql, state, client)
    throw new AppError('INVALID_CREDENTIALS')
  }
  if (needsRehash) await updatePasswordHash(sql, user.id, await fastify.passwords.hash(body.password))

  const now = Date.now()
  const issuedAt = wholeSeconds(now)
  const absoluteExpiresAt = wholeSeconds(now + SESSION_MAX_AGE_MS)
  const idleExpiresAt = idleExpiry(config, now, absoluteExpiresAt)
  const jti = randomUUID()
  const sessionId = await recordLoginSuccess(sql, { ...state, user }, {
    userId: user.id, refreshJti: jti, refreshIssuedAt: issuedAt, idleExpiresAt, absoluteExpiresAt, ...client
  }, client)
  return tokenPair(fastify, { userId: user.id, sessionId, role: roleOf(fastify, user.username), jti, issuedAt, expiresAt: idleExpiresAt })
}

type RefreshOutcome =
  | { kind: 'issued', pair: TokenPair, userId: string, reused: boolean }
  | { kind: 'expired' | 'invalid' }
  | { kind: 'theft', userId: string }

/**
 * Rotates the session's refresh token under a row lock. The current token is exchanged for a
 * new one; the one just replaced, presented again within REFRESH_REUSE_GRACE (two tabs
 * refreshing at once), yields the identical successor; any older token means the token was
 * copied, and the whole session is revoked.
 */
async function refresh (fastify: FastifyInstance, client: Client, refreshToken: string): Promise<TokenPair> {
  const claims = fastify.tokens.verify(refreshToken, 'refresh')
  const { config } = fastify

  const outcome = await fastify.sql.begin(async (tx): Promise<RefreshOutcome> => {
    const session = await lockSession(tx, claims.sid)
    if (session === undefined || session.userId !== claims.sub || session.revokedAt !== null) return { kind: 'invalid' }
    const now = Date.now()
    if (session.idleExpiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) return { kind: 'expired' }
    const base = { userId: session.userId, sessionId: session.id, role: roleOf(fastify, session.username) }

    if (claims.jti === session.refreshJti) {
      const next = {
        jti: randomUUID(),
        issuedAt: wholeSeconds(now),
        idleExpiresAt: idleExpiry(config, now, session.absoluteExpiresAt)
      }
      await rotateSession(tx, session.id, next)
      const pair = tokenPair(fastify, { ...base, jti: next.jti, issuedAt: next.issuedAt, expiresAt: next.idleExpiresAt })
      return { kind: 'issued', pair, userId: session.userId, reused: false }
    }

    const withinGrace = session.rotatedAt !== null && now - session.rotatedAt.getTime() <= config.REFRESH_REUSE_GRACE * 1000
    if (claims.jti === session.previousJti && withinGrace) {
      const pair = tokenPair(fastify, { ...base, jti: session.refreshJti, issuedAt: session.refreshIssuedAt, expiresAt: session.idleExpiresAt })
      return { kind: 'issued', pair, userId: session.userId, reused: true }
    }

    const revoked = await revokeSession(tx, session.userId, session.id, 'refresh_reuse')
    fastify.revocations.add(revoked)
    return { kind: 'theft', userId: session.userId }
  })

  switch (outcome.kind) {
    case 'issued':
      await audit(fastify, client, { event: 'refresh', userId: outcome.userId, details: { withinGrace: outcome.reused } })
      return outcome.pair
    case 'theft':
      await audit(fastify, client, { event: 'refresh_reuse_detected', userId: outcome.userId, details: { sessionId: claims.sid } })
      throw new AppError('INVALID_TOKEN')
    case 'expired':
      throw new AppError('TOKEN_EXPIRED')
    default:
      throw new AppError('INVALID_TOKEN')
  }
}

/** Ends one session (or all of a user's) and returns how many were live. */
async function endSessions (
  fastify: FastifyInstance, client: Client,
  which: { userId: string, sessionId?: string }, event: 'logout' | 'session_revoked'
): Promise<number> {
  const revoked = which.sessionId === undefined
    ? await revokeAllSessions(fastify.sql, which.userId, event)
    : await revokeSession(fastify.sql, which.userId, which.sessionId, event)
  fastify.revocations.add(revoked)
  await audit(fastify, client, { event, userId: which.userId, details: { sessions: revoked.length } })
  return revoked.length
}

export interface AccountFlows {
  signup: (client: Client, body: SignupBody) => Promise<Account>
  login: (client: Client, body: LoginBody) => Promise<TokenPair>
  refresh: (client: Client, refreshToken: string) => Promise<TokenPair>
  endSessions: (client: Client, which: { userId: string, sessionId?: string }, event: 'logout' | 'session_revoked') => Promise<number>
  toAccount: (user: UserRow) => Account
}

declare module 'fastify' {
  interface FastifyInstance {
    accountFlows: AccountFlows
  }
}

export default fp(async function accountFlowsPlugin (fastify) {
  fastify.decorate('accountFlows', {
    signup: (client, body) => signup(fastify, client, body),
    login: (client, body) => login(fastify, client, body),
    refresh: (client, refreshToken) => refresh(fastify, client, refreshToken),
    endSessions: (client, which, event) => endSessions(fastify, client, which, event),
    toAccount: (user) => toAccount(fastify, user)
  } satisfies AccountFlows)

  // The admin role goes with a name: one that no account has yet goes to whoever signs up with
  // it first. Operators register those names before opening signup; the start-up log says which.
  fastify.addHook('onReady', async function warnOfUnclaimedAdminNames () {
    const unclaimed = await unclaimedUsernames(fastify.sql, listSetting(fastify.config.ADMIN_USERNAMES))
    if (unclaimed.length > 0) {
      fastify.log.warn({ unclaimed }, 'ADMIN_USERNAMES names accounts that do not exist yet: whoever signs up first with one of them becomes an admin')
    }
  })
}, { name: 'account-flows', dependencies: ['config', 'db', 'passwords', 'tokens', 'revocations'] })
