// Users as others see them: search, profiles with counts, and a user's posts. Signed-in
// users only: a campus SNS shows its members to members.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { PostPage, Profile, UserSummaryPage, UserSearchQuery, UsernameParams } from '../../schemas/social.js'
import { listUserPostsPage } from '../../db/posts.js'
import { getProfile, listUsersPage } from '../../db/users.js'

const TAGS = ['users']

const userRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'GET',
    url: '/users',
    schema: {
      tags: TAGS,
      operationId: 'listUsers',
      summary: 'Every user except the caller, newest first',
      description: '`?q=` keeps users whose username or nickname starts with it, case-insensitively.',
      querystring: UserSearchQuery,
      response: { 200: UserSummaryPage, ...errors(401) }
    },
    handler: async function listUsers (request) {
      const { q, ...page } = request.query
      return await listUsersPage(fastify.sql, request.user.id, q, page)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/users/:username',
    schema: {
      tags: TAGS,
      operationId: 'getUserProfile',
      summary: 'A user\'s profile with follower, following and post counts',
      description: 'The username is matched case-insensitively.',
      params: UsernameParams,
      response: { 200: Profile, ...errors(401, 404) }
    },
    handler: async function showProfile (request) {
      return await getProfile(fastify.sql, request.user.id, request.params.username)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/users/:username/posts',
    schema: {
      tags: TAGS,
      operationId: 'listUserPosts',
      summary: 'A user\'s posts, newest first',
      description: 'Anonymous posts are listed to their author only.',
      params: UsernameParams,
      querystring: PageQuery,
      response: { 200: PostPage, ...errors(401, 404) }
    },
    handler: async function listUserPosts (request) {
      return await listUserPostsPage(fastify.sql, request.user.id, request.params.username, request.query)
    }
  })
}

export default userRoutes
