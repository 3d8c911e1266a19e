// Fills a migrated database for the benchmark through SQL, not the API: users, posts spread
// over a year, follows. Everything is generated inside PostgreSQL (generate_series, INSERT …
// SELECT), so 200 000 posts take seconds. Ids are derived from the row number (md5 → uuid),
// so posts and follows reference users without a join and every run builds the same graph.
import { createHash } from 'node:crypto'
import type { Sql } from 'postgres'

export type SeedSize = {
  users: number
  posts: number
  /** How many others each user follows: user i follows users i+1 … i+follows (mod users). */
  follows: number
}

export const BENCH_PASSWORD = 'bench-password-0123'

/** The id SQL's `md5(key)::uuid` gives a bench row (e.g. 'bench-user-1'), without asking it. */
export function benchId (key: string): string {
  const hex = createHash('md5').update(key).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The login name of bench user `i` (1-based). */
export function benchUsername (i: number): string {
  return `bench_${String(i).padStart(6, '0')}`
}

/**
 * Runs `fill` with the table's secondary indexes dropped and recreated afterwards (a sorted
 * build is many times faster than a million random b-tree inserts) and, where the role may,
 * without foreign-key triggers: the rows are correct by construction. Index definitions are
 * read from the catalog, so the migrations stay their only source.
 */
export async function bulk (sql: Sql, tables: string[], fill: (tx: Sql) => Promise<void>): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`set local maintenance_work_mem = '256MB'`
    // Needs superuser (the embedded server's); elsewhere the triggers simply run.
    await tx.savepoint(sp => sp`set local session_replication_role = replica`).catch(() => {})
    const indexes = await tx<{ name: string, definition: string }[]>`
      select i.indexname as name, i.indexdef as definition
      from pg_indexes i
      where i.schemaname = current_schema() and i.tablename in ${tx(tables)}
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`
    for (const { name } of indexes) await tx`drop index ${tx(name)}`
    await fill(tx as unknown as Sql)
    for (const { definition } of indexes) await tx.unsafe(definition)
  })
  for (const table of tables) await sql`vacuum analyze ${sql(table)}`
}

/** Users and follows; `passwordHash` is one argon2id hash of BENCH_PASSWORD shared by all. */
export async function seedUsersAndFollows (sql: Sql, size: SeedSize, passwordHash: string): Promise<void> {
  if (size.follows >= size.users) throw new Error(`each user follows ${size.follows} others: needs more than ${size.follows} users`)
  const { users, follows } = size
  await bulk(sql, ['users', 'follows'], async (tx) => {
    // Accounts created over the year before the first post.
    await tx`
      insert into users (id, username, username_key, nickname, nickname_key, email, email_key, password_hash, created_at, updated_at)
      select md5('bench-user-' || i)::uuid,
             'bench_' || lpad(i::text, 6, '0'), 'bench_' || lpad(i::text, 6, '0'),
             'Bench ' || i, 'bench ' || i,
             'bench_' || i || '@example.test', 'bench_' || i || '@example.test',
             ${passwordHash},
             now() - interval '730 days' + (i * interval '365 days') / ${users},
             now() - interval '730 days' + (i * interval '365 days') / ${users}
      from generate_series(1, ${users}) as i
      order by 1`
    // Sorted by the primary key, so its b-tree only ever grows at the right edge.
    await tx`
      insert into follows (follower_id, followee_id, created_at)
      select md5('bench-user-' || i)::uuid,
             md5('bench-user-' || (1 + (i - 1 + k) % ${users}))::uuid,
             now() - interval '365 days' + (k * interval '1 day')
      from generate_series(1, ${users}) as i, generate_series(1, ${follows}) as k
      order by 1, 2`
  })
}

/**
 * Posts spread over the last year. Post j is written by user 1 + (j * 7919 mod users) (7919
 * is prime: authors spread evenly, each author's posts over the whole year); the newest post
 * is j = posts. The body is about 300 characters, like a short forum post.
 */
export async function seedPosts (sql: Sql, size: SeedSize): Promise<void> {
  const { users, posts } = size
  await bulk(sql, ['posts'], async (tx) => {
    await tx`
      insert into posts (id, author_id, title, body, created_at, updated_at)
      select md5('bench-post-' || j)::uuid,
             md5('bench-user-' || (1 + (j::bigint * 7919) % ${users}))::uuid,
             'Post ' || j || ' about campus life',
             repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 5) || 'Post number ' || j || '.',
             ts, ts
      from generate_series(1, ${posts}) as j,
           lateral (select now() - interval '365 days' + (j * interval '365 days') / ${posts}) as t(ts)
      order by 1`
  })
}

/** Schools 1 … count, id md5('bench-school-' || s): the campus domains' data belongs to them. */
export async function seedSchools (sql: Sql, count: number): Promise<void> {
  await sql`
    insert into schools (id, name, name_key)
    select md5('bench-school-' || s)::uuid, '벤치대학교 ' || s, '벤치대학교 ' || s
    from generate_series(1, ${count}) as s`
}
