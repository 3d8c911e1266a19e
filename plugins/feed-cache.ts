// Feed pages kept in memory as the exact bytes sent, per reader. GET /feed is the hottest read
// that needs the database (a merge over every followee's index range, ~1.5 ms of database
// time), readers ask for the same first page again and again, and a reader's pages change
// only when someone they follow writes, or when they follow or unfollow someone.
//
// Kept fresh by invalidation, never by expiry:
// - across instances, by the `feed_changed` changes that triggers on posts, follows and users
//   announce (migrations 003 and 013), read every DATABASE_CHANGES_INTERVAL (db/change-log.ts);
// - on this instance, synchronously, by the routes that write (postsChanged, followsChanged),
//   so a client reads its own writes even before the change log is read (on another instance,
//   within that interval);
// - when the change log could not be read for a while, everything is dropped.
// A feature that changes what a feed page shows must change a posts row (as the counters do)
// or announce feed_changed itself.
//
// Bounded by FEED_CACHE_MB (0 turns it off), as plugins/tagged-pages.ts keeps it.
import fp from 'fastify-plugin'
import { FEED_CHANGED_CHANNEL } from '../db/channels.js'
import { TaggedPages } from './tagged-pages.js'

/** A reader's feed pages (the entry is the reader's id), filed under the authors they follow. */
export class FeedPages extends TaggedPages {
  constructor (maxBytes: number) {
    // Followee ids are counted at a rough per-id cost, so a reader who follows thousands of
    // users is charged for them.
    super(maxBytes, { maxPagesPerEntry: 8, bytesPerEntry: 300, bytesPerTag: 100 })
  }

  get readers (): number { return this.entries }

  /** A post by `authorId` changed (or the author did): every follower's pages are stale. */
  postsChanged (authorId: string): void {
    this.invalidate(authorId)
  }

  /** `readerId` followed or unfollowed someone: their own pages are stale. */
  followsChanged (readerId: string): void {
    this.drop(readerId)
  }
}

/** Applies one `feed_changed` payload: 'posts:<author id>', 'follows:<follower id>' or 'truncated'. */
export function applyFeedChange (pages: FeedPages, payload: string): void {
  const colon = payload.indexOf(':')
  const kind = colon === -1 ? payload : payload.slice(0, colon)
  const id = payload.slice(colon + 1)
  if (kind === 'posts') pages.postsChanged(id)
  else if (kind === 'follows') pages.followsChanged(id)
  else pages.clear() // 'truncated', or unknown to this version: forget everything
}

declare module 'fastify' {
  interface FastifyInstance {
    feedPages: FeedPages
  }
}

export default fp(async function feedCachePlugin (fastify) {
  const { config } = fastify
  const pages = new FeedPages(config.FEED_CACHE_MB * 1024 * 1024)

  await fastify.subscribe(FEED_CHANGED_CHANNEL, (payload) => applyFeedChange(pages, payload), () => pages.clear())
  fastify.decorate('feedPages', pages)
}, { name: 'feed-cache', dependencies: ['config', 'db'] })
