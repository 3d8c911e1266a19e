// Reads the changes the database announces (migration 013's change_log, written by triggers in
// the writers' own transactions) and hands each to the code following its channel.
//
// Exactly once, in spite of commit order: ids are taken when a row is inserted, but rows become
// visible when their transaction commits, so "every id above the last one read" would skip a
// row whose transaction began first and committed last. Each read instead takes a snapshot,
// and the next read asks only for the rows of transactions that snapshot did not see finished:
// those still in progress then (its xip list) and those begun after it (at or above its xmax).
// A row is read by the first snapshot that sees it committed, and by no later one.
import type { Sql } from 'postgres'

export type ChangeHandler = {
  onChange: (payload: string) => void
  /** Changes may have been missed (the first read, or reads failed): reload or forget. */
  onResume: () => void | Promise<void>
}

/** What a snapshot did not see finished: transactions from xmax on, and those running then (xid8 as text: it does not fit a JS number). */
type Unfinished = { xmax: string, running: string[] }

export type ChangeLogOptions = {
  /** ms between reads: how long another instance's change takes to reach this one, at most. */
  intervalMs: number
  /** Rows older than this are deleted (by every instance, now and then). */
  keepMs: number
  /** The first failed read of an outage. */
  onError: (error: unknown) => void
}

export class ChangeLog {
  readonly #handlers = new Map<string, ChangeHandler[]>()
  #since: Unfinished | undefined
  #started: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  #failed = false
  #lastCleanup = Date.now()
  /** Callers of settled(), waiting for a read that starts after their call. */
  #waiting: Array<() => void> = []

  constructor (private readonly sql: Sql, private readonly options: ChangeLogOptions) {}

  /** Follows a channel from now on; `onResume` runs before this resolves. */
  async follow (channel: string, handler: ChangeHandler): Promise<void> {
    // The first follower starts the reads; followers that come at once wait for that start.
    this.#started ??= this.#snapshot().then((since) => {
      this.#since = since
      this.#schedule()
    })
    await this.#started
    const handlers = this.#handlers.get(channel) ?? []
    handlers.push(handler)
    this.#handlers.set(channel, handlers)
    await handler.onResume()
  }

  /** The last read failed: changes may be missed until one works (then every follower resumes). */
  get failing (): boolean {
    return this.#failed
  }

  /**
   * Resolves once every change committed before the call has been handed over: after the next
   * read that starts after it (for tests, and for anyone who needs another instance's write).
   */
  settled (): Promise<void> {
    return new Promise(resolve => this.#waiting.push(resolve))
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }

  async #snapshot (): Promise<Unfinished> {
    const [row] = await this.sql<Array<{ xmax: string, running: string[] }>>`
      select pg_snapshot_xmax(s)::text as xmax, array(select pg_snapshot_xip(s))::text[] as running
      from pg_current_snapshot() as s`
    return row!
  }

  #schedule (): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => { void this.#read() }, this.options.intervalMs)
    this.#timer.unref()
  }

  /** One read: the rows of transactions unfinished at the last snapshot that are visible now. */
  async #read (): Promise<void> {
    const waiting = this.#waiting
    this.#waiting = []
    try {
      const since = this.#since!
      const rows = await this.sql<Array<{ xmax: string, running: string[], channel: string | null, payload: string | null }>>`
        with now as (select pg_current_snapshot() as s)
        select pg_snapshot_xmax(now.s)::text as xmax, array(select pg_snapshot_xip(now.s))::text[] as running,
          c.channel, c.payload
        from now
        left join change_log c on c.writer >= ${since.xmax}::xid8 or c.writer = any(${since.running}::xid8[])
        order by c.id`
      this.#since = { xmax: rows[0]!.xmax, running: rows[0]!.running }
      if (this.#failed) {
        // Rows may have been deleted while this instance could not read: everything may be stale.
        this.#failed = false
        await Promise.all([...this.#handlers.values()].flat().map(async handler => await handler.onResume()))
      }
      for (const row of rows) {
        if (row.channel === null) continue
        for (const handler of this.#handlers.get(row.channel) ?? []) handler.onChange(row.payload!)
      }
      for (const resolve of waiting) resolve()
      if (Date.now() - this.#lastCleanup > this.options.keepMs / 4) {
        this.#lastCleanup = Date.now()
        await this.sql`delete from change_log where written_at < now() - ${this.options.keepMs / 1000} * interval '1 second'`
      }
    } catch (error) {
      // Those waiting wait for the next read that works.
      this.#waiting.unshift(...waiting)
      // Said once per outage (the reads go on every interval), and not while shutting down.
      if (!this.#failed && !this.#stopped) this.options.onError(error)
      this.#failed = true
    } finally {
      this.#schedule()
    }
  }
}
