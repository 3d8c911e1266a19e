// Schools: anyone may browse the catalog (signup forms list it); only admins add to it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireAdmin } from '../../plugins/auth.js'
import { errors } from '../../schemas/errors.js'
import { NewSchoolBody, School, SchoolPage, SchoolQuery } from '../../schemas/schools.js'
import { createSchool, listSchools } from '../../db/schools.js'

const TAGS = ['schools']

const schoolRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'GET',
    url: '/schools',
    config: { public: true },
    schema: {
      tags: TAGS,
      operationId: 'listSchools',
      summary: 'The school catalog, the newest first',
      querystring: SchoolQuery,
      response: { 200: SchoolPage }
    },
    handler: async function listSchoolCatalog (request) {
      const { q, ...page } = request.query
      return await listSchools(fastify.sql, q, page)
    }
  })

  fastify.route({
    method: 'POST',
    url: '/schools',
    schema: {
      tags: TAGS,
      operationId: 'createSchool',
      summary: 'Add a school (admin only)',
      body: NewSchoolBody,
      response: { 201: School, ...errors(403, 409) }
    },
    handler: async function addSchool (request, reply) {
      requireAdmin(request)
      return reply.code(201).send(await createSchool(fastify.sql, request.body.name))
    }
  })
}

export default schoolRoutes
