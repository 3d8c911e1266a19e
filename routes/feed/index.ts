// The feed: what the users the caller follows have posted, newest first. Pages are served from
// memory when nothing they show has changed since they were read (plugins/feed-cache.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { PostPage } from '../../schemas/social.js'
import { listFeedPage } from '../../db/posts.js'
import { listFolloweeIds } from '../../db/follows.js'
import { answerFromPages } from '../../plugins/tagged-pages.js'

const feedRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  const { sql, feedPages } = fastify

  fastify.route({
    method: 'GET',
    url: '/feed',
    schema: {
      tags: ['feed'],
      operationId: 'listFeed',
      summary: 'Posts by the users the caller follows, newest first',
      description: 'Anonymous posts are left out: listing them here would name their author.',
      querystring: PageQuery,
      response: { 200: PostPage, ...errors(401) }
    },
    handler: async function feed (request, reply) {
      const readerId = request.user.id
      const page = request.query
      // A forged cursor is never cached: listFeedPage refuses it with a 400 before any query.
      const pageKey = `${page.limit}:${page.cursor ?? ''}`
      return await answerFromPages(reply, feedPages, readerId, pageKey, async (needFollowees) =>
        // Followees are needed only to file a reader's first cached page under their authors.
        await Promise.all([listFeedPage(sql, readerId, page), needFollowees ? listFolloweeIds(sql, readerId) : []]))
    }
  })
}

export default feedRoutes
