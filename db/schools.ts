// Schools: creation (unique by name, case-insensitively) and the catalog, the newest first.
import type { ISql } from 'postgres'
import type { School } from '../schemas/schools.js'
import { AppError } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { likePattern } from './search.js'
import { identityKey } from './users.js'

type SchoolRow = { id: string, name: string, createdAt: Date }

function toSchool (row: SchoolRow): School {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() }
}

/** The newest first, as every list of the contract unless it says otherwise. */
const NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'uuid']] }

/** The new school, or 409 CONFLICT when one of that name (case-insensitively) exists. */
export async function createSchool (sql: ISql, name: string): Promise<School> {
  const [row] = await sql<SchoolRow[]>`
    insert into schools (name, name_key) values (${name}, ${identityKey(name)})
    on conflict (name_key) do nothing
    returning id, name, created_at`
  if (row === undefined) throw new AppError('CONFLICT')
  return toSchool(row)
}

export async function listSchools (sql: ISql, q: string | undefined, page: KeysetRequest): Promise<Page<School>> {
  const k = keyset(sql, NEWEST_FIRST, page)
  const rows = await sql<Array<SchoolRow & { position: string[] }>>`
    select id, name, created_at, ${k.position}
    from schools
    where true
      ${q === undefined ? sql`` : sql`and name_key like ${likePattern(identityKey(q))}`}
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toSchool)
}
