// Login sessions and their refresh-token rotation state. Revoking one is announced on the
// `session_revoked` channel by a trigger (migration 009), so every instance learns of it on commit.
import type { ISql, PendingQuery, Row } from 'postgres'

export type SessionState = {
  id: string
  userId: string
  username: string
  refreshJti: string
  refreshIssuedAt: Date
  previousJti: string | null
  rotatedAt: Date | null
  idleExpiresAt: Date
  absoluteExpiresAt: Date
  revokedAt: Date | null
}

export type SessionView = { id: string, createdAt: Date, lastUsedAt: Date, userAgent: string | null, ip: string | null }

export type NewSession = {
  userId: string
  refreshJti: string
  refreshIssuedAt: Date
  idleExpiresAt: Date
  absoluteExpiresAt: Date
  userAgent: string | null
  ip: string | null
}

/** The insert as a fragment: a login opens its session in the statement that audits it. */
export function sessionInsert (sql: ISql, session: NewSession): PendingQuery<Row[]> {
  return sql`
    insert into sessions (user_id, refresh_jti, refresh_issued_at, idle_expires_at, absolute_expires_at, user_agent, ip)
    values (${session.userId}, ${session.refreshJti}, ${session.refreshIssuedAt}, ${session.idleExpiresAt},
            ${session.absoluteExpiresAt}, ${session.userAgent}, ${session.ip})`
}

/** The session with its rotation state, locked until the transaction ends. */
export async function lockSession (tx: ISql, id: string): Promise<SessionState | undefined> {
  const [row] = await tx<SessionState[]>`
    select s.id, s.user_id, u.username, s.refresh_jti, s.refresh_issued_at, s.previous_jti, s.rotated_at,
           s.idle_expires_at, s.absolute_expires_at, s.revoked_at
    from sessions s join users u on u.id = s.user_id
    where s.id = ${id}
    for update of s`
  return row
}

export async function rotateSession (
  tx: ISql, id: string, next: { jti: string, issuedAt: Date, idleExpiresAt: Date }
): Promise<void> {
  await tx`
    update sessions set
      previous_jti = refresh_jti, rotated_at = now(),
      refresh_jti = ${next.jti}, refresh_issued_at = ${next.issuedAt},
      idle_expires_at = ${next.idleExpiresAt}, last_used_at = now()
    where id = ${id}`
}

/** Revokes the live sessions matching `which`; returns the ids revoked. */
async function revokeWhere (
  sql: ISql, which: { userId: string, sessionId?: string }, reason: string
): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    update sessions set revoked_at = now(), revoked_reason = ${reason}
    where user_id = ${which.userId}
      and revoked_at is null
      ${which.sessionId === undefined ? sql`` : sql`and id = ${which.sessionId}`}
    returning id`
  return rows.map(row => row.id)
}

export function revokeSession (sql: ISql, userId: string, sessionId: string, reason: string): Promise<string[]> {
  return revokeWhere(sql, { userId, sessionId }, reason)
}

export function revokeAllSessions (sql: ISql, userId: string, reason: string): Promise<string[]> {
  return revokeWhere(sql, { userId }, reason)
}

export async function listLiveSessions (sql: ISql, userId: string, limit: number): Promise<SessionView[]> {
  return await sql<SessionView[]>`
    select id, created_at, last_used_at, user_agent, ip
    from sessions
    where user_id = ${userId} and revoked_at is null
      and idle_expires_at > now() and absolute_expires_at > now()
    order by created_at desc
    limit ${limit}`
}

export async function listRevokedSessionIdsSince (sql: ISql, since: Date): Promise<{ id: string, revokedAt: Date }[]> {
  return await sql<{ id: string, revokedAt: Date }[]>`
    select id, revoked_at from sessions where revoked_at > ${since}`
}
