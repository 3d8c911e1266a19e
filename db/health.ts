// The readiness probe's query. Bounded in time: a database that does not answer within the
// timeout counts as down rather than holding the probe open.
import type { ISql } from 'postgres'

export async function pingDatabase (sql: ISql, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
  try {
    return await Promise.race([sql`select 1`.then(() => true as const), timeout])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}
