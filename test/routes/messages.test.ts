import t from 'tap'
import { build } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'

// Many fresh users log in from one address: the per-address login limit would refuse them.
const app = await build(t, { env: { LOGIN_RATE_LIMIT: '0' } })

function send (from: TestUser, target: Record<string, string>, body = '안녕하세요') {
  return app.inject({ method: 'POST', url: '/messages', headers: from.auth, payload: { body, ...target } })
}
async function conversations (user: TestUser) {
  const res = await app.inject({ url: '/messages/conversations', headers: user.auth })
  t.equal(res.statusCode, 200)
  return res.json().items
}
async function post (author: TestUser, anonymous: boolean): Promise<string> {
  return (await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: '책 팝니다', body: '연락 주세요', anonymous } })).json().id
}

t.test('POST /messages toUsername → 201; both sides list the conversation with the last message and unread counts', async (t) => {
  const [a, b] = await Promise.all([createUser(app), createUser(app)])
  const res = await send(a, { toUsername: b.username }, '첫 메시지')
  t.equal(res.statusCode, 201)
  t.match(res.json(), { body: '첫 메시지', mine: true })
  await send(a, { toUsername: b.username }, '두 번째')

  const [mine] = await conversations(a)
  t.match(mine, { with: { id: b.id, username: b.username }, anonymous: false, postId: null, lastMessage: { body: '두 번째', mine: true }, unreadCount: 0 })
  const [theirs] = await conversations(b)
  t.match(theirs, { id: mine.id, with: { id: a.id }, lastMessage: { body: '두 번째', mine: false }, unreadCount: 2 })

  const read = await app.inject({ url: `/messages/conversations/${mine.id}`, headers: b.auth })
  t.equal(read.statusCode, 200)
  t.same(read.json().items.map((m: { body: string, mine: boolean }) => [m.body, m.mine]), [['두 번째', false], ['첫 메시지', false]])
  t.equal((await conversations(b))[0].unreadCount, 0, 'reading marks them read')

  await send(b, { conversationId: mine.id }, '답장')
  t.equal((await conversations(a))[0].unreadCount, 1)
  t.equal((await conversations(a)).length, 1, 'one conversation per pair')
})

t.test('a non-participant gets 404 for a conversation; a bad target → 400; an unknown one → 404', async (t) => {
  const [a, b, stranger] = await Promise.all([createUser(app), createUser(app), createUser(app)])
  const sent = (await send(a, { toUsername: b.username })).json()
  t.equal((await app.inject({ url: `/messages/conversations/${sent.conversationId}`, headers: stranger.auth })).statusCode, 404)
  t.equal((await send(stranger, { conversationId: sent.conversationId })).statusCode, 404)
  t.equal((await send(a, {})).statusCode, 400, 'no target')
  t.equal((await send(a, { toUsername: b.username, postId: '00000000-0000-4000-8000-000000000000' })).statusCode, 400, 'two targets')
  t.equal((await send(a, { toUsername: a.username })).statusCode, 400, 'oneself')
  t.equal((await send(a, { toUsername: 'nobody-here' })).statusCode, 404)
  t.equal((await send(a, { postId: '00000000-0000-4000-8000-000000000000' })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/messages', headers: a.auth, payload: { body: '', toUsername: b.username } })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: '/messages', headers: a.auth, payload: { body: 'x'.repeat(1001), toUsername: b.username } })).statusCode, 400)
})

t.test('to an anonymous post\'s author: they stay anonymous in every answer the sender gets, and can answer in the conversation', async (t) => {
  const [author, sender] = await Promise.all([createUser(app, { nickname: '비밀작성자' }), createUser(app)])
  const postId = await post(author, true)
  const bodies: string[] = []
  const record = async (res: { body: string, statusCode: number }) => { bodies.push(res.body); return res }

  const first = await record(await send(sender, { postId }, '아직 파시나요?'))
  t.equal(first.statusCode, 201)
  const conversationId = JSON.parse(first.body).conversationId
  const [seen] = await conversations(sender)
  bodies.push(JSON.stringify(seen))
  t.match(seen, { id: conversationId, with: null, anonymous: true, postId })

  // The author knows who wrote to them, and answers inside the conversation.
  const [authorsView] = await conversations(author)
  t.match(authorsView, { id: conversationId, with: { id: sender.id }, anonymous: true })
  t.equal((await send(author, { conversationId }, '네 있어요')).statusCode, 201)

  await record(await app.inject({ url: `/messages/conversations/${conversationId}`, headers: sender.auth }))
  await record(await app.inject({ url: '/messages/conversations', headers: sender.auth }))
  await record(await app.inject({ url: `/posts/${postId}`, headers: sender.auth }))
  for (const raw of bodies) {
    for (const secret of [author.id, author.username, '비밀작성자']) {
      t.notOk(raw.includes(secret), `no answer to the sender carries ${secret}`)
    }
  }

  // A named conversation with the same person stays apart from the anonymous one.
  await send(sender, { toUsername: author.username }, '다른 이야기')
  const all = await conversations(sender)
  t.equal(all.length, 2)
  t.notOk(all.some((c: { id: string, with: unknown }) => c.id === conversationId && c.with !== null))
  // Writing through the post again goes to the same anonymous conversation.
  t.equal((await send(sender, { postId }, '또 질문')).json().conversationId, conversationId)
  t.equal((await send(author, { postId })).statusCode, 400, 'not to one\'s own post')
})

t.test('to an anonymous comment\'s author: anonymous too; to a named post\'s author: the named conversation', async (t) => {
  const [author, commenter, sender] = await Promise.all([createUser(app), createUser(app, { nickname: '익명댓글러' }), createUser(app)])
  const postId = await post(author, false)
  const c = (await app.inject({ method: 'POST', url: `/posts/${postId}/comments`, headers: commenter.auth, payload: { body: '저요', anonymous: true } })).json()
  const viaComment = await send(sender, { commentId: c.id })
  t.equal(viaComment.statusCode, 201)
  for (const secret of [commenter.id, commenter.username, '익명댓글러']) {
    t.notOk(viaComment.body.includes(secret))
    t.notOk(JSON.stringify(await conversations(sender)).includes(secret), `the list does not carry ${secret}`)
  }
  const viaPost = (await send(sender, { postId })).json()
  const named = (await send(sender, { toUsername: author.username })).json()
  t.equal(viaPost.conversationId, named.conversationId, 'a named post opens the named conversation')
})

t.test('two anonymous commenters of one post writing to each other get two conversations: neither learns who the other is', async (t) => {
  const [author, victim, prober, third] = await Promise.all([createUser(app), createUser(app), createUser(app), createUser(app)])
  const postId = await post(author, false)
  const comment = async (user: TestUser) =>
    (await app.inject({ method: 'POST', url: `/posts/${postId}/comments`, headers: user.auth, payload: { body: '익명', anonymous: true } })).json().id as string
  const [victimComment, proberComment, thirdComment] = [await comment(victim), await comment(prober), await comment(third)]
  // The victim writes to the prober's anonymous comment: that conversation shows the victim to the prober.
  const opened = (await send(victim, { commentId: proberComment })).json()
  t.ok((await conversations(prober)).some((c: { id: string, with: { id: string } | null }) => c.id === opened.conversationId && c.with?.id === victim.id))
  // The prober writes to every anonymous comment of the post: each goes to a conversation of its own.
  const toVictim = (await send(prober, { commentId: victimComment })).json()
  const toThird = (await send(prober, { commentId: thirdComment })).json()
  t.not(toVictim.conversationId, opened.conversationId, 'not the conversation that names the victim')
  t.not(toVictim.conversationId, toThird.conversationId)
  const seen = (await conversations(prober)).find((c: { id: string }) => c.id === toVictim.conversationId)
  t.same(seen.with, null, 'the victim is hidden in the prober\'s conversation with their comment')
  t.equal(seen.anonymous, true)
  // No conversation is keyed by the post alone (as they were before migration 017).
  const [{ count }] = await app.sql`select count(*)::int as count from conversations where source_key = ${'comments:' + postId}`
  t.equal(count, 0)
})

t.test('conversations list the most recent first and page without repeats', async (t) => {
  const me = await createUser(app)
  const others = await Promise.all(Array.from({ length: 5 }, () => createUser(app)))
  for (const other of others) await send(other, { toUsername: me.username })
  await send(others[0]!, { toUsername: me.username }, 'latest')
  const first = await app.inject({ url: '/messages/conversations?limit=2', headers: me.auth })
  const page = first.json()
  t.equal(page.items[0].with.id, others[0]!.id, 'the conversation with the latest message first')
  const second = await app.inject({ url: `/messages/conversations?limit=10&cursor=${page.nextCursor}`, headers: me.auth })
  const ids = [...page.items, ...second.json().items].map((c: { id: string }) => c.id)
  t.equal(new Set(ids).size, 5)
  t.equal(second.json().nextCursor, null)
})
