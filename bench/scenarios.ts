// The load scenarios and the raw argon2id measurement. Each load scenario is one autocannon run
// (keep-alive, fixed connections, fixed time) after a warm-up run whose numbers are discarded.
// Requests rotate through several users (tokens, logins, post ids) via setupRequest, so no
// scenario measures one hot row.
import { Agent, request as httpRequest } from 'node:http'
import autocannon, { type Request, type Result } from 'autocannon'
import argon2 from 'argon2'
import type { Sql } from 'postgres'
import { ARGON2_OPTIONS } from '../plugins/passwords.js'
import type { Row } from './report.js'

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

export type Probe = { url: string, path: string, rate: number }

export type Load = {
  url: string
  connections: number
  /** Pause after each run, for the service to finish work still queued (e.g. logins). */
  settleSeconds?: number
  requests: Request[]
}

/** The q-quantile (0 < q ≤ 1) of ascending `sorted` (nearest rank), 0 when it is empty. */
export function percentile (sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!
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
    // A 304 is the answer a revalidation wants, not a failure.
    non2xx: result.non2xx - (statusCodes['304'] ?? 0),
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

/**
 * A liveness checker's view of the service: one GET every 1/rate seconds on a fixed schedule
 * (open loop: a slow answer does not delay the next request, which goes out on another
 * keep-alive connection), each timed from its own send to the end of its answer.
 *
 * Not autocannon: its rate limit sends each second's requests in one burst per connection,
 * and it "corrects" every latency for coordinated omission with an expected interval of
 * ceil(1 / rate) ms - 1 ms for any rate above 1/s - so one 40 ms answer is recorded as some
 * 40 samples from 40 ms down to 1 ms, which decides a p99 by itself.
 */
export async function probe (scenario: string, target: Probe, seconds: number): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 })
  const url = new URL(target.path, target.url)
  const answers = new Answers()
  const interval = 1000 / target.rate
  const started = performance.now()
  const inFlight: Array<Promise<void>> = []
  for (let i = 0; i * interval < seconds * 1000; i++) {
    const wait = started + i * interval - performance.now()
    if (wait > 0) await pause(wait / 1000)
    inFlight.push(answers.get(agent, url))
  }
  await Promise.all(inFlight)
  agent.destroy()
  return answers.measurement(scenario, seconds)
}

/**
 * `connections` keep-alive clients, each sending its next GET as soon as the last answer has
 * been read, every body read and dropped. For large binary answers: autocannon turns each
 * body into a string (utf8-decoding it), which costs it more than the server spends sending.
 */
export async function discardingLoad (scenario: string, target: { url: string, path: string }, connections: number, seconds: number): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const url = new URL(target.path, target.url)
  const answers = new Answers()
  const until = performance.now() + seconds * 1000
  const client = async () => {
    while (performance.now() < until) await answers.get(agent, url)
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: connections }, client))
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  return answers.measurement(scenario, elapsed)
}

/** discardingLoad: a warm-up, then the measured run. */
export async function measureDiscarding (scenario: string, target: { url: string, path: string }, connections: number, options: LoadOptions): Promise<Measurement> {
  if (options.warmup > 0) await discardingLoad(scenario, target, connections, options.warmup)
  return await discardingLoad(scenario, target, connections, options.duration)
}

/** GETs timed from their send to the end of their answer, and what came back. */
class Answers {
  readonly #latencies: number[] = []
  readonly #statusCodes: Record<string, number> = {}
  #errors = 0

  get (agent: Agent, url: URL): Promise<void> {
    return new Promise((resolve) => {
      const sent = performance.now()
      const req = httpRequest(url, { agent, timeout: 30_000 }, (res) => {
        res.resume()
        res.on('end', () => {
          this.#latencies.push(performance.now() - sent)
          this.#statusCodes[String(res.statusCode)] = (this.#statusCodes[String(res.statusCode)] ?? 0) + 1
          resolve()
        })
      })
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', () => { this.#errors++; resolve() })
      req.end()
    })
  }

  measurement (scenario: string, seconds: number): Measurement {
    const latencies = [...this.#latencies].sort((a, b) => a - b)
    const at = (q: number) => Math.round(percentile(latencies, q) * 10) / 10
    const non2xx = Object.entries(this.#statusCodes).filter(([code]) => !code.startsWith('2')).reduce((sum, [, n]) => sum + n, 0)
    return {
      scenario,
      requestsPerSecond: Math.round(latencies.length / seconds),
      p50: at(0.5),
      p99: at(0.99),
      requests: latencies.length,
      non2xx,
      errors: this.#errors,
      statusCodes: { ...this.#statusCodes }
    }
  }
}

/** The probe alone: a warm-up, then the measured run. */
export async function measureProbe (scenario: string, target: Probe, options: LoadOptions): Promise<Measurement> {
  if (options.warmup > 0) await probe(scenario, target, options.warmup)
  return await probe(scenario, target, options.duration)
}

/** A load and the probe at the same time: warmed up together, then measured together. */
export async function measureWithProbe (
  loadScenario: string, load: Load, probeScenario: string, target: Probe, options: LoadOptions
): Promise<[Measurement, Measurement]> {
  if (options.warmup > 0) {
    await Promise.all([fire(load, options.warmup), probe(probeScenario, target, options.warmup)])
    await pause(load.settleSeconds)
  }
  const [result, probed] = await Promise.all([fire(load, options.duration), probe(probeScenario, target, options.duration)])
  await pause(load.settleSeconds)
  return [toMeasurement(loadScenario, result), probed]
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

/** What a domain's scenarios get from the run: the service, logged-in users, the database. */
export type Bench = {
  base: string
  /** Access tokens of bench users 1 … tokens.length, in that order. */
  tokens: string[]
  connections: number
  /** The service's database, for ids to request and for checks after a run. */
  db: Sql
  /** A throughput scenario against the service, its ratio taken to the adjacent ceiling. */
  versusCeiling: (scenario: string, load: Load | (() => Promise<Measurement>)) => Promise<Row>
}

/**
 * A client's headers: its token, and the encodings every browser and mobile HTTP client offers
 * (the service gzips the pages it keeps, never an answer on the fly).
 */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, deflate, br' })

/** One JSON request as a client sends it (a body is sent as JSON); the answer's body parsed, null if it is not JSON. */
export async function requestJson (
  method: string, url: string, options: { body?: unknown, token?: string | undefined } = {}
): Promise<{ status: number, body: any }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : bearer(options.token))
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000)
  })
  return { status: res.status, body: await res.json().catch(() => null) }
}

export const getJson = (url: string, token: string) => requestJson('GET', url, { token })
export const postJson = (url: string, body: unknown, token?: string) => requestJson('POST', url, { body, token })

/** The path of page `pages` of a keyset list, found by following nextCursor from `path`. */
export async function deepPath (base: string, path: string, token: string, pages: number): Promise<string> {
  let current = path
  for (let page = 1; page < pages; page++) {
    const { status, body } = await getJson(base + current, token)
    if (status !== 200) throw new Error(`GET ${current} answered ${status}: ${JSON.stringify(body)}`)
    if (body.nextCursor === null) break
    current = `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(body.nextCursor)}`
  }
  return current
}
