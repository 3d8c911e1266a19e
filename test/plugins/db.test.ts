import t from 'tap'
import postgres from 'postgres'
import { listMigrations } from '../../db/migrate.js'
import { build, createDatabase } from '../helper.js'

t.test('four instances starting together on an empty database → all ready, each migration applied once', async (t) => {
  const url = await createDatabase({ empty: true })
  const apps = await Promise.all([1, 2, 3, 4].map(() => build(t, { env: { DATABASE_URL: url } })))
  for (const app of apps) {
    const res = await app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(res.statusCode, 200, 'ready')
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const rows = await sql`select version, count(*)::int as n from schema_migrations group by version order by version`
  t.same(rows.map(r => r.version), await listMigrations(), 'every migration file, and nothing else')
  t.ok(rows.every(r => r.n === 1), 'each exactly once')
  const [{ present }] = await sql`select count(*)::int as present from pg_tables where schemaname = 'public' and tablename in ('users', 'posts', 'follows')` as unknown as [{ present: number }]
  t.equal(present, 3, 'the migrations really ran')
})

t.test('a second start on a migrated database applies nothing', async (t) => {
  const url = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: url } })
  const [{ n }] = await app.sql`select count(*)::int as n from schema_migrations` as unknown as [{ n: number }]
  t.equal(n, (await listMigrations()).length)
})

t.test('app.close() closes the pool: a query afterwards rejects', async (t) => {
  const app = await build(t)
  t.same([...await app.sql`select 1 as one`], [{ one: 1 }], 'the pool answers while the app runs')
  await app.close()
  await t.rejects(app.sql`select 1`, 'no query after close')
})

t.test('app.close() releases the connections on the server', async (t) => {
  const url = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: url } })
  await app.sql`select 1`
  const database = new URL(url).pathname.slice(1)
  const admin = postgres(url.replace(/\/[^/]*$/, '/postgres'), { max: 1, onnotice: () => {} })
  t.teardown(() => admin.end())
  const count = async () => (await admin`select count(*)::int as n from pg_stat_activity where datname = ${database} and application_name = 'campus-api'`)[0]?.n as number
  t.ok(await count() >= 1, 'connected while running')
  await app.close()
  t.equal(await count(), 0, 'no connection left after close')
})
