// Turns one run's measurements into the table (printed) and the JSON (bench/results/), and
// checks the issue's targets against numbers of that same run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Measurement } from './scenarios.js'

export type Row = Measurement & {
  /** What the ratio is taken against, e.g. "ceiling" or "argon2". */
  against: string
  /** The value the ratio is taken against: the adjacent ceiling's req/s, argon2 verifies/s, the idle p99. */
  reference: number
  ratio: number | null
}

export type Target = { name: string, actual: string, required: string, holds: boolean }

export type Report = {
  startedAt: string
  command: string
  machine: { cpus: number, cpuModel: string, memoryGiB: number, node: string, loadAverageAtStart: number[] }
  settings: Record<string, unknown>
  argon2: { verifiesPerSecond: number, verifies: number, concurrency: number }
  /** Every shorter ceiling run taken right before a service scenario, in order. */
  ceilingChecks: number[]
  peakRssMiB: Record<string, number>
  rows: Row[]
  /** Scenarios that could not run, with the reason (e.g. the route does not exist yet). */
  skipped: Array<{ scenario: string, reason: string }>
  targets: Target[]
  seedSeconds: Record<string, number>
  totalSeconds: number
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

export function ratio (value: number, of: number): number | null {
  return of > 0 ? round(value / of, 3) : null
}

function pad (text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

export function formatTable (report: Report): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'ratio']
  const lines = report.rows.map(r => [
    r.scenario,
    String(r.requestsPerSecond),
    String(r.p50),
    String(r.p99),
    String(r.non2xx),
    String(r.errors),
    r.ratio === null ? '' : `${r.ratio} × ${r.against} (${r.reference})`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)))
  const fmt = (cells: string[]) => '| ' + cells.map((c, i) => pad(c, widths[i]!, i > 0 && i < 6)).join(' | ') + ' |'
  const out = [fmt(header), '| ' + widths.map((w, i) => (i > 0 && i < 6 ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |', ...lines.map(fmt)]
  out.push('')
  out.push('ratio: req/s over the bare-Fastify ceiling measured right before the scenario, over raw argon2id verifications/s, or p99 over the idle probe\'s p99')
  out.push(`ceiling checks during the run (req/s): ${report.ceilingChecks.join(', ')}`)
  out.push(`argon2id verifications/s at the service's parameters (m=19456, t=2, p=1), ${report.argon2.concurrency} at once: ${report.argon2.verifiesPerSecond}`)
  out.push(`peak RSS (VmHWM): ${Object.entries(report.peakRssMiB).map(([k, v]) => `${k} ${v} MiB`).join(', ')}`)
  for (const s of report.skipped) out.push(`not run: ${s.scenario}: ${s.reason}`)
  out.push('')
  out.push('| target | actual | required | holds |')
  out.push('| --- | --- | --- | --- |')
  for (const t of report.targets) out.push(`| ${t.name} | ${t.actual} | ${t.required} | ${t.holds ? 'yes' : '**no**'} |`)
  return out.join('\n')
}

export function writeReport (dir: string, report: Report): string {
  mkdirSync(dir, { recursive: true })
  const stamp = report.startedAt.replace(/[:.]/g, '-')
  const json = JSON.stringify(report, null, 2) + '\n'
  const file = join(dir, `${stamp}.json`)
  writeFileSync(file, json)
  writeFileSync(join(dir, 'latest.json'), json)
  return file
}

/** The issue's targets, each from numbers of this run; a scenario that did not run fails its target. */
export function checkTargets (rows: Row[], peakRssMiB: number, skipped: Report['skipped']): Target[] {
  const by = (name: string) => rows.find(r => r.scenario === name)
  const targets: Target[] = []
  const notRun = (name: string, required: string, scenario: string) =>
    targets.push({ name, actual: skipped.some(s => s.scenario === scenario) ? 'not run (route missing)' : 'not run', required, holds: false })
  const atLeast = (name: string, scenario: string, min: number, unit: string) => {
    const row = by(scenario)
    if (row === undefined || row.ratio === null) return notRun(name, `≥ ${min} × ${unit}`, scenario)
    targets.push(atLeastCeiling(name, row, min, unit))
  }

  atLeast('GET /auth/me req/s, LOG_LEVEL=info', 'GET /auth/me', 0.5, 'ceiling')
  atLeast('GET /auth/me req/s, LOG_LEVEL=warn', 'GET /auth/me, LOG_LEVEL=warn', 0.6, 'ceiling')
  atLeast('GET /health req/s, LOG_LEVEL=info', 'GET /health', 0.6, 'ceiling')
  atLeast('POST /auth/login req/s', 'POST /auth/login', 0.9, 'argon2id verifies/s')

  const busy = by('GET /health probe, logins saturating')
  if (busy !== undefined && busy.ratio !== null) {
    targets.push({ name: 'GET /health p99 while logins saturate', actual: `${busy.p99} ms = ${busy.ratio} × idle ${busy.reference} ms`, required: '≤ 3 × idle p99', holds: busy.ratio <= 3 })
  } else notRun('GET /health p99 while logins saturate', '≤ 3 × idle p99', 'GET /health probe, logins saturating')

  atLeast('GET /feed req/s (full data set)', 'GET /feed first page', 0.2, 'ceiling')

  // Growth is the query's: measured with the page cache off, where every request reads the
  // database (with it on, both data sets would be served from memory alike).
  const feed = by('GET /feed first page, cache off')
  const small = by('GET /feed first page, 1/10 data set, cache off')
  if (feed !== undefined && small !== undefined) {
    targets.push({ name: 'GET /feed p50 growth (10× posts, cache off)', actual: `${feed.p50} ms = ${ratio(feed.p50, small.p50)} × ${small.p50} ms`, required: '≤ 1.5 × p50 at 1/10', holds: feed.p50 <= 1.5 * small.p50 })
  } else notRun('GET /feed p50 growth (10× posts, cache off)', '≤ 1.5 × p50 at 1/10', feed === undefined ? 'GET /feed first page, cache off' : 'GET /feed first page, 1/10 data set, cache off')

  const bad = rows.filter(r => r.non2xx > 0 || r.errors > 0)
  targets.push({
    name: 'every scenario answers 2xx',
    actual: bad.length === 0 ? `0 non-2xx in ${rows.length} scenarios` : bad.map(r => `${r.scenario}: ${r.non2xx} non-2xx, ${r.errors} errors`).join('; '),
    required: '0 non-2xx, 0 errors',
    holds: bad.length === 0
  })

  targets.push({ name: 'peak RSS of the service', actual: `${peakRssMiB} MiB`, required: '≤ 150 MB (143 MiB)', holds: peakRssMiB * 1024 * 1024 <= 150e6 })
  return targets
}

/** A throughput target: the row's req/s at least `min` × what it is compared with (its adjacent ceiling). */
export function atLeastCeiling (name: string, row: Row, min: number, unit = 'ceiling'): Target {
  return { name, actual: `${row.requestsPerSecond} req/s = ${row.ratio} × ${row.reference}`, required: `≥ ${min} × ${unit}`, holds: (row.ratio ?? 0) >= min }
}
