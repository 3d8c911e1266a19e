// `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database)
// without starting the HTTP server. Safe to run while instances are up: it takes the same lock.
import { runDatabaseScript } from './script.js'

await runDatabaseScript('migrate', async () => 0)
