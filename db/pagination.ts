// Keyset pagination shared by every list: pages are ordered newest first by
// (created_at desc, id desc) and a cursor is the position of the last row sent, so rows
// inserted while a client pages never shift a page (OFFSET would repeat or skip rows) and a
// page costs the same however deep it is.
//
// The position carries created_at as PostgreSQL's own text at microsecond precision: a JS
// Date keeps milliseconds only, and a truncated position would skip rows created within the
// same millisecond as the last row sent.
import type { ISql, PendingQuery, Row } from 'postgres'
import { invalidField } from '../plugins/errors.js'

/** The last row sent: its created_at (UTC, microseconds) and id. */
export type Position = { at: string, id: string }

export type PageRequest = { limit: number, after: Position | undefined }
export type Page<T> = { items: T[], nextCursor: string | null }

const AT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Rejects shapes that are right but dates that are not, like February 30th. */
function isRealTime (at: string): boolean {
  const time = new Date(at)
  return !Number.isNaN(time.getTime()) && time.toISOString().slice(0, 23) === at.slice(0, 23)
}

export function encodeCursor (position: Position): string {
  return Buffer.from(`${position.at}|${position.id}`, 'utf8').toString('base64url')
}

/** The position in `?cursor=`, or a 400 for anything this module did not produce. */
export function decodeCursor (cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined
  const [at = '', id = '', ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  // Checked strictly so a forged cursor can never reach a cast in SQL and fail there as a 500.
  if (rest.length > 0 || !AT.test(at) || !UUID.test(id) || !isRealTime(at)) {
    throw invalidField('/querystring/cursor', 'is not a cursor returned by this list')
  }
  return { at, id }
}

/** The page a `?limit=&cursor=` query asks for; a cursor this module did not produce is a 400. */
export function pageRequest (query: { limit: number, cursor?: string | undefined }): PageRequest {
  return { limit: query.limit, after: decodeCursor(query.cursor) }
}

/** The select-list column a page query adds so its rows carry their position. */
export function positionAt (sql: ISql, createdAt: PendingQuery<Row[]>): PendingQuery<Row[]> {
  return sql`to_char(${createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position_at`
}

/** `and (created_at, id) < position`, or nothing on the first page. */
export function after (
  sql: ISql, createdAt: PendingQuery<Row[]>, id: PendingQuery<Row[]>, position: Position | undefined
): PendingQuery<Row[]> {
  return position === undefined
    ? sql``
    : sql`and (${createdAt}, ${id}) < (${position.at}::timestamptz, ${position.id}::uuid)`
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that another page
 * exists, so `nextCursor` is null exactly on the last page.
 */
export function toPage<R extends { positionAt: string, id: string }, T> (
  rows: R[], limit: number, toItem: (row: R) => T
): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items: items.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ at: last.positionAt, id: last.id }) : null
  }
}

// ---------------------------------------------------------------------------------------------
// Any sort key. A list names the columns it is ordered by, the last one unique (usually id),
// all in one direction; the cursor carries those columns' values as PostgreSQL's own text, so
// the position survives the round trip exactly (timestamps keep their microseconds).
//
//   const BY_NAME: SortKey = { direction: 'asc', columns: [['b.name', 'text'], ['b.id', 'uuid']] }
//   const k = keyset(sql, BY_NAME, page)
//   const rows = await sql`select b.*, ${k.position} from boards b where true ${k.after}
//                          order by ${k.orderBy} limit ${k.limit}`
//   return toKeysetPage(rows, page.limit, rowToBoard)

export type KeyType = 'timestamptz' | 'uuid' | 'text' | 'int'
export type SortKey = {
  direction: 'asc' | 'desc'
  /** Qualified column names (`p.created_at`) with the type their cursor value is cast back to. */
  columns: ReadonlyArray<readonly [column: string, type: KeyType]>
}
export type KeysetRequest = { limit: number, cursor?: string | undefined }

const INT = /^-?\d{1,18}$/
const PG_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/

function validValue (value: unknown, type: KeyType): value is string {
  if (typeof value !== 'string' || value.length > 400) return false
  switch (type) {
    case 'uuid': return UUID.test(value)
    case 'int': return INT.test(value)
    case 'timestamptz': return PG_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')))
    case 'text': return !value.includes('\u0000')
  }
}

/** The key values in `?cursor=`, or a 400 for anything this module did not produce. */
export function decodeKeyset (key: SortKey, cursor: string | undefined): string[] | undefined {
  if (cursor === undefined) return undefined
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    values = undefined
  }
  // Checked strictly so a forged cursor can never reach a cast in SQL and fail there as a 500.
  if (!Array.isArray(values) || values.length !== key.columns.length ||
      !values.every((value, i) => validValue(value, key.columns[i]![1]))) {
    throw invalidField('/querystring/cursor', 'is not a cursor returned by this list')
  }
  return values as string[]
}

/**
 * The SQL pieces of one page: `position` for the select list, `after` (`and (cols) > (values)`,
 * or nothing on the first page) for the where clause, `orderBy`, and `limit` (one more row than
 * asked, which only tells that another page exists).
 */
export function keyset (sql: ISql, key: SortKey, page: KeysetRequest): {
  position: PendingQuery<Row[]>, after: PendingQuery<Row[]>, orderBy: PendingQuery<Row[]>, limit: number
} {
  const values = decodeKeyset(key, page.cursor)
  const columns = key.columns.map(([column]) => sql`${sql(column)}`)
  const list = (parts: Array<PendingQuery<Row[]>>, separator: PendingQuery<Row[]>): PendingQuery<Row[]> =>
    parts.reduce<PendingQuery<Row[]>>((acc, part, i) => i === 0 ? sql`${part}` : sql`${acc}${separator}${part}`, sql``)
  const dir = key.direction === 'asc' ? sql`asc` : sql`desc`
  const position = sql`array[${list(columns.map(c => sql`${c}::text`), sql`, `)}] as position`
  const orderBy = list(columns.map(c => sql`${c} ${dir}`), sql`, `)
  let after = sql``
  if (values !== undefined) {
    const cast = (value: string, type: KeyType): PendingQuery<Row[]> => {
      switch (type) {
        case 'timestamptz': return sql`${value}::timestamptz`
        case 'uuid': return sql`${value}::uuid`
        case 'int': return sql`${value}::bigint`
        case 'text': return sql`${value}::text`
      }
    }
    const typed = list(key.columns.map(([, type], i) => cast(values[i]!, type)), sql`, `)
    after = key.direction === 'asc'
      ? sql`and (${list(columns, sql`, `)}) > (${typed})`
      : sql`and (${list(columns, sql`, `)}) < (${typed})`
  }
  return { position, after, orderBy, limit: page.limit + 1 }
}

/** Turns the `limit + 1` rows of a keyset query into a page of contract objects. */
export function toKeysetPage<R extends { position: string[] }, T> (rows: R[], limit: number, toItem: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items: items.map(toItem),
    nextCursor: rows.length > limit && last !== undefined
      ? Buffer.from(JSON.stringify(last.position), 'utf8').toString('base64url')
      : null
  }
}
