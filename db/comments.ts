// Comments: one level of replies, anonymous labels numbered per post, deletion that keeps a
// placeholder while replies hang from it, and the post's commentCount in step, all in one
// transaction that holds the post row (so labels and counts never race).
import type { ISql, PendingQuery, Row, Sql } from 'postgres'
import type { Comment, CommentThread, NewCommentBody } from '../schemas/community.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { livePost } from './posts.js'

const MAX_REPLIES_SHOWN = 100
const POST_AUTHOR_LABEL = '익명(글쓴이)'

/**
 * A comment as `viewerId` sees it, over `comments c join users u on u.id = c.author_id join
 * posts p on p.id = c.post_id left join comment_labels l on (l.post_id, l.user_id) =
 * (c.post_id, c.author_id)`. The writer of an anonymous comment is withheld here, in SQL, from
 * everyone, themselves included (the contract: anonymous comments show `author: null`; `mine`
 * tells the writer which are theirs); a deleted comment shows neither body nor writer.
 */
function commentColumns (sql: ISql, viewerId: string): PendingQuery<Row[]> {
  return sql`
    c.id, c.post_id, c.parent_id, c.reply_count, c.created_at,
    case when c.deleted_at is null then c.body end as body,
    c.deleted_at is not null as deleted,
    c.anonymous,
    case when c.deleted_at is not null or c.anonymous then null
         else json_build_object('id', u.id, 'username', u.username, 'nickname', u.nickname) end as author,
    case when c.deleted_at is not null or not c.anonymous then null
         when p.anonymous and c.author_id = p.author_id then ${POST_AUTHOR_LABEL}
         else '익명' || l.number end as anonymous_label,
    c.deleted_at is null and c.author_id = ${viewerId} as mine`
}

const COMMENT_FROM = (sql: ISql) => sql`
  comments c
  join users u on u.id = c.author_id
  join posts p on p.id = c.post_id
  left join comment_labels l on l.post_id = c.post_id and l.user_id = c.author_id`

type CommentRow = Omit<Comment, 'createdAt'> & { createdAt: Date, replyCount: number }

function toComment (row: CommentRow): Comment {
  return {
    id: row.id,
    postId: row.postId,
    parentId: row.parentId,
    body: row.body,
    deleted: row.deleted,
    anonymous: row.anonymous,
    author: row.author,
    anonymousLabel: row.anonymousLabel,
    mine: row.mine,
    createdAt: row.createdAt.toISOString()
  }
}

/**
 * Writes a comment. The post row is locked first: its comment count, and the label a first
 * anonymous comment takes (the next number on that post), are decided one writer at a time.
 * 404 for a post that is not live; 400 for a parent that is not a live comment of that post.
 */
export async function createComment (sql: Sql, authorId: string, postId: string, body: NewCommentBody): Promise<Comment> {
  const anonymous = body.anonymous ?? false
  const id = await sql.begin(async (tx) => {
    const [post] = await tx<Array<{ authorId: string, anonymous: boolean }>>`
      select author_id, anonymous from posts p where p.id = ${postId} and ${livePost(tx, 'p')} for update`
    if (post === undefined) throw new AppError('NOT_FOUND')
    let topId: string | null = null
    if (body.parentId !== undefined) {
      const [parent] = await tx<Array<{ id: string, parentId: string | null }>>`
        select id, parent_id from comments where id = ${body.parentId} and post_id = ${postId} and deleted_at is null`
      if (parent === undefined) throw invalidField('/body/parentId', 'is not a comment of this post')
      topId = parent.parentId ?? parent.id
    }
    // The anonymous post's own author is 익명(글쓴이), not a number.
    if (anonymous && !(post.anonymous && post.authorId === authorId)) {
      await tx`
        insert into comment_labels (post_id, user_id, number)
        select ${postId}, ${authorId}, coalesce(max(number), 0) + 1 from comment_labels where post_id = ${postId}
        on conflict (post_id, user_id) do nothing`
    }
    const [created] = await tx<Array<{ id: string }>>`
      insert into comments (post_id, parent_id, author_id, body, anonymous)
      values (${postId}, ${topId}, ${authorId}, ${body.body}, ${anonymous})
      returning id`
    if (topId !== null) await tx`update comments set reply_count = reply_count + 1 where id = ${topId}`
    await tx`update posts set comment_count = comment_count + 1 where id = ${postId}`
    return created!.id
  })
  const [row] = await sql<CommentRow[]>`select ${commentColumns(sql, authorId)} from ${COMMENT_FROM(sql)} where c.id = ${id}`
  return toComment(row!)
}

const OLDEST_FIRST: SortKey = { direction: 'asc', columns: [['c.created_at', 'timestamptz'], ['c.id', 'uuid']] }

/**
 * A live post's top-level comments, oldest first (comments_top_page_idx), each with its live
 * replies oldest first (comments_replies_idx): two queries a page. A deleted top-level comment
 * stays as a placeholder while it has replies.
 */
export async function listComments (sql: ISql, viewerId: string, postId: string, page: KeysetRequest): Promise<Page<CommentThread>> {
  const k = keyset(sql, OLDEST_FIRST, page)
  const [post] = await sql`select 1 from posts p where p.id = ${postId} and ${livePost(sql, 'p')}`
  if (post === undefined) throw new AppError('NOT_FOUND')
  const tops = await sql<Array<CommentRow & { position: string[] }>>`
    select ${commentColumns(sql, viewerId)}, ${k.position}
    from ${COMMENT_FROM(sql)}
    where c.post_id = ${postId} and c.parent_id is null and (c.deleted_at is null or c.reply_count > 0)
      ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  const shown = tops.slice(0, page.limit).map(row => row.id)
  const replies = shown.length === 0
    ? []
    : await sql<CommentRow[]>`
      select r.* from unnest(${shown}::uuid[]) as top (id)
      cross join lateral (
        select ${commentColumns(sql, viewerId)}
        from ${COMMENT_FROM(sql)}
        where c.parent_id = top.id and c.deleted_at is null
        order by c.created_at, c.id
        limit ${MAX_REPLIES_SHOWN}
      ) r`
  const byParent = new Map<string, Comment[]>()
  for (const reply of replies) {
    const list = byParent.get(reply.parentId!) ?? []
    list.push(toComment(reply))
    byParent.set(reply.parentId!, list)
  }
  return toKeysetPage(tops, page.limit, row => ({ ...toComment(row), replyCount: row.replyCount, replies: byParent.get(row.id) ?? [] }))
}

/**
 * Deletes a comment (its writer or an admin): its body and writer are gone at once; a
 * top-level comment with replies stays listed as a placeholder until its last reply goes.
 * The post's count and the parent's reply count move in the same transaction. Returns the
 * post's id.
 */
export async function deleteComment (sql: Sql, viewer: { id: string, isAdmin: boolean }, id: string): Promise<string> {
  return await sql.begin(async (tx) => {
    const [comment] = await tx<Array<{ postId: string, parentId: string | null, allowed: boolean }>>`
      select c.post_id, c.parent_id, (c.author_id = ${viewer.id} or ${viewer.isAdmin}) as allowed
      from comments c join posts p on p.id = c.post_id
      where c.id = ${id} and c.deleted_at is null and ${livePost(tx, 'p')}`
    if (comment === undefined) throw new AppError('NOT_FOUND')
    if (!comment.allowed) throw new AppError('FORBIDDEN')
    // The same order as createComment: the post row first.
    await tx`select 1 from posts where id = ${comment.postId} for update`
    const [deleted] = await tx`
      update comments set deleted_at = now(), body = null
      where id = ${id} and deleted_at is null and (author_id = ${viewer.id} or ${viewer.isAdmin})
      returning id`
    // Deleted by a concurrent request in between: that one counted it.
    if (deleted === undefined) throw new AppError('NOT_FOUND')
    if (comment.parentId !== null) await tx`update comments set reply_count = reply_count - 1 where id = ${comment.parentId}`
    await tx`update posts set comment_count = comment_count - 1 where id = ${comment.postId}`
    return comment.postId
  })
}
