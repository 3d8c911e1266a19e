// What `npm run migrate` and `npm run seed` share: configuration, a connection to DATABASE_URL
// or the embedded database, migrations applied, and one clear line (never a stack) if anything
// fails. The work itself is the caller's; its result is the exit code.
import postgres, { type Sql } from 'postgres'
import { ConfigError, dataDirIsDefault, loadConfig } from '../plugins/config.js'
import type { Config } from '../schemas/config.js'
import { startEmbeddedPostgres } from './embedded.js'
import { runMigrations } from './migrate.js'

const say = (line: string) => process.stdout.write(line + '\n')

export async function runDatabaseScript (name: string, work: (sql: Sql, config: Config) => Promise<number>): Promise<never> {
  let code = 1
  try {
    const config = loadConfig(process.env)
    const embedded = config.DATABASE_URL === undefined
      ? await startEmbeddedPostgres({ dataDir: config.DATA_DIR, database: 'app', relocate: dataDirIsDefault(config), log: () => {}, notice: say })
      : undefined
    const sql = postgres(config.DATABASE_URL ?? embedded!.url, { max: 1, transform: postgres.camel, onnotice: () => {} })
    try {
      const applied = await runMigrations(sql, say)
      say(applied.length === 0 ? 'migrations: nothing to apply' : `migrations: ${applied.length} applied`)
      code = await work(sql, config)
    } finally {
      await sql.end({ timeout: 5 })
      await embedded?.stop()
    }
  } catch (error) {
    process.stderr.write((error instanceof ConfigError ? error.message : `${name} failed: ${(error as Error).message}`) + '\n')
  }
  process.exit(code)
}
