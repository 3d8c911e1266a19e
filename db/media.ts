// Post images: stored, capped per post, served one at a time, deleted by the post's author or
// an admin. A post that is deleted (or whose board is) takes its images out of every answer.
import type { ISql, Sql, TransactionSql } from 'postgres'
import type { Media } from '../schemas/community.js'
import { AppError } from '../plugins/errors.js'
import { feedAuthor, livePost } from './posts.js'

export const MAX_MEDIA_PER_POST = 10

export type StoredImage = { contentType: string, width: number, height: number, sha256: string, bytes: Buffer }

type MediaRow = { id: string, postId: string, contentType: string, size: number, width: number, height: number, createdAt: Date }

function toMedia (row: MediaRow): Media {
  return { ...row, url: `/media/${row.id}`, createdAt: row.createdAt.toISOString() }
}

type UploadTarget = { authorId: string, feedAuthorId: string | null, count: number, next: number }

/**
 * The post an image would go to: its author and its images so far. With `lock` (in a
 * transaction) the post row is locked first and the images counted by a statement of their
 * own, which under READ COMMITTED sees every upload that committed while this one waited.
 */
async function uploadTarget (sql: ISql, postId: string, lock: boolean): Promise<UploadTarget | undefined> {
  const [post] = await sql<Array<{ authorId: string, feedAuthorId: string | null }>>`
    select author_id, ${feedAuthor(sql, 'p')} as feed_author_id from posts p where p.id = ${postId} and ${livePost(sql, 'p')} ${lock ? sql`for update` : sql``}`
  if (post === undefined) return undefined
  const [images] = await sql<Array<{ count: number, next: number }>>`
    select count(*)::int as count, coalesce(max(position), 0) + 1 as next from post_media where post_id = ${postId}`
  return { ...post, ...images! }
}

/** 404 for no such live post, 403 for someone else's, 400 for a post that holds its last image. */
function refuseUpload (target: UploadTarget | undefined, authorId: string): UploadTarget {
  if (target === undefined) throw new AppError('NOT_FOUND')
  if (target.authorId !== authorId) throw new AppError('FORBIDDEN')
  if (target.count >= MAX_MEDIA_PER_POST) {
    throw new AppError('VALIDATION_FAILED', { details: [{ path: '/body/file', message: `a post holds at most ${MAX_MEDIA_PER_POST} images` }] })
  }
  return target
}

/**
 * Whether the caller may add an image to a post now: asked before the upload is read, so a
 * refusal costs no decoding. addMedia judges again, under the lock, when the image is stored.
 */
export async function checkUploadTarget (sql: ISql, authorId: string, postId: string): Promise<void> {
  refuseUpload(await uploadTarget(sql, postId, false), authorId)
}

/**
 * Adds an image to the caller's live post. The post row is locked while its images are
 * counted, so concurrent uploads never pass MAX_MEDIA_PER_POST: the eleventh is 400.
 * 404 for no such live post, 403 for someone else's. Answers the image and whose followers'
 * feeds show the post (see feedAuthor).
 */
export async function addMedia (sql: Sql, authorId: string, postId: string, image: StoredImage): Promise<{ media: Media, feedAuthorId: string | null }> {
  return await sql.begin(async (tx) => {
    const { next, feedAuthorId } = refuseUpload(await uploadTarget(tx, postId, true), authorId)
    const [row] = await tx<MediaRow[]>`
      insert into post_media (post_id, position, content_type, size, width, height, sha256)
      values (${postId}, ${next}, ${image.contentType}, ${image.bytes.length}, ${image.width}, ${image.height}, ${image.sha256})
      returning id, post_id, content_type, size, width, height, created_at`
    await storeBytes(tx, row!.id, image.bytes)
    return { media: toMedia(row!), feedAuthorId }
  })
}

/**
 * Stores an image's bytes, sent as base64 text and decoded by PostgreSQL. postgres.js sends
 * every parameter as text, a bytea as `\\x` and hex: a 2 MiB string per MiB concatenated,
 * measured and copied on the event loop (20–50 ms per 1 MiB upload in a CPU profile, the
 * /health probe's p99 at 11–16 × idle while uploads ran). Base64 is a third smaller and one
 * flat string made natively. (A binary COPY would send the bytes as they are, but postgres.js
 * never settles a COPY that PostgreSQL refuses after its last row: the upload hung. That is
 * porsager/postgres#1173, open, with a fix proposed in #1183; once released, COPY is the better way.)
 */
async function storeBytes (tx: TransactionSql, mediaId: string, bytes: Buffer): Promise<void> {
  await tx`insert into media_bytes (media_id, bytes) values (${mediaId}, decode(${bytes.toString('base64')}, 'base64'))`
}

export type ServedImage = { contentType: string, sha256: string, postId: string }

/** An image of a live post, without its bytes (enough to answer a revalidation), or 404. */
export async function findServedImage (sql: ISql, id: string): Promise<ServedImage> {
  const [row] = await sql<ServedImage[]>`
    select m.content_type, m.sha256, m.post_id
    from post_media m join posts p on p.id = m.post_id
    where m.id = ${id} and ${livePost(sql, 'p')}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return row
}

export async function imageBytes (sql: ISql, id: string): Promise<Buffer> {
  const [row] = await sql<Array<{ bytes: Buffer }>>`select bytes from media_bytes where media_id = ${id}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return row.bytes
}

/** Deletes an image (its post's author or an admin); returns its post and the post's author. */
export async function deleteMedia (sql: ISql, viewer: { id: string, isAdmin: boolean }, id: string): Promise<{ postId: string, feedAuthorId: string | null }> {
  const [row] = await sql<Array<{ postId: string, feedAuthorId: string | null }>>`
    delete from post_media m using posts p
    where m.id = ${id} and p.id = m.post_id and ${livePost(sql, 'p')} and (p.author_id = ${viewer.id} or ${viewer.isAdmin})
    returning p.id as post_id, ${feedAuthor(sql, 'p')} as feed_author_id`
  if (row !== undefined) return row
  const [exists] = await sql`
    select 1 from post_media m join posts p on p.id = m.post_id where m.id = ${id} and ${livePost(sql, 'p')}`
  throw new AppError(exists === undefined ? 'NOT_FOUND' : 'FORBIDDEN')
}
