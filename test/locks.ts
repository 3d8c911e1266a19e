// A table locked ACCESS EXCLUSIVE by another connection, as an operator's migration or a
// runaway transaction would hold it, for the tests of what the service does meanwhile.
import type { Test } from 'tap'
import postgres from 'postgres'

/** Resolves once the lock is granted; `release` ends the locking transaction. */
export async function lockTable (t: Test, databaseUrl: string, table: string): Promise<{ release: () => Promise<void> }> {
  const locker = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => locker.end())
  let unlock!: () => void
  const unlocked = new Promise<void>(resolve => { unlock = resolve })
  let granted!: () => void
  const locked = new Promise<void>(resolve => { granted = resolve })
  const held = locker.begin(async (tx) => {
    await tx`lock table ${tx(table)} in access exclusive mode`
    granted()
    await unlocked
  })
  await Promise.race([locked, held])
  return { release: async () => { unlock(); await held } }
}
