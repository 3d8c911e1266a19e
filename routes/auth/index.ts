// Accounts and tokens over HTTP: /auth/* and the original clients' /signup and /login.
// Every answer here, errors included, is `Cache-Control: no-store`.
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { AppError } from '../../plugins/errors.js'
import { BearerAuth, IdParams } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import {
  Account, LoggedOut, LoginBody, LogoutBody, RefreshBody, Revoked, SessionList, SignupBody, TokenPair
} from '../../schemas/auth.js'
import { listLiveSessions } from '../../db/sessions.js'
import type { UserRow } from '../../db/users.js'
import { clientOf } from '../../plugins/account-flows.js'
import { recordAuditEvent } from '../../db/audit.js'

const TAGS = ['auth']
const MAX_LISTED_SESSIONS = 100

// GET /auth/me is the hot path: the account cache hands back the same row object until the
// account changes, so its public view is built once per row, not once per request.
const accountViews = new WeakMap<UserRow, Account>()
const LOGIN_WINDOW_MS = 60_000

const authRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  const { config } = fastify

  fastify.addHook('onSend', function noStore (_request, reply, payload, done) {
    reply.header('cache-control', 'no-store')
    done(null, payload)
  })

  // Per client address, one count for both paths (a route's own rateLimit config would give
  // each path a store of its own, so the alias would double the guesses). Being throttled is a
  // security event: audited once per address and window, so that a flood of refused logins
  // does not become a flood of inserts. LOGIN_RATE_LIMIT=0 turns it off (benchmarks only).
  const auditedAt = new Map<string, number>()
  const loginRateLimit = config.LOGIN_RATE_LIMIT === 0
    ? undefined
    : fastify.rateLimit({
      max: config.LOGIN_RATE_LIMIT,
      timeWindow: LOGIN_WINDOW_MS,
      onExceeded: (request, key) => {
        const now = Date.now()
        if ((auditedAt.get(key) ?? -Infinity) > now - LOGIN_WINDOW_MS) return
        if (auditedAt.size >= 10_000) auditedAt.clear()
        auditedAt.set(key, now)
        recordAuditEvent(fastify.sql, { ...clientOf(request), event: 'login_throttled', details: { by: 'address' } })
          .catch((error: unknown) => request.log.warn({ err: error }, 'could not audit a throttled login'))
      }
    })

  for (const url of ['/auth/signup', '/signup']) {
    fastify.route({
      method: 'POST',
      url,
      // Admitted by the hasher's own bounded queue (HASH_CONCURRENCY), not the database gate.
      config: { public: true, databaseGate: false },
      schema: {
        tags: TAGS,
        operationId: url === '/signup' ? 'signupShort' : 'signup',
        summary: url === '/signup' ? 'Create an account (alias of /auth/signup)' : 'Create an account',
        body: SignupBody(config.PASSWORD_MIN_LENGTH),
        response: { 201: Account, ...errors(409, 503) }
      },
      handler: async function createAccount (request, reply) {
        const account = await fastify.accountFlows.signup(clientOf(request), request.body)
        return reply.code(201).send(account)
      }
    })
  }

  for (const url of ['/auth/login', '/login']) {
    fastify.route({
      method: 'POST',
      url,
      config: { public: true, databaseGate: false },
      ...(loginRateLimit === undefined ? {} : { onRequest: loginRateLimit }),
      schema: {
        tags: TAGS,
        operationId: url === '/login' ? 'loginShort' : 'login',
        summary: url === '/login' ? 'Log in (alias of /auth/login)' : 'Log in with username or email',
        description: 'Opens a session. Throttled per client address and, after 5 failures in a row, per account.',
        body: LoginBody,
        response: { 200: TokenPair, ...errors(401, 429, 503) }
      },
      handler: async function logIn (request) {
        return await fastify.accountFlows.login(clientOf(request), request.body)
      }
    })
  }

  fastify.route({
    method: 'POST',
    url: '/auth/refresh',
    config: { public: true },
    schema: {
      tags: TAGS,
      operationId: 'refreshTokens',
      summary: 'Exchange a refresh token for a new pair (rotation)',
      description: 'The old refresh token stops working; presenting it again within the grace window returns the same ' +
        'successor, later it revokes the whole session.',
      body: RefreshBody,
      response: { 200: TokenPair, ...errors(401) }
    },
    handler: async function refreshTokens (request) {
      return await fastify.accountFlows.refresh(clientOf(request), request.body.refreshToken)
    }
  })

  // A Bearer-only logout may come without a body, and many clients still send
  // `Content-Type: application/json` then (Fastify's parser answers 400 to an empty JSON body).
  // In a scope of its own, so that every other route keeps refusing an empty JSON body.
  await fastify.register(async function logoutScope (scope) {
    const parseJson = scope.getDefaultJsonParser('error', 'error')
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (body === '') done(null, undefined)
      else parseJson(request, body as string, done)
    })
    scope.withTypeProvider<TypeBoxTypeProvider>().route({
      method: 'POST',
      url: '/auth/logout',
      // Public: a refresh token alone may end its session; a Bearer token is needed only for
      // `allSessions` or a body without a refresh token, checked in the handler.
      config: { public: true },
      schema: {
        tags: TAGS,
        operationId: 'logout',
        summary: 'End a session, or all of them',
        security: [{}, ...BearerAuth],
        body: LogoutBody,
        response: { 200: LoggedOut, ...errors(401) }
      },
      // A Bearer-only logout may come without a body at all.
      preValidation: async function defaultEmptyBody (request) {
        request.body ??= {}
      },
      handler: async function logOut (request) {
        const body = request.body
        const client = clientOf(request)
        if (body.refreshToken !== undefined && body.allSessions !== true) {
          const claims = fastify.tokens.verify(body.refreshToken, 'refresh')
          await fastify.accountFlows.endSessions(client, { userId: claims.sub, sessionId: claims.sid }, 'logout')
          return { loggedOut: true as const }
        }
        fastify.authenticate(request)
        const { id, sessionId } = request.user
        await fastify.accountFlows.endSessions(client, body.allSessions === true ? { userId: id } : { userId: id, sessionId }, 'logout')
        return { loggedOut: true as const }
      }
    })
  })

  fastify.route({
    method: 'GET',
    url: '/auth/me',
    schema: { tags: TAGS, operationId: 'getMe', summary: 'The caller\'s account', response: { 200: Account, ...errors(401) } },
    handler: async function me (request) {
      const user = await fastify.accounts.get(request.user.id)
      if (user === undefined) throw new AppError('INVALID_TOKEN')
      let view = accountViews.get(user)
      if (view === undefined) {
        view = fastify.accountFlows.toAccount(user)
        accountViews.set(user, view)
      }
      return view
    }
  })

  fastify.route({
    method: 'GET',
    url: '/auth/sessions',
    schema: { tags: TAGS, operationId: 'listSessions', summary: 'The caller\'s live sessions', response: { 200: SessionList, ...errors(401) } },
    handler: async function sessions (request) {
      const rows = await listLiveSessions(fastify.sql, request.user.id, MAX_LISTED_SESSIONS)
      return { items: rows.map(s => ({ ...s, createdAt: s.createdAt.toISOString(), lastUsedAt: s.lastUsedAt.toISOString(), current: s.id === request.user.sessionId })) }
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/auth/sessions/:id',
    schema: {
      tags: TAGS,
      operationId: 'revokeSession',
      summary: 'Revoke one of the caller\'s sessions',
      params: IdParams,
      response: { 200: Revoked, ...errors(401, 404) }
    },
    handler: async function revokeOne (request) {
      const revoked = await fastify.accountFlows.endSessions(clientOf(request), { userId: request.user.id, sessionId: request.params.id }, 'session_revoked')
      if (revoked === 0) throw new AppError('NOT_FOUND')
      return { revoked: true as const }
    }
  })
}

export default authRoutes
