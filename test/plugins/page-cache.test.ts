import t from 'tap'
import { randomUUID } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { applyPageChange, PageCache } from '../../plugins/page-cache.js'
import { build, createDatabase, eventually } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { Catalog } from '../catalog.js'

type App = FastifyInstance
const body = (text: string) => Buffer.from(JSON.stringify({ text }))

t.test('PageCache: a post\'s tag drops the board pages that show it and its comment pages; a board\'s tag its pages', async (t) => {
  const pages = new PageCache(1024 * 1024)
  const fill = () => {
    pages.store(PageCache.boardEntry('b1', 'reader', 20), '', body('board 1'), ['board:b1', 'post:p1', 'post:p2'], pages.generation)
    pages.store(PageCache.boardEntry('b2', 'reader', 20), '', body('board 2'), ['board:b2', 'post:p3'], pages.generation)
    pages.store(PageCache.commentsEntry('p1', 'reader'), '20:', body('comments of p1'), ['post:p1'], pages.generation)
    pages.store(PageCache.conversationsEntry('reader'), '20:', body('conversations'), ['conversations:reader'], pages.generation)
  }
  fill()
  pages.invalidate('post:p1')
  t.equal(pages.get(PageCache.boardEntry('b1', 'reader', 20), ''), undefined, 'the board page showing p1')
  t.equal(pages.get(PageCache.commentsEntry('p1', 'reader'), '20:'), undefined, 'p1\'s comments')
  t.ok(pages.get(PageCache.boardEntry('b2', 'reader', 20), ''), 'another board\'s page stays')
  t.ok(pages.get(PageCache.conversationsEntry('reader'), '20:'), 'conversations stay')

  pages.invalidate('board:b2')
  t.equal(pages.get(PageCache.boardEntry('b2', 'reader', 20), ''), undefined)
  pages.invalidate('conversations:reader')
  t.equal(pages.entries, 0)
  t.equal(pages.bytes, 0, 'the memory accounting returns to zero')
})

t.test('applyPageChange: each listed tag; `all`, and any tag this version does not know, forget everything', async (t) => {
  const pages = new PageCache(1024 * 1024)
  const fill = () => {
    pages.store('a', '', body('a'), ['post:p1'], pages.generation)
    pages.store('b', '', body('b'), ['board:b1'], pages.generation)
    pages.store('c', '', body('c'), ['conversations:u1'], pages.generation)
  }
  fill()
  applyPageChange(pages, 'board:b1,post:p1')
  t.equal(pages.entries, 1, 'both tags of one payload')
  t.ok(pages.get('c', ''))
  fill()
  applyPageChange(pages, 'all')
  t.equal(pages.entries, 0)
  fill()
  applyPageChange(pages, 'post:p9,reviews:r1')
  t.equal(pages.entries, 0, 'an unknown kind of tag')
})

t.test('TaggedPages: a page\'s gzipped copy is counted, kept only for the page it was made from, and dropped with it', async (t) => {
  const pages = new PageCache(1024 * 1024)
  const page = pages.store('e', '', body('first'), ['post:p'], pages.generation)!
  const before = pages.bytes
  pages.keepGzipped('e', '', page, Buffer.alloc(10))
  t.equal(pages.bytes, before + 10)
  t.equal(pages.getKept('e', '')?.gzipped?.byteLength, 10)
  const replaced = pages.store('e', '', body('second'), ['post:p'], pages.generation)!
  pages.keepGzipped('e', '', page, Buffer.alloc(10))
  t.equal(replaced.gzipped, undefined, 'a copy of the page it replaced is not attached to the new one')
  pages.invalidate('post:p')
  t.equal(pages.bytes, 0)
})

// Against the real app. Whether an answer came from memory is told apart by a change that
// bypasses every notification (the trigger disabled for one statement's transaction).
const PAGE_TRIGGERS = [
  ['posts', 'posts_pages_changed'], ['boards', 'boards_pages_changed'], ['comments', 'comments_pages_changed'],
  ['post_media', 'post_media_pages_changed'], ['conversation_members', 'conversation_members_pages_changed'],
  ['messages', 'messages_pages_changed'], ['conversations', 'conversations_pages_changed'],
  ['lectures', 'lectures_pages_changed'], ['lecture_slots', 'lecture_slots_pages_changed'],
  ['timetable_lectures', 'timetable_lectures_pages_changed'], ['timetables', 'timetables_pages_changed']
] as const

async function silently (app: App, table: string, change: (tx: App['sql']) => Promise<unknown>): Promise<void> {
  const [, trigger] = PAGE_TRIGGERS.find(([name]) => name === table)!
  await app.sql.begin(async (tx) => {
    await tx`alter table ${tx(table)} disable trigger ${tx(trigger)}`
    await change(tx as unknown as App['sql'])
    await tx`alter table ${tx(table)} enable trigger ${tx(trigger)}`
  })
}

async function call (app: App, user: TestUser, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const res = await app.inject({ method, url, headers: user.auth, ...(payload === undefined ? {} : { payload }) })
  if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** A school, a board owned by `owner`, and a post by `author` in it. */
async function boardWithPost (app: App, admin: TestUser, owner: TestUser, author: TestUser, post: object = {}) {
  const school = await call(app, admin, 'POST', '/schools', { name: `학교 ${randomUUID()}` })
  const board = await call(app, owner, 'POST', '/boards', { schoolId: school.id, category: '자유', name: '자유게시판' })
  const written = await call(app, author, 'POST', '/posts', { title: '첫 글', body: '본문', boardId: board.id, ...post })
  return { boardId: board.id as string, postId: written.id as string }
}

const boardPage = async (app: App, user: TestUser, boardId: string) => (await call(app, user, 'GET', `/boards/${boardId}/posts`)).items
const titles = async (app: App, user: TestUser, boardId: string) => (await boardPage(app, user, boardId)).map((p: { title: string }) => p.title)
const commentBodies = async (app: App, user: TestUser, postId: string) =>
  (await call(app, user, 'GET', `/posts/${postId}/comments`)).items.map((c: { body: string | null }) => c.body)
const lastMessages = async (app: App, user: TestUser) =>
  (await call(app, user, 'GET', '/messages/conversations')).items.map((c: { lastMessage: { body: string }, unreadCount: number }) => [c.lastMessage.body, c.unreadCount])

t.test('a board\'s first page, a post\'s comments and a conversation list are served from memory; a plain UPDATE reaches each through the change log', async (t) => {
  const app = await build(t, { env: { ADMIN_USERNAMES: 'cacheadmin1' } })
  const [admin, author, reader] = await Promise.all([createUser(app, { username: 'cacheadmin1' }), createUser(app), createUser(app)])
  const { boardId, postId } = await boardWithPost(app, admin, admin, author)
  const comment = await call(app, reader, 'POST', `/posts/${postId}/comments`, { body: '댓글' })
  const message = await call(app, reader, 'POST', '/messages', { toUsername: author.username, body: '안녕하세요' })
  await app.changeLog.settled()
  t.same(await titles(app, reader, boardId), ['첫 글'])
  t.same(await commentBodies(app, reader, postId), ['댓글'])
  t.same(await lastMessages(app, author), [['안녕하세요', 1]])

  await silently(app, 'posts', tx => tx`update posts set title = 'unannounced' where id = ${postId}`)
  await silently(app, 'comments', tx => tx`update comments set body = 'unannounced' where id = ${comment.id}`)
  await silently(app, 'messages', tx => tx`update messages set body = 'unannounced' where id = ${message.id}`)
  t.same(await titles(app, reader, boardId), ['첫 글'], 'the kept board page, not the database')
  t.same(await commentBodies(app, reader, postId), ['댓글'], 'the kept comments')
  t.same(await lastMessages(app, author), [['안녕하세요', 1]], 'the kept conversations')

  // Plain UPDATEs, as a script or another feature would run them: the triggers announce them.
  await app.sql`update posts set title = 'by a script' where id = ${postId}`
  await app.sql`update comments set body = 'by a script' where id = ${comment.id}`
  await app.sql`update messages set body = 'by a script' where id = ${message.id}`
  t.pass(`board page after ${await eventually(() => titles(app, reader, boardId), ['by a script'], 2000)} ms`)
  t.pass(`comments after ${await eventually(() => commentBodies(app, reader, postId), ['by a script'], 2000)} ms`)
  t.pass(`conversations after ${await eventually(() => lastMessages(app, author), [['by a script', 1]], 2000)} ms`)
})

t.test('a page kept for one reader is never served to another: an anonymous author stays unnamed', async (t) => {
  const app = await build(t, { env: { ADMIN_USERNAMES: 'cacheadmin2' } })
  const [admin, author, reader] = await Promise.all([createUser(app, { username: 'cacheadmin2' }), createUser(app), createUser(app)])
  const { boardId, postId } = await boardWithPost(app, admin, admin, author, { anonymous: true })
  await call(app, author, 'POST', `/posts/${postId}/comments`, { body: '글쓴이 댓글', anonymous: true })
  for (let round = 0; round < 2; round++) {
    const [mine] = await boardPage(app, author, boardId)
    const [theirs] = await boardPage(app, reader, boardId)
    t.match(mine.author, { id: author.id }, 'the author sees themselves')
    t.equal(theirs.author, null, 'another reader does not')
    const [myComment] = (await call(app, author, 'GET', `/posts/${postId}/comments`)).items
    const raw = await app.inject({ url: `/posts/${postId}/comments`, headers: reader.auth })
    t.equal(myComment.mine, true)
    t.notOk(raw.body.includes(author.id) || raw.body.includes(author.username), 'no trace of the author in the other reader\'s bytes')
  }
  t.ok(app.pageCache.entries >= 4, 'all four were kept')
})

t.test('with the triggers off, the routes\' own invalidation shows every write made here to every reader at once', async (t) => {
  const database = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: database, ADMIN_USERNAMES: 'cacheadmin3' } })
  for (const [table, trigger] of PAGE_TRIGGERS) await app.sql`alter table ${app.sql(table)} disable trigger ${app.sql(trigger)}`
  const [admin, author, reader, other] = await Promise.all([
    createUser(app, { username: 'cacheadmin3' }), createUser(app), createUser(app), createUser(app)
  ])
  const { boardId, postId } = await boardWithPost(app, admin, admin, author)
  const counts = async () => (await boardPage(app, reader, boardId)).map((p: Record<string, unknown>) =>
    [p.title, p.likeCount, p.likedByMe, p.commentCount])
  t.same(await counts(), [['첫 글', 0, false, 0]])

  const second = await call(app, other, 'POST', '/posts', { title: '둘째 글', body: '본문', boardId })
  t.same(await counts(), [['둘째 글', 0, false, 0], ['첫 글', 0, false, 0]], 'a new post in the board')
  await call(app, other, 'PUT', `/posts/${postId}/like`)
  t.same((await counts())[1], ['첫 글', 1, false, 0], 'another reader\'s like')
  await call(app, reader, 'PUT', `/posts/${postId}/like`)
  t.same((await counts())[1], ['첫 글', 2, true, 0], 'the reader\'s own like')
  await call(app, author, 'PUT', `/posts/${postId}`, { title: '고친 글', body: '본문' })
  t.same((await counts())[1], ['고친 글', 2, true, 0], 'an edit')

  t.same(await commentBodies(app, reader, postId), [])
  const comment = await call(app, other, 'POST', `/posts/${postId}/comments`, { body: '댓글' })
  t.same(await commentBodies(app, reader, postId), ['댓글'], 'another reader\'s comment')
  t.same((await counts())[1], ['고친 글', 2, true, 1], 'and the count on the board page')
  await call(app, other, 'DELETE', `/comments/${comment.id}`)
  t.same(await commentBodies(app, reader, postId), [], 'a deleted comment')

  t.same(await lastMessages(app, author), [])
  const sent = await call(app, reader, 'POST', '/messages', { postId, body: '쪽지' })
  t.same(await lastMessages(app, author), [['쪽지', 1]], 'a message reaches the recipient\'s list')
  t.same(await lastMessages(app, reader), [['쪽지', 0]], 'and the sender\'s')
  await call(app, author, 'GET', `/messages/conversations/${sent.conversationId}`)
  t.same(await lastMessages(app, author), [['쪽지', 0]], 'reading marks it read')

  await call(app, admin, 'DELETE', `/posts/${second.id}`)
  t.same(await titles(app, reader, boardId), ['고친 글'], 'a deleted post leaves the page')
  await call(app, admin, 'DELETE', `/boards/${boardId}`)
  t.equal((await app.inject({ url: `/boards/${boardId}/posts`, headers: reader.auth })).statusCode, 404, 'a deleted board')
  t.equal((await app.inject({ url: `/posts/${postId}/comments`, headers: reader.auth })).statusCode, 404, 'and its posts\' comments')
})

t.test('a write on one instance reaches the pages another instance keeps', async (t) => {
  const database = await createDatabase()
  const env = { DATABASE_URL: database, ADMIN_USERNAMES: 'cacheadmin4' }
  const [one, two] = await Promise.all([build(t, { env }), build(t, { env })])
  const [admin, author, reader] = await Promise.all([createUser(one, { username: 'cacheadmin4' }), createUser(one), createUser(one)])
  const { boardId, postId } = await boardWithPost(one, admin, admin, author)
  await Promise.all([one.changeLog.settled(), two.changeLog.settled()])
  t.same(await titles(one, reader, boardId), ['첫 글'])
  t.same(await commentBodies(one, reader, postId), [])
  t.same(await lastMessages(one, author), [])

  await call(two, author, 'POST', '/posts', { title: '다른 인스턴스', body: '본문', boardId })
  await call(two, reader, 'POST', `/posts/${postId}/comments`, { body: '저쪽 댓글' })
  await call(two, reader, 'POST', '/messages', { toUsername: author.username, body: '저쪽 쪽지' })
  t.pass(`board page after ${await eventually(() => titles(one, reader, boardId), ['다른 인스턴스', '첫 글'], 2000)} ms`)
  t.pass(`comments after ${await eventually(() => commentBodies(one, reader, postId), ['저쪽 댓글'], 2000)} ms`)
  t.pass(`conversations after ${await eventually(() => lastMessages(one, author), [['저쪽 쪽지', 1]], 2000)} ms`)
})

t.test('with PAGE_CACHE_MB=0 every read goes to the database', async (t) => {
  const app = await build(t, { env: { PAGE_CACHE_MB: '0', ADMIN_USERNAMES: 'cacheadmin5' } })
  const [admin, author, reader] = await Promise.all([createUser(app, { username: 'cacheadmin5' }), createUser(app), createUser(app)])
  const { boardId, postId } = await boardWithPost(app, admin, admin, author)
  t.same(await titles(app, reader, boardId), ['첫 글'])
  await silently(app, 'posts', tx => tx`update posts set title = 'unannounced' where id = ${postId}`)
  t.same(await titles(app, reader, boardId), ['unannounced'])
  t.equal(app.pageCache.entries, 0)
})

// Lectures: one page per query for every reader, and the lectures that fit a timetable for its owner.
const MON_9 = [{ day: 'MON', start: '09:00', end: '10:30' }]
const MON_10 = [{ day: 'MON', start: '10:00', end: '11:30' }]
const TUE_9 = [{ day: 'TUE', start: '09:00', end: '10:30' }]

async function lectureRows (app: App, user: TestUser, query: string): Promise<Array<[string, number, number | null]>> {
  const res = await app.inject({ url: `/lectures?${query}`, headers: user.auth })
  if (res.statusCode !== 200) throw new Error(`GET /lectures?${query}: ${res.statusCode} ${res.body}`)
  return res.json().items.map((l: { title: string, reviewCount: number, averageRating: number | null }) => [l.title, l.reviewCount, l.averageRating])
}

t.test('GET /lectures: a search is kept once for every reader, and a plain UPDATE reaches it through the change log', async (t) => {
  const app = await build(t, { env: { ADMIN_USERNAMES: 'cacheadmin6' } })
  const catalog = await Catalog.open(app, 'cacheadmin6')
  const [one, two] = await Promise.all([createUser(app), createUser(app)])
  const lecture = await catalog.lecture({ title: '자료구조', slots: MON_9 })
  const query = `schoolId=${catalog.schoolId}&q=${encodeURIComponent('자료')}`
  await app.changeLog.settled()
  t.same(await lectureRows(app, one, query), [['자료구조', 0, null]])

  await silently(app, 'lectures', tx => tx`update lectures set review_count = 1, rating_sum = 3 where id = ${lecture.id}`)
  t.same(await lectureRows(app, two, query), [['자료구조', 0, null]], 'another reader gets the page kept for the first')

  await app.sql`update lectures set review_count = 2, rating_sum = 8 where id = ${lecture.id}`
  t.pass(`seen after ${await eventually(() => lectureRows(app, one, query), [['자료구조', 2, 4]], 2000)} ms`)
})

t.test('GET /lectures?fits=: kept for the owner alone; with the triggers off, the routes\' own invalidation shows each change at once', async (t) => {
  const database = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: database, ADMIN_USERNAMES: 'cacheadmin7' } })
  for (const [table, trigger] of PAGE_TRIGGERS) await app.sql`alter table ${app.sql(table)} disable trigger ${app.sql(trigger)}`
  const catalog = await Catalog.open(app, 'cacheadmin7')
  const [owner, other] = await Promise.all([createUser(app), createUser(app)])
  const monday = await catalog.lecture({ title: '월요일 9시', slots: MON_9 })
  await catalog.lecture({ title: '월요일 10시', slots: MON_10 })
  const timetable = await catalog.timetable(owner)
  const fits = `schoolId=${catalog.schoolId}&fits=${timetable}`
  t.same((await lectureRows(app, owner, fits)).map(([title]) => title), ['월요일 10시', '월요일 9시'])
  const stranger = await app.inject({ url: `/lectures?${fits}`, headers: other.auth })
  t.equal(stranger.statusCode, 404, 'another user never gets the owner\'s kept page')

  t.equal((await catalog.add(owner, timetable, monday.id)).statusCode, 200)
  t.same((await lectureRows(app, owner, fits)).map(([title]) => title), [], 'a lecture added: it and the one clashing with it go')
  const tuesday = await catalog.lecture({ title: '화요일 9시', slots: TUE_9 })
  t.same((await lectureRows(app, owner, fits)).map(([title]) => title), ['화요일 9시'], 'a new lecture in the catalog')

  const reviewed = await app.inject({ method: 'POST', url: `/lectures/${tuesday.id}/reviews`, headers: other.auth, payload: { rating: 5, body: '좋아요' } })
  t.equal(reviewed.statusCode, 201)
  t.same(await lectureRows(app, owner, fits), [['화요일 9시', 1, 5]], 'a review moves the rating')
  const removed = await app.inject({ method: 'DELETE', url: `/reviews/${reviewed.json().id}`, headers: other.auth })
  t.equal(removed.statusCode, 200)
  t.same(await lectureRows(app, owner, fits), [['화요일 9시', 0, null]], 'and its deletion')

  const dropped = await app.inject({ method: 'DELETE', url: `/timetables/${timetable}/lectures/${monday.id}`, headers: owner.auth })
  t.equal(dropped.statusCode, 200)
  t.same((await lectureRows(app, owner, fits)).map(([title]) => title), ['화요일 9시', '월요일 10시', '월요일 9시'], 'a lecture removed')
  const deleted = await app.inject({ method: 'DELETE', url: `/timetables/${timetable}`, headers: owner.auth })
  t.equal(deleted.statusCode, 200)
  t.equal((await app.inject({ url: `/lectures?${fits}`, headers: owner.auth })).statusCode, 404, 'a deleted timetable')
})

t.test('GET /lectures?fits= kept on one instance follows a lecture added or removed through another', async (t) => {
  const database = await createDatabase()
  const env = { DATABASE_URL: database, ADMIN_USERNAMES: 'cacheadmin8' }
  const [one, two] = await Promise.all([build(t, { env }), build(t, { env })])
  const catalog = await Catalog.open(one, 'cacheadmin8')
  const owner = await createUser(one)
  const monday = await catalog.lecture({ code: 'FIT1', title: '월요일 9시', slots: MON_9 })
  await catalog.lecture({ code: 'FIT2', title: '화요일 9시', slots: TUE_9 })
  const timetable = await catalog.timetable(owner)
  const fits = `schoolId=${catalog.schoolId}&fits=${timetable}`
  const fitting = async () => (await lectureRows(one, owner, fits)).map(([title]) => title)
  await one.changeLog.settled()
  t.same(await fitting(), ['화요일 9시', '월요일 9시'])

  const added = await two.inject({ method: 'PUT', url: `/timetables/${timetable}/lectures/${monday.id}`, headers: owner.auth })
  t.equal(added.statusCode, 200)
  t.pass(`added elsewhere: seen after ${await eventually(fitting, ['화요일 9시'], 2000)} ms`)
  const removed = await two.inject({ method: 'DELETE', url: `/timetables/${timetable}/lectures/${monday.id}`, headers: owner.auth })
  t.equal(removed.statusCode, 200)
  t.pass(`removed elsewhere: seen after ${await eventually(fitting, ['화요일 9시', '월요일 9시'], 2000)} ms`)
  const deleted = await two.inject({ method: 'DELETE', url: `/timetables/${timetable}`, headers: owner.auth })
  t.equal(deleted.statusCode, 200)
  t.pass(`deleted elsewhere: 404 after ${await eventually(async () => (await one.inject({ url: `/lectures?${fits}`, headers: owner.auth })).statusCode, 404, 2000)} ms`)
})

t.test('a kept page goes out gzipped to clients that accept it, the same JSON; others get it as is', async (t) => {
  const app = await build(t, { env: { ADMIN_USERNAMES: 'cacheadmin9' } })
  const [admin, reader] = await Promise.all([createUser(app, { username: 'cacheadmin9' }), createUser(app)])
  const { boardId } = await boardWithPost(app, admin, admin, admin)
  for (let i = 0; i < 5; i++) await call(app, admin, 'POST', '/posts', { title: `글 ${i}`, body: '길게 쓴 본문입니다. '.repeat(20), boardId })
  const read = (acceptEncoding?: string) => app.inject({
    url: `/boards/${boardId}/posts`, headers: { ...reader.auth, ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) }
  })
  await app.changeLog.settled()
  const plain = await read()
  t.equal(plain.headers['content-encoding'], undefined)
  t.equal(plain.headers.vary, 'accept-encoding')
  // Compressed off the event loop after the page is kept: the first answers go out as they are.
  await eventually(async () => (await read('gzip, deflate, br')).headers['content-encoding'], 'gzip', 2000)
  const gzipped = await read('gzip, deflate, br')
  t.same(JSON.parse(gunzipSync(gzipped.rawPayload).toString()), plain.json(), 'the same answer')
  t.ok(gzipped.rawPayload.byteLength < plain.rawPayload.byteLength / 3, `${gzipped.rawPayload.byteLength} bytes instead of ${plain.rawPayload.byteLength}`)
  t.equal(Number(gzipped.headers['content-length']), gzipped.rawPayload.byteLength)
  for (const refusing of [undefined, 'identity', 'gzip;q=0, identity', 'br']) {
    const res = await read(refusing)
    t.equal(res.headers['content-encoding'], undefined, `Accept-Encoding: ${refusing}`)
    t.same(res.json(), plain.json())
  }
})

t.test('a TRUNCATE of any table a page shows forgets every kept page, on every instance', async (t) => {
  const database = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: database } })
  for (const table of ['comments', 'lecture_slots', 'timetables']) {
    app.pageCache.store('kept', '', Buffer.from('{}'), ['post:p'], app.pageCache.generation)
    await app.sql`truncate ${app.sql(table)} cascade`
    t.pass(`${table}: forgotten after ${await eventually(async () => app.pageCache.entries, 0, 2000)} ms`)
  }
})

t.test('an error answer is never kept: a post that appears under an id once refused is read from the database', async (t) => {
  const app = await build(t, { env: { ADMIN_USERNAMES: 'cacheadmin10' } })
  const [admin, reader] = await Promise.all([createUser(app, { username: 'cacheadmin10' }), createUser(app)])
  const { postId } = await boardWithPost(app, admin, admin, admin)
  // The post hidden without a notification: the comments route refuses it...
  await silently(app, 'posts', tx => tx`update posts set deleted_at = now() where id = ${postId}`)
  const refused = await app.inject({ url: `/posts/${postId}/comments`, headers: reader.auth })
  t.equal(refused.statusCode, 404)
  t.notOk(app.pageCache.has(PageCache.commentsEntry(postId, reader.id)), 'nothing kept for the 404')
  // ...and, brought back just as silently, is read again: no refusal was remembered.
  await silently(app, 'posts', tx => tx`update posts set deleted_at = null where id = ${postId}`)
  t.same(await commentBodies(app, reader, postId), [])
})
