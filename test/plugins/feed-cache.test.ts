import t from 'tap'
import { applyFeedChange, FeedPages } from '../../plugins/feed-cache.js'
import { build, createDatabase, eventually } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import sharp from 'sharp'

type App = Awaited<ReturnType<typeof build>>

const body = (text: string) => Buffer.from(JSON.stringify({ text }))

t.test('FeedPages: a stored page is served until one of the reader\'s followees changes', async (t) => {
  const pages = new FeedPages(1024 * 1024)
  pages.store('reader', '20:', body('page'), ['alice', 'bob'], pages.generation)
  pages.store('other', '20:', body('other page'), ['carol'], pages.generation)
  t.same(pages.get('reader', '20:'), body('page'))
  t.equal(pages.get('reader', '20:cursor'), undefined, 'another page of the same reader is its own entry')

  pages.postsChanged('carol')
  t.same(pages.get('reader', '20:'), body('page'), 'a change by someone the reader does not follow keeps the page')
  t.equal(pages.get('other', '20:'), undefined, 'a change by a followee drops the follower\'s pages')

  pages.postsChanged('bob')
  t.equal(pages.get('reader', '20:'), undefined)
  t.equal(pages.readers, 0)
  t.equal(pages.bytes, 0, 'the memory accounting returns to zero')
})

t.test('FeedPages: following or unfollowing drops only the reader\'s own pages', async (t) => {
  const pages = new FeedPages(1024 * 1024)
  pages.store('reader', '20:', body('a'), ['alice'], pages.generation)
  pages.store('alice', '20:', body('b'), ['reader'], pages.generation)
  pages.followsChanged('reader')
  t.equal(pages.get('reader', '20:'), undefined)
  t.same(pages.get('alice', '20:'), body('b'))
  pages.postsChanged('alice')
  t.same(pages.get('alice', '20:'), body('b'), 'the dropped reader left the reverse index too')
})

t.test('FeedPages: a page read before an invalidation of what it shows is not stored; one of something else is', async (t) => {
  const pages = new FeedPages(1024 * 1024)
  let before = pages.generation
  pages.postsChanged('alice')
  pages.store('reader', '20:', body('maybe stale'), ['alice'], before)
  t.equal(pages.get('reader', '20:'), undefined, 'a followee wrote while it was read')
  before = pages.generation
  pages.postsChanged('someone else entirely')
  pages.store('reader', '20:', body('fresh'), ['alice'], before)
  t.same(pages.get('reader', '20:'), body('fresh'), 'someone not followed wrote meanwhile')
  before = pages.generation
  pages.followsChanged('reader')
  pages.store('reader', '20:', body('stale'), ['alice'], before)
  t.equal(pages.get('reader', '20:'), undefined, 'the reader followed someone meanwhile')
  before = pages.generation
  pages.clear()
  pages.store('reader', '20:', body('stale'), ['alice'], before)
  t.equal(pages.get('reader', '20:'), undefined, 'everything was forgotten meanwhile')
  before = pages.generation
  for (let i = 0; i < 300; i++) pages.postsChanged(`stranger${i}`)
  pages.store('reader', '20:', body('unknown'), ['alice'], before)
  t.equal(pages.get('reader', '20:'), undefined, 'more invalidations than are remembered: not kept')
})

t.test('FeedPages: a later page of a reader whose entry went while it was read (tags not looked up) is not stored', async (t) => {
  const pages = new FeedPages(3000)
  pages.store('reader', '20:', body('first page'), ['alice'], pages.generation)
  // The read of page 2 begins: the entry exists, so its followees are not looked up.
  const before = pages.generation
  // Pushed out by the budget meanwhile (no invalidation at all).
  for (const other of ['r1', 'r2', 'r3']) pages.store(other, '20:', Buffer.alloc(1000), ['x'], pages.generation)
  t.notOk(pages.has('reader'))
  pages.store('reader', '20:cursor', body('second page'), undefined, before)
  t.notOk(pages.has('reader'), 'not filed with no tags, where no post of alice\'s would find it')
})

t.test('FeedPages: over its budget, the least recently read reader goes first', async (t) => {
  const page = Buffer.alloc(1000)
  const pages = new FeedPages(3 * 1400)
  for (const reader of ['r1', 'r2', 'r3']) pages.store(reader, '20:', page, ['x'], pages.generation)
  t.equal(pages.readers, 3)
  t.ok(pages.get('r1', '20:'), 'r1 read again: now the most recent')
  pages.store('r4', '20:', page, ['x'], pages.generation)
  t.equal(pages.get('r2', '20:'), undefined, 'r2 was the least recently read')
  t.ok(pages.get('r1', '20:'))
  t.ok(pages.get('r3', '20:'))
  t.ok(pages.get('r4', '20:'))
  t.ok(pages.bytes <= 3 * 1400)

  const off = new FeedPages(0)
  off.store('r1', '20:', page, [], off.generation)
  t.equal(off.get('r1', '20:'), undefined, 'a budget of 0 stores nothing')
})

t.test('applyFeedChange: posts:, follows:, and anything else forgets everything', async (t) => {
  const pages = new FeedPages(1024 * 1024)
  const fill = () => {
    pages.store('reader', '20:', body('a'), ['alice'], pages.generation)
    pages.store('alice', '20:', body('b'), ['bob'], pages.generation)
  }
  fill()
  applyFeedChange(pages, 'posts:alice')
  t.equal(pages.get('reader', '20:'), undefined)
  t.ok(pages.get('alice', '20:'))
  fill()
  applyFeedChange(pages, 'follows:alice')
  t.ok(pages.get('reader', '20:'))
  t.equal(pages.get('alice', '20:'), undefined)
  fill()
  applyFeedChange(pages, 'truncated')
  t.equal(pages.readers, 0, 'a truncated table forgets everything')
  fill()
  applyFeedChange(pages, 'reactions:alice')
  t.equal(pages.readers, 0, 'so does a payload this version does not know')
})

t.test('FeedPages: a reader keeps at most 8 pages; a page already kept can be replaced', async (t) => {
  const pages = new FeedPages(1024 * 1024)
  for (let i = 0; i < 9; i++) pages.store('walker', `20:cursor${i}`, body(`page ${i}`), ['x'], pages.generation)
  t.ok(pages.get('walker', '20:cursor7'))
  t.equal(pages.get('walker', '20:cursor8'), undefined, 'the ninth page is not kept')
  pages.store('walker', '20:cursor0', body('page 0, again'), ['x'], pages.generation)
  t.same(pages.get('walker', '20:cursor0'), body('page 0, again'))
})

// Against the real app: whether a page came from memory is told apart by a change that
// bypasses every notification (the triggers disabled for one statement's transaction).
async function feedTitles (app: App, user: TestUser): Promise<string[]> {
  const res = await app.inject({ method: 'GET', url: '/feed', headers: user.auth })
  if (res.statusCode !== 200) throw new Error(`GET /feed: ${res.statusCode} ${res.body}`)
  return res.json().items.map((p: { title: string }) => p.title)
}

async function write (app: App, user: TestUser, title: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title, body: '본문' } })
  if (res.statusCode !== 201) throw new Error(`POST /posts: ${res.statusCode} ${res.body}`)
  return res.json().id
}

async function followAs (app: App, user: TestUser, username: string): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/follows', headers: user.auth, payload: { username } })
  if (res.statusCode !== 201) throw new Error(`POST /follows: ${res.statusCode} ${res.body}`)
}

/** A reader following an author who has written one post, titled 'original'. */
async function readerOfOnePost (app: App): Promise<{ reader: TestUser, author: TestUser, id: string }> {
  const [reader, author] = await Promise.all([createUser(app), createUser(app)])
  await followAs(app, reader, author.username)
  return { reader, author, id: await write(app, author, 'original') }
}

/** Retitles a post without any notification, as a change missed by the change log reader would be. */
async function retitleSilently (app: App, id: string, title: string): Promise<void> {
  await app.sql.begin(async (tx) => {
    await tx`alter table posts disable trigger posts_feed_changed`
    await tx`update posts set title = ${title} where id = ${id}`
    await tx`alter table posts enable trigger posts_feed_changed`
  })
}

t.test('GET /feed is served from memory, and a post changed by any writer reaches it through the change log', async (t) => {
  const app = await build(t)
  const { reader, id } = await readerOfOnePost(app)
  await app.changeLog.settled()
  t.same(await feedTitles(app, reader), ['original'])

  await retitleSilently(app, id, 'changed unannounced')
  t.same(await feedTitles(app, reader), ['original'], 'the cached page, not the database')

  // A plain UPDATE, as a script or another feature would run it: the trigger announces it.
  await app.sql`update posts set title = 'changed by a script' where id = ${id}`
  const ms = await eventually(() => feedTitles(app, reader), ['changed by a script'], 2000)
  t.pass(`seen after ${ms} ms`)
})

t.test('GET /feed with FEED_CACHE_MB=0 reads the database every time', async (t) => {
  const app = await build(t, { env: { FEED_CACHE_MB: '0' } })
  const { reader, id } = await readerOfOnePost(app)
  await app.changeLog.settled()
  t.same(await feedTitles(app, reader), ['original'])
  await retitleSilently(app, id, 'changed unannounced')
  t.same(await feedTitles(app, reader), ['changed unannounced'])
  t.equal(app.feedPages.readers, 0)
})

t.test('GET /feed reflects the caller\'s own writes at once, without waiting for a notification', async (t) => {
  // Triggers off in this database: only the routes' own invalidation can make these pass.
  const database = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: database, ADMIN_USERNAMES: 'feedadmin' } })
  await app.sql`alter table posts disable trigger posts_feed_changed`
  await app.sql`alter table follows disable trigger follows_feed_changed`
  const [reader, alice, bob, admin] = await Promise.all([
    createUser(app), createUser(app), createUser(app), createUser(app, { username: 'feedadmin' })
  ])
  await followAs(app, reader, alice.username)
  t.same(await feedTitles(app, reader), [])

  const first = await write(app, alice, 'first')
  t.same(await feedTitles(app, reader), ['first'], 'a followee\'s new post')

  const edited = await app.inject({ method: 'PUT', url: `/posts/${first}`, headers: alice.auth, payload: { title: 'first, edited', body: '본문' } })
  t.equal(edited.statusCode, 200)
  t.same(await feedTitles(app, reader), ['first, edited'], 'a followee\'s edit')

  await write(app, bob, 'by bob')
  await followAs(app, reader, bob.username)
  t.same(await feedTitles(app, reader), ['by bob', 'first, edited'], 'the caller\'s new follow')

  const removed = await app.inject({ method: 'DELETE', url: `/posts/${first}`, headers: admin.auth })
  t.equal(removed.statusCode, 200)
  t.same(await feedTitles(app, reader), ['by bob'], 'a post deleted by an admin, not its author')

  const unfollowed = await app.inject({ method: 'DELETE', url: `/follows/${bob.username}`, headers: reader.auth })
  t.equal(unfollowed.statusCode, 200)
  t.same(await feedTitles(app, reader), [], 'the caller\'s unfollow')
})

t.test('nothing done to an anonymous post drops the cached feed of its author\'s followers (it would name the author)', async (t) => {
  // A reader who sees their cached feed dropped (a cached page answers faster, gzip-encoded)
  // right after touching an anonymous post learns that someone they follow wrote it.
  const app = await build(t, { env: { LOGIN_RATE_LIMIT: '0' } })
  const { reader, author } = await readerOfOnePost(app)
  const stranger = await createUser(app)
  const anonymousPost = () => app.inject({ method: 'POST', url: '/posts', headers: author.auth, payload: { title: '익명', body: '본문', anonymous: true } })
  const secret = (await anonymousPost()).json().id as string
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer()
  const boundary = 'feed-test-boundary'
  const upload = () => app.inject({
    method: 'POST', url: `/posts/${secret}/media`, headers: { ...author.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n`), png, Buffer.from(`\r\n--${boundary}--\r\n`)])
  })
  let imageId = ''
  const touches: Array<[string, () => Promise<{ statusCode: number }>]> = [
    ['a like', () => app.inject({ method: 'PUT', url: `/posts/${secret}/like`, headers: stranger.auth })],
    ['an unlike', () => app.inject({ method: 'DELETE', url: `/posts/${secret}/like`, headers: stranger.auth })],
    ['an unlike that changes nothing', () => app.inject({ method: 'DELETE', url: `/posts/${secret}/like`, headers: stranger.auth })],
    ['a scrap', () => app.inject({ method: 'PUT', url: `/posts/${secret}/scrap`, headers: stranger.auth })],
    ['a comment', () => app.inject({ method: 'POST', url: `/posts/${secret}/comments`, headers: stranger.auth, payload: { body: '댓글' } })],
    ['an image', async () => { const res = await upload(); imageId = res.json().id; return res }],
    ['the image deleted', () => app.inject({ method: 'DELETE', url: `/media/${imageId}`, headers: author.auth })],
    ['an edit', () => app.inject({ method: 'PUT', url: `/posts/${secret}`, headers: author.auth, payload: { title: '익명, 고침', body: '본문' } })],
    ['another anonymous post', anonymousPost],
    ['the post deleted', () => app.inject({ method: 'DELETE', url: `/posts/${secret}`, headers: author.auth })]
  ]
  for (const [name, touch] of touches) {
    await feedTitles(app, reader)
    await app.changeLog.settled()
    t.ok(app.feedPages.has(reader.id), `cached before ${name}`)
    t.ok([200, 201].includes((await touch()).statusCode), name)
    await app.changeLog.settled()
    t.ok(app.feedPages.has(reader.id), `still cached after ${name}, through the route and the change log`)
  }
  // The same check does notice a change to a post the feed shows.
  const shown = await write(app, author, 'public')
  await app.changeLog.settled()
  await feedTitles(app, reader)
  await app.changeLog.settled()
  t.ok(app.feedPages.has(reader.id))
  await app.inject({ method: 'PUT', url: `/posts/${shown}/like`, headers: stranger.auth })
  t.notOk(app.feedPages.has(reader.id), 'a like on a post in the feed drops it')
})

t.test('a write on one instance reaches the cached feed of another within a second', async (t) => {
  const database = await createDatabase()
  const first = await build(t, { env: { DATABASE_URL: database } })
  const second = await build(t, { env: { DATABASE_URL: database } })
  const [reader, author] = await Promise.all([createUser(first), createUser(first)])
  await followAs(first, reader, author.username)
  await first.changeLog.settled()
  t.same(await feedTitles(first, reader), [])
  t.ok(first.feedPages.has(reader.id), 'the empty page is cached on the first instance')

  await write(second, author, 'from the other instance')
  t.pass(`post seen after ${await eventually(() => feedTitles(first, reader), ['from the other instance'], 1000)} ms`)

  const res = await second.inject({ method: 'DELETE', url: `/follows/${author.username}`, headers: reader.auth })
  t.equal(res.statusCode, 200)
  t.pass(`unfollow seen after ${await eventually(() => feedTitles(first, reader), [], 1000)} ms`)
})

t.test('when the change log could not be read for a while, pages cached before are dropped (changes may have been missed)', async (t) => {
  const database = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: database } })
  const { reader, id } = await readerOfOnePost(app)
  await app.changeLog.settled()
  t.same(await feedTitles(app, reader), ['original'])
  await retitleSilently(app, id, 'missed while unreadable')
  t.same(await feedTitles(app, reader), ['original'])

  await app.sql`alter table change_log rename to change_log_away`
  await eventually(async () => app.changeLog.failing, true, 5000)
  await app.sql`alter table change_log_away rename to change_log`
  const ms = await eventually(() => feedTitles(app, reader), ['missed while unreadable'], 5000)
  t.pass(`fresh again ${ms} ms after the change log came back`)
})

t.test('renaming an author, or emptying a table, reaches the cached feed through the change log', async (t) => {
  const database = await createDatabase()
  const app = await build(t, { env: { DATABASE_URL: database } })
  const { reader, author } = await readerOfOnePost(app)
  async function authorNickname (): Promise<string[]> {
    const res = await app.inject({ method: 'GET', url: '/feed', headers: reader.auth })
    return res.json().items.map((p: { author: { nickname: string } }) => p.author.nickname)
  }
  await app.changeLog.settled()
  t.same(await authorNickname(), [author.username.slice(0, 30)])

  await app.sql`update users set nickname = 'renamed by a script' where id = ${author.id}`
  t.pass(`rename seen after ${await eventually(authorNickname, ['renamed by a script'], 2000)} ms`)

  // cascade: likes, scraps and comments reference posts.
  await app.sql`truncate posts cascade`
  t.pass(`truncate seen after ${await eventually(() => feedTitles(app, reader), [], 2000)} ms`)
})
