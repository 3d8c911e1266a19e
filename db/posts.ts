// Posts: writing, reading, editing, soft deletion, and the lists of posts (a user's posts,
// the caller's own, the feed). Every read goes through postColumns() and toPost(), so a post
// has one shape and one anonymity rule wherever it is shown.
import type { ISql, PendingQuery, Row } from 'postgres'
import type { Post } from '../schemas/social.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { findUserByUsername } from './users.js'

export type PostRow = Omit<Post, 'createdAt' | 'updatedAt'> & { createdAt: Date, updatedAt: Date }

export type PostText = { title: string, body: string }
export type NewPost = PostText & { anonymous: boolean, boardId?: string | undefined }

/**
 * "This post is live": every query that shows or touches a post keeps only the rows this
 * fragment accepts (`${livePost(sql, 'p')}`). A deleted board's posts are covered by it too:
 * deleting a board sets its posts' deleted_at in the same transaction (trigger
 * boards_delete_posts, migration 005), so the one column is the whole rule and every partial
 * index `where deleted_at is null` stays exact.
 */
export function livePost (sql: ISql, alias: string): PendingQuery<Row[]> {
  return sql`${sql(alias)}.deleted_at is null`
}

/**
 * The author whose followers' feeds show a post, over `alias`: null for an anonymous post,
 * which is in no feed. Writes answer this, never the author, for the feed's cache: dropping a
 * reader's cached feed because of a like on an anonymous post would tell a reader watching
 * their own feed that one of the users they follow wrote it.
 */
export function feedAuthor (sql: ISql, alias: string): PendingQuery<Row[]> {
  return sql`case when ${sql(alias)}.anonymous then null else ${sql(alias)}.author_id end`
}

/**
 * The columns of a post as `viewerId` sees it, over `posts p join users u on u.id = p.author_id`.
 * - The author is withheld here, in SQL, for anonymous posts of others: it never reaches the
 *   service, so no route can leak it.
 * - Counts are the posts' own counters, kept in step by the features that change them.
 * - likedByMe and scrappedByMe are `exists` probes of the (post_id, user_id) primary keys of
 *   post_likes and post_scraps: still one query per page.
 */
export function postColumns (sql: ISql, viewerId: string): PendingQuery<Row[]> {
  return sql`
    p.id, p.title, p.body, p.board_id, p.anonymous,
    case when p.anonymous and p.author_id <> ${viewerId} then null
         else json_build_object('id', u.id, 'username', u.username, 'nickname', u.nickname) end as author,
    p.like_count, p.comment_count, p.scrap_count,
    exists (select 1 from post_likes l where l.post_id = p.id and l.user_id = ${viewerId}) as liked_by_me,
    exists (select 1 from post_scraps s where s.post_id = p.id and s.user_id = ${viewerId}) as scrapped_by_me,
    (select coalesce(json_agg(json_build_object(
        'id', m.id, 'url', '/media/' || m.id, 'contentType', m.content_type, 'width', m.width, 'height', m.height
      ) order by m.position), '[]')
     from post_media m where m.post_id = p.id) as media,
    p.created_at, p.updated_at`
}

export function toPost (row: PostRow): Post {
  const { id, title, body, boardId, anonymous, author, likeCount, commentCount, scrapCount, likedByMe, scrappedByMe, media } = row
  return {
    id, title, body, boardId, anonymous, author, likeCount, commentCount, scrapCount, likedByMe, scrappedByMe, media,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString()
  }
}

/**
 * A board post is written only into a live board, which the insert locks FOR SHARE so that
 * deleting the board waits for it (and then deletes it too); otherwise 400 on boardId.
 */
export async function createPost (sql: ISql, authorId: string, post: NewPost): Promise<Post> {
  const board = post.boardId === undefined
    ? sql`select null::uuid as id`
    : sql`select id from boards where id = ${post.boardId} and deleted_at is null for share`
  const [row] = await sql<PostRow[]>`
    with b as (${board}),
    p as (
      insert into posts (author_id, board_id, title, body, anonymous)
      select ${authorId}, b.id, ${post.title}, ${post.body}, ${post.anonymous ?? false} from b
      returning *
    )
    select ${postColumns(sql, authorId)} from p join users u on u.id = p.author_id`
  if (row === undefined) throw invalidField('/body/boardId', 'is not a board')
  return toPost(row)
}

/** The live post, or 404 NOT_FOUND. */
export async function getPost (sql: ISql, viewerId: string, id: string): Promise<Post> {
  const [row] = await sql<PostRow[]>`
    select ${postColumns(sql, viewerId)}
    from posts p join users u on u.id = p.author_id
    where p.id = ${id} and ${livePost(sql, 'p')}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return toPost(row)
}

/**
 * Why a write that checked ownership in its WHERE clause touched no row: no such live post
 * (404), or not the caller's to change (403).
 */
async function refusal (sql: ISql, id: string): Promise<AppError> {
  const [row] = await sql`select 1 from posts where id = ${id} and ${livePost(sql, 'posts')}`
  return new AppError(row === undefined ? 'NOT_FOUND' : 'FORBIDDEN')
}

/** Changes title and body, author only. The ownership check is part of the update itself. */
export async function editPost (sql: ISql, viewerId: string, id: string, text: PostText): Promise<Post> {
  const [row] = await sql<PostRow[]>`
    with p as (
      update posts set title = ${text.title}, body = ${text.body}, updated_at = now()
      where id = ${id} and author_id = ${viewerId} and ${livePost(sql, 'posts')}
      returning *
    )
    select ${postColumns(sql, viewerId)} from p join users u on u.id = p.author_id`
  if (row === undefined) throw await refusal(sql, id)
  return toPost(row)
}

/**
 * Soft deletion: the row stays (later comments, likes and reports keep their target) but
 * leaves every read and every list.
 */
export async function deletePost (
  sql: ISql, viewer: { id: string, isAdmin: boolean }, id: string
): Promise<{ feedAuthorId: string | null }> {
  const [row] = await sql<Array<{ feedAuthorId: string | null }>>`
    update posts set deleted_at = now()
    where id = ${id} and ${livePost(sql, 'posts')} and (author_id = ${viewer.id} or ${viewer.isAdmin})
    returning ${feedAuthor(sql, 'posts')} as feed_author_id`
  if (row === undefined) throw await refusal(sql, id)
  return row
}

type PostRowWithPosition = PostRow & { position: string[] }

/** Every list of posts: newest first. */
export const POSTS_NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['p.created_at', 'timestamptz'], ['p.id', 'uuid']] }

/**
 * One author's posts, newest first, through posts_author_page_idx. Anonymous posts are listed
 * to their author only: anywhere else the list itself would name their author.
 */
async function listAuthorPostsPage (sql: ISql, viewerId: string, authorId: string, page: KeysetRequest): Promise<Page<Post>> {
  const k = keyset(sql, POSTS_NEWEST_FIRST, page)
  const rows = await sql<PostRowWithPosition[]>`
    select ${postColumns(sql, viewerId)}, ${k.position}
    from posts p join users u on u.id = p.author_id
    where p.author_id = ${authorId} and ${livePost(sql, 'p')}
      ${authorId === viewerId ? sql`` : sql`and not p.anonymous`}
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toPost)
}

/** The caller's own posts, anonymous ones included. */
export function listMyPostsPage (sql: ISql, viewerId: string, page: KeysetRequest): Promise<Page<Post>> {
  return listAuthorPostsPage(sql, viewerId, viewerId, page)
}

/** A user's posts as `viewerId` may see them, or 404 NOT_FOUND for an unknown username. */
export async function listUserPostsPage (sql: ISql, viewerId: string, username: string, page: KeysetRequest): Promise<Page<Post>> {
  // A forged cursor is refused before any query runs.
  keyset(sql, POSTS_NEWEST_FIRST, page)
  const author = await findUserByUsername(sql, username)
  if (author === undefined) throw new AppError('NOT_FOUND')
  return await listAuthorPostsPage(sql, viewerId, author.id, page)
}

/**
 * Posts by the users `viewerId` follows, newest first (anonymous ones excluded, as above).
 * One query whose cost does not grow with the number of posts, in two passes over
 * posts_author_page_idx (index-only scans: the index holds created_at, id and anonymous):
 * 1. each followee's newest post after the cursor (one key per followee). The page's
 *    `limit + 1` posts are all at least as new as the (limit + 1)-th newest of these heads,
 *    since those heads are themselves that many distinct posts: that is the cutoff.
 * 2. for each followee, its keys between the cursor and the cutoff, at most a page of them;
 *    most followees have none. One sort keeps the page's keys, and only those rows are read.
 * Without the cutoff, pass 2 read a full page of keys from every followee who had that many
 * posts, so the cost grew with posts per author until they reached a page.
 */
export async function listFeedPage (sql: ISql, viewerId: string, page: KeysetRequest): Promise<Page<Post>> {
  const k = keyset(sql, POSTS_NEWEST_FIRST, page)
  const visibleAfterCursor = sql`
    p.author_id = f.followee_id and ${livePost(sql, 'p')} and not p.anonymous
    ${k.after}`
  const rows = await sql<PostRowWithPosition[]>`
    with cutoff as (
      select h.created_at
      from follows f
      cross join lateral (
        select p.created_at from posts p
        where ${visibleAfterCursor}
        order by ${k.orderBy}
        limit 1
      ) h
      where f.follower_id = ${viewerId}
      order by h.created_at desc
      offset ${page.limit} limit 1
    )
    select ${postColumns(sql, viewerId)}, ${k.position}
    from (
      select k.id
      from follows f
      cross join lateral (
        select p.created_at, p.id
        from posts p
        where ${visibleAfterCursor}
          and p.created_at >= coalesce((select created_at from cutoff), '-infinity')
        order by ${k.orderBy}
        limit ${k.limit}
      ) k
      where f.follower_id = ${viewerId}
      order by k.created_at desc, k.id desc
      limit ${k.limit}
    ) k
    join posts p on p.id = k.id
    join users u on u.id = p.author_id
    order by ${k.orderBy}`
  return toKeysetPage(rows, page.limit, toPost)
}
