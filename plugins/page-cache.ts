// The hottest reads after the feed, kept in memory as the exact bytes sent, the way the feed's
// pages are (plugins/feed-cache.ts): a board's first page, a post's comment pages and a user's
// conversation list, per reader; lecture searches, shared by every reader (the catalog is the
// same for all), and the lectures that fit a timetable, for its owner; whether an image may be
// served. Each costs about a
// millisecond of this process's CPU or more to build, and is read again and again between the
// changes that alter it.
//
// Each entry is filed under tags naming what it shows (tagged-pages.ts):
// - a board's first page as one reader sees it: `board:<id>` (a new post, or the board deleted)
//   and `post:<id>` of each post on it (an edit, a like, a comment, an image, a deletion);
// - a post's comment pages as one reader sees them: `post:<id>`;
// - a user's conversation pages: `conversations:<user id>`;
// - a page of lectures: `catalog` (a lecture added or removed, its slots changed) and
//   `lecture:<id>` of each lecture on it (a review moves its rating), plus `timetable:<id>` for
//   the lectures that fit that timetable (a lecture added to it or removed, or it deleted);
// - an image's type and ETag while its post is live (GET /media/{id}): `post:<id>`.
// Only first pages of boards are kept (readers return to the first page; deeper ones are
// walked once), and no board search.
//
// Kept fresh by invalidation, never by expiry:
// - across instances, by the `pages_changed` changes the triggers of migration 012 announce
//   (through the change log of 013, read every DATABASE_CHANGES_INTERVAL);
// - on this instance, synchronously, by the routes that write, so that any client (not only the
//   writer) reads a write made here even before the change log is read;
// - when the change log could not be read for a while, everything is dropped.
//
// Bounded by PAGE_CACHE_MB (0 turns it off).
import fp from 'fastify-plugin'
import { PAGES_CHANGED_CHANNEL } from '../db/channels.js'
import { TaggedPages } from './tagged-pages.js'

export const boardTag = (boardId: string): string => `board:${boardId}`
export const postTag = (postId: string): string => `post:${postId}`
export const conversationsTag = (userId: string): string => `conversations:${userId}`
export const CATALOG_TAG = 'catalog'
export const lectureTag = (lectureId: string): string => `lecture:${lectureId}`
export const timetableTag = (timetableId: string): string => `timetable:${timetableId}`

const KNOWN_TAG = /^(?:(?:board|post|conversations|lecture|timetable):[^,]+|catalog)$/

/** The cached pages, with the entry keys of each kind. */
export class PageCache extends TaggedPages {
  constructor (maxBytes: number) {
    super(maxBytes, { maxPagesPerEntry: 8, bytesPerEntry: 300, bytesPerTag: 100 })
  }

  /** One page per entry: each page size shows its own posts, so files under its own tags. */
  static boardEntry (boardId: string, readerId: string, limit: number): string { return `board:${boardId}:${readerId}:${limit}` }
  static commentsEntry (postId: string, readerId: string): string { return `comments:${postId}:${readerId}` }
  static conversationsEntry (userId: string): string { return `conversations:${userId}` }
  /** Lecture pages without `fits` are the same for every reader: one entry per query. */
  static lecturesEntry (query: string): string { return `lectures:${query}` }
  /** An image's type and ETag while its post is live (GET /media/{id} needs no token: one for all). */
  static mediaEntry (mediaId: string): string { return `media:${mediaId}` }
  /** With `fits`, only the timetable's owner is ever answered: their entry alone. */
  static fitsEntry (timetableId: string, ownerId: string, query: string): string { return `fits:${timetableId}:${ownerId}:${query}` }
}

/**
 * Applies one `pages_changed` payload: tags separated by commas, or `all`. A tag this version
 * does not know (sent by a newer one) forgets everything rather than guess.
 */
export function applyPageChange (pages: PageCache, payload: string): void {
  const tags = payload.split(',')
  if (!tags.every(tag => KNOWN_TAG.test(tag))) return pages.clear()
  for (const tag of tags) pages.invalidate(tag)
}

/**
 * A post this instance just wrote: the post, whose followers' feeds show it (null for an
 * anonymous post: db/posts.ts feedAuthor) and its board when new.
 */
export type PostWrite = { postId: string, feedAuthorId: string | null, newInBoard?: string | null | undefined }

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache
    /** Drops what a write to a post made stale here, in the feed's pages and the community's. */
    postChanged: (write: PostWrite) => void
  }
}

export default fp(async function pageCachePlugin (fastify) {
  const pages = new PageCache(fastify.config.PAGE_CACHE_MB * 1024 * 1024)

  await fastify.subscribe(PAGES_CHANGED_CHANNEL, (payload) => applyPageChange(pages, payload), () => pages.clear())
  fastify.decorate('pageCache', pages)
  fastify.decorate('postChanged', function postChanged ({ postId, feedAuthorId, newInBoard }: PostWrite) {
    if (feedAuthorId !== null) fastify.feedPages.postsChanged(feedAuthorId)
    pages.invalidate(postTag(postId))
    if (newInBoard != null) pages.invalidate(boardTag(newInBoard))
  })
}, { name: 'page-cache', dependencies: ['config', 'db', 'feed-cache'] })
