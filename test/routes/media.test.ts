import t from 'tap'
import { request as httpRequest } from 'node:http'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { build, eventually } from '../helper.js'
import { PageCache } from '../../plugins/page-cache.js'
import { createUser, type TestUser } from '../accounts.js'
import { listen } from '../raw-http.js'

const app = await build(t, { env: { ADMIN_USERNAMES: 'mediaadmin', LOGIN_RATE_LIMIT: '0' } })
const [author, other, admin] = await Promise.all([createUser(app), createUser(app), createUser(app, { username: 'mediaadmin' })])

const BOUNDARY = 'campus-api-test-boundary'
function multipart (bytes: Buffer, filename = 'photo.jpg', type = 'image/jpeg', field = 'file'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`)
  ])
}
function upload (user: TestUser, postId: string, bytes: Buffer, filename?: string, type?: string) {
  return app.inject({
    method: 'POST',
    url: `/posts/${postId}/media`,
    headers: { ...user.auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: multipart(bytes, filename, type)
  })
}
async function newPost (user: TestUser, fields: object = {}): Promise<string> {
  return (await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: '분실물', body: '사진 첨부', ...fields } })).json().id
}
const canvas = (width = 64, height = 48) => sharp({ create: { width, height, channels: 3, background: '#3366cc' } })

t.test('each format is accepted, its type read from the bytes; the answer has size and dimensions', async (t) => {
  const post = await newPost(author)
  const images: Array<[string, Buffer]> = [
    ['image/jpeg', await canvas().jpeg().toBuffer()],
    ['image/png', await canvas().png().toBuffer()],
    ['image/webp', await canvas().webp().toBuffer()],
    ['image/gif', await canvas().gif().toBuffer()]
  ]
  for (const [type, bytes] of images) {
    // The part's own header lies on purpose: the bytes decide.
    const res = await upload(author, post, bytes, 'x.bin', 'application/octet-stream')
    t.equal(res.statusCode, 201, type)
    t.match(res.json(), { postId: post, contentType: type, width: 64, height: 48, size: Number, url: /^\/media\/[0-9a-f-]{36}$/ })
  }
  const answer = (await app.inject({ url: `/posts/${post}`, headers: other.auth })).json()
  t.same(answer.media.map((m: { contentType: string }) => m.contentType), images.map(([type]) => type), 'in upload order on the post')
})

t.test('a JPEG carrying GPS and an owner name is served without them', async (t) => {
  const post = await newPost(author, { anonymous: true })
  const tagged = await canvas(80, 60).withExif({
    IFD0: { Artist: 'Kim Secret-Owner', Copyright: 'OwnerName 2026', ImageDescription: 'my room' },
    IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '37/1 33/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '126/1 58/1 0/1' }
  }).jpeg().toBuffer()
  t.ok(tagged.includes('Kim Secret-Owner'), 'the upload does carry them')
  const res = await upload(author, post, tagged)
  t.equal(res.statusCode, 201)
  const served = await app.inject({ url: res.json().url })
  t.equal(served.statusCode, 200)
  for (const secret of ['Kim Secret-Owner', 'OwnerName', 'my room', 'GPS']) t.notOk(served.rawPayload.includes(secret), `no ${secret}`)
  const metadata = await sharp(served.rawPayload).metadata()
  t.equal(metadata.exif, undefined, 'no EXIF at all')
  t.equal(metadata.xmp, undefined, 'no XMP')
  // The anonymous post's answers carry the image, and nothing about its author.
  const seen = await app.inject({ url: `/posts/${post}`, headers: other.auth })
  t.equal(seen.json().author, null)
  t.notOk(seen.body.includes(author.username) || seen.body.includes(author.id))
})

t.test('a renamed non-image, a truncated image and an image bomb → 400, nothing stored', async (t) => {
  const post = await newPost(author)
  const jpeg = await canvas(400, 300).jpeg().toBuffer()
  // A PNG header declaring 100 000 × 100 000 pixels in a few dozen bytes.
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(100_000, 0); ihdr.writeUInt32BE(100_000, 4); ihdr[8] = 8; ihdr[9] = 2
  const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))])
  const cases: Array<[string, Buffer, string]> = [
    ['text claiming to be a PNG', Buffer.from('definitely not an image '.repeat(20)), 'image/png'],
    ['a truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg'],
    ['an image bomb', bomb, 'image/png'],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'image/svg+xml']
  ]
  for (const [name, bytes, type] of cases) {
    const res = await upload(author, post, bytes, 'x', type)
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/file' }] } })
  }
  const [{ count }] = await app.sql`select count(*)::int as count from post_media where post_id = ${post}`
  t.equal(count, 0)
})

/** An upload over a real socket, sent whole whatever the server answers, and that answer. */
function sendWhole (port: number, user: TestUser, postId: string, body: Buffer): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...user.auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': body.length }
    const req = httpRequest({ port, method: 'POST', path: `/posts/${postId}/media`, headers }, (res) => {
      let text = ''
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('a body over 5 MiB → 413 PAYLOAD_TOO_LARGE, received by a client still sending it', async (t) => {
  const server = await build(t, { env: { LOGIN_RATE_LIMIT: '0' } })
  const port = await listen(server)
  const user = await createUser(server)
  const post = (await server.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: 't', body: 'b' } })).json().id
  const body = multipart(Buffer.alloc(6 * 1024 * 1024, 0xff))
  const answer = await sendWhole(port, user, post, body)
  t.equal(answer.status, 413)
  t.same(JSON.parse(answer.body), { error: { code: 'PAYLOAD_TOO_LARGE', message: '요청 본문이 너무 큽니다.' } })
  const [{ count }] = await server.sql`select count(*)::int as count from post_media where post_id = ${post}`
  t.equal(count, 0)
})

t.test('who may upload is judged before the bytes: a non-author\'s or an unknown post\'s upload is 403 / 404 whatever it holds', async (t) => {
  const post = await newPost(author)
  const notAnImage = Buffer.from('not an image at all '.repeat(50))
  t.equal((await upload(other, post, notAnImage)).statusCode, 403)
  t.equal((await upload(author, '00000000-0000-4000-8000-000000000000', notAnImage)).statusCode, 404)
})

t.test('a refusal before the upload is read reaches a client still sending 4 MiB', async (t) => {
  const server = await build(t, { env: { LOGIN_RATE_LIMIT: '0' } })
  const port = await listen(server)
  const [owner, stranger] = await Promise.all([createUser(server), createUser(server)])
  const post = (await server.inject({ method: 'POST', url: '/posts', headers: owner.auth, payload: { title: 't', body: 'b' } })).json().id
  const body = multipart(Buffer.alloc(4 * 1024 * 1024, 0xff))
  const answer = await sendWhole(port, stranger, post, body)
  t.equal(answer.status, 403)
  t.equal(JSON.parse(answer.body).error.code, 'FORBIDDEN')
})

t.test('a second part (another file, or a field) → 400 naming the body, nothing stored', async (t) => {
  const post = await newPost(author)
  const bytes = await canvas(16, 16).png().toBuffer()
  const part = (name: string, content: Buffer, filename?: string) => Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n` +
      (filename === undefined ? '' : 'Content-Type: image/png\r\n') + '\r\n'),
    content, Buffer.from('\r\n')
  ])
  const bodies: Array<[string, Buffer]> = [
    ['two files', Buffer.concat([part('file', bytes, 'a.png'), part('file', bytes, 'b.png'), Buffer.from(`--${BOUNDARY}--\r\n`)])],
    ['a file, then a field', Buffer.concat([part('file', bytes, 'a.png'), part('caption', Buffer.from('hi')), Buffer.from(`--${BOUNDARY}--\r\n`)])],
    ['a field, then the file', Buffer.concat([part('caption', Buffer.from('hi')), part('file', bytes, 'a.png'), Buffer.from(`--${BOUNDARY}--\r\n`)])],
    ['a file under another name', Buffer.concat([part('photo', bytes, 'a.png'), Buffer.from(`--${BOUNDARY}--\r\n`)])]
  ]
  for (const [name, payload] of bodies) {
    const res = await app.inject({
      method: 'POST', url: `/posts/${post}/media`, payload,
      headers: { ...author.auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }
    })
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: /^\/body/ }] } }, name)
  }
  const [{ count }] = await app.sql`select count(*)::int as count from post_media where post_id = ${post}`
  t.equal(count, 0)
})

t.test('at most 10 images a post, also when uploads arrive together', async (t) => {
  const post = await newPost(author)
  const bytes = await canvas(16, 16).png().toBuffer()
  for (let i = 0; i < 8; i++) t.equal((await upload(author, post, bytes)).statusCode, 201)
  const answers = await Promise.all(Array.from({ length: 5 }, () => upload(author, post, bytes)))
  t.same(answers.map(a => a.statusCode).sort(), [201, 201, 400, 400, 400])
  const [{ count }] = await app.sql`select count(*)::int as count from post_media where post_id = ${post}`
  t.equal(count, 10)
})

t.test('only the post\'s author uploads; the author or an admin deletes; the image leaves every answer', async (t) => {
  const post = await newPost(author)
  const bytes = await canvas().jpeg().toBuffer()
  t.equal((await upload(other, post, bytes)).statusCode, 403)
  t.equal((await upload(author, '00000000-0000-4000-8000-000000000000', bytes)).statusCode, 404)
  const first = (await upload(author, post, bytes)).json()
  const second = (await upload(author, post, bytes)).json()
  t.equal((await app.inject({ method: 'DELETE', url: `/media/${first.id}`, headers: other.auth })).statusCode, 403)
  const gone = await app.inject({ method: 'DELETE', url: `/media/${first.id}`, headers: author.auth })
  t.same(gone.json(), { deleted: true })
  t.equal((await app.inject({ url: first.url })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/media/${second.id}`, headers: admin.auth })).statusCode, 200)
  t.same((await app.inject({ url: `/posts/${post}`, headers: author.auth })).json().media, [])
})

t.test('GET /media/{id}: no token, its type, ETag, immutable caching, nosniff; If-None-Match → 304', async (t) => {
  const post = await newPost(author)
  const res = (await upload(author, post, await canvas().png().toBuffer())).json()
  const served = await app.inject({ url: res.url })
  t.equal(served.statusCode, 200)
  t.equal(served.headers['content-type'], 'image/png')
  t.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(served.headers['x-content-type-options'], 'nosniff')
  t.match(served.headers.etag, /^"[0-9a-f]{64}"$/)
  t.equal(served.rawPayload.length, res.size)
  const again = await app.inject({ url: res.url, headers: { 'if-none-match': String(served.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.rawPayload.length, 0)
  t.equal(Number(again.headers['content-length'] ?? 0), 0, 'no Content-Length promising a body a keep-alive client would wait for')
  const etag = String(served.headers.etag)
  for (const header of [`W/${etag}`, '*', `"0000", ${etag}`]) {
    t.equal((await app.inject({ url: res.url, headers: { 'if-none-match': header } })).statusCode, 304, `If-None-Match: ${header}`)
  }
  t.equal((await app.inject({ url: res.url, headers: { 'if-none-match': '"0000", W/"1111"' } })).statusCode, 200, 'other tags: the image')
  const cachedCopy = await app.inject({ url: res.url })
  t.same(cachedCopy.rawPayload, served.rawPayload, 'served again, the same bytes (from memory)')
  t.equal((await app.inject({ url: '/media/00000000-0000-4000-8000-000000000000' })).statusCode, 404)
})

t.test('GET /media/{id} remembers that its post is live; a deletion made elsewhere reaches it through the change log', async (t) => {
  const post = await newPost(author)
  const image = (await upload(author, post, await canvas().jpeg().toBuffer())).json()
  // The upload's own announcement, arriving later, would drop what a read made before it keeps.
  await app.changeLog.settled()
  await eventually(async () => {
    t.equal((await app.inject({ url: image.url })).statusCode, 200)
    return app.pageCache.has(PageCache.mediaEntry(image.id))
  }, true, 2000)
  // Deleted with the announcing trigger off: only a memory of the post being live serves it now.
  await app.sql.begin(async (tx) => {
    await tx`alter table posts disable trigger posts_pages_changed`
    await tx`update posts set deleted_at = now() where id = ${post}`
    await tx`alter table posts enable trigger posts_pages_changed`
  })
  t.equal((await app.inject({ url: image.url })).statusCode, 200, 'answered from memory, no query')
  // The same deletion as another instance or a script makes it: the trigger announces it.
  await app.sql`update posts set deleted_at = now() where id = ${post}`
  t.pass(`404 after ${await eventually(async () => (await app.inject({ url: image.url })).statusCode, 404, 2000)} ms`)
})

t.test('a deleted post or board takes its images with it: GET /media answers 404 (JSON)', async (t) => {
  const png = await canvas().png().toBuffer()
  const post = await newPost(author)
  const image = (await upload(author, post, png)).json()
  await app.inject({ method: 'DELETE', url: `/posts/${post}`, headers: author.auth })
  const res = await app.inject({ url: image.url })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })

  const school = (await app.inject({ method: 'POST', url: '/schools', headers: admin.auth, payload: { name: '미디어대학교' } })).json()
  const board = (await app.inject({ method: 'POST', url: '/boards', headers: author.auth, payload: { schoolId: school.id, category: '자유', name: '사진' } })).json()
  const boardPost = await newPost(author, { boardId: board.id })
  const boardImage = (await upload(author, boardPost, png)).json()
  t.equal((await app.inject({ url: boardImage.url })).statusCode, 200)
  await app.inject({ method: 'DELETE', url: `/boards/${board.id}`, headers: author.auth })
  t.equal((await app.inject({ url: boardImage.url })).statusCode, 404)
})

t.test('media appears on list and feed answers too', async (t) => {
  const follower = await createUser(app)
  await app.inject({ method: 'POST', url: '/follows', headers: follower.auth, payload: { username: author.username } })
  const post = await newPost(author)
  // Read the feed once so a cached page exists, then upload: the cache must follow.
  await app.inject({ url: '/feed', headers: follower.auth })
  const image = (await upload(author, post, await canvas().gif().toBuffer())).json()
  const mine = (await app.inject({ url: '/posts/mine', headers: author.auth })).json().items.find((p: { id: string }) => p.id === post)
  t.same(mine.media.map((m: { id: string }) => m.id), [image.id])
  const feed = (await app.inject({ url: '/feed', headers: follower.auth })).json().items.find((p: { id: string }) => p.id === post)
  t.same(feed.media, [{ id: image.id, url: image.url, contentType: 'image/gif', width: 64, height: 48 }])
})

t.test('when storing the bytes fails, the upload is a 500 envelope and no image is left half-stored', async (t) => {
  const post = await newPost(author)
  // The bytes go in after the image's row, in its transaction: make PostgreSQL refuse them.
  await app.sql`create function refuse_media_bytes() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`
  await app.sql`create trigger refuse_media_bytes before insert on media_bytes for each row execute function refuse_media_bytes()`
  t.teardown(async () => {
    await app.sql`drop trigger if exists refuse_media_bytes on media_bytes`
    await app.sql`drop function if exists refuse_media_bytes()`
  })
  const res = await upload(author, post, await canvas().png().toBuffer())
  t.equal(res.statusCode, 500)
  t.same(res.json().error.code, 'INTERNAL_ERROR')
  t.notMatch(res.body, /disk full|COPY|media_bytes/, 'no SQL or database message reaches the client')
  const [{ count }] = await app.sql`select count(*)::int as count from post_media where post_id = ${post}`
  t.equal(count, 0, 'the image row went with the failed bytes (one transaction)')
  t.equal((await app.inject({ url: `/posts/${post}`, headers: author.auth })).json().media.length, 0)
})
