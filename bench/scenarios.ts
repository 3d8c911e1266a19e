// The load scenarios and the raw argon2id measurement. Each load scenario is one autocannon run
// (keep-alive, fixed connections, fixed time) after a warm-up run whose numbers are discarded.
// Requests rotate through several users (tokens, logins, post ids) via setupRequest, so no
// scenario measures one hot row.
import autocannon, { type Request, type Result } from 'autocannon'
import argon2 from 'argon2'
import { ARGON2_OPTIONS } from '../plugins/passwords.js'

export type LoadOptions = {
  duration: number
  warmup: number
  connections: number
}

export type Measurement = {
  scenario: string
  requestsPerSecond: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  /** Socket errors and timeouts: requests that never got an answer. */
  errors: number
  statusCodes: Record<string, number>
}

export type Load = {
  url: string
  connections: number
  /** Limits the offered load (a probe), instead of saturating. */
  overallRate?: number
  /** Pause after each run, for the service to finish work still queued (e.g. logins). */
  settleSeconds?: number
  requests: Request[]
}

const pause = (seconds = 0) => new Promise(resolve => setTimeout(resolve, seconds * 1000))

function toMeasurement (scenario: string, result: Result): Measurement {
  const statusCodes: Record<string, number> = {}
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count
  return {
    scenario,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes
  }
}

function fire (load: Load, duration: number): Promise<Result> {
  return autocannon({
    url: load.url,
    connections: load.connections,
    duration,
    timeout: 30,
    ...(load.overallRate !== undefined ? { overallRate: load.overallRate } : {}),
    requests: load.requests
  })
}

/** Warm-up, then the measured run. */
export async function measure (scenario: string, load: Load, options: LoadOptions): Promise<Measurement> {
  if (options.warmup > 0) {
    await fire(load, options.warmup)
    await pause(load.settleSeconds)
  }
  const result = await fire(load, options.duration)
  await pause(load.settleSeconds)
  return toMeasurement(scenario, result)
}

/** Several loads at once (e.g. logins and a /health probe): one warm-up together, then measured together. */
export async function measureTogether (loads: Array<{ scenario: string, load: Load }>, options: LoadOptions): Promise<Measurement[]> {
  const settle = Math.max(0, ...loads.map(({ load }) => load.settleSeconds ?? 0))
  if (options.warmup > 0) {
    await Promise.all(loads.map(({ load }) => fire(load, options.warmup)))
    await pause(settle)
  }
  const results = await Promise.all(loads.map(({ load }) => fire(load, options.duration)))
  await pause(settle)
  return results.map((result, i) => toMeasurement(loads[i]!.scenario, result))
}

/** A request whose path, headers or body come from a rotation, one item per request. */
export function rotating<T> (items: readonly T[], build: (item: T) => Request): Request {
  if (items.length === 0) throw new Error('nothing to rotate through')
  let next = 0
  const first = build(items[0]!)
  return {
    ...first,
    setupRequest (request) {
      const item = items[next++ % items.length]!
      return { ...request, ...build(item) }
    }
  }
}

/**
 * The login ceiling: argon2id verifications per second at the service's parameters, with as
 * many in flight as the service's hashing queue allows (HASH_CONCURRENCY), for `seconds`.
 * Runs in this process, on libuv's thread pool, exactly as the service does.
 */
export async function argon2Ceiling (password: string, concurrency: number, seconds: number, warmup: number): Promise<{ verifiesPerSecond: number, verifies: number, concurrency: number }> {
  const hash = await argon2.hash(password, ARGON2_OPTIONS)
  async function loop (until: number): Promise<number> {
    let done = 0
    while (Date.now() < until) {
      if (!await argon2.verify(hash, password)) throw new Error('argon2 verify failed on its own hash')
      done++
    }
    return done
  }
  async function run (ms: number): Promise<{ count: number, elapsed: number }> {
    const start = Date.now()
    const counts = await Promise.all(Array.from({ length: concurrency }, () => loop(start + ms)))
    return { count: counts.reduce((a, b) => a + b, 0), elapsed: Date.now() - start }
  }
  if (warmup > 0) await run(warmup * 1000)
  const { count, elapsed } = await run(seconds * 1000)
  return { verifiesPerSecond: Math.round((count / elapsed) * 10_000) / 10, verifies: count, concurrency }
}
