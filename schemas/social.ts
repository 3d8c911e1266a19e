// Social: users' profiles, posts, follows and the feed (/users, /posts, /follows, /feed).
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, exampleOf, Flag, Limit, Page, Text, Timestamp, Uuid, UUID } from './common.js'
import { SAMPLE_USER_ID, Username } from './auth.js'

export const SAMPLE_POST_ID = '7c2e9a4f-1b3d-4e6a-8f05-2d4c6e8a0b1c'
export const SAMPLE_BOARD_ID = 'e4a7c0d3-6f92-4b15-a8d7-3c5e7f9a1b2d'

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
}, {
  $id: 'UserSummary',
  description: 'Another user as lists and posts show them',
  examples: [{ id: SAMPLE_USER_ID, username: 'jinho', nickname: '진호' }]
})
export type UserSummary = Static<typeof UserSummary>

export const Profile = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  followerCount: Type.Integer({ minimum: 0 }),
  followingCount: Type.Integer({ minimum: 0 }),
  postCount: Type.Integer({ minimum: 0, description: 'posts the caller can see in /users/{username}/posts' })
}, {
  $id: 'Profile',
  description: 'A user\'s public profile with its counters',
  examples: [{ id: SAMPLE_USER_ID, username: 'jinho', nickname: '진호', followerCount: 12, followingCount: 8, postCount: 3 }]
})
export type Profile = Static<typeof Profile>

export const UserSummaryPage = Page(UserSummary)

export const FollowedUser = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  followedAt: Timestamp
}, {
  $id: 'FollowedUser',
  description: 'A user in a following or followers list, with when the follow began',
  examples: [{ id: SAMPLE_USER_ID, username: 'jinho', nickname: '진호', followedAt: '2026-03-02T09:00:00.000Z' }]
})
export type FollowedUser = Static<typeof FollowedUser>
export const FollowedUserPage = Page(FollowedUser)

// A title is one line; a body may hold line breaks and tabs.
const Title = Text(1, 100, { pattern: '^[^\\p{Cc}\\p{Zl}\\p{Zp}]+$', examples: ['중간고사 스터디 구해요'] })
const Body = Text(1, 10_000, { examples: ['도서관 3층에서 같이 공부하실 분!'] })

export const NewPostBody = Type.Object({
  title: Title,
  body: Body,
  boardId: Type.Optional(Type.String({ ...UUID, description: 'a live board to post in; unknown or deleted is 400' })),
  anonymous: Type.Optional(Type.Boolean({ description: 'hide the author from everyone else (absent: false)' }))
}, {
  $id: 'NewPostBody',
  additionalProperties: false,
  description: 'A post: on the author\'s profile and followers\' feeds, or in a board with `boardId`',
  examples: [
    { title: '중간고사 스터디 구해요', body: '도서관 3층에서 같이 공부하실 분!', anonymous: false },
    { title: 'Looking for a study group', body: 'Library, 3rd floor, weekday evenings.' }
  ]
})
export type NewPostBody = Static<typeof NewPostBody>

export const PostEditBody = Type.Object({ title: Title, body: Body }, {
  $id: 'PostEditBody',
  additionalProperties: false,
  description: 'A post\'s new title and body (its author only)',
  examples: [
    { title: '중간고사 스터디 구해요 (마감)', body: '인원이 다 찼습니다. 감사합니다!' },
    { title: 'Study group (full)', body: 'We are full now, thank you!' }
  ]
})
export type PostEditBody = Static<typeof PostEditBody>

export const PostMedia = Type.Object({
  id: Uuid,
  url: Type.String({ description: 'GET it without a token', examples: ['/media/6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21'] }),
  contentType: Type.String({ examples: ['image/jpeg'] }),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 })
}, {
  $id: 'PostMedia',
  description: 'An image of a post',
  examples: [{ id: '6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21', url: '/media/6f1c0f7e-2b4a-4c55-9d1e-0b7c7f0a9e21', contentType: 'image/jpeg', width: 1280, height: 960 }]
})
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
}, {
  $id: 'Post',
  description: 'A post as the caller may see it: an anonymous author is null for everyone but the author',
  examples: [{
    id: SAMPLE_POST_ID,
    title: '중간고사 스터디 구해요',
    body: '도서관 3층에서 같이 공부하실 분!',
    boardId: SAMPLE_BOARD_ID,
    anonymous: false,
    author: exampleOf(UserSummary),
    likeCount: 3,
    commentCount: 2,
    scrapCount: 1,
    likedByMe: true,
    scrappedByMe: false,
    media: [exampleOf(PostMedia)],
    createdAt: '2026-03-02T09:00:00.000Z',
    updatedAt: '2026-03-02T09:00:00.000Z'
  }]
})
export type Post = Static<typeof Post>
export const PostPage = Page(Post)

export const FollowBody = Type.Object({ username: Username }, {
  $id: 'FollowBody',
  additionalProperties: false,
  description: 'Whom to follow',
  examples: [{ username: 'minjun' }, { username: 'emily' }]
})
export type FollowBody = Static<typeof FollowBody>
export const Followed = Type.Object({ username: Type.String({ description: 'the followed user\'s username as registered' }) }, {
  $id: 'Followed',
  description: 'You follow this user now (or already did)',
  examples: [{ username: 'jinho' }]
})

export const Deleted = Flag('deleted')
export const Unfollowed = Flag('unfollowed')
