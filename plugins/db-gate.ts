// Admission to the database, per route: at most a share of the pool's connections serve one
// route at a time (DATABASE_ROUTE_SHARE), and a request waits for its turn a bounded time
// (DATABASE_QUEUE_TIMEOUT) in a bounded line (DATABASE_QUEUE_LENGTH), else 503 with
// Retry-After.
//
// Why: postgres.js queues queries for a free connection without bound. When one table is
// locked, or the database is slow, the requests stuck on it hold every connection, and routes
// that never touch that table wait behind them for as long as the lock lasts. With a share per
// route, the stuck routes hold at most their shares; the rest of the pool keeps serving the
// others at their normal latency, and the stuck ones answer a fast 503 instead of queueing.
//
// Counted per request (from validation until its answer is ready to send), not per
// connection: a request's queries and its wait for them are what a locked table prolongs.
// Routes that do not read the database, or bound their own wait (the health probes), declare
// `config: { databaseGate: false }`. A waiter whose client has left keeps its spot in line
// until its wait ends (at most DATABASE_QUEUE_TIMEOUT); handed a place, it gives it back at once.
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from './errors.js'

type Waiter = { admit: () => void, timer: NodeJS.Timeout }

export class RouteGate {
  #inFlight = 0
  readonly #waiting: Waiter[] = []
  constructor (readonly limit: number, readonly queueLength: number, readonly queueTimeoutMs: number) {}

  get inFlight (): number { return this.#inFlight }
  get waiting (): number { return this.#waiting.length }

  /** Resolves when the request may go on; rejects with a 503 when the line is full or too slow. */
  enter (timeoutMs = this.queueTimeoutMs): Promise<void> | undefined {
    if (this.#inFlight < this.limit) {
      this.#inFlight++
      return undefined
    }
    if (this.#waiting.length >= this.queueLength) return Promise.reject(busy())
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1)
          reject(busy())
        }, timeoutMs)
      }
      this.#waiting.push(waiter)
    })
  }

  /** The request is over: its place goes to the first in line, if any. */
  leave (): void {
    const next = this.#waiting.shift()
    if (next === undefined) {
      this.#inFlight--
      return
    }
    clearTimeout(next.timer)
    next.admit()
  }
}

const DOWN_QUEUE_TIMEOUT_MS = 200

const busy = () => new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1' } })

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: not gated (the route never reads the database, or bounds its own wait). */
    databaseGate?: boolean
  }
  interface FastifyInstance {
    /** The gate of each route, by "METHOD /url pattern" (for tests and diagnostics). */
    routeGates: Map<string, RouteGate>
  }
}

export default fp(async function databaseGatePlugin (fastify) {
  const { config } = fastify
  const limit = Math.max(1, Math.floor(config.DATABASE_POOL_SIZE * config.DATABASE_ROUTE_SHARE))
  const gates = new Map<string, RouteGate>()
  const leaving = new WeakMap<FastifyRequest, () => void>()
  fastify.decorate('routeGates', gates)

  fastify.addHook('onRoute', (route) => {
    if (route.config?.databaseGate === false) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (methods.every(m => m === 'HEAD')) return
    const gate = new RouteGate(limit, config.DATABASE_QUEUE_LENGTH, config.DATABASE_QUEUE_TIMEOUT)
    for (const method of methods) gates.set(`${method} ${route.url}`, gate)
    const admit = async (request: FastifyRequest, reply: FastifyReply) => {
      // The place is given back once, at the first of: the answer is ready to send (onSend:
      // the database work is over, and a slow reader of a large body must not hold the place
      // while it downloads), or the connection closed (the client left, maybe while still in
      // line: so listen before waiting, or a place handed to a client already gone would
      // never come back).
      let admitted = false
      let gone = false
      let given = false
      const giveBack = () => {
        if (admitted && !given) {
          given = true
          gate.leave()
        }
      }
      reply.raw.once('close', () => {
        gone = true
        giveBack()
      })
      leaving.set(request, giveBack)
      // While the database is known to be away, those ahead are failing too: no long line.
      await gate.enter(fastify.databaseHealth.down ? DOWN_QUEUE_TIMEOUT_MS : config.DATABASE_QUEUE_TIMEOUT)
      admitted = true
      if (gone) {
        giveBack()
        throw busy() // nobody to answer: skip the work
      }
    }
    const answered = (request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
      leaving.get(request)?.()
      done(null, payload)
    }
    route.preHandler = route.preHandler === undefined ? [admit] : [admit, ...[route.preHandler].flat()]
    route.onSend = route.onSend === undefined ? [answered] : [answered, ...[route.onSend].flat()]
  })
}, { name: 'db-gate', dependencies: ['config', 'errors', 'db-health'] })
