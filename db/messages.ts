// Private messages. A message to a post's or a comment's author opens a conversation with
// them; when that post or comment is anonymous, the conversation hides them from the sender
// for good (conversation_members.sees_peer, applied in SQL) and is kept apart from any named
// conversation with the same person, or its mere existence would tell who wrote the post.
import type { ISql, Sql } from 'postgres'
import type { Conversation, Message, NewMessageBody } from '../schemas/community.js'
import { AppError, invalidField } from '../plugins/errors.js'
import { keyset, toKeysetPage, type KeysetRequest, type Page, type SortKey } from './pagination.js'
import { findUserByUsername } from './users.js'

/** Who a message goes to and in which conversation (by its source). */
type Target = { userId: string, hidden: boolean, sourceKey: string, viaPostId: string | null }

const TARGET_FIELDS = ['toUsername', 'postId', 'commentId', 'conversationId'] as const

async function resolveTarget (sql: ISql, senderId: string, body: NewMessageBody): Promise<Target | { conversationId: string }> {
  const given = TARGET_FIELDS.filter(field => body[field] !== undefined)
  if (given.length !== 1) {
    throw invalidField('/body', `needs exactly one of ${TARGET_FIELDS.join(', ')}`)
  }
  const self = (field: string) => invalidField(`/body/${field}`, 'is you')
  if (body.toUsername !== undefined) {
    const user = await findUserByUsername(sql, body.toUsername)
    if (user === undefined) throw new AppError('NOT_FOUND')
    if (user.id === senderId) throw self('toUsername')
    return { userId: user.id, hidden: false, sourceKey: 'named', viaPostId: null }
  }
  if (body.postId !== undefined) {
    const [post] = await sql<Array<{ authorId: string, anonymous: boolean }>>`
      select author_id, anonymous from posts where id = ${body.postId} and deleted_at is null`
    if (post === undefined) throw new AppError('NOT_FOUND')
    if (post.authorId === senderId) throw self('postId')
    return post.anonymous
      ? { userId: post.authorId, hidden: true, sourceKey: `post:${body.postId}`, viaPostId: body.postId }
      : { userId: post.authorId, hidden: false, sourceKey: 'named', viaPostId: null }
  }
  if (body.commentId !== undefined) {
    const [comment] = await sql<Array<{ authorId: string, anonymous: boolean, postId: string }>>`
      select c.author_id, c.anonymous, c.post_id
      from comments c join posts p on p.id = c.post_id
      where c.id = ${body.commentId} and c.deleted_at is null and p.deleted_at is null`
    if (comment === undefined) throw new AppError('NOT_FOUND')
    if (comment.authorId === senderId) throw self('commentId')
    // All of one writer's anonymous comments on a post share their label: one conversation.
    // The key names whom it hides: two anonymous commenters of one post writing to each other
    // get two conversations, each hiding its own writer. (With one key, the second writer's
    // message landed in the first one's conversation, which shows the first to the second.)
    return comment.anonymous
      ? { userId: comment.authorId, hidden: true, sourceKey: `comments:${comment.postId}:${comment.authorId}`, viaPostId: comment.postId }
      : { userId: comment.authorId, hidden: false, sourceKey: 'named', viaPostId: null }
  }
  return { conversationId: body.conversationId! }
}

type MessageRow = { id: string, conversationId: string, body: string, mine: boolean, createdAt: Date }

function toMessage (row: MessageRow): Message {
  return { id: row.id, conversationId: row.conversationId, body: row.body, mine: row.mine, createdAt: row.createdAt.toISOString() }
}

/**
 * Sends a message, opening the conversation on first contact. Returns it with the ids of both
 * members, whose conversation lists it changed: for the caches to forget, never for an answer
 * (one of them may be an anonymous author).
 */
export async function sendMessage (sql: Sql, senderId: string, body: NewMessageBody): Promise<{ message: Message, memberIds: string[] }> {
  const target = await resolveTarget(sql, senderId, body)
  return await sql.begin(async (tx) => {
    let conversationId: string
    if ('conversationId' in target) {
      const [member] = await tx`
        select 1 from conversation_members where conversation_id = ${target.conversationId} and user_id = ${senderId}`
      if (member === undefined) throw new AppError('NOT_FOUND')
      conversationId = target.conversationId
    } else {
      const [low, high] = senderId < target.userId ? [senderId, target.userId] : [target.userId, senderId]
      // `do update` so that the id comes back when the conversation exists already.
      const [conversation] = await tx<Array<{ id: string }>>`
        insert into conversations (user_low, user_high, hidden_user_id, via_post_id, source_key)
        values (${low}, ${high}, ${target.hidden ? target.userId : null}, ${target.viaPostId}, ${target.sourceKey})
        on conflict (user_low, user_high, source_key) do update set source_key = excluded.source_key
        returning id`
      conversationId = conversation!.id
      await tx`
        insert into conversation_members (conversation_id, user_id, sees_peer, last_message_at)
        values (${conversationId}, ${senderId}, ${!target.hidden}, now()), (${conversationId}, ${target.userId}, true, now())
        on conflict do nothing`
    }
    // Times stay in SQL: a JS Date would cut them to milliseconds, and a message would then
    // count as unread after the conversation was read.
    const [message] = await tx<Array<MessageRow & { memberIds: string[] }>>`
      with sent as (
        insert into messages (conversation_id, sender_id, body) values (${conversationId}, ${senderId}, ${body.body})
        returning id, conversation_id, body, created_at
      ), stamped as (
        update conversation_members m
        set last_message_at = sent.created_at,
            last_read_at = case when m.user_id = ${senderId} then sent.created_at else m.last_read_at end
        from sent where m.conversation_id = sent.conversation_id
        returning m.user_id
      )
      select id, conversation_id, body, true as mine, created_at, array(select user_id from stamped) as member_ids from sent`
    const { memberIds, ...sent } = message!
    return { message: toMessage(sent), memberIds }
  })
}

const RECENT_FIRST: SortKey = { direction: 'desc', columns: [['m.last_message_at', 'timestamptz'], ['m.conversation_id', 'uuid']] }

type ConversationRow = {
  id: string
  with: Conversation['with']
  anonymous: boolean
  postId: string | null
  lastBody: string
  lastMine: boolean
  lastAt: Date
  unreadCount: number
  position: string[]
}

/**
 * The caller's conversations, the most recent message first (conversation_members_page_idx),
 * each with its last message and how many the caller has not read: one query a page. The
 * other side is selected only when the caller may see them.
 */
export async function listConversations (sql: ISql, viewerId: string, page: KeysetRequest): Promise<Page<Conversation>> {
  const k = keyset(sql, RECENT_FIRST, page)
  const rows = await sql<ConversationRow[]>`
    select c.id,
      case when m.sees_peer then json_build_object('id', u.id, 'username', u.username, 'nickname', u.nickname) end as with,
      c.hidden_user_id is not null as anonymous,
      c.via_post_id as post_id,
      last.body as last_body, last.sender_id = ${viewerId} as last_mine, last.created_at as last_at,
      (select count(*)::int from messages x
       where x.conversation_id = c.id and x.created_at > m.last_read_at and x.sender_id <> ${viewerId}) as unread_count,
      ${k.position}
    from conversation_members m
    join conversations c on c.id = m.conversation_id
    join users u on u.id = case when c.user_low = ${viewerId} then c.user_high else c.user_low end
    cross join lateral (
      select body, sender_id, created_at from messages
      where conversation_id = c.id order by created_at desc, id desc limit 1
    ) last
    where m.user_id = ${viewerId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, (row): Conversation => ({
    id: row.id,
    with: row.with,
    anonymous: row.anonymous,
    postId: row.postId,
    lastMessage: { body: row.lastBody, mine: row.lastMine, createdAt: row.lastAt.toISOString() },
    unreadCount: row.unreadCount
  }))
}

const NEWEST_FIRST: SortKey = { direction: 'desc', columns: [['x.created_at', 'timestamptz'], ['x.id', 'uuid']] }

/** A conversation's messages, newest first, for its participants only (404 otherwise); reading marks it read. */
export async function readConversation (sql: ISql, viewerId: string, conversationId: string, page: KeysetRequest): Promise<Page<Message>> {
  const k = keyset(sql, NEWEST_FIRST, page)
  const [member] = await sql`
    update conversation_members set last_read_at = greatest(last_read_at, last_message_at)
    where conversation_id = ${conversationId} and user_id = ${viewerId}
    returning 1`
  if (member === undefined) throw new AppError('NOT_FOUND')
  const rows = await sql<Array<MessageRow & { position: string[] }>>`
    select x.id, x.conversation_id, x.body, x.sender_id = ${viewerId} as mine, x.created_at, ${k.position}
    from messages x
    where x.conversation_id = ${conversationId} ${k.after}
    order by ${k.orderBy}
    limit ${k.limit}`
  return toKeysetPage(rows, page.limit, toMessage)
}
