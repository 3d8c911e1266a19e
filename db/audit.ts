// The append-only trail of security events. Never given a token, a password or a hash:
// callers pass only who, where from, and small non-secret details.
import type { ISql, PendingQuery, Row } from 'postgres'

export type AuditEventName =
  | 'signup' | 'login_succeeded' | 'login_failed' | 'login_throttled'
  | 'refresh' | 'refresh_reuse_detected' | 'logout' | 'session_revoked'

export type AuditEvent = {
  event: AuditEventName
  userId?: string | null
  ip: string | null
  userAgent: string | null
  details?: Record<string, string | number | boolean>
}

/** The insert as a fragment, so other statements can audit in the same round trip. */
export function auditInsert (sql: ISql, e: AuditEvent): PendingQuery<Row[]> {
  return sql`
    insert into audit_events (event, user_id, ip, user_agent, details)
    values (${e.event}, ${e.userId ?? null}, ${e.ip}, ${e.userAgent}, ${sql.json(e.details ?? {})})`
}

export async function recordAuditEvent (sql: ISql, e: AuditEvent): Promise<void> {
  await auditInsert(sql, e)
}
