import t from 'tap'
import { build } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { Catalog } from '../catalog.js'

// Many fresh users log in from one address: the per-address login limit would refuse them.
const app = await build(t, { env: { ADMIN_USERNAMES: 'friendadmin', LOGIN_RATE_LIMIT: '0' } })
const catalog = await Catalog.open(app, 'friendadmin')

function ask (from: TestUser, to: string) {
  return app.inject({ method: 'POST', url: '/friends/requests', headers: from.auth, payload: { username: to } })
}
async function requests (user: TestUser) {
  return (await app.inject({ url: '/friends/requests', headers: user.auth })).json()
}
async function friendNames (user: TestUser): Promise<string[]> {
  return (await app.inject({ url: '/friends', headers: user.auth })).json().items.map((f: { username: string }) => f.username)
}

t.test('a request, then its acceptance by the recipient → friends both ways, nothing pending', async (t) => {
  const [a, b] = await Promise.all([createUser(app), createUser(app)])
  const sent = await ask(a, b.username)
  t.equal(sent.statusCode, 201)
  t.same(sent.json(), { username: b.username, status: 'requested' })
  const repeated = await ask(a, b.username)
  t.equal(repeated.statusCode, 200, 'repeating changes nothing')
  t.same(repeated.json(), { username: b.username, status: 'requested' })

  const incoming = (await requests(b)).incoming
  t.same(incoming.map((r: { user: { username: string } }) => r.user.username), [a.username])
  t.same((await requests(a)).outgoing.map((r: { user: { username: string } }) => r.user.username), [b.username])

  const bySender = await app.inject({ method: 'POST', url: `/friends/requests/${incoming[0].id}/accept`, headers: a.auth })
  t.equal(bySender.statusCode, 403, 'the sender cannot accept their own request')
  const stranger = await createUser(app)
  t.equal((await app.inject({ method: 'POST', url: `/friends/requests/${incoming[0].id}/accept`, headers: stranger.auth })).statusCode, 404)

  const accepted = await app.inject({ method: 'POST', url: `/friends/requests/${incoming[0].id}/accept`, headers: b.auth })
  t.equal(accepted.statusCode, 200)
  t.same(accepted.json(), { username: a.username, status: 'friends' })
  t.same(await friendNames(a), [b.username])
  t.same(await friendNames(b), [a.username])
  t.same(await requests(a), { incoming: [], outgoing: [] })
  t.same(await requests(b), { incoming: [], outgoing: [] })
  const askAgain = await ask(a, b.username)
  t.equal(askAgain.statusCode, 200)
  t.same(askAgain.json(), { username: b.username, status: 'friends' })

  // A retry whose first answer was lost: the same answer, still one friendship.
  const retried = await app.inject({ method: 'POST', url: `/friends/requests/${incoming[0].id}/accept`, headers: b.auth })
  t.equal(retried.statusCode, 200, 'accepting again answers as the first time')
  t.same(retried.json(), { username: a.username, status: 'friends' })
  t.equal((await app.inject({ method: 'POST', url: `/friends/requests/${incoming[0].id}/accept`, headers: a.auth })).statusCode, 403, 'still not the sender\'s')
  t.same(await friendNames(b), [a.username])
  // Unfriending withdraws it: the old request is gone, a new one starts afresh.
  t.equal((await app.inject({ method: 'DELETE', url: `/friends/${a.username}`, headers: b.auth })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/friends/requests/${incoming[0].id}/accept`, headers: b.auth })).statusCode, 404, 'after unfriending')
  t.equal((await ask(a, b.username)).statusCode, 201, 'a new request after unfriending')
  t.same((await requests(b)).incoming.map((r: { user: { username: string } }) => r.user.username), [a.username])
})

t.test('asking someone who already asked you accepts their request: one friendship, nothing pending', async (t) => {
  const [a, b] = await Promise.all([createUser(app), createUser(app)])
  await ask(a, b.username)
  const res = await ask(b, a.username)
  t.equal(res.statusCode, 201)
  t.same(res.json(), { username: a.username, status: 'friends' })
  t.same(await friendNames(a), [b.username])
  t.same(await requests(a), { incoming: [], outgoing: [] })
})

t.test('crossed requests sent at the same moment end as one friendship, 10 times over', async (t) => {
  for (let i = 0; i < 10; i++) {
    const [a, b] = await Promise.all([createUser(app), createUser(app)])
    await Promise.all([ask(a, b.username), ask(b, a.username)])
    t.same(await friendNames(a), [b.username], `pair ${i}`)
    t.same(await requests(b), { incoming: [], outgoing: [] })
  }
})

t.test('a request to oneself → 400, to an unknown user → 404', async (t) => {
  const a = await createUser(app)
  const self = await ask(a, a.username.toUpperCase())
  t.equal(self.statusCode, 400)
  t.match(self.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/username' }] } })
  t.equal((await ask(a, 'nobody-here')).statusCode, 404)
})

t.test('a friend reads your timetables; a pending request or a stranger gets 403; unfriending takes it away at once', async (t) => {
  const [owner, friend, pending, stranger] = await Promise.all([createUser(app), createUser(app), createUser(app), createUser(app)])
  const table = await catalog.timetable(owner)
  const lecture = await catalog.lecture({ slots: [{ day: 'MON', start: '09:00', end: '10:00' }] })
  await catalog.add(owner, table, lecture.id)
  await ask(owner, friend.username)
  await ask(friend, owner.username)
  await ask(pending, owner.username)

  const read = (user: TestUser) => app.inject({ url: `/timetables/${table}`, headers: user.auth })
  const list = (user: TestUser) => app.inject({ url: `/friends/${owner.username}/timetables`, headers: user.auth })
  t.equal((await read(friend)).statusCode, 200)
  t.same((await read(friend)).json().lectures.map((l: { id: string }) => l.id), [lecture.id])
  t.same((await list(friend)).json().items.map((x: { id: string }) => x.id), [table])
  for (const user of [pending, stranger]) {
    t.equal((await read(user)).statusCode, 403)
    t.equal((await list(user)).statusCode, 403)
  }
  // Friendship is mutual: the owner reads the friend's timetables too.
  const friendsTable = await catalog.timetable(friend)
  t.equal((await app.inject({ url: `/timetables/${friendsTable}`, headers: owner.auth })).statusCode, 200)

  const gone = await app.inject({ method: 'DELETE', url: `/friends/${owner.username}`, headers: friend.auth })
  t.equal(gone.statusCode, 200)
  t.same(gone.json(), { unfriended: true })
  t.equal((await read(friend)).statusCode, 403, 'at once')
  t.equal((await list(friend)).statusCode, 403)
  t.same(await friendNames(owner), [])
  t.equal((await app.inject({ method: 'DELETE', url: `/friends/${owner.username}`, headers: friend.auth })).statusCode, 200, 'idempotent')
  t.equal((await app.inject({ method: 'DELETE', url: '/friends/nobody-here', headers: friend.auth })).statusCode, 404)
  t.equal((await app.inject({ url: '/friends/nobody-here/timetables', headers: friend.auth })).statusCode, 404)
})
