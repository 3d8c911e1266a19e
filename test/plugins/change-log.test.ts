// The change log (migration 013, db/change-log.ts): what triggers announce reaches every
// follower once, whatever order the writing transactions commit in, and never for a rollback.
import t, { type Test } from 'tap'
import postgres from 'postgres'
import { ChangeLog } from '../../db/change-log.js'
import { createDatabase, eventually } from '../helper.js'

async function setUp (t: Test) {
  const sql = postgres(await createDatabase(), { max: 4, onnotice: () => {} })
  t.teardown(() => sql.end())
  const errors: unknown[] = []
  const log = new ChangeLog(sql, { intervalMs: 10, keepMs: 60_000, onError: (error) => errors.push(error) })
  t.teardown(() => log.stop())
  const seen: string[] = []
  let resumed = 0
  await log.follow('test', { onChange: (payload) => seen.push(payload), onResume: () => { resumed++ } })
  return { sql, log, seen, errors, resumed: () => resumed }
}

t.test('a change committed after a later one is still handed over, once; a rolled back one never', async (t) => {
  const { sql, log, seen } = await setUp(t)
  // `first` takes its id and transaction id first, and commits last.
  const first = await sql.reserve()
  t.teardown(() => first.release())
  await first`begin`
  await first`select announce('test', 'first')`
  await sql`select announce('test', 'second')`
  await sql.begin(async (tx) => {
    await tx`select announce('test', 'rolled back')`
    throw new Error('undone')
  }).catch(() => {})
  await log.settled()
  t.same(seen, ['second'], 'the committed one; the open one is not visible yet')
  await first`commit`
  await log.settled()
  await log.settled()
  t.same(seen, ['second', 'first'], 'the late one arrives, and nothing twice')
})

t.test('a change made while the log cannot be read is not lost: reads resume and followers start over', async (t) => {
  const { sql, log, seen, errors, resumed } = await setUp(t)
  t.equal(resumed(), 1, 'resumed once when it began following')
  await sql`alter table change_log rename to change_log_away`
  await eventually(async () => log.failing, true, 5000)
  await sql`insert into change_log_away (channel, payload) values ('test', 'while unreadable')`
  await sql`alter table change_log_away rename to change_log`
  await log.settled()
  t.equal(log.failing, false)
  t.equal(errors.length, 1, 'the outage is reported once, not at every read')
  t.equal(resumed(), 2, 'followers were told changes may have been missed')
  t.same(seen, ['while unreadable'], 'and the row written meanwhile still arrives')
})

t.test('no function of the schema sends a NOTIFY any more (each would serialize every commit)', async (t) => {
  const { sql } = await setUp(t)
  const rows = await sql`
    select p.proname from pg_proc p
    where p.pronamespace = current_schema()::regnamespace and p.prosrc like '%pg_notify(%'`
  t.same(rows.map(r => r.proname), [])
  const [{ announcing }] = await sql<[{ announcing: number }]>`
    select count(*)::int as announcing from pg_proc p
    where p.pronamespace = current_schema()::regnamespace and p.prosrc like '%announce(%'`
  t.ok(announcing >= 10, `${announcing} trigger functions announce through the log`)
})

t.test('rows older than the time kept are deleted by the readers', async (t) => {
  const { sql } = await setUp(t)
  const log = new ChangeLog(sql, { intervalMs: 10, keepMs: 200, onError: () => {} })
  t.teardown(() => log.stop())
  await log.follow('other', { onChange: () => {}, onResume: () => {} })
  await sql`insert into change_log (channel, payload, written_at) values ('test', 'old', now() - interval '1 hour')`
  await eventually(async () => (await sql`select 1 from change_log where payload = 'old'`).length, 0, 5000)
  t.pass('the old row is gone')
})

t.test('a follower that throws does not stop the reads: the failure is reported, every follower starts over, later changes arrive', async (t) => {
  const { sql, log, seen, errors, resumed } = await setUp(t)
  await log.follow('fragile', { onChange: (payload) => { throw new Error(`cannot apply ${payload}`) }, onResume: () => {} })
  await sql`select announce('fragile', 'bad')`
  await log.settled() // the read that met the throw failed; this resolves with the next one that worked
  t.equal(errors.length, 1, 'reported once')
  t.match(String(errors[0]), 'cannot apply bad')
  t.equal(resumed(), 2, 'the other follower was told changes may have been missed')
  await sql`select announce('test', 'later')`
  await log.settled()
  t.same(seen, ['later'], 'and reads go on')
  t.equal(log.failing, false)
})
