// `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database)
// without starting the HTTP server. Safe to run while instances are up: it takes the same lock.
import postgres from 'postgres'
import { ConfigError, dataDirIsDefault, loadConfig } from '../plugins/config.js'
import { startEmbeddedPostgres } from './embedded.js'
import { runMigrations } from './migrate.js'

try {
  const config = loadConfig(process.env)
  const embedded = config.DATABASE_URL === undefined
    ? await startEmbeddedPostgres({ dataDir: config.DATA_DIR, database: 'app', relocate: dataDirIsDefault(config), log: () => {}, notice: (line) => process.stdout.write(line + '\n') })
    : undefined
  const sql = postgres(config.DATABASE_URL ?? embedded!.url, { max: 1, onnotice: () => {} })
  try {
    const applied = await runMigrations(sql, (line) => process.stdout.write(line + '\n'))
    process.stdout.write(applied.length === 0 ? 'migrations: nothing to apply\n' : `migrations: ${applied.length} applied\n`)
  } finally {
    await sql.end({ timeout: 5 })
    await embedded?.stop()
  }
} catch (error) {
  process.stderr.write((error instanceof ConfigError ? error.message : `migrate failed: ${(error as Error).message}`) + '\n')
  process.exit(1)
}
