// Turns one run's measurements into the table (printed) and the JSON (bench/results/), and
// checks the issue's targets against numbers of that same run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Measurement } from './scenarios.js'

export type Row = Measurement & {
  /** What the ratio is taken against, e.g. "ceiling" or "argon2". */
  against: string
  ratio: number | null
}

export type Target = { name: string, actual: string, required: string, holds: boolean }

export type Report = {
  startedAt: string
  command: string
  machine: { cpus: number, cpuModel: string, memoryGiB: number, node: string, loadAverageAtStart: number[] }
  settings: Record<string, unknown>
  argon2: { verifiesPerSecond: number, verifies: number, concurrency: number }
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
    r.ratio === null ? '' : `${r.ratio} × ${r.against}`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)))
  const fmt = (cells: string[]) => '| ' + cells.map((c, i) => pad(c, widths[i]!, i > 0 && i < 6)).join(' | ') + ' |'
  const out = [fmt(header), '| ' + widths.map((w, i) => (i > 0 && i < 6 ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |', ...lines.map(fmt)]
  out.push('')
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
export function checkTargets (rows: Row[], argon2PerSecond: number, peakRssMiB: number, skipped: Report['skipped']): Target[] {
  const by = (name: string) => rows.find(r => r.scenario === name)
  const targets: Target[] = []
  const ceiling = by('ceiling GET /')
  const missing = (name: string, required: string, scenario: string) =>
    targets.push({ name, actual: skipped.some(s => s.scenario === scenario) ? 'not run' : 'missing', required, holds: false })

  const me = by('GET /auth/me')
  if (me !== undefined && ceiling !== undefined) {
    targets.push({ name: 'GET /auth/me req/s', actual: `${ratio(me.requestsPerSecond, ceiling.requestsPerSecond)} × ceiling`, required: '≥ 0.35 × ceiling', holds: me.requestsPerSecond >= 0.35 * ceiling.requestsPerSecond })
  } else missing('GET /auth/me req/s', '≥ 0.35 × ceiling', 'GET /auth/me')

  const login = by('POST /auth/login')
  if (login !== undefined) {
    targets.push({ name: 'POST /auth/login req/s', actual: `${ratio(login.requestsPerSecond, argon2PerSecond)} × argon2`, required: '≥ 0.9 × argon2 verifies/s', holds: login.requestsPerSecond >= 0.9 * argon2PerSecond })
  } else missing('POST /auth/login req/s', '≥ 0.9 × argon2 verifies/s', 'POST /auth/login')

  const idle = by('GET /health probe, idle')
  const busy = by('GET /health probe, logins saturating')
  if (idle !== undefined && busy !== undefined) {
    targets.push({ name: 'GET /health p99 while logins saturate', actual: `${busy.p99} ms = ${ratio(busy.p99, idle.p99)} × idle (${idle.p99} ms)`, required: '≤ 3 × idle p99', holds: busy.p99 <= 3 * idle.p99 })
  } else missing('GET /health p99 while logins saturate', '≤ 3 × idle p99', 'GET /health probe, logins saturating')

  const feed = by('GET /feed first page')
  if (feed !== undefined && ceiling !== undefined) {
    targets.push({ name: 'GET /feed req/s (full data set)', actual: `${ratio(feed.requestsPerSecond, ceiling.requestsPerSecond)} × ceiling`, required: '≥ 0.2 × ceiling', holds: feed.requestsPerSecond >= 0.2 * ceiling.requestsPerSecond })
  } else missing('GET /feed req/s (full data set)', '≥ 0.2 × ceiling', 'GET /feed first page')

  const small = by('GET /feed first page, 1/10 data set')
  if (feed !== undefined && small !== undefined) {
    targets.push({ name: 'GET /feed p50 growth (10× posts)', actual: `${feed.p50} ms = ${ratio(feed.p50, small.p50)} × ${small.p50} ms`, required: '≤ 1.5 × p50 at 1/10', holds: feed.p50 <= 1.5 * small.p50 })
  } else missing('GET /feed p50 growth (10× posts)', '≤ 1.5 × p50 at 1/10', 'GET /feed first page')

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
