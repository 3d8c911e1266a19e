// Answers kept in memory as the exact bytes sent, filed under tags that say what they show, and
// dropped when a tag is invalidated: the feed's pages (plugins/feed-cache.ts) and the
// community's (plugins/page-cache.ts) are both this, with different keys and tags.
//
// An entry is what one reader sees of one thing (a reader's feed; a board's first page as one
// reader sees it), holding up to `maxPagesPerEntry` pages. Its tags name what its pages show
// (the authors followed; the board and the posts on the page); invalidating a tag drops every
// entry filed under it. Freshness comes from invalidation, never from expiry.
//
// Bounded in bytes: the least recently read entry goes first, and an entry keeps a bounded
// number of pages, so one client walking cursors cannot push everyone else out. Tags are held
// once per entry (and in the reverse index), charged at a rough per-tag cost so an entry with
// thousands of tags pays for them.
import { gzip } from 'node:zlib'
import { Negotiator } from '@fastify/accept-negotiator'
import type { FastifyReply } from 'fastify'

export type TaggedPagesOptions = { maxPagesPerEntry: number, bytesPerEntry: number, bytesPerTag: number }

/** A kept page: the bytes sent, and the same gzipped once compressed (for clients that accept it). */
export type KeptPage = { readonly body: Buffer, gzipped: Buffer | undefined }

type Entry = { tags: readonly string[], pages: Map<string, KeptPage>, bytes: number }

// The last invalidations, one per generation, so that a page read while something unrelated
// changed is still kept. A read that missed more than this many is not kept.
const REMEMBERED = 256
const EVERYTHING = null
type Invalidation = { tag: string } | { entryKey: string } | typeof EVERYTHING

export class TaggedPages {
  readonly #maxBytes: number
  readonly #options: TaggedPagesOptions
  // Map order is insertion order: re-inserting on every hit keeps the least recently read first.
  readonly #entries = new Map<string, Entry>()
  // tag → the keys of the entries filed under it.
  readonly #entriesOf = new Map<string, Set<string>>()
  #bytes = 0
  #generation = 0
  // What invalidation number g was, at g % REMEMBERED.
  readonly #recent: Invalidation[] = new Array(REMEMBERED).fill(EVERYTHING)

  constructor (maxBytes: number, options: TaggedPagesOptions) {
    this.#maxBytes = maxBytes
    this.#options = options
  }

  get enabled (): boolean { return this.#maxBytes > 0 }
  get bytes (): number { return this.#bytes }
  get entries (): number { return this.#entries.size }

  /**
   * A stamp to take before reading the database, and to hand back to `store`: if what the page
   * shows was invalidated in between, what was read may already be stale and is not stored.
   */
  get generation (): number { return this.#generation }

  /** Whether this entry has pages here (and so its tags are known). */
  has (entryKey: string): boolean {
    return this.#entries.has(entryKey)
  }

  get (entryKey: string, pageKey: string): Buffer | undefined {
    return this.getKept(entryKey, pageKey)?.body
  }

  getKept (entryKey: string, pageKey: string): KeptPage | undefined {
    const entry = this.#entries.get(entryKey)
    const page = entry?.pages.get(pageKey)
    if (page !== undefined) {
      this.#entries.delete(entryKey)
      this.#entries.set(entryKey, entry!)
    }
    return page
  }

  /**
   * Keeps a page, and returns it (undefined when it was not kept). `tags` are taken from the
   * entry's first page; later pages must add none. `tags` undefined means the read did not
   * look for them because the entry existed when it began: if the entry is gone since
   * (invalidated, or pushed out by the budget), the page is not kept, since it could not be
   * filed where its changes will look.
   */
  store (entryKey: string, pageKey: string, body: Buffer, tags: readonly string[] | undefined, generation: number): KeptPage | undefined {
    if (!this.enabled) return undefined
    let entry = this.#entries.get(entryKey)
    if (entry === undefined && tags === undefined) return undefined
    if (this.#invalidatedSince(generation, entryKey, tags ?? [], entry?.tags ?? [])) return undefined
    if (entry === undefined) {
      tags ??= []
      entry = { tags, pages: new Map(), bytes: this.#options.bytesPerEntry + this.#options.bytesPerTag * tags.length }
      this.#entries.set(entryKey, entry)
      this.#bytes += entry.bytes
      for (const tag of tags) {
        let keys = this.#entriesOf.get(tag)
        if (keys === undefined) this.#entriesOf.set(tag, keys = new Set())
        keys.add(entryKey)
      }
    }
    const previous = entry.pages.get(pageKey)
    if (previous === undefined && entry.pages.size >= this.#options.maxPagesPerEntry) return undefined
    const page: KeptPage = { body, gzipped: undefined }
    entry.pages.set(pageKey, page)
    this.#resize(entry, body.byteLength - (previous === undefined ? 0 : pageBytesHeld(previous)))
    return page
  }

  /** Adds the gzipped copy of a page, if that page is still kept. */
  keepGzipped (entryKey: string, pageKey: string, page: KeptPage, gzipped: Buffer): void {
    const entry = this.#entries.get(entryKey)
    if (entry?.pages.get(pageKey) !== page || page.gzipped !== undefined) return
    page.gzipped = gzipped
    this.#resize(entry, gzipped.byteLength)
  }

  #resize (entry: Entry, delta: number): void {
    entry.bytes += delta
    this.#bytes += delta
    while (this.#bytes > this.#maxBytes && this.#entries.size > 0) this.#drop(this.#entries.keys().next().value!)
  }

  /** What `tag` names changed: every entry filed under it is stale. */
  invalidate (tag: string): void {
    this.#remember({ tag })
    for (const entryKey of this.#entriesOf.get(tag) ?? []) this.#drop(entryKey)
  }

  /** One entry is stale. */
  drop (entryKey: string): void {
    this.#remember({ entryKey })
    this.#drop(entryKey)
  }

  clear (): void {
    this.#remember(EVERYTHING)
    this.#entries.clear()
    this.#entriesOf.clear()
    this.#bytes = 0
  }

  #remember (invalidation: Invalidation): void {
    this.#generation++
    this.#recent[this.#generation % REMEMBERED] = invalidation
  }

  /** Whether anything since `generation` concerns this entry or one of these tags. */
  #invalidatedSince (generation: number, entryKey: string, tags: readonly string[], entryTags: readonly string[]): boolean {
    const missed = this.#generation - generation
    if (missed >= REMEMBERED) return true
    for (let g = generation + 1; g <= this.#generation; g++) {
      const invalidation = this.#recent[g % REMEMBERED]!
      if (invalidation === EVERYTHING) return true
      if ('entryKey' in invalidation) {
        if (invalidation.entryKey === entryKey) return true
      } else if (tags.includes(invalidation.tag) || entryTags.includes(invalidation.tag)) return true
    }
    return false
  }

  #drop (entryKey: string): void {
    const entry = this.#entries.get(entryKey)
    if (entry === undefined) return
    this.#entries.delete(entryKey)
    this.#bytes -= entry.bytes
    for (const tag of entry.tags) {
      const keys = this.#entriesOf.get(tag)
      keys?.delete(entryKey)
      if (keys?.size === 0) this.#entriesOf.delete(tag)
    }
  }
}

function pageBytesHeld (page: KeptPage): number {
  return page.body.byteLength + (page.gzipped?.byteLength ?? 0)
}

/**
 * Text or bytes as a Buffer of its own, to keep. Buffer.from (and zlib, for a small result)
 * carve small buffers out of a shared 8 KiB pool: a kept page would hold its whole block alive,
 * and the byte count would understate what is held.
 */
export function keptBytes (data: string | Buffer): Buffer {
  const buffer = Buffer.allocUnsafeSlow(Buffer.byteLength(data))
  if (typeof data === 'string') buffer.write(data)
  else data.copy(buffer)
  return buffer
}

/** What a route's serializer made of an answer, as a Buffer to keep. */
function pageBytes (reply: FastifyReply, answer: unknown): Buffer {
  return keptBytes(reply.serialize(answer) as string)
}

/**
 * Sends bytes as the JSON answer they are: Fastify passes a Buffer through untouched. (The type
 * provider types `send` as the answer object, hence the cast.)
 */
function sendPage (reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding').send(body as never)
}

// Kept pages are gzipped once, off the event loop, and sent so to every client that accepts it
// (browsers and mobile HTTP clients always do): a tenth of the bytes to write and to carry.
// Nothing is compressed per request. No cache of parsed headers: it would grow with every
// distinct header a client invents.
const encodings = new Negotiator({ supportedValues: ['gzip', 'identity'] })
const MIN_GZIPPED_BYTES = 1024

function sendKept (reply: FastifyReply, page: KeptPage): FastifyReply {
  const accepted = reply.request.headers['accept-encoding']
  if (page.gzipped !== undefined && accepted !== undefined && encodings.negotiate(accepted) === 'gzip') {
    return sendPage(reply.header('content-encoding', 'gzip'), page.gzipped)
  }
  return sendPage(reply, page.body)
}

/**
 * Answers a read from `pages` when the page is kept, else reads it, keeps it and sends it.
 * `read` is told whether the entry's tags are needed (only its first kept page files it) and
 * returns the answer with them. Errors thrown by `read` are never kept.
 */
export async function answerFromPages (
  reply: FastifyReply, pages: TaggedPages, entryKey: string, pageKey: string,
  read: (needTags: boolean) => Promise<[answer: unknown, tags: readonly string[]]>
): Promise<FastifyReply> {
  const kept = pages.getKept(entryKey, pageKey)
  if (kept !== undefined) return sendKept(reply, kept)
  const generation = pages.generation
  const needTags = pages.enabled && !pages.has(entryKey)
  const [answer, tags] = await read(needTags)
  if (!pages.enabled) return reply.send(answer as never)
  const body = pageBytes(reply, answer)
  const page = pages.store(entryKey, pageKey, body, needTags ? tags : undefined, generation)
  if (page !== undefined && body.byteLength >= MIN_GZIPPED_BYTES) {
    gzip(body, (error, gzipped) => {
      if (error === null) pages.keepGzipped(entryKey, pageKey, page, keptBytes(gzipped))
    })
  }
  return sendPage(reply, body)
}
