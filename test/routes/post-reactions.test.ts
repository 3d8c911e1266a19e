import t from 'tap'
import postgres from 'postgres'
import { build, fileDatabaseUrl } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { collectPages } from '../paging.js'

// Sixty logins from one address: the login throttle is not what this file tests.
const env = { HOT_POST_LIKES: '3', LOGIN_RATE_LIMIT: '0' }
const app = await build(t, { env })
// A second instance on the same database: races between instances, not only within one.
const app2 = await build(t, { env })
const [author, reader] = await Promise.all([createUser(app), createUser(app)])
const MISSING = '00000000-0000-4000-8000-000000000000'

async function write (user: TestUser, fields: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: '제목', body: '본문', ...fields } })
  return res.json()
}

const like = (user: TestUser, id: string, on = true, via = app) =>
  via.inject({ method: on ? 'PUT' : 'DELETE', url: `/posts/${id}/like`, headers: user.auth })
const scrap = (user: TestUser, id: string, on = true) =>
  app.inject({ method: on ? 'PUT' : 'DELETE', url: `/posts/${id}/scrap`, headers: user.auth })

t.test('PUT /posts/{id}/like → 200 {likeCount, likedByMe}, idempotent; DELETE takes it back, idempotent', async (t) => {
  const post = await write(author)
  for (let i = 0; i < 2; i++) {
    const res = await like(reader, post.id)
    t.equal(res.statusCode, 200)
    t.same(res.json(), { likeCount: 1, likedByMe: true })
  }
  t.match((await app.inject({ url: `/posts/${post.id}`, headers: reader.auth })).json(), { likeCount: 1, likedByMe: true })
  t.match((await app.inject({ url: `/posts/${post.id}`, headers: author.auth })).json(), { likeCount: 1, likedByMe: false })
  for (let i = 0; i < 2; i++) {
    const res = await like(reader, post.id, false)
    t.equal(res.statusCode, 200)
    t.same(res.json(), { likeCount: 0, likedByMe: false })
  }
})

t.test('PUT/DELETE /posts/{id}/like → 404 NOT_FOUND for no post or a deleted one', async (t) => {
  const post = await write(author)
  await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: author.auth })
  for (const id of [MISSING, post.id]) {
    for (const on of [true, false]) {
      const res = await like(reader, id, on)
      t.equal(res.statusCode, 404)
      t.same(res.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })
    }
  }
})

t.test('50 users liking one post at once, on two instances → likeCount 50, equal to the rows', async (t) => {
  const post = await write(author)
  const likers = await Promise.all(Array.from({ length: 50 }, () => createUser(app)))
  const answers = await Promise.all(likers.map((u, i) => like(u, post.id, true, i % 2 === 0 ? app : app2)))
  t.ok(answers.every(a => a.statusCode === 200))
  t.same(answers.map(a => a.json().likeCount).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1),
    'each answer saw its own like counted')
  t.equal((await app.inject({ url: `/posts/${post.id}`, headers: reader.auth })).json().likeCount, 50)
  const sql = postgres(await fileDatabaseUrl(), { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const [row] = await sql`select (select count(*)::int from post_likes where post_id = ${post.id}) as rows,
                                 (select like_count from posts where id = ${post.id}) as counter`
  t.same(row, { rows: 50, counter: 50 })
})

t.test('one user liking and unliking one post many times at once → the counter matches the row', async (t) => {
  const post = await write(author)
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => like(reader, post.id, i % 3 !== 0, i % 2 === 0 ? app : app2)))
  t.ok(answers.every(a => a.statusCode === 200))
  const sql = postgres(await fileDatabaseUrl(), { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const [row] = await sql`select (select count(*)::int from post_likes where post_id = ${post.id}) as rows,
                                 (select like_count from posts where id = ${post.id}) as counter`
  t.equal(row!.counter, row!.rows)
  t.ok(row!.rows <= 1)
  const read = (await app.inject({ url: `/posts/${post.id}`, headers: reader.auth })).json()
  t.same({ likeCount: read.likeCount, likedByMe: read.likedByMe }, { likeCount: row!.rows, likedByMe: row!.rows === 1 })
})

t.test('PUT/DELETE /posts/{id}/scrap → 200 {scrapCount, scrappedByMe}, idempotent; post answers carry it', async (t) => {
  const post = await write(author)
  for (let i = 0; i < 2; i++) t.same((await scrap(reader, post.id)).json(), { scrapCount: 1, scrappedByMe: true })
  t.match((await app.inject({ url: `/posts/${post.id}`, headers: reader.auth })).json(), { scrapCount: 1, scrappedByMe: true })
  for (let i = 0; i < 2; i++) t.same((await scrap(reader, post.id, false)).json(), { scrapCount: 0, scrappedByMe: false })
  t.equal((await scrap(reader, MISSING)).statusCode, 404)
})

t.test('GET /scraps → the caller\'s scraps, newest scrap first, through 45 with scraps in between', async (t) => {
  const scrapper = await createUser(app)
  const posts: string[] = []
  for (let i = 0; i < 45; i++) posts.push((await write(author, { title: `스크랩 ${i}` })).id)
  // Scrapped in reverse order of writing: the list follows the scrap, not the post.
  for (const id of [...posts].reverse()) await scrap(scrapper, id)
  const late: string[] = []
  const { items } = await collectPages<{ id: string, scrappedByMe: boolean }>(app, '/scraps', scrapper.auth, 10, async () => {
    const id = (await write(author)).id
    late.push(id)
    await scrap(scrapper, id)
  })
  t.same(items.map(p => p.id), posts, 'newest scrap first; scraps made while paging are not repeated')
  t.ok(items.every(p => p.scrappedByMe))
  t.same((await app.inject({ url: '/scraps', headers: reader.auth })).json().items.filter((p: { id: string }) => posts.includes(p.id)), [])
})

t.test('GET /posts/hot → live posts with at least HOT_POST_LIKES likes, newest first, anonymous authors hidden', async (t) => {
  const likers = await Promise.all(Array.from({ length: 3 }, () => createUser(app)))
  const cold = await write(author, { title: '두 개' })
  const hot1 = await write(author, { title: '핫 1' })
  const hot2 = await write(author, { title: '핫 2 익명', anonymous: true })
  const gone = await write(author, { title: '지울 글' })
  for (const u of likers) {
    await Promise.all([hot1, hot2, gone].map(p => like(u, p.id)))
  }
  await like(likers[0]!, cold.id)
  await like(likers[1]!, cold.id)
  await app.inject({ method: 'DELETE', url: `/posts/${gone.id}`, headers: author.auth })
  const res = await app.inject({ url: '/posts/hot', headers: reader.auth })
  t.equal(res.statusCode, 200)
  const items = res.json().items
  t.same(items.map((p: { id: string }) => p.id).slice(0, 2), [hot2.id, hot1.id])
  t.notOk(items.some((p: { id: string }) => p.id === cold.id || p.id === gone.id))
  t.equal(items[0].author, null)
  t.notOk(JSON.stringify(items[0]).includes(author.username) || JSON.stringify(items[0]).includes(author.id))
})
