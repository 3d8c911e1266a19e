// Follows: who follows whom, and both lists of a user, paged by when the follow happened.
import type { ISql } from 'postgres'
import type { FollowedUser } from '../schemas/social.js'
import { after, positionAt, toPage, type Page, type PageRequest } from './pagination.js'

/** True when this call created the follow, false when it already existed. */
export async function follow (sql: ISql, followerId: string, followeeId: string): Promise<boolean> {
  const rows = await sql`
    insert into follows (follower_id, followee_id) values (${followerId}, ${followeeId})
    on conflict do nothing
    returning 1`
  return rows.length === 1
}

export async function unfollow (sql: ISql, followerId: string, followeeId: string): Promise<void> {
  await sql`delete from follows where follower_id = ${followerId} and followee_id = ${followeeId}`
}

/** Everyone `userId` follows, unordered: the authors whose writes change their feed. */
export async function listFolloweeIds (sql: ISql, userId: string): Promise<string[]> {
  const rows = await sql<Array<{ followeeId: string }>>`select followee_id from follows where follower_id = ${userId}`
  return rows.map(row => row.followeeId)
}

type FollowRow = { id: string, username: string, nickname: string, followedAt: Date, positionAt: string }

function toFollowedUser ({ id, username, nickname, followedAt }: FollowRow): FollowedUser {
  return { id, username, nickname, followedAt: followedAt.toISOString() }
}

/** The users `userId` follows, most recently followed first (follows_follower_page_idx). */
export async function listFollowingPage (sql: ISql, userId: string, page: PageRequest): Promise<Page<FollowedUser>> {
  const rows = await sql<FollowRow[]>`
    select u.id, u.username, u.nickname, f.created_at as followed_at, ${positionAt(sql, sql`f.created_at`)}
    from follows f join users u on u.id = f.followee_id
    where f.follower_id = ${userId} ${after(sql, sql`f.created_at`, sql`f.followee_id`, page.after)}
    order by f.created_at desc, f.followee_id desc
    limit ${page.limit + 1}`
  return toPage(rows, page.limit, toFollowedUser)
}

/** The users who follow `userId`, most recent followers first (follows_followee_page_idx). */
export async function listFollowersPage (sql: ISql, userId: string, page: PageRequest): Promise<Page<FollowedUser>> {
  const rows = await sql<FollowRow[]>`
    select u.id, u.username, u.nickname, f.created_at as followed_at, ${positionAt(sql, sql`f.created_at`)}
    from follows f join users u on u.id = f.follower_id
    where f.followee_id = ${userId} ${after(sql, sql`f.created_at`, sql`f.follower_id`, page.after)}
    order by f.created_at desc, f.follower_id desc
    limit ${page.limit + 1}`
  return toPage(rows, page.limit, toFollowedUser)
}
