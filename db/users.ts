// Users: creation, lookups by id and by login name, password hash upgrades, and the public
// side of a user (search, profile with counts).
import type { ISql } from 'postgres'
import type { Profile, UserSummary } from '../schemas/social.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { livePost } from './posts.js'

/** The case-insensitive identity of a name or address: NFC, then Unicode lower case. */
export function identityKey (text: string): string {
  return text.normalize('NFC').toLowerCase()
}

export type UserRow = {
  id: string
  username: string
  nickname: string
  email: string | null
  schoolId: string | null
  admissionYear: number | null
  createdAt: Date
}

export type NewUser = {
  username: string
  nickname: string
  email: string | null
  passwordHash: string
  schoolId: string | null
  admissionYear: number | null
}

export async function isUsernameOrEmailTaken (sql: ISql, username: string, email: string | null): Promise<boolean> {
  // email_key = null is never true, so a signup without an email checks the username only.
  const [row] = await sql`
    select exists (
      select 1 from users
      where username_key = ${identityKey(username)} or email_key = ${email === null ? null : identityKey(email)}
    ) as taken`
  return row?.taken === true
}

/**
 * Inserts the user, or returns undefined when the username or email is already taken; an
 * unknown school is a 400 decided by the foreign key, so a school deleted meanwhile cannot slip in.
 */
export async function insertUser (sql: ISql, user: NewUser): Promise<UserRow | undefined> {
  try {
    const [row] = await sql<UserRow[]>`
      insert into users (username, username_key, nickname, nickname_key, email, email_key, password_hash, school_id, admission_year)
      values (${user.username}, ${identityKey(user.username)}, ${user.nickname}, ${identityKey(user.nickname)}, ${user.email},
              ${user.email === null ? null : identityKey(user.email)}, ${user.passwordHash}, ${user.schoolId}, ${user.admissionYear})
      on conflict do nothing
      returning id, username, nickname, email, school_id, admission_year, created_at`
    return row
  } catch (error) {
    if ((error as { code?: string }).code === '23503') throw invalidField('/body/schoolId', 'is not a known school')
    throw error
  }
}

export async function findUserById (sql: ISql, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select id, username, nickname, email, school_id, admission_year, created_at
    from users where id = ${id}`
  return row
}

export async function updatePasswordHash (sql: ISql, id: string, passwordHash: string): Promise<void> {
  await sql`update users set password_hash = ${passwordHash}, updated_at = now() where id = ${id}`
}

/**
 * The user a public URL or body names, case-insensitively (`/users/JinHo` is `jinho`), for
 * other queries of db/ to build on; undefined when there is none.
 */
export async function findUserByUsername (sql: ISql, username: string): Promise<UserSummary | undefined> {
  const [row] = await sql<UserSummary[]>`
    select id, username, nickname from users where username_key = ${identityKey(username)}`
  return row
}

/** `like` pattern for "starts with `text`": the wildcards % and _ in it match themselves. */
function prefixPattern (text: string): string {
  return identityKey(text).replace(/[\\%_]/g, '\\$&') + '%'
}

type UserSummaryRow = UserSummary & { position: string[] }

function toUserSummary ({ id, username, nickname }: UserSummaryRow): UserSummary {
  return { id, username, nickname }
}

const NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'uuid']] }

/** Everyone but `viewerId`, newest first, optionally those whose username or nickname starts with `q`. */
export async function listUsersPage (
  sql: ISql, viewerId: string, q: string | undefined, page: KeysetRequest
): Promise<Page<UserSummary>> {
  const k = keyset(sql, NEWEST_FIRST, page)
  const search = q === undefined || q === ''
    ? sql``
    : sql`and (username_key like ${prefixPattern(q)} or nickname_key like ${prefixPattern(q)})`
  const rows = await sql<UserSummaryRow[]>`
    select id, username, nickname, ${k.position}
    from users
    where id <> ${viewerId} ${search} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toUserSummary)
}

/**
 * The profile with its counts, in one query. Counts are count(*) subqueries over the indexes
 * the lists already use (index-only scans), not counters on users: counters would put every
 * follow, unfollow, post and delete on one hot row of a popular user, and rows written by
 * other means (the benchmark seeds posts and follows with plain SQL) would leave them wrong.
 * A count costs one index entry per row counted, small at a campus's scale.
 * Anonymous posts are counted for their author only, like /users/{username}/posts shows them.
 */
export async function getProfile (sql: ISql, viewerId: string, username: string): Promise<Profile> {
  const [row] = await sql<Profile[]>`
    select u.id, u.username, u.nickname,
      (select count(*)::int from follows f where f.followee_id = u.id) as follower_count,
      (select count(*)::int from follows f where f.follower_id = u.id) as following_count,
      (select count(*)::int from posts p
        where p.author_id = u.id and ${livePost(sql, 'p')} and (not p.anonymous or p.author_id = ${viewerId})) as post_count
    from users u
    where u.username_key = ${identityKey(username)}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return row
}

/** Which of `usernames` no account has (compared as identity keys, as signup does). */
export async function unclaimedUsernames (sql: ISql, usernames: string[]): Promise<string[]> {
  if (usernames.length === 0) return []
  const rows = await sql<Array<{ usernameKey: string }>>`
    select username_key from users where username_key = any(${usernames.map(identityKey)}::text[])`
  const claimed = new Set(rows.map(row => row.usernameKey))
  return usernames.filter(name => !claimed.has(identityKey(name)))
}
