// Reactions to posts: likes and scraps (idempotent, counted exactly), the caller's scraps,
// and the hot posts (at least HOT_POST_LIKES likes).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { PostPage } from '../../schemas/social.js'
import { LikeState, ScrapState } from '../../schemas/community.js'
import { listHotPosts, listScraps, setLike, setScrap } from '../../db/community.js'

const reactionRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  // Static: find-my-way matches it before the parametric /posts/:id of routes/posts.
  fastify.route({
    method: 'GET',
    url: '/posts/hot',
    schema: {
      tags: ['posts'],
      operationId: 'listHotPosts',
      summary: 'Live posts with at least HOT_POST_LIKES likes, newest first',
      querystring: PageQuery,
      response: { 200: PostPage }
    },
    handler: async function readHotPosts (request) {
      return await listHotPosts(fastify.sql, request.user.id, fastify.config.HOT_POST_LIKES, request.query)
    }
  })

  for (const [method, on] of [['PUT', true], ['DELETE', false]] as const) {
    fastify.route({
      method,
      url: '/posts/:id/like',
      schema: {
        tags: ['likes'],
        operationId: on ? 'likePost' : 'unlikePost',
        summary: on ? 'Like a post (idempotent)' : 'Take back a like (idempotent)',
        params: IdParams,
        response: { 200: LikeState, ...errors(404) }
      },
      handler: async function changeLike (request) {
        const { state, feedAuthorId } = await setLike(fastify.sql, request.user.id, request.params.id, on)
        fastify.postChanged({ postId: request.params.id, feedAuthorId })
        return state
      }
    })

    fastify.route({
      method,
      url: '/posts/:id/scrap',
      schema: {
        tags: ['scraps'],
        operationId: on ? 'scrapPost' : 'unscrapPost',
        summary: on ? 'Scrap a post (idempotent)' : 'Remove a scrap (idempotent)',
        params: IdParams,
        response: { 200: ScrapState, ...errors(404) }
      },
      handler: async function changeScrap (request) {
        const { state, feedAuthorId } = await setScrap(fastify.sql, request.user.id, request.params.id, on)
        fastify.postChanged({ postId: request.params.id, feedAuthorId })
        return state
      }
    })
  }

  fastify.route({
    method: 'GET',
    url: '/scraps',
    schema: {
      tags: ['scraps'],
      operationId: 'listScraps',
      summary: 'The caller\'s scrapped posts, the most recent scrap first',
      querystring: PageQuery,
      response: { 200: PostPage }
    },
    handler: async function readScraps (request) {
      return await listScraps(fastify.sql, request.user.id, request.query)
    }
  })
}

export default reactionRoutes
