// Users as others see them: search, profiles with counts, and a user's posts. Signed-in
// users only: a campus SNS shows its members to members.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../plugins/errors.js'
import { PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { PostPage, Profile, UserPage, UserSearchQuery, UsernameParams } from '../../schemas/social.js'
import { decodeCursor } from '../../db/pagination.js'
import { listAuthorPostsPage } from '../../db/posts.js'
import { findProfile, findUserByUsername, listUsersPage } from '../../db/users.js'

const TAGS = ['users']
const BEARER = [{ bearerAuth: [] }]

const userRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.route({
    method: 'GET',
    url: '/users',
    onRequest: fastify.authenticate,
    schema: {
      tags: TAGS,
      summary: 'Every user except the caller, newest first',
      description: '`?q=` keeps users whose username or nickname starts with it, case-insensitively.',
      security: BEARER,
      querystring: UserSearchQuery,
      response: { 200: UserPage, ...errors(401) }
    },
    handler: async function listUsers (request) {
      const { limit, cursor, q } = request.query
      return await listUsersPage(fastify.sql, request.user.id, q, { limit, after: decodeCursor(cursor) })
    }
  })

  fastify.route({
    method: 'GET',
    url: '/users/:username',
    onRequest: fastify.authenticate,
    schema: {
      tags: TAGS,
      summary: 'A user\'s profile with follower, following and post counts',
      description: 'The username is matched case-insensitively.',
      security: BEARER,
      params: UsernameParams,
      response: { 200: Profile, ...errors(401, 404) }
    },
    handler: async function getProfile (request) {
      const profile = await findProfile(fastify.sql, request.user.id, request.params.username)
      if (profile === undefined) throw new AppError('NOT_FOUND')
      return profile
    }
  })

  fastify.route({
    method: 'GET',
    url: '/users/:username/posts',
    onRequest: fastify.authenticate,
    schema: {
      tags: TAGS,
      summary: 'A user\'s posts, newest first',
      description: 'Anonymous posts are listed to their author only.',
      security: BEARER,
      params: UsernameParams,
      querystring: PageQuery,
      response: { 200: PostPage, ...errors(401, 404) }
    },
    handler: async function listUserPosts (request) {
      const after = decodeCursor(request.query.cursor)
      const author = await findUserByUsername(fastify.sql, request.params.username)
      if (author === undefined) throw new AppError('NOT_FOUND')
      return await listAuthorPostsPage(fastify.sql, request.user.id, author, { limit: request.query.limit, after })
    }
  })
}

export default userRoutes
