// Campus community: boards (owned, soft-deleted), favourites, the posts of a board and their
// search, likes, scraps and hot posts. Posts are read through db/posts.ts's postColumns, so
// they have one shape and one anonymity rule here too.
import type { ISql, PendingQuery, Row } from 'postgres'
import type { Board, Favorite, LikeState, ScrapState } from '../schemas/community.js'
import type { Post } from '../schemas/social.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { feedAuthor, livePost, POSTS_NEWEST_FIRST, postColumns, toPost, type PostRow } from './posts.js'
import { containsText, likePattern } from './search.js'
import { identityKey } from './users.js'

type BoardRow = Omit<Board, 'createdAt' | 'updatedAt'> & { createdAt: Date, updatedAt: Date }

function boardColumns (sql: ISql): PendingQuery<Row[]> {
  return sql`b.id, b.school_id, b.owner_id, b.category, b.name, b.description,
             b.deleted_at is not null as is_deleted, b.created_at, b.updated_at`
}

function toBoard (row: BoardRow): Board {
  const { id, schoolId, ownerId, category, name, description, isDeleted } = row
  return {
    id, schoolId, ownerId, category, name, description, isDeleted,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString()
  }
}

export type Viewer = { id: string, isAdmin: boolean }

export async function createBoard (
  sql: ISql, ownerId: string, board: { schoolId: string, category: string, name: string, description?: string | undefined }
): Promise<Board> {
  const [row] = await sql<BoardRow[]>`
    with b as (
      insert into boards (school_id, owner_id, category, name, name_key, description)
      select s.id, ${ownerId}, ${board.category}, ${board.name}, ${identityKey(board.name)}, ${board.description ?? null}
      from schools s where s.id = ${board.schoolId}
      returning *
    )
    select ${boardColumns(sql)} from b`
  if (row === undefined) throw invalidField('/body/schoolId', 'is not a school')
  return toBoard(row)
}

/** A board, deleted ones included (they answer with isDeleted: true); 404 when none. */
export async function findBoard (sql: ISql, id: string): Promise<Board> {
  const [row] = await sql<BoardRow[]>`select ${boardColumns(sql)} from boards b where b.id = ${id}`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return toBoard(row)
}

/** After a guarded write changed nothing: 404 for no live board, else 403. */
async function refusal (sql: ISql, id: string): Promise<AppError> {
  const [row] = await sql`select 1 from boards where id = ${id} and deleted_at is null`
  return new AppError(row === undefined ? 'NOT_FOUND' : 'FORBIDDEN')
}

/** Owner or admin only; the permission is part of the update's WHERE clause. */
export async function editBoard (
  sql: ISql, viewer: Viewer, id: string,
  edit: { category?: string | undefined, name?: string | undefined, description?: string | null | undefined }
): Promise<Board> {
  const [row] = await sql<BoardRow[]>`
    with b as (
      update boards set
        category = coalesce(${edit.category ?? null}, category),
        name = coalesce(${edit.name ?? null}, name),
        name_key = coalesce(${edit.name === undefined ? null : identityKey(edit.name)}, name_key),
        description = ${edit.description === undefined ? sql`description` : sql`${edit.description}`},
        updated_at = now()
      where id = ${id} and deleted_at is null and (owner_id = ${viewer.id} or ${viewer.isAdmin})
      returning *
    )
    select ${boardColumns(sql)} from b`
  if (row === undefined) throw await refusal(sql, id)
  return toBoard(row)
}

/**
 * Soft deletion, owner or admin; the board's posts go with it (see livePost). Answers the
 * authors of its posts whose followers' feeds just changed (see feedAuthor).
 */
export async function deleteBoard (sql: ISql, viewer: Viewer, id: string): Promise<string[]> {
  const [row] = await sql<Array<{ authorIds: string[] }>>`
    with b as (
      update boards set deleted_at = now(), updated_at = now()
      where id = ${id} and deleted_at is null and (owner_id = ${viewer.id} or ${viewer.isAdmin})
      returning id
    )
    select array(select distinct author_id from posts p where board_id in (select id from b) and not p.anonymous) as author_ids
    from b`
  if (row === undefined) throw await refusal(sql, id)
  return row.authorIds
}

const BOARDS_NEWEST: SortKey = { direction: 'desc', columns: [['b.created_at', 'timestamptz'], ['b.id', 'uuid']] }

/** Live boards newest first; schoolId (+ category) go through boards_school_page_idx. */
export async function listBoards (
  sql: ISql, filter: { schoolId?: string | undefined, category?: string | undefined, name?: string | undefined }, page: KeysetRequest
): Promise<Page<Board>> {
  const k = keyset(sql, BOARDS_NEWEST, page)
  const rows = await sql<Array<BoardRow & { position: string[] }>>`
    select ${boardColumns(sql)}, ${k.position}
    from boards b
    where b.deleted_at is null
      ${filter.schoolId === undefined ? sql`` : sql`and b.school_id = ${filter.schoolId}`}
      ${filter.category === undefined ? sql`` : sql`and b.category = ${filter.category}`}
      ${filter.name === undefined ? sql`` : sql`and b.name_key like ${likePattern(identityKey(filter.name))}`}
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toBoard)
}

/** Pins a live board; pinning twice changes nothing. */
export async function favoriteBoard (sql: ISql, userId: string, boardId: string): Promise<Favorite> {
  const [row] = await sql`
    with b as (select id from boards where id = ${boardId} and deleted_at is null),
    f as (
      insert into board_favorites (user_id, board_id) select ${userId}, id from b
      on conflict do nothing
    )
    select id from b`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return { boardId, favorite: true }
}

/** Unpins; unpinning what is not pinned changes nothing. A deleted board can still be unpinned. */
export async function unfavoriteBoard (sql: ISql, userId: string, boardId: string): Promise<Favorite> {
  const [row] = await sql`
    with b as (select id from boards where id = ${boardId}),
    f as (delete from board_favorites where user_id = ${userId} and board_id in (select id from b))
    select id from b`
  if (row === undefined) throw new AppError('NOT_FOUND')
  return { boardId, favorite: false }
}

const FAVORITES_NEWEST: SortKey = { direction: 'desc', columns: [['f.created_at', 'timestamptz'], ['f.board_id', 'uuid']] }

/** The caller's pinned live boards, the most recent pin first (board_favorites_page_idx). */
export async function listFavoriteBoards (sql: ISql, userId: string, page: KeysetRequest): Promise<Page<Board>> {
  const k = keyset(sql, FAVORITES_NEWEST, page)
  const rows = await sql<Array<BoardRow & { position: string[] }>>`
    select ${boardColumns(sql)}, ${k.position}
    from board_favorites f join boards b on b.id = f.board_id
    where f.user_id = ${userId} and b.deleted_at is null ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toBoard)
}

/**
 * `and` title or body contains `q` (posts_search_trgm_idx, posts_search_grams_idx: the same
 * expression, joined by U+001F so that no typed term matches across the two, migration 021;
 * the input rules do not refuse that character, so a term holding it still could).
 */
function searchCondition (sql: ISql, q: string): PendingQuery<Row[]> {
  return sql`and ${containsText(sql, sql`lower(p.title || E'\x1f' || p.body)`, q)}`
}

type PostRowWithPosition = PostRow & { position: string[] }

/**
 * A live board's live posts, newest first (posts_board_page_idx), optionally searched.
 * One round trip when the page has posts: a live post is in a live board (deleting a board
 * deletes its posts in the same transaction, see livePost), so only an empty page needs to
 * ask whether the board is there (an empty page, or 404).
 */
export async function listBoardPosts (
  sql: ISql, viewerId: string, boardId: string, q: string | undefined, page: KeysetRequest
): Promise<Page<Post>> {
  const k = keyset(sql, POSTS_NEWEST_FIRST, page)
  const rows = await sql<PostRowWithPosition[]>`
    select ${postColumns(sql, viewerId)}, ${k.position}
    from posts p join users u on u.id = p.author_id
    where p.board_id = ${boardId} and ${livePost(sql, 'p')}
      ${q === undefined ? sql`` : searchCondition(sql, q)}
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  if (rows.length === 0) {
    const [board] = await sql`select 1 from boards where id = ${boardId} and deleted_at is null`
    if (board === undefined) throw new AppError('NOT_FOUND')
  }
  return toKeysetPage(rows, page.limit, toPost)
}

/**
 * Live posts with at least `minLikes` likes, newest first, over posts_liked_page_idx (every
 * liked post: the threshold is configuration, so it cannot be the index's predicate).
 */
export async function listHotPosts (sql: ISql, viewerId: string, minLikes: number, page: KeysetRequest): Promise<Page<Post>> {
  const k = keyset(sql, POSTS_NEWEST_FIRST, page)
  const rows = await sql<PostRowWithPosition[]>`
    select ${postColumns(sql, viewerId)}, ${k.position}
    from posts p join users u on u.id = p.author_id
    where ${livePost(sql, 'p')} and p.like_count > 0 and p.like_count >= ${minLikes}
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toPost)
}

/**
 * Likes and scraps: one statement adds or removes the caller's row and moves the post's
 * counter with it, only when the row really changed. The primary key settles races: the same
 * user twice at once inserts once (the second waits for the first and then does nothing);
 * many users at once each add their row and the counter updates queue on the post's row lock,
 * each re-reading the committed count, so the count stays exact.
 */
type Reaction = { table: 'post_likes' | 'post_scraps', counter: 'like_count' | 'scrap_count' }
const LIKE: Reaction = { table: 'post_likes', counter: 'like_count' }
const SCRAP: Reaction = { table: 'post_scraps', counter: 'scrap_count' }

async function react (
  sql: ISql, reaction: Reaction, userId: string, postId: string, on: boolean
): Promise<{ count: number, mine: boolean, feedAuthorId: string | null }> {
  const change = on
    ? sql`insert into ${sql(reaction.table)} (post_id, user_id) select id, ${userId} from target
          on conflict do nothing returning post_id`
    : sql`delete from ${sql(reaction.table)} where post_id in (select id from target) and user_id = ${userId}
          returning post_id`
  const [row] = await sql<Array<{ found: boolean, feedAuthorId: string | null, changed: number | null, current: number | null }>>`
    with target as (select p.id, ${feedAuthor(sql, 'p')} as feed_author_id from posts p where p.id = ${postId} and ${livePost(sql, 'p')}),
    changed as (${change}),
    counted as (
      update posts set ${sql(reaction.counter)} = ${sql(reaction.counter)} ${on ? sql`+` : sql`-`} 1
      where id in (select post_id from changed)
      returning ${sql(reaction.counter)} as count
    )
    select exists (select 1 from target) as found, (select feed_author_id from target) as feed_author_id,
           (select count from counted) as changed,
           (select ${sql(reaction.counter)} from posts where id in (select id from target)) as current`
  if (row === undefined || !row.found) throw new AppError('NOT_FOUND')
  return { count: row.changed ?? row.current ?? 0, mine: on, feedAuthorId: row.feedAuthorId }
}

/** The caller's like set or removed, and whose followers' feeds show the count (see feedAuthor). */
export async function setLike (
  sql: ISql, userId: string, postId: string, on: boolean
): Promise<{ state: LikeState, feedAuthorId: string | null }> {
  const { count, mine, feedAuthorId } = await react(sql, LIKE, userId, postId, on)
  return { state: { likeCount: count, likedByMe: mine }, feedAuthorId }
}

export async function setScrap (
  sql: ISql, userId: string, postId: string, on: boolean
): Promise<{ state: ScrapState, feedAuthorId: string | null }> {
  const { count, mine, feedAuthorId } = await react(sql, SCRAP, userId, postId, on)
  return { state: { scrapCount: count, scrappedByMe: mine }, feedAuthorId }
}

const SCRAPS_NEWEST: SortKey = { direction: 'desc', columns: [['s.created_at', 'timestamptz'], ['s.post_id', 'uuid']] }

/** The caller's scrapped live posts, the most recent scrap first (post_scraps_page_idx). */
export async function listScraps (sql: ISql, userId: string, page: KeysetRequest): Promise<Page<Post>> {
  const k = keyset(sql, SCRAPS_NEWEST, page)
  const rows = await sql<Array<PostRow & { position: string[] }>>`
    select ${postColumns(sql, userId)}, ${k.position}
    from post_scraps s
    join posts p on p.id = s.post_id
    join users u on u.id = p.author_id
    where s.user_id = ${userId} and ${livePost(sql, 'p')} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toPost)
}
