// Lecture reviews: one per student per lecture; the lecture's rating follows them exactly.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { Deleted } from '../../schemas/social.js'
import { NewReviewBody, Review, ReviewPage } from '../../schemas/timetable.js'
import { createReview, deleteReview, listReviews } from '../../db/lectures.js'
import { lectureTag } from '../../plugins/page-cache.js'

const TAGS = ['lectures']

const reviewRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'GET',
    url: '/lectures/:id/reviews',
    schema: {
      tags: TAGS,
      operationId: 'listLectureReviews',
      summary: 'A lecture\'s reviews, newest first',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: ReviewPage, ...errors(404) }
    },
    handler: async function readReviews (request) {
      return await listReviews(fastify.sql, request.params.id, request.query)
    }
  })

  fastify.route({
    method: 'POST',
    url: '/lectures/:id/reviews',
    schema: {
      tags: TAGS,
      operationId: 'reviewLecture',
      summary: 'Review a lecture (once per lecture)',
      params: IdParams,
      body: NewReviewBody,
      response: { 201: Review, ...errors(404, 409) }
    },
    handler: async function addReview (request, reply) {
      const review = await createReview(fastify.sql, request.user.id, request.params.id, request.body)
      fastify.pageCache.invalidate(lectureTag(review.lectureId))
      return reply.code(201).send(review)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/reviews/:id',
    schema: {
      tags: TAGS,
      operationId: 'deleteReview',
      summary: 'Delete a review (its author or an admin)',
      params: IdParams,
      response: { 200: Deleted, ...errors(403, 404) }
    },
    handler: async function removeReview (request) {
      const { id, role } = request.user
      const lectureId = await deleteReview(fastify.sql, { id, isAdmin: role === 'admin' }, request.params.id)
      fastify.pageCache.invalidate(lectureTag(lectureId))
      return { deleted: true as const }
    }
  })
}

export default reviewRoutes
