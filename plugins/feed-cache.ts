// Feed pages kept in memory as the exact bytes sent, per reader. GET /feed is the hottest read
// that needs the database (a merge over every followee's index range, ~1.5 ms of database
// time), readers ask for the same first page again and again, and a reader's pages change
// only when someone they follow writes, or when they follow or unfollow someone.
//
// Kept fresh by invalidation, never by expiry:
// - across instances, by the `feed_changed` NOTIFY that triggers on posts, follows and users
//   send (db/migrations/003_feed_changes.sql);
// - on this instance, synchronously, by the routes that write (postsChanged, followsChanged),
//   so a client reads its own writes even before the notification arrives (on another
//   instance, a few milliseconds later);
// - when the listener (re)connects, everything is dropped: notifications may have been missed.
// A feature that changes what a feed page shows must change a posts row (as the counters do)
// or NOTIFY feed_changed itself.
//
// Bounded by FEED_CACHE_MB (0 turns it off); the least recently read reader goes first, and a
// reader keeps at most MAX_PAGES_PER_READER pages, so one client walking cursors cannot push
// everyone else out.
import fp from 'fastify-plugin'
import { FEED_CHANGED_CHANNEL } from '../db/channels.js'

// Followee ids are held once per cached reader (and in the reverse index): counted at a rough
// per-id cost so a reader who follows thousands of users is charged for it.
const BYTES_PER_FOLLOWEE = 100
const BYTES_PER_READER = 300
const MAX_PAGES_PER_READER = 8

type Reader = { followees: readonly string[], pages: Map<string, Buffer>, bytes: number }

export class FeedPages {
  readonly #maxBytes: number
  // Map order is insertion order: re-inserting on every hit keeps the least recently read first.
  readonly #readers = new Map<string, Reader>()
  // author id → the cached readers who follow that author.
  readonly #followersOf = new Map<string, Set<string>>()
  #bytes = 0
  #generation = 0

  constructor (maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  get enabled (): boolean { return this.#maxBytes > 0 }
  get bytes (): number { return this.#bytes }
  get readers (): number { return this.#readers.size }

  /**
   * A stamp to take before reading the database, and to hand back to `store`: if anything was
   * invalidated in between, what was read may already be stale and is not stored.
   */
  get generation (): number { return this.#generation }

  /** Whether this reader has pages here (and so their followees are known). */
  has (readerId: string): boolean {
    return this.#readers.has(readerId)
  }

  get (readerId: string, pageKey: string): Buffer | undefined {
    const reader = this.#readers.get(readerId)
    const body = reader?.pages.get(pageKey)
    if (body !== undefined) {
      this.#readers.delete(readerId)
      this.#readers.set(readerId, reader!)
    }
    return body
  }

  store (readerId: string, pageKey: string, body: Buffer, followees: readonly string[], generation: number): void {
    if (generation !== this.#generation || !this.enabled) return
    let reader = this.#readers.get(readerId)
    if (reader === undefined) {
      reader = { followees, pages: new Map(), bytes: BYTES_PER_READER + BYTES_PER_FOLLOWEE * followees.length }
      this.#readers.set(readerId, reader)
      this.#bytes += reader.bytes
      for (const author of followees) {
        let followers = this.#followersOf.get(author)
        if (followers === undefined) this.#followersOf.set(author, followers = new Set())
        followers.add(readerId)
      }
    }
    const previous = reader.pages.get(pageKey)
    if (previous === undefined && reader.pages.size >= MAX_PAGES_PER_READER) return
    const delta = body.byteLength - (previous?.byteLength ?? 0)
    reader.pages.set(pageKey, body)
    reader.bytes += delta
    this.#bytes += delta
    while (this.#bytes > this.#maxBytes && this.#readers.size > 0) this.#drop(this.#readers.keys().next().value!)
  }

  /** A post by `authorId` changed (or the author did): every follower's pages are stale. */
  postsChanged (authorId: string): void {
    this.#generation++
    for (const readerId of this.#followersOf.get(authorId) ?? []) this.#drop(readerId)
  }

  /** `readerId` followed or unfollowed someone: their own pages are stale. */
  followsChanged (readerId: string): void {
    this.#generation++
    this.#drop(readerId)
  }

  clear (): void {
    this.#generation++
    this.#readers.clear()
    this.#followersOf.clear()
    this.#bytes = 0
  }

  #drop (readerId: string): void {
    const reader = this.#readers.get(readerId)
    if (reader === undefined) return
    this.#readers.delete(readerId)
    this.#bytes -= reader.bytes
    for (const author of reader.followees) {
      const followers = this.#followersOf.get(author)
      followers?.delete(readerId)
      if (followers?.size === 0) this.#followersOf.delete(author)
    }
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
