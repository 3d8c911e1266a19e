// As root, the embedded PostgreSQL runs as the postgres user. A checkout in /root or in a
// `mktemp -d` folder (mode 700) is closed to that user: with DATA_DIR at its default the
// cluster moves to a folder of its own under /var/lib/campus-api and says so; an explicit
// DATA_DIR there is refused with one clear line. Root only: skipped otherwise.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { startEmbeddedPostgres } from '../db/embedded.js'

const isRoot = process.getuid?.() === 0

t.test('as root, a data folder the postgres user cannot enter moves under /var/lib/campus-api, and its data survives a restart', { skip: isRoot ? false : 'needs root: run the suite as root to cover it' }, async (t) => {
  // mkdtemp makes the folder mode 700: the postgres user cannot enter it.
  const closed = mkdtempSync(join(tmpdir(), 'campus-api-closed-'))
  t.teardown(() => rmSync(closed, { recursive: true, force: true }))
  const dataDir = join(closed, '.data')
  const notices: string[] = []
  const start = () => startEmbeddedPostgres({ dataDir, database: 'app', relocate: true, log: () => {}, notice: (line) => notices.push(line) })

  const first = await start()
  const moved = /embedded PostgreSQL data in (\/var\/lib\/campus-api\/\S+) \(the postgres user cannot enter (\S+)\)/.exec(notices.join('\n'))
  t.ok(moved, `one line says where the data lives: ${notices.join(' | ')}`)
  t.equal(moved?.[2], closed, 'and which folder was closed')
  t.teardown(() => rmSync(moved![1]!, { recursive: true, force: true }))
  const sql = postgres(first.url, { max: 1, onnotice: () => {} })
  await sql`create table kept (v text)`
  await sql`insert into kept values ('still here')`
  await sql.end()
  await first.stop()

  const second = await start()
  const again = postgres(second.url, { max: 1 })
  t.same(await again`select v from kept`, [{ v: 'still here' }], 'the same cluster after a restart')
  await again.end()
  await second.stop()
})

t.test('as root, an explicit DATA_DIR the postgres user cannot enter is refused with one line naming the folder', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const closed = mkdtempSync(join(tmpdir(), 'campus-api-closed-'))
  t.teardown(() => rmSync(closed, { recursive: true, force: true }))
  await t.rejects(
    startEmbeddedPostgres({ dataDir: join(closed, 'data'), database: 'app', relocate: false, log: () => {} }),
    { message: `embedded PostgreSQL runs as the postgres user, which cannot enter ${closed}: set DATA_DIR to a directory outside it, or set DATABASE_URL` }
  )
})
