// A storm of concurrent writes from many users on two instances sharing one database (likes,
// scraps, comments and replies, anonymous or named, deletions, timetable adds and removes with
// clashing lectures) and reads that fill both instances' page caches, drawn from a fixed seed;
// then the invariants the database and the caches must keep whatever the interleaving:
// - every counter equals the rows it counts (likes, scraps, live comments, live replies);
// - anonymous labels are 1..n per post, one per writer, and every anonymous commenter has one;
// - a reply's parent is a top-level comment of the same post;
// - a timetable's slots are exactly its lectures' slots, and none of them overlap;
// - both instances, once they have read the change log, answer every post and the board's
//   first page with the database's counts (their page caches were invalidated in time).
// The focused race tests live beside each route; this one looks for what they did not think of.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helper.js'
import { seeded } from './seeded.js'
import { createdId, createUser, type TestUser } from './accounts.js'
import { Catalog } from './catalog.js'

const SEED = Number(process.env.STORM_SEED ?? 7)
const OPERATIONS = 600
const IN_FLIGHT = 16

const env = { ADMIN_USERNAMES: 'stormadmin', LOGIN_RATE_LIMIT: '0' }
const app = await build(t, { env })
const app2 = await build(t, { env })
const apps = [app, app2]

const { chance, pick } = seeded(SEED)

const catalog = await Catalog.open(app, 'stormadmin')
const users: TestUser[] = await Promise.all(Array.from({ length: 8 }, () => createUser(app)))

const created = (url: string, by: TestUser, payload: object) => createdId(app, by, url, payload)
const boardId = await created('/boards', users[0]!, { schoolId: catalog.schoolId, category: '자유', name: '폭풍 게시판' })
const posts = await Promise.all(users.slice(0, 4).map((author, i) =>
  created('/posts', author, { boardId, title: `글 ${i}`, body: '본문', anonymous: i % 2 === 0 })))
// Lectures at 10:00-11:15, 11:00-12:15 (clashes with both neighbours), 12:00-13:15 and 13:30-14:45
// on Monday, and one on Tuesday.
const slots = [['MON', '10:00', '11:15'], ['MON', '11:00', '12:15'], ['MON', '12:00', '13:15'], ['MON', '13:30', '14:45'], ['TUE', '10:00', '11:15']]
const lectures = await Promise.all(slots.map(([day, start, end]) => catalog.lecture({ slots: [{ day: day!, start: start!, end: end! }] })))
const timetables = new Map<string, string>()
for (const user of users) timetables.set(user.id, await catalog.timetable(user))

/** Comments made so far, with their writers: replies and deletions pick among them. */
const comments: Array<{ id: string, postId: string, authorId: string }> = []
const statuses = new Map<string, number>()

async function operation (): Promise<void> {
  const user = pick(users)
  const via = pick(apps)
  const postId = pick(posts)
  const send = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: object) => {
    const res = await via.inject({ method, url, headers: user.auth, ...(payload === undefined ? {} : { payload }) })
    const key = `${method} ${url.replace(/[0-9a-f-]{36}/g, '{id}')} ${res.statusCode}`
    statuses.set(key, (statuses.get(key) ?? 0) + 1)
    if (res.statusCode >= 500) throw new Error(`${key}: ${res.body}`)
    return res
  }
  switch (pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) {
    case 0: case 1: await send(chance(0.6) ? 'PUT' : 'DELETE', `/posts/${postId}/like`); break
    case 2: await send(chance(0.6) ? 'PUT' : 'DELETE', `/posts/${postId}/scrap`); break
    case 3: case 4: {
      const onPost = comments.filter(c => c.postId === postId)
      const parent = onPost.length > 0 && chance(0.5) ? pick(onPost) : undefined
      const res = await send('POST', `/posts/${postId}/comments`, { body: '댓글', anonymous: chance(0.6), ...(parent === undefined ? {} : { parentId: parent.id }) })
      if (res.statusCode === 201) comments.push({ id: res.json().id, postId, authorId: user.id })
      break
    }
    case 5: {
      const mine = comments.filter(c => c.authorId === user.id)
      if (mine.length > 0) await send('DELETE', `/comments/${pick(mine).id}`)
      break
    }
    case 6: case 7:
      await send(chance(0.6) ? 'PUT' : 'DELETE', `/timetables/${timetables.get(user.id)}/lectures/${pick(lectures).id}`)
      break
    // Reads in between fill both instances' page caches, which the writes must then invalidate.
    case 8: await send('GET', `/boards/${boardId}/posts`); break
    default: await send('GET', `/posts/${postId}`)
  }
}

async function storm (): Promise<void> {
  let started = 0
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (started < OPERATIONS) {
      started++
      await operation()
    }
  }))
}

async function answers (instance: FastifyInstance, postId: string, user: TestUser) {
  const res = await instance.inject({ url: `/posts/${postId}`, headers: user.auth })
  const { likeCount, scrapCount, commentCount } = res.json()
  return { likeCount, scrapCount, commentCount }
}

t.test(`${OPERATIONS} concurrent writes on two instances keep every invariant (seed ${SEED})`, async (t) => {
  await storm()
  t.comment([...statuses].sort().map(([key, n]) => `${key} × ${n}`).join(', '))
  const sql = app.sql

  const counters = await sql<Array<{ id: string, likeCount: number, likes: number, scrapCount: number, scraps: number, commentCount: number, live: number }>>`
    select p.id, p.like_count, p.scrap_count, p.comment_count,
      (select count(*)::int from post_likes l where l.post_id = p.id) as likes,
      (select count(*)::int from post_scraps s where s.post_id = p.id) as scraps,
      (select count(*)::int from comments c where c.post_id = p.id and c.deleted_at is null) as live
    from posts p where p.id = any(${posts}::uuid[])`
  for (const row of counters) {
    t.same([row.likeCount, row.scrapCount, row.commentCount], [row.likes, row.scraps, row.live], `post ${row.id}: counters equal their rows`)
  }

  t.same(await sql`
    select c.id from comments c
    where c.reply_count <> (select count(*) from comments r where r.parent_id = c.id and r.deleted_at is null)`, [], 'every reply count equals its live replies')
  t.same(await sql`
    select r.id from comments r join comments p on p.id = r.parent_id
    where p.parent_id is not null or p.post_id <> r.post_id`, [], 'every reply hangs off a top-level comment of its own post')

  t.same(await sql`
    select post_id from comment_labels group by post_id having min(number) <> 1 or max(number) <> count(*)`,
  [], 'labels are 1..n on every post (numbers are unique per post by a key)')
  t.same(await sql`
    select c.id from comments c join posts p on p.id = c.post_id
    where c.anonymous and not (p.anonymous and p.author_id = c.author_id)
      and not exists (select 1 from comment_labels l where l.post_id = c.post_id and l.user_id = c.author_id)`,
  [], 'every anonymous commenter has a label (an anonymous post\'s author is 익명(글쓴이) instead)')

  t.same(await sql`
    select tl.timetable_id, tl.lecture_id from timetable_lectures tl
    where (select count(*) from timetable_slots ts where ts.timetable_id = tl.timetable_id and ts.lecture_id = tl.lecture_id)
       <> (select count(*) from lecture_slots ls where ls.lecture_id = tl.lecture_id)`, [], 'each lecture in a timetable brought all its slots')
  t.same(await sql`
    select a.timetable_id from timetable_slots a join timetable_slots b
      on a.timetable_id = b.timetable_id and a.day = b.day and a.lecture_id < b.lecture_id and a.minutes && b.minutes`, [], 'no two slots of a timetable overlap')

  // What clients see. The reader's pages are kept on both instances, then changed through the
  // first one only: the second must learn of it from the change log.
  const reader = users[7]!
  for (const instance of apps) {
    await instance.inject({ url: `/boards/${boardId}/posts`, headers: reader.auth })
    for (const postId of posts) await answers(instance, postId, reader)
  }
  for (const postId of posts) {
    const { likedByMe } = (await app.inject({ url: `/posts/${postId}`, headers: reader.auth })).json()
    const flipped = await app.inject({ method: likedByMe === true ? 'DELETE' : 'PUT', url: `/posts/${postId}/like`, headers: reader.auth })
    if (flipped.json().likedByMe === likedByMe) throw new Error(`like: ${flipped.statusCode} ${flipped.body}`)
  }
  await Promise.all(apps.map(instance => instance.changeLog.settled()))
  const now = await sql<Array<{ id: string, likes: number, scraps: number, live: number }>>`
    select p.id,
      (select count(*)::int from post_likes l where l.post_id = p.id) as likes,
      (select count(*)::int from post_scraps s where s.post_id = p.id) as scraps,
      (select count(*)::int from comments c where c.post_id = p.id and c.deleted_at is null) as live
    from posts p where p.id = any(${posts}::uuid[])`
  const truth = new Map(now.map(row => [row.id, { likeCount: row.likes, scrapCount: row.scraps, commentCount: row.live }]))
  for (const [n, instance] of apps.entries()) {
    for (const postId of posts) t.same(await answers(instance, postId, reader), truth.get(postId), `instance ${n + 1}: GET /posts/{id} shows the database's counts`)
    const page = (await instance.inject({ url: `/boards/${boardId}/posts`, headers: reader.auth })).json()
    for (const item of page.items) {
      t.same({ likeCount: item.likeCount, scrapCount: item.scrapCount, commentCount: item.commentCount }, truth.get(item.id), `instance ${n + 1}: the board's first page shows post ${item.id}'s counts`)
    }
  }
})
