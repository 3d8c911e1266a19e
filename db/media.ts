// Post images: stored, capped per post, served one at a time, deleted by the post's author or
// an admin. A post that is deleted (or whose board is) takes its images out of every answer.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ISql, Sql, TransactionSql } from 'postgres'
import type { Media } from '../schemas/community.js'
import { AppError } from '../plugins/errors.js'
import { livePost } from './posts.js'

export const MAX_MEDIA_PER_POST = 10

export type StoredImage = { contentType: string, width: number, height: number, sha256: string, bytes: Buffer }

type MediaRow = { id: string, postId: string, contentType: string, size: number, width: number, height: number, createdAt: Date }

function toMedia (row: MediaRow): Media {
  return { ...row, url: `/media/${row.id}`, createdAt: row.createdAt.toISOString() }
}

/**
 * Adds an image to the caller's live post. The post row is locked while its images are
 * counted, so concurrent uploads never pass MAX_MEDIA_PER_POST: the eleventh is 400.
 * 404 for no such live post, 403 for someone else's.
 */
export async function addMedia (sql: Sql, authorId: string, postId: string, image: StoredImage): Promise<Media> {
  return await sql.begin(async (tx) => {
    const [post] = await tx<Array<{ authorId: string }>>`
      select author_id from posts p where p.id = ${postId} and ${livePost(tx, 'p')} for update`
    if (post === undefined) throw new AppError('NOT_FOUND')
    if (post.authorId !== authorId) throw new AppError('FORBIDDEN')
    const [{ count, next }] = await tx<Array<{ count: number, next: number }>>`
      select count(*)::int as count, coalesce(max(position), 0) + 1 as next from post_media where post_id = ${postId}`
    if (count >= MAX_MEDIA_PER_POST) {
      throw new AppError('VALIDATION_FAILED', { details: [{ path: '/body/file', message: `a post holds at most ${MAX_MEDIA_PER_POST} images` }] })
    }
    const [row] = await tx<MediaRow[]>`
      insert into post_media (post_id, position, content_type, size, width, height, sha256)
      values (${postId}, ${next}, ${image.contentType}, ${image.bytes.length}, ${image.width}, ${image.height}, ${image.sha256})
      returning id, post_id, content_type, size, width, height, created_at`
    await copyBytes(tx, row!.id, image.bytes)
    return toMedia(row!)
  })
}

/** The header of PostgreSQL's binary COPY format: signature, flags, header extension length. */
const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)])
const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff])

/**
 * Stores an image's bytes with a binary COPY: they go to the server as they are. As a query
 * parameter, postgres.js would send a bytea as text, twice its size in hex, built and measured
 * on the event loop: a 1 MiB upload held it 20–50 ms (the /health probe's p99 went to 11–16 ×
 * idle while uploads ran, in the CPU profile Buffer.byteLength and writeLatin1String of that
 * string, and the garbage it left).
 */
async function copyBytes (tx: TransactionSql, mediaId: string, bytes: Buffer): Promise<void> {
  const tuple = Buffer.alloc(2 + 4 + 16 + 4)
  tuple.writeInt16BE(2, 0) // two fields
  tuple.writeInt32BE(16, 2) // media_id: a uuid, 16 bytes
  Buffer.from(mediaId.replaceAll('-', ''), 'hex').copy(tuple, 6)
  tuple.writeInt32BE(bytes.length, 22) // bytes, as they are
  const copy = await tx`copy media_bytes (media_id, bytes) from stdin with (format binary)`.writable()
  await pipeline(Readable.from([BINARY_COPY_HEADER, tuple, bytes, BINARY_COPY_TRAILER]), copy)
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
export async function deleteMedia (sql: ISql, viewer: { id: string, isAdmin: boolean }, id: string): Promise<{ postId: string, authorId: string }> {
  const [row] = await sql<Array<{ postId: string, authorId: string }>>`
    delete from post_media m using posts p
    where m.id = ${id} and p.id = m.post_id and ${livePost(sql, 'p')} and (p.author_id = ${viewer.id} or ${viewer.isAdmin})
    returning p.id as post_id, p.author_id`
  if (row !== undefined) return row
  const [exists] = await sql`
    select 1 from post_media m join posts p on p.id = m.post_id where m.id = ${id} and ${livePost(sql, 'p')}`
  throw new AppError(exists === undefined ? 'NOT_FOUND' : 'FORBIDDEN')
}
