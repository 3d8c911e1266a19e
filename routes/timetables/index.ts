// Timetables: the caller's plans per semester. A lecture whose slots overlap one already in the
// timetable is refused by the database (409 TIME_CONFLICT naming what clashes).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { Deleted } from '../../schemas/social.js'
import { NewTimetableBody, Timetable, TimetableLectureParams, TimetablePage } from '../../schemas/timetable.js'
import { addLecture, createTimetable, deleteTimetable, getTimetable, listTimetables, removeLecture } from '../../db/timetables.js'
import { timetableTag } from '../../plugins/page-cache.js'

const TAGS = ['timetables']

const timetableRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'GET',
    url: '/timetables',
    schema: {
      tags: TAGS,
      operationId: 'listTimetables',
      summary: 'The caller\'s timetables, newest first',
      querystring: PageQuery,
      response: { 200: TimetablePage }
    },
    handler: async function readTimetables (request) {
      return await listTimetables(fastify.sql, request.user.id, request.query)
    }
  })

  fastify.route({
    method: 'POST',
    url: '/timetables',
    schema: {
      tags: TAGS,
      operationId: 'createTimetable',
      summary: 'Start a timetable for a semester (names are unique per semester)',
      body: NewTimetableBody,
      response: { 201: Timetable, ...errors(409) }
    },
    handler: async function startTimetable (request, reply) {
      return reply.code(201).send(await createTimetable(fastify.sql, request.user.id, request.body))
    }
  })

  fastify.route({
    method: 'GET',
    url: '/timetables/:id',
    schema: {
      tags: TAGS,
      operationId: 'getTimetable',
      summary: 'A timetable with its lectures and total credits (its owner or the owner\'s friends)',
      params: IdParams,
      response: { 200: Timetable, ...errors(403, 404) }
    },
    handler: async function readTimetable (request) {
      return await getTimetable(fastify.sql, request.user.id, request.params.id)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/timetables/:id',
    schema: {
      tags: TAGS,
      operationId: 'deleteTimetable',
      summary: 'Delete a timetable (its owner)',
      params: IdParams,
      response: { 200: Deleted, ...errors(403, 404) }
    },
    handler: async function removeTimetable (request) {
      await deleteTimetable(fastify.sql, request.user.id, request.params.id)
      fastify.pageCache.invalidate(timetableTag(request.params.id))
      return { deleted: true as const }
    }
  })

  fastify.route({
    method: 'PUT',
    url: '/timetables/:id/lectures/:lectureId',
    schema: {
      tags: TAGS,
      operationId: 'addLectureToTimetable',
      summary: 'Add a lecture; one already there changes nothing',
      description: 'A lecture with a slot overlapping one already in the timetable is `409 TIME_CONFLICT`, whose `details` ' +
        'name each clashing lecture (`/lectures/<id>`: code, title, day and times). Touching slots (10:00–11:00, 11:00–12:00) ' +
        'do not clash. A lecture of another semester, or of another school than yours, is `400`.',
      params: TimetableLectureParams,
      response: { 200: Timetable, ...errors(403, 404, 409) }
    },
    handler: async function putLecture (request) {
      const timetable = await addLecture(fastify.sql, request.user.id, request.params.id, request.params.lectureId)
      fastify.pageCache.invalidate(timetableTag(timetable.id))
      return timetable
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/timetables/:id/lectures/:lectureId',
    schema: {
      tags: TAGS,
      operationId: 'removeLectureFromTimetable',
      summary: 'Take a lecture out (idempotent)',
      params: TimetableLectureParams,
      response: { 200: Timetable, ...errors(403, 404) }
    },
    handler: async function dropLecture (request) {
      const timetable = await removeLecture(fastify.sql, request.user.id, request.params.id, request.params.lectureId)
      fastify.pageCache.invalidate(timetableTag(timetable.id))
      return timetable
    }
  })
}

export default timetableRoutes
