// Campus community: boards, favourites, board posts and their search, likes, scraps, hot posts.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Flag, Limit, Page, Text, Timestamp, Uuid } from './common.js'

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
