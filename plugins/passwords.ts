// Password hashing with argon2id at OWASP's parameters. The work runs in the hasher process
// at low CPU priority (hasher.ts), so logins never starve the rest of the service, behind a
// bounded queue: when more hashes wait than the queue holds, the request is refused with
// 503 + Retry-After instead of piling up memory (each running hash holds 19 MiB).
import fp from 'fastify-plugin'
import argon2 from 'argon2'
import { AppError } from './errors.js'
import { ARGON2_OPTIONS, HasherGoneError, startHasher } from './password-hasher.js'

// A stored hash names its own cost. A tampered or legacy row must not make one login burn
// gigabytes or minutes: hashes beyond these bounds are refused without being computed.
const MAX_STORED = { memoryCost: 262_144, timeCost: 10, parallelism: 8 }
// PHC string: $argon2id$v=19$m=19456,t=2,p=1$salt$hash (parameter order varies by library).
const ARGON2_PHC = /^\$argon2(?:id|i|d)\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+)*)\$/

export type VerifyResult = { ok: boolean, needsRehash: boolean }

export interface Passwords {
  hash: (password: string) => Promise<string>
  /** Verifies against `hash`, or against a dummy hash when the user does not exist, so both take as long. */
  verify: (hash: string | undefined, password: string) => Promise<VerifyResult>
}

declare module 'fastify' {
  interface FastifyInstance {
    passwords: Passwords
  }
}

const unavailable = () => new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1' } })

/** Runs at most `concurrency` tasks; refuses with 503 when `queueLimit` more are waiting. */
export function boundedQueue (concurrency: number, queueLimit: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async function run<T> (task: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (waiting.length >= queueLimit) throw unavailable()
      await new Promise<void>(resolve => waiting.push(resolve))
    } else {
      running++
    }
    try {
      return await task()
    } catch (error) {
      // The hasher died under this task; a new one starts with the next request.
      throw error instanceof HasherGoneError ? unavailable() : error
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = waiting.shift()
      if (next !== undefined) next()
      else running--
    }
  }
}

export function storedParamsAcceptable (hash: string): boolean {
  const match = ARGON2_PHC.exec(hash)
  if (match === null) return false
  const params = Object.fromEntries(match[1]!.split(',').map(kv => [kv[0], Number(kv.slice(2))]))
  const { m, t, p } = params
  if (m === undefined || t === undefined || p === undefined) return false
  return m <= MAX_STORED.memoryCost && t <= MAX_STORED.timeCost && p <= MAX_STORED.parallelism
}

export default fp(async function passwordsPlugin (fastify) {
  const run = boundedQueue(fastify.config.HASH_CONCURRENCY, fastify.config.HASH_QUEUE_LIMIT)
  const hasher = startHasher((code) => fastify.log.error({ code }, 'the hasher process exited; starting another on demand'))
  fastify.addHook('onClose', () => hasher.close())

  const passwords: Passwords = {
    hash: (password) => run(() => hasher.hash(password)),

    async verify (hash, password) {
      if (hash !== undefined && !storedParamsAcceptable(hash)) {
        fastify.log.warn('stored password hash refused: unknown format or parameters beyond the cap')
        await run(async () => hasher.verify(await hasher.dummyHash(), password))
        return { ok: false, needsRehash: false }
      }
      const ok = await run(async () => hasher.verify(hash ?? await hasher.dummyHash(), password))
      if (hash === undefined || !ok) return { ok: false, needsRehash: false }
      return { ok, needsRehash: argon2.needsRehash(hash, ARGON2_OPTIONS) }
    }
  }
  fastify.decorate('passwords', passwords)
}, { name: 'passwords', dependencies: ['config', 'errors'] })
