// Social: users' profiles, posts, follows and the feed (/users, /posts, /follows, /feed).
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Flag, Limit, Page, Text, Timestamp, Uuid } from './common.js'
import { Username } from './auth.js'

export const UsernameParams = Type.Object({ username: Username }, { additionalProperties: false })
export type UsernameParams = Static<typeof UsernameParams>

export const UserSearchQuery = Type.Object({
  limit: Limit,
  cursor: Type.Optional(Cursor),
  // Empty means "no filter", so a client can send its search box as it is.
  q: Type.Optional(Text(0, 50, { description: 'case-insensitive prefix of a username or nickname' }))
}, { additionalProperties: false })
export type UserSearchQuery = Static<typeof UserSearchQuery>

export const UserSummary = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String()
})
export type UserSummary = Static<typeof UserSummary>

export const Profile = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  followerCount: Type.Integer({ minimum: 0 }),
  followingCount: Type.Integer({ minimum: 0 }),
  postCount: Type.Integer({ minimum: 0, description: 'posts the caller can see in /users/{username}/posts' })
})
export type Profile = Static<typeof Profile>

export const UserPage = Page(UserSummary)

export const FollowedUser = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  followedAt: Timestamp
})
export type FollowedUser = Static<typeof FollowedUser>
export const FollowedUserPage = Page(FollowedUser)

// A title is one line; a body may hold line breaks and tabs.
const Title = Text(1, 100, { pattern: '^[^\\p{Cc}\\p{Zl}\\p{Zp}]+$', examples: ['중간고사 스터디 구해요'] })
const Body = Text(1, 10_000, { examples: ['도서관 3층에서 같이 공부하실 분!'] })

export const NewPostBody = Type.Object({
  title: Title,
  body: Body,
  boardId: Type.Optional(Type.String({ format: 'uuid', description: 'a live board to post in; unknown or deleted is 400' })),
  anonymous: Type.Optional(Type.Boolean({ default: false, description: 'hide the author from everyone else' }))
}, { additionalProperties: false })
export type NewPostBody = Static<typeof NewPostBody>

export const PostEditBody = Type.Object({ title: Title, body: Body }, { additionalProperties: false })
export type PostEditBody = Static<typeof PostEditBody>

export const PostMedia = Type.Object({
  id: Uuid,
  url: Type.String({ description: 'GET it without a token', examples: ['/media/6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21'] }),
  contentType: Type.String({ examples: ['image/jpeg'] }),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 })
}, { description: 'An image of a post' })
export type PostMedia = Static<typeof PostMedia>

export const Post = Type.Object({
  id: Uuid,
  title: Type.String(),
  body: Type.String(),
  boardId: Type.Union([Uuid, Type.Null()]),
  anonymous: Type.Boolean(),
  author: Type.Union([UserSummary, Type.Null()], { description: 'null when anonymous, except for the author' }),
  likeCount: Type.Integer({ minimum: 0 }),
  commentCount: Type.Integer({ minimum: 0 }),
  scrapCount: Type.Integer({ minimum: 0 }),
  likedByMe: Type.Boolean(),
  scrappedByMe: Type.Boolean(),
  media: Type.Array(PostMedia, { description: 'its images in upload order' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
})
export type Post = Static<typeof Post>
export const PostPage = Page(Post)

export const FollowBody = Type.Object({ username: Username }, { additionalProperties: false })
export type FollowBody = Static<typeof FollowBody>
export const Followed = Type.Object({ username: Type.String({ description: 'the followed user\'s username as registered' }) })

export const Deleted = Flag('deleted')
export const Unfollowed = Flag('unfollowed')
