// Image bytes kept in memory, least recently served first out, bounded in MiB. An image never
// changes once stored (its id and ETag are for good), so a cached copy is never stale; whether
// it may still be served (its post or board deleted, the image deleted) is asked of the
// database on every request before the cache is read. Reading 100 KiB of bytea costs the
// database and the driver ~3 ms; the cache is what lets GET /media keep up with a page of
// thumbnails.
export class ByteCache {
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0

  constructor (private readonly maxBytes: number) {}

  get (id: string): Buffer | undefined {
    const hit = this.entries.get(id)
    if (hit !== undefined) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(id)
      this.entries.set(id, hit)
    }
    return hit
  }

  set (id: string, value: Buffer): void {
    if (value.length > this.maxBytes || this.entries.has(id)) return
    this.entries.set(id, value)
    this.bytes += value.length
    for (const [oldest, buffer] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= buffer.length
    }
  }

  delete (id: string): void {
    const buffer = this.entries.get(id)
    if (buffer === undefined) return
    this.entries.delete(id)
    this.bytes -= buffer.length
  }
}
