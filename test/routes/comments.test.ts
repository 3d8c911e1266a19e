import t from 'tap'
import { build } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { collectPages } from '../paging.js'

// Many fresh users log in from one address: the per-address login limit would refuse them.
const app = await build(t, { env: { ADMIN_USERNAMES: 'commentadmin', LOGIN_RATE_LIMIT: '0' } })
const [writer, alice, bob, carol, admin] = await Promise.all([
  createUser(app), createUser(app), createUser(app), createUser(app), createUser(app, { username: 'commentadmin' })
])

async function newPost (author: TestUser, anonymous = false): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: '질문', body: '본문', anonymous } })
  return res.json().id
}
function comment (user: TestUser, postId: string, fields: { body?: string, parentId?: string, anonymous?: boolean } = {}) {
  return app.inject({ method: 'POST', url: `/posts/${postId}/comments`, headers: user.auth, payload: { body: '댓글', ...fields } })
}
async function thread (user: TestUser, postId: string) {
  const res = await app.inject({ url: `/posts/${postId}/comments`, headers: user.auth })
  t.equal(res.statusCode, 200)
  return res.json().items
}
async function commentCount (postId: string): Promise<number> {
  return (await app.inject({ url: `/posts/${postId}`, headers: writer.auth })).json().commentCount
}

t.test('POST /posts/{id}/comments → 201; named comments show their author; commentCount follows', async (t) => {
  const post = await newPost(writer)
  const res = await comment(alice, post, { body: '좋은 글이네요' })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { postId: post, parentId: null, body: '좋은 글이네요', deleted: false, anonymous: false, anonymousLabel: null, mine: true, author: { id: alice.id, username: alice.username } })
  t.equal(await commentCount(post), 1)
  const [seen] = await thread(bob, post)
  t.match(seen, { mine: false, author: { id: alice.id }, replies: [], replyCount: 0 })
})

t.test('replies: one level; a reply to a reply attaches to the top-level comment; oldest first both ways', async (t) => {
  const post = await newPost(writer)
  const first = (await comment(alice, post, { body: 'first' })).json()
  const second = (await comment(bob, post, { body: 'second' })).json()
  const reply = (await comment(bob, post, { body: 'reply', parentId: first.id })).json()
  t.equal(reply.parentId, first.id)
  const nested = (await comment(carol, post, { body: 'reply to reply', parentId: reply.id })).json()
  t.equal(nested.parentId, first.id, 'attached to the top-level comment')
  const items = await thread(alice, post)
  t.same(items.map((c: { body: string }) => c.body), ['first', 'second'])
  t.same(items[0].replies.map((c: { body: string }) => c.body), ['reply', 'reply to reply'])
  t.equal(items[0].replyCount, 2)
  t.same(items[1].replies, [])
  t.equal(second.parentId, null)
  t.equal(await commentCount(post), 4)
})

t.test('a parent from another post → 400; an unknown or deleted post → 404', async (t) => {
  const [post, other] = await Promise.all([newPost(writer), newPost(writer)])
  const foreign = (await comment(alice, other)).json()
  const res = await comment(alice, post, { parentId: foreign.id })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/parentId' }] } })
  t.equal((await comment(alice, '00000000-0000-4000-8000-000000000000')).statusCode, 404)
  await app.inject({ method: 'DELETE', url: `/posts/${other}`, headers: writer.auth })
  t.equal((await comment(alice, other)).statusCode, 404)
  t.equal((await app.inject({ url: `/posts/${other}/comments`, headers: alice.auth })).statusCode, 404)
})

t.test('anonymous labels: 익명1, 익명2 in order of first anonymous comment, stable; 익명(글쓴이) for the anonymous post\'s author', async (t) => {
  const post = await newPost(writer, true)
  const a1 = (await comment(alice, post, { anonymous: true })).json()
  const b1 = (await comment(bob, post, { anonymous: true })).json()
  await comment(admin, post, { anonymous: false, body: 'named' })
  const a2 = (await comment(alice, post, { anonymous: true, parentId: b1.id })).json()
  const w1 = (await comment(writer, post, { anonymous: true })).json()
  const c1 = (await comment(carol, post, { anonymous: true })).json()
  t.same([a1, b1, a2, w1, c1].map(c => c.anonymousLabel), ['익명1', '익명2', '익명1', '익명(글쓴이)', '익명3'])
  t.equal(a1.author, null, 'author: null for the writer too, as the contract has it')
  t.equal(a1.mine, true, 'mine tells the writer it is theirs')

  // Deleting a comment does not free its number.
  await app.inject({ method: 'DELETE', url: `/comments/${a1.id}`, headers: alice.auth })
  const a3 = (await comment(alice, post, { anonymous: true })).json()
  t.equal(a3.anonymousLabel, '익명1')

  const items = await thread(carol, post)
  for (const c of [...items, ...items.flatMap((i: { replies: unknown[] }) => i.replies)]) {
    if (c.anonymous && !c.mine) t.equal(c.author, null, `${c.anonymousLabel} hides its writer`)
  }
  const raw = (await app.inject({ url: `/posts/${post}/comments`, headers: carol.auth })).body
  for (const secret of [alice.id, alice.username, bob.id, bob.username, writer.id, writer.username]) {
    t.notOk(raw.includes(secret), `nothing in the raw answer names ${secret}`)
  }
})

t.test('ten writers commenting anonymously at once get 익명1…익명10, each once; one writer twice at once gets one label', async (t) => {
  const post = await newPost(writer)
  const writers = await Promise.all(Array.from({ length: 10 }, () => createUser(app)))
  const answers = await Promise.all(writers.map(w => comment(w, post, { anonymous: true })))
  t.same(answers.map(a => a.statusCode), Array(10).fill(201))
  const labels = answers.map(a => a.json().anonymousLabel).sort((x: string, y: string) => Number(x.slice(2)) - Number(y.slice(2)))
  t.same(labels, Array.from({ length: 10 }, (_, i) => `익명${i + 1}`))

  const twice = await Promise.all([comment(alice, post, { anonymous: true }), comment(alice, post, { anonymous: true })])
  t.equal(twice[0].json().anonymousLabel, twice[1].json().anonymousLabel)
  t.equal(twice[0].json().anonymousLabel, '익명11')
  t.equal(await commentCount(post), 12, 'every comment counted once')
})

t.test('DELETE /comments/{id}: with replies it stays as {body:null, deleted:true}; without, it disappears; counts follow', async (t) => {
  const post = await newPost(writer)
  const top = (await comment(alice, post, { body: 'top' })).json()
  const reply = (await comment(bob, post, { body: 'reply', parentId: top.id })).json()
  const lone = (await comment(bob, post, { body: 'lone' })).json()
  t.equal(await commentCount(post), 3)

  t.equal((await app.inject({ method: 'DELETE', url: `/comments/${top.id}`, headers: bob.auth })).statusCode, 403)
  const gone = await app.inject({ method: 'DELETE', url: `/comments/${top.id}`, headers: alice.auth })
  t.same(gone.json(), { deleted: true })
  t.equal((await app.inject({ method: 'DELETE', url: `/comments/${top.id}`, headers: alice.auth })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/comments/${lone.id}`, headers: admin.auth })).statusCode, 200, 'an admin may')

  let items = await thread(carol, post)
  t.equal(items.length, 1, 'the lone comment disappeared')
  t.match(items[0], { id: top.id, body: null, deleted: true, author: null, anonymousLabel: null })
  t.same(items[0].replies.map((r: { body: string }) => r.body), ['reply'])
  t.equal(await commentCount(post), 1)

  await app.inject({ method: 'DELETE', url: `/comments/${reply.id}`, headers: bob.auth })
  items = await thread(carol, post)
  t.same(items, [], 'the placeholder goes with its last reply')
  t.equal(await commentCount(post), 0)
})

t.test('GET /posts/{id}/comments pages top-level comments oldest first without repeats', async (t) => {
  const post = await newPost(writer)
  for (let i = 0; i < 7; i++) await comment(alice, post, { body: `c${i}` })
  const { items, pages } = await collectPages<{ body: string }>(app, `/posts/${post}/comments`, alice.auth, 3)
  t.same(items.map(c => c.body), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'])
  t.equal(pages, 3)
})

t.test('ids in upper case reach the same cached pages their changes drop; urn:uuid: ids are 400, never 500', async (t) => {
  const postId = await newPost(writer)
  const upper = `/posts/${postId.toUpperCase()}/comments`
  const read = async () => (await app.inject({ url: upper, headers: alice.auth })).json().items.length
  t.equal(await read(), 0)
  t.equal((await comment(bob, postId)).statusCode, 201)
  t.equal(await read(), 1, 'the new comment shows through the upper-case path too')
  t.equal((await app.inject({ method: 'DELETE', url: `/posts/${postId}`, headers: writer.auth })).statusCode, 200)
  t.equal((await app.inject({ url: upper, headers: alice.auth })).statusCode, 404, 'and the deletion')

  const other = await newPost(writer)
  for (const [name, res] of [
    ['in the path', await app.inject({ url: `/posts/urn:uuid:${other}`, headers: alice.auth })],
    ['in a body', await comment(alice, other, { parentId: `urn:uuid:${other}` })],
    ['a message target', await app.inject({ method: 'POST', url: '/messages', headers: alice.auth, payload: { body: '안녕', postId: `urn:uuid:${other}` } })]
  ] as const) {
    t.equal(res.statusCode, 400, name)
    t.equal(res.json().error.code, 'VALIDATION_FAILED', name)
  }
})

t.test('a comment of a deleted post cannot be deleted any more: 404, and the post\'s count stays', async (t) => {
  const postId = await newPost(writer)
  const c = (await comment(alice, postId)).json()
  t.equal((await app.inject({ method: 'DELETE', url: `/posts/${postId}`, headers: writer.auth })).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/comments/${c.id}`, headers: alice.auth })).statusCode, 404)
  const [{ count }] = await app.sql`select comment_count as count from posts where id = ${postId}`
  t.equal(count, 1)
})
