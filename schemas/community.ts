// Campus community: boards, favourites, board posts and their search, likes, scraps, hot posts,
// comments with anonymous labels, and messages to authors who may stay anonymous.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, exampleOf, Flag, Limit, Page, Text, Timestamp, Uuid, UUID } from './common.js'
import { SAMPLE_SCHOOL_ID, SAMPLE_USER_ID, Username } from './auth.js'
import { SAMPLE_BOARD_ID, SAMPLE_POST_ID, UserSummary } from './social.js'

const SAMPLE_COMMENT_ID = 'c0d1e2f3-a4b5-4c6d-8e7f-90a1b2c3d4e5'
const SAMPLE_CONVERSATION_ID = '2b4d6f80-1a3c-4e5f-9a7b-c9d8e7f6a5b4'
const SAMPLE_TIME = '2026-03-02T09:00:00.000Z'

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
}, {
  $id: 'Board',
  description: 'A board of a school',
  examples: [{
    id: SAMPLE_BOARD_ID,
    schoolId: SAMPLE_SCHOOL_ID,
    ownerId: SAMPLE_USER_ID,
    category: '자유게시판',
    name: '컴공 새내기',
    description: '컴퓨터공학과 새내기들의 게시판',
    isDeleted: false,
    createdAt: SAMPLE_TIME,
    updatedAt: SAMPLE_TIME
  }]
})
export type Board = Static<typeof Board>
export const BoardPage = Page(Board)

export const NewBoardBody = Type.Object({
  schoolId: Uuid,
  category: Category,
  name: BoardName,
  description: Type.Optional(Description)
}, {
  $id: 'NewBoardBody',
  additionalProperties: false,
  description: 'A board in a school; its creator owns it',
  examples: [
    { schoolId: SAMPLE_SCHOOL_ID, category: '자유게시판', name: '컴공 새내기', description: '컴퓨터공학과 새내기들의 게시판' },
    { schoolId: SAMPLE_SCHOOL_ID, category: 'Clubs', name: 'Photography club' }
  ]
})
export type NewBoardBody = Static<typeof NewBoardBody>

export const BoardEditBody = Type.Object({
  category: Type.Optional(Category),
  name: Type.Optional(BoardName),
  description: Type.Optional(Type.Union([Description, Type.Null()]))
}, {
  $id: 'BoardEditBody',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change (owner or admin); `description: null` removes it',
  examples: [{ name: '컴공 23학번', description: null }, { category: 'Study', name: 'Algorithms study' }]
})
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
}, {
  $id: 'LikeState',
  description: 'A post\'s like count and whether the caller likes it, after the change',
  examples: [{ likeCount: 4, likedByMe: true }]
})
export type LikeState = Static<typeof LikeState>

export const ScrapState = Type.Object({
  scrapCount: Type.Integer({ minimum: 0 }),
  scrappedByMe: Type.Boolean()
}, {
  $id: 'ScrapState',
  description: 'A post\'s scrap count and whether the caller scrapped it, after the change',
  examples: [{ scrapCount: 2, scrappedByMe: true }]
})
export type ScrapState = Static<typeof ScrapState>

export const Favorite = Type.Object({
  boardId: Uuid,
  favorite: Type.Boolean({ description: 'whether the board is now pinned' })
}, {
  $id: 'Favorite',
  description: 'Whether a board is among the caller\'s favourites, after the change',
  examples: [{ boardId: SAMPLE_BOARD_ID, favorite: true }]
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
  author: Type.Union([UserSummary, Type.Null()], { description: 'null when anonymous (to its writer too: `mine` tells them) or deleted' }),
  anonymousLabel: Type.Union([Type.String(), Type.Null()], {
    description: '익명1, 익명2… per post in order of each writer\'s first anonymous comment; 익명(글쓴이) for the anonymous post\'s own author',
    examples: ['익명1']
  }),
  mine: Type.Boolean(),
  createdAt: Timestamp
}

const sampleComment = {
  id: SAMPLE_COMMENT_ID,
  postId: SAMPLE_POST_ID,
  parentId: null,
  body: '저도 궁금해요!',
  deleted: false,
  anonymous: true,
  author: null,
  anonymousLabel: '익명1',
  mine: false,
  createdAt: SAMPLE_TIME
}

export const Comment = Type.Object(commentFields, {
  $id: 'Comment',
  description: 'A reply to a top-level comment',
  examples: [{ ...sampleComment, id: 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6', parentId: SAMPLE_COMMENT_ID, body: '익명1님 저도요', anonymousLabel: '익명(글쓴이)' }]
})
export type Comment = Static<typeof Comment>

export const CommentThread = Type.Object({
  ...commentFields,
  replyCount: Type.Integer({ minimum: 0 }),
  replies: Type.Array(Comment, { description: 'oldest first (at most 100; replyCount has them all)' })
}, {
  $id: 'CommentThread',
  description: 'A top-level comment with its replies',
  examples: [{ ...sampleComment, replyCount: 1, replies: [exampleOf(Comment)] }]
})
export type CommentThread = Static<typeof CommentThread>
export const CommentPage = Page(CommentThread)

export const NewCommentBody = Type.Object({
  body: Text(1, 2000, { examples: ['저도 궁금해요!'] }),
  parentId: Type.Optional(Type.String({ ...UUID, description: 'a comment of the same post; a reply to a reply attaches to its top-level comment' })),
  anonymous: Type.Optional(Type.Boolean({ description: 'hide your name from everyone else (absent: false)' }))
}, {
  $id: 'NewCommentBody',
  additionalProperties: false,
  description: 'A comment, or with `parentId` a reply; anonymous comments get a label per post (익명1…)',
  examples: [{ body: '저도 궁금해요!', anonymous: true }, { body: 'Same question here, anyone?' }]
})
export type NewCommentBody = Static<typeof NewCommentBody>

export const NewMessageBody = Type.Object({
  body: Text(1, 1000, { examples: ['책 아직 파시나요?'] }),
  toUsername: Type.Optional(Username),
  postId: Type.Optional(Type.String({ ...UUID, description: 'to the post\'s author, who stays anonymous if the post is' })),
  commentId: Type.Optional(Type.String({ ...UUID, description: 'to the comment\'s author, who stays anonymous if the comment is' })),
  conversationId: Type.Optional(Type.String({ ...UUID, description: 'a reply in one of your conversations (how an anonymous author answers)' }))
}, {
  $id: 'NewMessageBody',
  additionalProperties: false,
  description: 'A message: the body and exactly one of toUsername, postId, commentId, conversationId',
  examples: [{ body: '자료구조 스터디 같이 하실래요?', toUsername: 'minjun' }, { body: 'Is the bike still for sale?', toUsername: 'emily' }]
})
export type NewMessageBody = Static<typeof NewMessageBody>

export const Message = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  body: Type.String(),
  mine: Type.Boolean({ description: 'sent by the caller' }),
  createdAt: Timestamp
}, {
  $id: 'Message',
  description: 'A message of a conversation',
  examples: [{ id: 'f3a4b5c6-d7e8-4f90-a1b2-c3d4e5f6a7b8', conversationId: SAMPLE_CONVERSATION_ID, body: '책 아직 파시나요?', mine: true, createdAt: SAMPLE_TIME }]
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
}, {
  $id: 'Conversation',
  description: 'A conversation with its last message',
  examples: [{
    id: SAMPLE_CONVERSATION_ID,
    with: null,
    anonymous: true,
    postId: SAMPLE_POST_ID,
    lastMessage: { body: '네, 아직 있어요.', mine: false, createdAt: SAMPLE_TIME },
    unreadCount: 1
  }]
})
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
}, {
  $id: 'Media',
  description: 'An uploaded image, stored without its metadata',
  examples: [{
    id: '6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21',
    postId: SAMPLE_POST_ID,
    contentType: 'image/jpeg',
    size: 183204,
    width: 1280,
    height: 960,
    url: '/media/6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21',
    createdAt: SAMPLE_TIME
  }]
})
export type Media = Static<typeof Media>

export const MediaDeleted = Flag('deleted')
