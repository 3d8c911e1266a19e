// Campus community: boards, favourites, board posts and their search, likes, scraps, hot posts,
// comments with anonymous labels, and messages to authors who may stay anonymous.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Flag, Limit, Page, Text, Timestamp, Uuid } from './common.js'
import { Username } from './auth.js'
import { UserSummary } from './social.js'

const Category = Text(1, 30, { pattern: '^[^\\p{Cc}]+$', examples: ['자유게시판'] })
const BoardName = Text(1, 50, { pattern: '^[^\\p{Cc}]+$', examples: ['컴공 새내기'] })
const Description = Text(0, 500, { examples: ['컴퓨터공학과 새내기들의 게시판'] })

export const Board = Type.Object({
  id: Uuid,
  schoolId: Uuid,
  ownerId: Uuid,
  category: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  isDeleted: Type.Boolean({ description: 'a deleted board stays readable here; its posts answer 404' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}, { description: 'A board of a school' })
export type Board = Static<typeof Board>
export const BoardPage = Page(Board)

export const NewBoardBody = Type.Object({
  schoolId: Uuid,
  category: Category,
  name: BoardName,
  description: Type.Optional(Description)
}, { additionalProperties: false })
export type NewBoardBody = Static<typeof NewBoardBody>

export const BoardEditBody = Type.Object({
  category: Type.Optional(Category),
  name: Type.Optional(BoardName),
  description: Type.Optional(Type.Union([Description, Type.Null()]))
}, { additionalProperties: false, minProperties: 1 })
export type BoardEditBody = Static<typeof BoardEditBody>

export const BoardQuery = Type.Object({
  schoolId: Type.Optional(Uuid),
  category: Type.Optional(Category),
  name: Type.Optional(Text(1, 50, { description: 'keeps boards whose name contains it (case-insensitive)' })),
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type BoardQuery = Static<typeof BoardQuery>

export const BoardPostQuery = Type.Object({
  q: Type.Optional(Text(1, 100, { description: 'keeps posts whose title or body contains it (case-insensitive, any script; % and _ are literal)' })),
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type BoardPostQuery = Static<typeof BoardPostQuery>

export const LikeState = Type.Object({
  likeCount: Type.Integer({ minimum: 0 }),
  likedByMe: Type.Boolean()
})
export type LikeState = Static<typeof LikeState>

export const ScrapState = Type.Object({
  scrapCount: Type.Integer({ minimum: 0 }),
  scrappedByMe: Type.Boolean()
})
export type ScrapState = Static<typeof ScrapState>

export const Favorite = Type.Object({
  boardId: Uuid,
  favorite: Type.Boolean({ description: 'whether the board is now pinned' })
})
export type Favorite = Static<typeof Favorite>

export const BoardDeleted = Flag('deleted')

const commentFields = {
  id: Uuid,
  postId: Uuid,
  parentId: Type.Union([Uuid, Type.Null()], { description: 'the top-level comment a reply belongs to' }),
  body: Type.Union([Type.String(), Type.Null()], { description: 'null once deleted (kept as a placeholder while it has replies)' }),
  deleted: Type.Boolean(),
  anonymous: Type.Boolean(),
  author: Type.Union([UserSummary, Type.Null()], { description: 'null when anonymous (except to its writer) or deleted' }),
  anonymousLabel: Type.Union([Type.String(), Type.Null()], {
    description: '익명1, 익명2… per post in order of each writer\'s first anonymous comment; 익명(글쓴이) for the anonymous post\'s own author',
    examples: ['익명1']
  }),
  mine: Type.Boolean(),
  createdAt: Timestamp
}

export const Comment = Type.Object(commentFields, { description: 'A comment or a reply' })
export type Comment = Static<typeof Comment>

export const CommentThread = Type.Object({
  ...commentFields,
  replyCount: Type.Integer({ minimum: 0 }),
  replies: Type.Array(Comment, { description: 'oldest first (at most 100; replyCount has them all)' })
}, { description: 'A top-level comment with its replies' })
export type CommentThread = Static<typeof CommentThread>
export const CommentPage = Page(CommentThread)

export const NewCommentBody = Type.Object({
  body: Text(1, 2000, { examples: ['저도 궁금해요!'] }),
  parentId: Type.Optional(Type.String({ format: 'uuid', description: 'a comment of the same post; a reply to a reply attaches to its top-level comment' })),
  anonymous: Type.Optional(Type.Boolean({ default: false }))
}, { additionalProperties: false })
export type NewCommentBody = Static<typeof NewCommentBody>

export const NewMessageBody = Type.Object({
  body: Text(1, 1000, { examples: ['책 아직 파시나요?'] }),
  toUsername: Type.Optional(Username),
  postId: Type.Optional(Type.String({ format: 'uuid', description: 'to the post\'s author, who stays anonymous if the post is' })),
  commentId: Type.Optional(Type.String({ format: 'uuid', description: 'to the comment\'s author, who stays anonymous if the comment is' })),
  conversationId: Type.Optional(Type.String({ format: 'uuid', description: 'a reply in one of your conversations (how an anonymous author answers)' }))
}, { additionalProperties: false, description: 'body and exactly one of toUsername, postId, commentId, conversationId' })
export type NewMessageBody = Static<typeof NewMessageBody>

export const Message = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  body: Type.String(),
  mine: Type.Boolean({ description: 'sent by the caller' }),
  createdAt: Timestamp
})
export type Message = Static<typeof Message>
export const MessagePage = Page(Message)

export const Conversation = Type.Object({
  id: Uuid,
  with: Type.Union([UserSummary, Type.Null()], { description: 'the other side; null when they wrote anonymously' }),
  anonymous: Type.Boolean({ description: 'opened through an anonymous post or comment: the other side\'s name is hidden from its opener' }),
  postId: Type.Union([Uuid, Type.Null()], { description: 'the anonymous post it was opened through' }),
  lastMessage: Type.Object({ body: Type.String(), mine: Type.Boolean(), createdAt: Timestamp }),
  unreadCount: Type.Integer({ minimum: 0 })
}, { description: 'A conversation with its last message' })
export type Conversation = Static<typeof Conversation>
export const ConversationPage = Page(Conversation)

export const CommentDeleted = Flag('deleted')

export const Media = Type.Object({
  id: Uuid,
  postId: Uuid,
  contentType: Type.String({ examples: ['image/jpeg'] }),
  size: Type.Integer({ minimum: 1, description: 'bytes as stored, metadata removed' }),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
  url: Type.String({ examples: ['/media/6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21'] }),
  createdAt: Timestamp
}, { description: 'An uploaded image, stored without its metadata' })
export type Media = Static<typeof Media>

export const MediaDeleted = Flag('deleted')
