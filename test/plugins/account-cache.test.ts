import t from 'tap'
import { build, eventually, fileDatabaseUrl } from '../helper.js'
import { createUser } from '../accounts.js'

type App = Awaited<ReturnType<typeof build>>

async function nicknameSeenBy (app: App, token: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
  return res.json().nickname
}

t.test('GET /auth/me answers from memory: with the trigger off, a change is not seen', async (t) => {
  const app = await build(t)
  const user = await createUser(app, { nickname: 'before' })
  t.equal(await nicknameSeenBy(app, user.token), 'before')
  await app.sql.begin(async (tx) => {
    await tx`alter table users disable trigger users_notify_changed`
    await tx`update users set nickname = 'sneaky' where id = ${user.id}`
    await tx`alter table users enable trigger users_notify_changed`
  })
  t.equal(await nicknameSeenBy(app, user.token), 'before', 'served from the cache, no database round trip')
})

t.test('any change of a user row, even a plain UPDATE, reaches the cache of every instance within a second', async (t) => {
  const database = await fileDatabaseUrl()
  const first = await build(t, { env: { DATABASE_URL: database } })
  const second = await build(t, { env: { DATABASE_URL: database } })
  const user = await createUser(first, { nickname: 'old name' })
  t.equal(await nicknameSeenBy(first, user.token), 'old name')
  t.equal(await nicknameSeenBy(second, user.token), 'old name')

  // Nothing announced here: the trigger of migration 009 is what announces it.
  await first.sql`update users set nickname = 'new name' where id = ${user.id}`
  for (const [name, app] of [['first', first], ['second', second]] as const) {
    const ms = await eventually(() => nicknameSeenBy(app, user.token), 'new name', 1000)
    t.pass(`the ${name} instance sees the change (${ms} ms)`)
  }
})
