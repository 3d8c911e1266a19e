// Versioned SQL migrations: db/migrations/NNN_name.sql, applied in order, each exactly once.
// All pending files run in one transaction holding an advisory lock, so several instances
// starting together against an empty database serialize here and the losers find nothing to do.
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Sql } from 'postgres'

// The build copies the .sql files next to the compiled runner (see package.json "build").
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/
// Any constant works; it only has to be the same in every instance of this service.
const MIGRATION_LOCK = 746_190_001

export async function listMigrations (): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter(f => MIGRATION_FILE.test(f)).sort()
}

/** Applies what is pending; returns the versions this call applied. */
export async function runMigrations (sql: Sql, log: (line: string) => void = () => {}): Promise<string[]> {
  const files = await listMigrations()
  return await sql.begin(async (tx) => {
    // A migration may rewrite a large table: the service's per-query bounds do not apply.
    await tx`set local statement_timeout = 0`
    await tx`set local lock_timeout = 0`
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`
    await tx`
      create table if not exists schema_migrations (
        version text primary key,
        applied_at timestamptz not null default now()
      )`
    const applied = new Set((await tx`select version from schema_migrations`).map(row => row.version as string))
    const pending = files.filter(f => !applied.has(f))
    for (const file of pending) {
      await tx.file(MIGRATIONS_DIR + file)
      await tx`insert into schema_migrations (version) values (${file})`
      log(`migration applied: ${file}`)
    }
    return pending
  })
}
