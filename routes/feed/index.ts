// The feed: what the users the caller follows have posted, newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { PostPage } from '../../schemas/social.js'
import { pageRequest } from '../../db/pagination.js'
import { listFeedPage } from '../../db/posts.js'

const feedRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.route({
    method: 'GET',
    url: '/feed',
    onRequest: fastify.authenticate,
    schema: {
      tags: ['feed'],
      summary: 'Posts by the users the caller follows, newest first',
      description: 'Anonymous posts are left out: listing them here would name their author.',
      security: [{ bearerAuth: [] }],
      querystring: PageQuery,
      response: { 200: PostPage, ...errors(401) }
    },
    handler: async function feed (request) {
      return await listFeedPage(fastify.sql, request.user.id, pageRequest(request.query))
    }
  })
}

export default feedRoutes
