import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { collectPages } from '../paging.js'

const app = await build(t, { env: { ADMIN_USERNAMES: 'someadmin' } })
const [author, other, admin] = await Promise.all([
  createUser(app, { username: 'post author', nickname: '글쓴이' }),
  createUser(app),
  createUser(app, { username: 'someadmin' })
])
const MISSING = '00000000-0000-4000-8000-000000000000'

async function write (user: TestUser, payload: Record<string, unknown> = {}, on: FastifyInstance = app) {
  const res = await on.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: '제목', body: '본문', ...payload } })
  if (res.statusCode !== 201) throw new Error(`POST /posts: ${res.statusCode} ${res.body}`)
  return res.json()
}

const notFound = { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } }
const forbidden = { error: { code: 'FORBIDDEN', message: '권한이 없습니다.' } }

t.test('POST /posts → 201 the post, stored NFC-normalized and trimmed', async (t) => {
  const res = await app.inject({
    method: 'POST', url: '/posts', headers: author.auth,
    payload: { title: '  \u1112\u1161\u11ab 학기 시작  ', body: 'First day of the semester.\n개강했어요!' }
  })
  t.equal(res.statusCode, 201)
  const post = res.json()
  t.match(post, {
    title: '한 학기 시작',
    body: 'First day of the semester.\n개강했어요!',
    boardId: null,
    anonymous: false,
    author: { id: author.id, username: author.username, nickname: '글쓴이' },
    likeCount: 0,
    commentCount: 0,
    scrapCount: 0,
    likedByMe: false,
    scrappedByMe: false
  })
  t.same(Object.keys(post.author).sort(), ['id', 'nickname', 'username'], 'the author is an allowlist')
  t.equal(post.createdAt, post.updatedAt)
  t.match(post.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
})

t.test('POST /posts → 400 VALIDATION_FAILED for a 101-character title', async (t) => {
  const ok = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: '가'.repeat(100), body: 'b' } })
  t.equal(ok.statusCode, 201, '100 characters are fine')
  const res = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: '가'.repeat(101), body: 'b' } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', message: '요청 값이 올바르지 않습니다.', details: [{ path: '/body/title' }] } })
})

t.test('POST /posts → 400 VALIDATION_FAILED for a body empty after trimming', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: 't', body: ' \n\t ' } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/body' }] } })
})

t.test('POST /posts → 400 VALIDATION_FAILED for a 10 001-character body, 201 for 10 000', async (t) => {
  const ok = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: 't', body: '글'.repeat(10_000) } })
  t.equal(ok.statusCode, 201)
  const res = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: 't', body: '글'.repeat(10_001) } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/body' }] } })
})

t.test('POST /posts → 400 VALIDATION_FAILED for an unknown board or an unknown property', async (t) => {
  for (const extra of [{ boardId: MISSING }, { authorId: other.id }]) {
    const res = await app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: 't', body: 'b', ...extra } })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: `/body/${Object.keys(extra)[0]}` }] } })
  }
})

t.test('POST /posts → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/posts', payload: { title: 't', body: 'b' } })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})

t.test('GET /posts/{id} → 200 the post with its counts', async (t) => {
  const written = await write(author, { title: 'Study group', body: 'Library, 3rd floor' })
  const res = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: other.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), written)
})

t.test('GET /posts/{id} → 200 anonymous: author null for others, the author for themself', async (t) => {
  const written = await write(author, { title: '익명 질문', body: '비밀이에요', anonymous: true })
  t.same(written.author, { id: author.id, username: author.username, nickname: '글쓴이' }, 'the answer to the author names them')
  const byOther = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: other.auth })
  t.equal(byOther.statusCode, 200)
  t.equal(byOther.json().author, null)
  t.equal(byOther.json().anonymous, true)
  t.notMatch(byOther.body, author.id, 'nothing in the answer names the author')
  const byAuthor = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: author.auth })
  t.same(byAuthor.json().author, { id: author.id, username: author.username, nickname: '글쓴이' })
})

t.test('GET /posts/{id} → 404 NOT_FOUND for a missing post', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/posts/${MISSING}`, headers: other.auth })
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('GET /posts/{id} → 400 VALIDATION_FAILED for an id that is not a UUID', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/posts/123', headers: other.auth })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/params/id' }] } })
})

t.test('PUT /posts/{id} → 200 the edited post for its author', async (t) => {
  const written = await write(author)
  // Backdated, so an edit that forgot updated_at would show as an hour-old value.
  await app.sql`update posts set updated_at = updated_at - interval '1 hour' where id = ${written.id}`
  const res = await app.inject({ method: 'PUT', url: `/posts/${written.id}`, headers: author.auth, payload: { title: '수정된 제목', body: ' edited ' } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { id: written.id, title: '수정된 제목', body: 'edited', createdAt: written.createdAt, author: { id: author.id } })
  t.ok(res.json().updatedAt >= written.updatedAt, 'the edit sets updatedAt to now')
  const read = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: other.auth })
  t.equal(read.json().title, '수정된 제목')
})

t.test('PUT /posts/{id} → 403 FORBIDDEN for another user, even an admin', async (t) => {
  const written = await write(author)
  for (const user of [other, admin]) {
    const res = await app.inject({ method: 'PUT', url: `/posts/${written.id}`, headers: user.auth, payload: { title: 'x', body: 'y' } })
    t.equal(res.statusCode, 403)
    t.same(res.json(), forbidden)
  }
  const read = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: author.auth })
  t.equal(read.json().title, '제목', 'unchanged')
})

t.test('PUT /posts/{id} → 404 NOT_FOUND for a missing post', async (t) => {
  const res = await app.inject({ method: 'PUT', url: `/posts/${MISSING}`, headers: author.auth, payload: { title: 'x', body: 'y' } })
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('PUT /posts/{id} → 400 VALIDATION_FAILED without a body field or with an extra one', async (t) => {
  const written = await write(author)
  const missing = await app.inject({ method: 'PUT', url: `/posts/${written.id}`, headers: author.auth, payload: { title: 'x' } })
  t.equal(missing.statusCode, 400)
  t.match(missing.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/body' }] } })
  const extra = await app.inject({ method: 'PUT', url: `/posts/${written.id}`, headers: author.auth, payload: { title: 'x', body: 'y', anonymous: true } })
  t.equal(extra.statusCode, 400)
  t.match(extra.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/anonymous' }] } })
})

t.test('DELETE /posts/{id} → 200 {deleted:true} for its author; the post is gone, a second delete is 404', async (t) => {
  const written = await write(author)
  const res = await app.inject({ method: 'DELETE', url: `/posts/${written.id}`, headers: author.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { deleted: true })
  const read = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: author.auth })
  t.equal(read.statusCode, 404)
  const again = await app.inject({ method: 'DELETE', url: `/posts/${written.id}`, headers: author.auth })
  t.equal(again.statusCode, 404)
  t.same(again.json(), notFound)
  const edit = await app.inject({ method: 'PUT', url: `/posts/${written.id}`, headers: author.auth, payload: { title: 'x', body: 'y' } })
  t.equal(edit.statusCode, 404, 'a deleted post cannot be edited')
})

t.test('DELETE /posts/{id} → 403 FORBIDDEN for another user', async (t) => {
  const written = await write(author)
  const res = await app.inject({ method: 'DELETE', url: `/posts/${written.id}`, headers: other.auth })
  t.equal(res.statusCode, 403)
  t.same(res.json(), forbidden)
  const read = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: other.auth })
  t.equal(read.statusCode, 200, 'still there')
})

t.test('DELETE /posts/{id} → 200 for an admin (ADMIN_USERNAMES)', async (t) => {
  const written = await write(author)
  const res = await app.inject({ method: 'DELETE', url: `/posts/${written.id}`, headers: admin.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { deleted: true })
  const read = await app.inject({ method: 'GET', url: `/posts/${written.id}`, headers: author.auth })
  t.equal(read.statusCode, 404)
})

t.test('DELETE /posts/{id} → 404 NOT_FOUND for a missing post', async (t) => {
  const res = await app.inject({ method: 'DELETE', url: `/posts/${MISSING}`, headers: admin.auth })
  t.equal(res.statusCode, 404)
  t.same(res.json(), notFound)
})

t.test('GET /posts/mine → 200 the caller\'s posts only, anonymous ones included, newest first', async (t) => {
  const writer = await createUser(app)
  const first = await write(writer, { title: 'one' })
  const second = await write(writer, { title: 'two', anonymous: true })
  await write(other, { title: 'not mine' })
  const deleted = await write(writer, { title: 'deleted' })
  await app.inject({ method: 'DELETE', url: `/posts/${deleted.id}`, headers: writer.auth })
  const res = await app.inject({ method: 'GET', url: '/posts/mine', headers: writer.auth })
  t.equal(res.statusCode, 200, 'not taken for /posts/{id}')
  t.same(res.json(), { items: [second, first], nextCursor: null })
})

t.test('GET /posts/mine → 200 paging 55 posts by 10 returns each once while new posts arrive', async (t) => {
  const writer = await createUser(app)
  const written: string[] = []
  for (let i = 0; i < 55; i++) written.push((await write(writer, { title: `post ${i}` })).id)
  const { items, pages } = await collectPages<{ id: string }>(app, '/posts/mine', writer.auth, 10, async () => {
    await write(writer, { title: 'arrived while paging' })
  })
  t.equal(pages, 6)
  t.same(items.map(p => p.id), written.reverse(), 'every post exactly once, newest first, none of the newcomers')
})

t.test('GET /posts/mine → 400 VALIDATION_FAILED for limit=0, limit=101, limit=abc, limit=1e1', async (t) => {
  for (const limit of ['0', '101', 'abc', '1e1']) {
    const res = await app.inject({ method: 'GET', url: `/posts/mine?limit=${limit}`, headers: author.auth })
    t.equal(res.statusCode, 400, `limit=${limit}`)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/querystring/limit' }] } })
  }
  const max = await app.inject({ method: 'GET', url: '/posts/mine?limit=100', headers: author.auth })
  t.equal(max.statusCode, 200)
})

t.test('GET /posts/mine → 400 VALIDATION_FAILED for a malformed cursor', async (t) => {
  const forged = Buffer.from(JSON.stringify(['2024-02-30 00:00:00.000001+00', MISSING])).toString('base64url')
  const extraKey = Buffer.from(JSON.stringify(['2024-02-01 00:00:00+00', MISSING, MISSING])).toString('base64url')
  for (const cursor of ['nonsense', forged, extraKey, Buffer.from('["x","y"]').toString('base64url')]) {
    const res = await app.inject({ method: 'GET', url: `/posts/mine?cursor=${cursor}`, headers: author.auth })
    t.equal(res.statusCode, 400, cursor)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/querystring/cursor' }] } })
  }
})

t.test('GET /posts/mine → 400 VALIDATION_FAILED for an unknown query parameter', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/posts/mine?offset=20', headers: author.auth })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/querystring/offset' }] } })
})

t.test('GET /posts/mine → 401 TOKEN_NOT_FOUND without a token', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/posts/mine' })
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: { code: 'TOKEN_NOT_FOUND', message: '토큰이 없습니다.' } })
})
