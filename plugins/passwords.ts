// Password hashing with argon2id at OWASP's parameters, behind a bounded queue: argon2 runs on
// libuv's thread pool, so the event loop never blocks, and when more hashes wait than the
// queue holds the request is refused with 503 + Retry-After instead of piling up memory
// (each running hash holds 19 MiB).
import fp from 'fastify-plugin'
import argon2 from 'argon2'
import { randomBytes } from 'node:crypto'
import { AppError } from './errors.js'

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

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

/** Runs at most `concurrency` tasks; refuses with 503 when `queueLimit` more are waiting. */
export function boundedQueue (concurrency: number, queueLimit: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async function run<T> (task: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (waiting.length >= queueLimit) {
        throw new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1' } })
      }
      await new Promise<void>(resolve => waiting.push(resolve))
    } else {
      running++
    }
    try {
      return await task()
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
  // Computed in the background: start-up does not wait for it, the first login of an unknown
  // user does. Its parameters match real hashes, so both paths cost the same.
  const dummyHash = run(() => argon2.hash(randomBytes(32).toString('base64'), ARGON2_OPTIONS))
  dummyHash.catch(() => {})

  const passwords: Passwords = {
    hash: (password) => run(() => argon2.hash(password, ARGON2_OPTIONS)),

    async verify (hash, password) {
      if (hash !== undefined && !storedParamsAcceptable(hash)) {
        fastify.log.warn('stored password hash refused: unknown format or parameters beyond the cap')
        const dummy = await dummyHash
        await run(() => argon2.verify(dummy, password))
        return { ok: false, needsRehash: false }
      }
      const against = hash ?? await dummyHash
      const ok = await run(() => argon2.verify(against, password))
      if (hash === undefined || !ok) return { ok: false, needsRehash: false }
      return { ok, needsRehash: argon2.needsRehash(hash, ARGON2_OPTIONS) }
    }
  }
  fastify.decorate('passwords', passwords)
}, { name: 'passwords', dependencies: ['config', 'errors'] })
