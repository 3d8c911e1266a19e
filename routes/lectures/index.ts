// Lectures: the catalog students search and build timetables from; admins add to it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireAdmin } from '../../plugins/auth.js'
import { IdParams } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { Lecture, LecturePage, LectureQuery, NewLectureBody } from '../../schemas/timetable.js'
import { createLecture, getLecture, listLectures } from '../../db/lectures.js'
import { CATALOG_TAG, lectureTag, PageCache, timetableTag } from '../../plugins/page-cache.js'
import { answerFromPages } from '../../plugins/tagged-pages.js'

const TAGS = ['lectures']

const lectureRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'GET',
    url: '/lectures',
    schema: {
      tags: TAGS,
      operationId: 'listLectures',
      summary: 'Lectures, the newest first, by school, semester, search term, or fitting a timetable',
      description: '`q` is a case-insensitive substring of the code, title or professor in any script (`자료` finds `자료구조`). ' +
        '`fits` is one of your timetables: only the lectures it would take are kept (of its semester, of your school when ' +
        'you have one, with no slot overlapping one of its slots).',
      querystring: LectureQuery,
      response: { 200: LecturePage, ...errors(404) }
    },
    handler: async function searchLectures (request, reply) {
      const { schoolId, semester, q, fits, ...page } = request.query
      const readerId = request.user.id
      const query = JSON.stringify([schoolId, semester, q, page.limit, page.cursor])
      const entry = fits === undefined ? PageCache.lecturesEntry(query) : PageCache.fitsEntry(fits, readerId, query)
      return await answerFromPages(reply, fastify.pageCache, entry, '', async () => {
        const answer = await listLectures(fastify.sql, readerId, { schoolId, semester, q, fits }, page)
        const tags = [CATALOG_TAG, ...answer.items.map(lecture => lectureTag(lecture.id))]
        return [answer, fits === undefined ? tags : [...tags, timetableTag(fits)]]
      })
    }
  })

  fastify.route({
    method: 'POST',
    url: '/lectures',
    schema: {
      tags: TAGS,
      operationId: 'createLecture',
      summary: 'Add a lecture with its weekly slots (admin only)',
      body: NewLectureBody,
      response: { 201: Lecture, ...errors(403, 409) }
    },
    handler: async function addLecture (request, reply) {
      requireAdmin(request)
      const lecture = await createLecture(fastify.sql, request.body)
      fastify.pageCache.invalidate(CATALOG_TAG)
      return reply.code(201).send(lecture)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/lectures/:id',
    schema: {
      tags: TAGS,
      operationId: 'getLecture',
      summary: 'One lecture with its slots, average rating and review count',
      params: IdParams,
      response: { 200: Lecture, ...errors(404) }
    },
    handler: async function readLecture (request) {
      return await getLecture(fastify.sql, request.params.id)
    }
  })
}

export default lectureRoutes
