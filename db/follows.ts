// Follows: who follows whom, and both lists of a user, paged by when the follow happened.
import type { ISql } from 'postgres'
import type { FollowedUser } from '../schemas/social.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { identityKey } from './users.js'

/**
 * Follows the user named `username` (case-insensitively): `created` is false when the follow
 * already existed. 404 NOT_FOUND for an unknown name, 400 for the caller's own.
 */
export async function followByUsername (
  sql: ISql, followerId: string, username: string
): Promise<{ username: string, created: boolean }> {
  const [row] = await sql<Array<{ id: string, username: string, created: boolean }>>`
    with followee as (
      select id, username from users where username_key = ${identityKey(username)}
    ), added as (
      insert into follows (follower_id, followee_id)
      select ${followerId}, id from followee where id <> ${followerId}
      on conflict do nothing
      returning 1
    )
    select id, username, exists (select 1 from added) as created from followee`
  if (row === undefined) throw new AppError('NOT_FOUND')
  if (row.id === followerId) throw invalidField('/body/username', 'must not be the caller')
  return { username: row.username, created: row.created }
}

/** Idempotent: not following the user is no error; an unknown name is 404 NOT_FOUND. */
export async function unfollowByUsername (sql: ISql, followerId: string, username: string): Promise<void> {
  const [row] = await sql`
    with followee as (
      select id from users where username_key = ${identityKey(username)}
    ), removed as (
      delete from follows where follower_id = ${followerId} and followee_id in (select id from followee)
    )
    select 1 from followee`
  if (row === undefined) throw new AppError('NOT_FOUND')
}

/** Everyone `userId` follows, unordered: the authors whose writes change their feed. */
export async function listFolloweeIds (sql: ISql, userId: string): Promise<string[]> {
  const rows = await sql<Array<{ followeeId: string }>>`select followee_id from follows where follower_id = ${userId}`
  return rows.map(row => row.followeeId)
}

type FollowRow = { id: string, username: string, nickname: string, followedAt: Date, position: string[] }

function toFollowedUser ({ id, username, nickname, followedAt }: FollowRow): FollowedUser {
  return { id, username, nickname, followedAt: followedAt.toISOString() }
}

// Most recent follow first; the other side's id breaks ties (follows_*_page_idx).
const FOLLOWEES_NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['f.created_at', 'timestamptz'], ['f.followee_id', 'uuid']] }
const FOLLOWERS_NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['f.created_at', 'timestamptz'], ['f.follower_id', 'uuid']] }

/** The users `userId` follows, most recently followed first (follows_follower_page_idx). */
export async function listFollowingPage (sql: ISql, userId: string, page: KeysetRequest): Promise<Page<FollowedUser>> {
  const k = keyset(sql, FOLLOWEES_NEWEST_FIRST, page)
  const rows = await sql<FollowRow[]>`
    select u.id, u.username, u.nickname, f.created_at as followed_at, ${k.position}
    from follows f join users u on u.id = f.followee_id
    where f.follower_id = ${userId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toFollowedUser)
}

/** The users who follow `userId`, most recent followers first (follows_followee_page_idx). */
export async function listFollowersPage (sql: ISql, userId: string, page: KeysetRequest): Promise<Page<FollowedUser>> {
  const k = keyset(sql, FOLLOWERS_NEWEST_FIRST, page)
  const rows = await sql<FollowRow[]>`
    select u.id, u.username, u.nickname, f.created_at as followed_at, ${k.position}
    from follows f join users u on u.id = f.follower_id
    where f.followee_id = ${userId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toFollowedUser)
}
