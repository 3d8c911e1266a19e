// Logins, in two round trips whatever the outcome (each one matters: a login is otherwise
// five small queries, and on small machines their system calls cost more than the SQL):
// one lookup of the user together with the throttle state of their login key, then one
// statement that records how the attempt ended.
//
// The throttle counts consecutive failures per login key, shared through the database so the
// back-off holds across instances. From the 5th failure in a row the key is locked for 5 s,
// doubling with each further failure up to 15 minutes; a success clears it; a day without
// failures forgives.
import type { ISql } from 'postgres'
import { identityKey } from './users.js'
import { auditInsert, type AuditEvent } from './audit.js'
import { sessionInsert, type NewSession } from './sessions.js'

export const FAILURES_BEFORE_LOCK = 5
const FIRST_LOCK_SECONDS = 5
const MAX_LOCK_SECONDS = 900

export type LoginUser = { id: string, username: string, passwordHash: string }

export type LoginState = {
  user: LoginUser | undefined
  /** One counter per account whichever name reaches it; unknown names get their own. */
  loginKey: string
  secondsLocked: number
  hasFailures: boolean
}

type Client = Pick<AuditEvent, 'ip' | 'userAgent'>

export async function findLoginState (sql: ISql, login: { username?: string, email?: string }): Promise<LoginState> {
  const byUsername = login.username !== undefined
  const name = identityKey(login.username ?? login.email ?? '')
  const unknownKey = byUsername ? `user:${name}` : `email:${name}`
  const [row] = await sql<Array<{ id: string | null, username: string, passwordHash: string, loginKey: string, secondsLocked: number, hasFailures: boolean }>>`
    select u.id, u.username, u.password_hash, k.login_key,
           t.login_key is not null as has_failures,
           coalesce(greatest(0, ceil(extract(epoch from t.locked_until - now()))), 0)::int as seconds_locked
    from (select 1) one
    left join users u on ${byUsername ? sql`u.username_key = ${name}` : sql`u.email_key = ${name}`}
    cross join lateral (select coalesce('user:' || u.username_key, ${unknownKey}::text) as login_key) k
    left join login_throttle t on t.login_key = k.login_key`
  const state = row!
  return {
    user: state.id === null ? undefined : { id: state.id, username: state.username, passwordHash: state.passwordHash },
    loginKey: state.loginKey,
    secondsLocked: state.secondsLocked,
    hasFailures: state.hasFailures
  }
}

/** Opens the session, audits the login and clears the key's failures; returns the session id. */
export async function recordLoginSuccess (
  sql: ISql, state: LoginState & { user: LoginUser }, session: NewSession, client: Client
): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    with opened as (${sessionInsert(sql, session)} returning id),
         audited as (${auditInsert(sql, { ...client, event: 'login_succeeded', userId: state.user.id })}),
         forgiven as (delete from login_throttle where ${state.hasFailures} and login_key = ${state.loginKey})
    select id from opened`
  return row!.id
}

/** Counts the failure against the key (locking it from the 5th in a row) and audits it. */
export async function recordLoginFailure (sql: ISql, state: LoginState, client: Client): Promise<void> {
  await sql`
    with counted as (
      insert into login_throttle as t (login_key, failures, last_failure_at)
      values (${state.loginKey}, 1, now())
      on conflict (login_key) do update set
        failures = case when t.last_failure_at < now() - interval '1 day' then 1 else t.failures + 1 end,
        last_failure_at = now(),
        locked_until = case
          when t.last_failure_at >= now() - interval '1 day' and t.failures + 1 >= ${FAILURES_BEFORE_LOCK}
          then now() + make_interval(secs => least(${MAX_LOCK_SECONDS}, ${FIRST_LOCK_SECONDS} * power(2, t.failures + 1 - ${FAILURES_BEFORE_LOCK})))
          else null
        end
    ), audited as (${auditInsert(sql, { ...client, event: 'login_failed', userId: state.user?.id ?? null })})
    select 1`
}
