// Comments on posts: threads one reply deep, anonymous writers labelled 익명1, 익명2… per post.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { Comment, CommentDeleted, CommentPage, NewCommentBody } from '../../schemas/community.js'
import { createComment, deleteComment, listComments } from '../../db/comments.js'
import { PageCache, postTag } from '../../plugins/page-cache.js'
import { answerFromPages } from '../../plugins/tagged-pages.js'

const TAGS = ['comments']

const commentRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'GET',
    url: '/posts/:id/comments',
    schema: {
      tags: TAGS,
      operationId: 'listComments',
      summary: 'A post\'s top-level comments, oldest first, each with its replies',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: CommentPage, ...errors(404) }
    },
    handler: async function readComments (request, reply) {
      const postId = request.params.id
      const readerId = request.user.id
      const page = request.query
      return await answerFromPages(reply, fastify.pageCache, PageCache.commentsEntry(postId, readerId), `${page.limit}:${page.cursor ?? ''}`,
        async () => [await listComments(fastify.sql, readerId, postId, page), [postTag(postId)]])
    }
  })

  fastify.route({
    method: 'POST',
    url: '/posts/:id/comments',
    schema: {
      tags: TAGS,
      operationId: 'createComment',
      summary: 'Comment on a post, or reply to a comment',
      description: 'An anonymous comment shows `author: null` and a label: `익명1`, `익명2`… in the order each writer first ' +
        'commented anonymously on this post (kept forever), `익명(글쓴이)` for the anonymous post\'s own author.',
      params: IdParams,
      body: NewCommentBody,
      response: { 201: Comment, ...errors(404) }
    },
    handler: async function addComment (request, reply) {
      const comment = await createComment(fastify.sql, request.user.id, request.params.id, request.body)
      fastify.pageCache.invalidate(postTag(comment.postId))
      return reply.code(201).send(comment)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/comments/:id',
    schema: {
      tags: TAGS,
      operationId: 'deleteComment',
      summary: 'Delete a comment (its writer or an admin); one with replies stays as a placeholder',
      params: IdParams,
      response: { 200: CommentDeleted, ...errors(403, 404) }
    },
    handler: async function removeComment (request) {
      const { id, role } = request.user
      const postId = await deleteComment(fastify.sql, { id, isAdmin: role === 'admin' }, request.params.id)
      fastify.pageCache.invalidate(postTag(postId))
      return { deleted: true as const }
    }
  })
}

export default commentRoutes
