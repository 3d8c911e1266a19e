// Keyset pagination shared by every list. A cursor is the position of the last row sent, so
// rows inserted while a client pages never shift a page (OFFSET would repeat or skip rows) and
// a page costs the same however deep it is.
//
// A list names the columns it is ordered by, the last one unique (usually id), all in one
// direction; the cursor carries those columns' values as PostgreSQL's own text, so
// the position survives the round trip exactly (timestamps keep their microseconds; a JS Date
// would keep milliseconds and skip rows created within the same millisecond as the last sent).
//
//   const BY_NAME: SortKey = { direction: 'asc', columns: [['b.name', 'text'], ['b.id', 'uuid']] }
//   const k = keyset(sql, BY_NAME, page)
//   const rows = await sql`select b.*, ${k.position} from boards b where true ${k.after}
//                          order by ${k.orderBy} limit ${k.limit}`
//   return toKeysetPage(rows, page.limit, rowToBoard)
import type { ISql, PendingQuery, Row } from 'postgres'
import { invalidField } from '../plugins/errors.js'

export type Page<T> = { items: T[], nextCursor: string | null }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export type KeyType = 'timestamptz' | 'uuid' | 'text' | 'int'
export type SortKey = {
  direction: 'asc' | 'desc'
  /** Qualified column names (`p.created_at`) with the type their cursor value is cast back to. */
  columns: ReadonlyArray<readonly [column: string, type: KeyType]>
}
export type KeysetRequest = { limit: number, cursor?: string | undefined }

const INT = /^-?\d{1,18}$/
const PG_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:[+-](\d{2})(:[0-5]\d)?|Z)$/

/**
 * A time PostgreSQL casts without complaint: Date.parse alone takes February 30th (as March 1st)
 * where the cast would fail, as a 500, on a forged cursor.
 */
function isRealTime (value: string): boolean {
  const match = PG_TIME.exec(value)
  if (match === null) return false
  const [year, month, day, hour, minute, second, offsetHours] = [1, 2, 3, 4, 5, 6, 8].map(i => Number(match[i] ?? 0)) as
    [number, number, number, number, number, number, number]
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  return year >= 1 && daysInMonth !== undefined && day >= 1 && day <= daysInMonth &&
    hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 15
}

function validValue (value: unknown, type: KeyType): value is string {
  if (typeof value !== 'string' || value.length > 400) return false
  switch (type) {
    case 'uuid': return UUID.test(value)
    case 'int': return INT.test(value)
    case 'timestamptz': return isRealTime(value)
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
        // Sent as text and cast in SQL: a parameter PostgreSQL types as timestamptz goes
        // through postgres.js's Date serializer, which drops the microseconds, and the page
        // would then skip the rows created within the same millisecond as the last one sent.
        case 'timestamptz': return sql`${value}::text::timestamptz`
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
