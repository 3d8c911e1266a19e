// Consecutive login failures per login key, shared through the database so the back-off holds
// across instances. From the 5th failure in a row the key is locked for 5 s, doubling with each
// further failure up to 15 minutes; a success clears it; a day without failures forgives.
import type { ISql } from 'postgres'

export const FAILURES_BEFORE_LOCK = 5
const FIRST_LOCK_SECONDS = 5
const MAX_LOCK_SECONDS = 900

/** Seconds left on the key's lock, or 0 when it may try now. */
export async function secondsLocked (sql: ISql, loginKey: string): Promise<number> {
  const [row] = await sql<{ seconds: number }[]>`
    select ceil(extract(epoch from locked_until - now()))::int as seconds
    from login_throttle where login_key = ${loginKey} and locked_until > now()`
  return row?.seconds ?? 0
}

export async function recordLoginFailure (sql: ISql, loginKey: string): Promise<void> {
  await sql`
    insert into login_throttle as t (login_key, failures, last_failure_at)
    values (${loginKey}, 1, now())
    on conflict (login_key) do update set
      failures = case when t.last_failure_at < now() - interval '1 day' then 1 else t.failures + 1 end,
      last_failure_at = now(),
      locked_until = case
        when t.last_failure_at >= now() - interval '1 day' and t.failures + 1 >= ${FAILURES_BEFORE_LOCK}
        then now() + make_interval(secs => least(${MAX_LOCK_SECONDS}, ${FIRST_LOCK_SECONDS} * power(2, t.failures + 1 - ${FAILURES_BEFORE_LOCK})))
        else null
      end`
}

export async function clearLoginFailures (sql: ISql, loginKey: string): Promise<void> {
  await sql`delete from login_throttle where login_key = ${loginKey}`
}
