// Code assistant storage: the daily quota (held while the model works, used when an answer is
// stored, given back when the call fails) and each user's private history with its stats.
import { randomUUID } from 'node:crypto'
import type { ISql, PendingQuery, Row } from 'postgres'
import type { CodegenRecord, CodegenStats, NewCodegenBody } from '../schemas/codegen.js'
import { AppError } from '../plugins/errors.js'
import type { Usage } from '../plugins/model-client.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'

// Building an Intl.DateTimeFormat costs ~0.1 ms (formatting with one costs ~1 µs), and every
// code assistant call asks for the day twice: the formatters are made once per time zone.
const formatters = new Map<string, { day: Intl.DateTimeFormat, wall: Intl.DateTimeFormat }>()

function formattersFor (timeZone: string): { day: Intl.DateTimeFormat, wall: Intl.DateTimeFormat } {
  let made = formatters.get(timeZone)
  if (made === undefined) {
    made = {
      day: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      wall: new Intl.DateTimeFormat('en-GB', {
        timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'
      })
    }
    formatters.set(timeZone, made)
  }
  return made
}

/** The calendar day of `now` in `timeZone`, as YYYY-MM-DD. */
export function dayIn (timeZone: string, now: Date): string {
  return formattersFor(timeZone).day.format(now)
}

/** How many seconds `timeZone`'s wall clock is ahead of UTC at `at`. */
function offsetSeconds (timeZone: string, at: Date): number {
  const parts = formattersFor(timeZone).wall.formatToParts(at)
  const part = (type: string) => Number(parts.find(p => p.type === type)?.value ?? 0)
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) / 1000
  return wall - Math.floor(at.getTime() / 1000)
}

/** Whole seconds from `now` to the next midnight in `timeZone` (at least 1). */
export function secondsToMidnight (timeZone: string, now: Date): number {
  const nowSeconds = Math.floor(now.getTime() / 1000)
  const offset = offsetSeconds(timeZone, now)
  const elapsed = (((nowSeconds + offset) % 86_400) + 86_400) % 86_400
  // The next midnight if today has 24 hours. A day with a clock change has 23 or 25 (or, in a
  // few zones, 23.5): the offset at that instant says how far to move it.
  const guess = nowSeconds + 86_400 - elapsed
  const midnight = guess - (offsetSeconds(timeZone, new Date(guess * 1000)) - offset)
  return Math.max(1, midnight - nowSeconds)
}

export type Quota = { limit: number, day: string, now: Date, holdSeconds: number, retryAfter: number }

/** Live holds in a quota row's `holds` (hold id → epoch second it stops counting), at `now`. */
function liveHolds (sql: ISql, holds: PendingQuery<Row[]>, now: Date) {
  return sql`(select count(*)::int from jsonb_each(${holds}) h where h.value::numeric > ${now.getTime() / 1000})`
}

/**
 * Takes one unit of today's quota for the duration of a model call, or 429 QUOTA_EXCEEDED.
 * One statement: ON CONFLICT DO UPDATE locks the user's quota row and judges its WHERE on the
 * row's latest version, so concurrent requests on any instance are counted one at a time:
 * used + live holds never pass the limit. Expired holds are dropped on the way.
 */
export async function holdUnit (sql: ISql, userId: string, quota: Quota): Promise<string> {
  const holdId = randomUUID()
  const expiresAt = (quota.now.getTime() + quota.holdSeconds * 1000) / 1000
  const [held] = await sql`
    insert into codegen_quota as q (user_id, day, holds)
    select ${userId}, ${quota.day}, jsonb_build_object(${holdId}::text, ${expiresAt}::numeric)
    where ${quota.limit} > 0
    on conflict (user_id, day) do update
      set holds = (select coalesce(jsonb_object_agg(h.key, h.value), '{}') from jsonb_each(q.holds) h
                   where h.value::numeric > ${quota.now.getTime() / 1000}) || excluded.holds
      where q.used + ${liveHolds(sql, sql`q.holds`, quota.now)} < ${quota.limit}
    returning 1`
  if (held === undefined) throw new AppError('QUOTA_EXCEEDED', { headers: { 'retry-after': String(quota.retryAfter) } })
  return holdId
}

/** Gives a held unit back: the call failed, timed out or its client left. */
export async function releaseUnit (sql: ISql, userId: string, quota: Quota, holdId: string): Promise<void> {
  await sql`update codegen_quota set holds = holds - ${holdId}::text where user_id = ${userId} and day = ${quota.day}`
}

type RecordRow = {
  id: string, language: string, feature: string, prompt: string, answer: string,
  promptTokens: number | null, completionTokens: number | null, createdAt: Date
}

function toRecord (row: RecordRow): CodegenRecord {
  return {
    id: row.id,
    language: row.language,
    feature: row.feature,
    prompt: row.prompt,
    answer: row.answer,
    usage: row.promptTokens === null || row.completionTokens === null ? null : { promptTokens: row.promptTokens, completionTokens: row.completionTokens },
    createdAt: row.createdAt.toISOString()
  }
}

const RECORD_COLUMNS = (sql: ISql) => sql`id, language, feature, prompt, answer, prompt_tokens, completion_tokens, created_at`

/**
 * Stores the answer and turns the held unit into a used one, in one statement; returns the
 * record and how many units remain today.
 */
export async function storeAnswer (
  sql: ISql, userId: string, holdId: string, quota: Quota, body: NewCodegenBody, answer: string, usage: Usage
): Promise<CodegenRecord & { remainingToday: number }> {
  const [row] = await sql<Array<RecordRow & { used: number, held: number }>>`
    with quota as (
      update codegen_quota set used = used + 1, holds = holds - ${holdId}::text
      where user_id = ${userId} and day = ${quota.day}
      returning used, ${liveHolds(sql, sql`holds`, quota.now)} as held
    ),
    -- Stored only with the unit counted (from quota): both, or neither.
    stored as (
      insert into codegen_requests (user_id, language, feature, prompt, answer, prompt_tokens, completion_tokens)
      select ${userId}::uuid, ${body.language}::text, ${body.feature}::text, ${body.prompt}::text, ${answer}::text,
        ${usage?.promptTokens ?? null}::int, ${usage?.completionTokens ?? null}::int
      from quota
      returning ${RECORD_COLUMNS(sql)}
    )
    select stored.*, quota.used, quota.held from stored, quota`
  // The quota row is made by holdUnit and only goes with its user; nothing was stored.
  if (row === undefined) throw new Error(`no quota row for the hold ${holdId}`)
  return { ...toRecord(row), remainingToday: Math.max(0, quota.limit - row.used - row.held) }
}

const NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'uuid']] }

/** The caller's history, newest first (codegen_requests_page_idx). */
export async function listRecords (sql: ISql, userId: string, page: KeysetRequest): Promise<Page<CodegenRecord>> {
  const k = keyset(sql, NEWEST_FIRST, page)
  const rows = await sql<Array<RecordRow & { position: string[] }>>`
    select ${RECORD_COLUMNS(sql)}, ${k.position}
    from codegen_requests
    where user_id = ${userId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toRecord)
}

/** One of the caller's records; anyone else's is 404, as if it did not exist. */
export async function getRecord (sql: ISql, userId: string, id: string): Promise<CodegenRecord> {
  const [row] = await sql<RecordRow[]>`select ${RECORD_COLUMNS(sql)} from codegen_requests where id = ${id} and user_id = ${userId}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return toRecord(row)
}

export async function deleteRecord (sql: ISql, userId: string, id: string): Promise<void> {
  const [row] = await sql`delete from codegen_requests where id = ${id} and user_id = ${userId} returning id`
  if (row === undefined) throw new AppError('NOT_FOUND')
}

/** Deletes the caller's whole history; the quota used today stays used. */
export async function deleteAllRecords (sql: ISql, userId: string): Promise<number> {
  const rows = await sql`delete from codegen_requests where user_id = ${userId} returning id`
  return rows.length
}

/** Totals over the caller's history, and today's quota. */
export async function stats (sql: ISql, userId: string, quota: Quota): Promise<CodegenStats> {
  const [totals] = await sql<Array<{ total: number, prompt: number, completion: number }>>`
    select count(*)::int as total, coalesce(sum(prompt_tokens), 0)::int as prompt, coalesce(sum(completion_tokens), 0)::int as completion
    from codegen_requests where user_id = ${userId}`
  const groups = await sql<Array<{ kind: 'language' | 'feature', label: string, count: number }>>`
    select 'language' as kind, language as label, count(*)::int as count from codegen_requests where user_id = ${userId} group by language
    union all
    select 'feature', feature, count(*)::int from codegen_requests where user_id = ${userId} group by feature`
  const [today] = await sql<Array<{ used: number, held: number }>>`
    select coalesce(q.used, 0) as used, coalesce(${liveHolds(sql, sql`q.holds`, quota.now)}, 0) as held
    from (values (1)) as one
    left join codegen_quota q on q.user_id = ${userId} and q.day = ${quota.day}`
  const tally = (kind: 'language' | 'feature') => {
    const entries = groups.filter(g => g.kind === kind).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    return { top: entries[0]?.label ?? null, by: Object.fromEntries(entries.map(g => [g.label, g.count])) }
  }
  const languages = tally('language')
  const features = tally('feature')
  return {
    total: totals!.total,
    today: today!.used,
    remainingToday: Math.max(0, quota.limit - today!.used - today!.held),
    topLanguage: languages.top,
    topFeature: features.top,
    byLanguage: languages.by,
    byFeature: features.by,
    tokens: { prompt: totals!.prompt, completion: totals!.completion }
  }
}
