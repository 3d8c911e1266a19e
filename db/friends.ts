// Friends: requests, acceptance, the list, unfriending, and who may read whose timetables.
// An accepted request is kept (accepted_at) while the friendship lasts: see migration 015.
// Everything that changes the state between two users first takes a transaction-scoped lock
// on that pair, so crossed requests (each asking the other at the same moment) end as one
// friendship, never as two pending requests.
import type { ISql, Sql, TransactionSql } from 'postgres'
import type { Friend, FriendRequest, FriendRequests, TimetableSummary } from '../schemas/timetable.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { listTimetables } from './timetables.js'
import { findUserByUsername } from './users.js'

const MAX_LISTED_REQUESTS = 100

async function lockPair (tx: TransactionSql, a: string, b: string): Promise<void> {
  const pair = a < b ? `${a}:${b}` : `${b}:${a}`
  await tx`select pg_advisory_xact_lock(hashtextextended(${'friends:' + pair}, 0))`
}

/**
 * Makes `requester` and `recipient` friends by accepting the requester's request (kept, marked
 * accepted, so that accepting it again answers as the first time did); a request the other way
 * is dropped.
 */
async function befriend (tx: TransactionSql, recipient: string, requester: string): Promise<void> {
  await tx`
    insert into friendships (user_id, friend_id) values (${recipient}, ${requester}), (${requester}, ${recipient})
    on conflict do nothing`
  await tx`
    update friend_requests set accepted_at = now()
    where requester_id = ${requester} and recipient_id = ${recipient} and accepted_at is null`
  await tx`delete from friend_requests where requester_id = ${recipient} and recipient_id = ${requester}`
}

async function otherUser (sql: ISql, viewerId: string, username: string, path: string) {
  const user = await findUserByUsername(sql, username)
  if (user === undefined) throw new AppError('NOT_FOUND')
  if (user.id === viewerId) throw invalidField(path, 'must not be the caller')
  return user
}

export type RequestOutcome = { username: string, status: 'requested' | 'friends', created: boolean }

/**
 * Asks `username` to be friends. Already friends, or asked before: nothing changes. If they had
 * asked the caller, this accepts their request instead.
 */
export async function requestFriend (sql: Sql, viewerId: string, username: string): Promise<RequestOutcome> {
  const target = await otherUser(sql, viewerId, username, '/body/username')
  return await sql.begin(async (tx) => {
    await lockPair(tx, viewerId, target.id)
    const [friends] = await tx`select 1 from friendships where user_id = ${viewerId} and friend_id = ${target.id}`
    if (friends !== undefined) return { username: target.username, status: 'friends' as const, created: false }
    const [theirs] = await tx`
      select 1 from friend_requests where requester_id = ${target.id} and recipient_id = ${viewerId} and accepted_at is null`
    if (theirs !== undefined) {
      await befriend(tx, viewerId, target.id)
      return { username: target.username, status: 'friends' as const, created: true }
    }
    const [mine] = await tx`
      insert into friend_requests (requester_id, recipient_id) values (${viewerId}, ${target.id})
      on conflict do nothing
      returning id`
    return { username: target.username, status: 'requested' as const, created: mine !== undefined }
  })
}

type RequestRow = { id: string, userId: string, username: string, nickname: string, createdAt: Date }

function toRequest (row: RequestRow): FriendRequest {
  return { id: row.id, user: { id: row.userId, username: row.username, nickname: row.nickname }, createdAt: row.createdAt.toISOString() }
}

/** The caller's pending requests both ways, newest first, at most 100 each. */
export async function listFriendRequests (sql: ISql, viewerId: string): Promise<FriendRequests> {
  const [incoming, outgoing] = await Promise.all([
    sql<RequestRow[]>`
      select r.id, u.id as user_id, u.username, u.nickname, r.created_at
      from friend_requests r join users u on u.id = r.requester_id
      where r.recipient_id = ${viewerId} and r.accepted_at is null
      order by r.created_at desc limit ${MAX_LISTED_REQUESTS}`,
    sql<RequestRow[]>`
      select r.id, u.id as user_id, u.username, u.nickname, r.created_at
      from friend_requests r join users u on u.id = r.recipient_id
      where r.requester_id = ${viewerId} and r.accepted_at is null
      order by r.created_at desc limit ${MAX_LISTED_REQUESTS}`
  ])
  return { incoming: incoming.map(toRequest), outgoing: outgoing.map(toRequest) }
}

/**
 * Accepts a request sent to the caller: 404 when there is none, 403 for its sender. Accepting
 * one already accepted (a retry whose answer was lost, or two at once) answers the same.
 */
export async function acceptFriendRequest (sql: Sql, viewerId: string, requestId: string): Promise<RequestOutcome> {
  const [request] = await sql<Array<{ requesterId: string, recipientId: string, username: string }>>`
    select r.requester_id, r.recipient_id, u.username
    from friend_requests r join users u on u.id = r.requester_id
    where r.id = ${requestId}`
  if (request === undefined) throw new AppError('NOT_FOUND')
  if (request.recipientId !== viewerId) throw new AppError(request.requesterId === viewerId ? 'FORBIDDEN' : 'NOT_FOUND')
  return await sql.begin(async (tx) => {
    await lockPair(tx, viewerId, request.requesterId)
    const [current] = await tx<Array<{ pending: boolean }>>`
      select accepted_at is null as pending from friend_requests where id = ${requestId}`
    // Withdrawn by unfriending in between.
    if (current === undefined) throw new AppError('NOT_FOUND')
    if (current.pending) await befriend(tx, viewerId, request.requesterId)
    return { username: request.username, status: 'friends' as const, created: current.pending }
  })
}

const NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['f.created_at', 'timestamptz'], ['f.friend_id', 'uuid']] }

/** The caller's friends, the most recent friendship first (friendships_page_idx). */
export async function listFriends (sql: ISql, viewerId: string, page: KeysetRequest): Promise<Page<Friend>> {
  const k = keyset(sql, NEWEST_FIRST, page)
  const rows = await sql<Array<{ id: string, username: string, nickname: string, since: Date, position: string[] }>>`
    select u.id, u.username, u.nickname, f.created_at as since, ${k.position}
    from friendships f join users u on u.id = f.friend_id
    where f.user_id = ${viewerId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, row => ({ id: row.id, username: row.username, nickname: row.nickname, since: row.since.toISOString() }))
}

/** Ends a friendship (and any request between the two); idempotent. 404 for an unknown user. */
export async function unfriend (sql: Sql, viewerId: string, username: string): Promise<void> {
  const target = await otherUser(sql, viewerId, username, '/params/username')
  await sql.begin(async (tx) => {
    await lockPair(tx, viewerId, target.id)
    await tx`
      delete from friendships
      where (user_id = ${viewerId} and friend_id = ${target.id}) or (user_id = ${target.id} and friend_id = ${viewerId})`
    await tx`
      delete from friend_requests
      where (requester_id = ${viewerId} and recipient_id = ${target.id}) or (requester_id = ${target.id} and recipient_id = ${viewerId})`
  })
}

/** A friend's timetables, newest first; 403 FORBIDDEN unless the two are friends. */
export async function listFriendTimetables (
  sql: ISql, viewerId: string, username: string, page: KeysetRequest
): Promise<Page<TimetableSummary>> {
  const target = await findUserByUsername(sql, username)
  if (target === undefined) throw new AppError('NOT_FOUND')
  if (target.id !== viewerId) {
    const [friends] = await sql`select 1 from friendships where user_id = ${target.id} and friend_id = ${viewerId}`
    if (friends === undefined) throw new AppError('FORBIDDEN')
  }
  return await listTimetables(sql, target.id, page)
}
