// Liveness and readiness for orchestrators: /health answers while the process runs;
// /health/ready also proves the database answers, and says 503 (in the envelope) if not.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../plugins/errors.js'
import { errors } from '../../schemas/errors.js'
import { ReadyStatus, Status } from '../../schemas/health.js'
import { pingDatabase } from '../../db/health.js'

// Under a second, so the probe's answer says within one second that the database is gone.
const READY_TIMEOUT_MS = 900

const healthRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.route({
    method: 'GET',
    url: '/health',
    config: { databaseGate: false },
    schema: { tags: ['operations'], operationId: 'checkHealth', summary: 'The process is running', response: { 200: Status } },
    handler: async function health () {
      return { status: 'ok' as const }
    }
  })

  fastify.route({
    method: 'GET',
    url: '/health/ready',
    config: { databaseGate: false },
    schema: {
      tags: ['operations'],
      operationId: 'checkReadiness',
      summary: 'The process and its database answer',
      response: { 200: ReadyStatus, ...errors(503) }
    },
    handler: async function ready () {
      if (!await pingDatabase(fastify.sql, READY_TIMEOUT_MS)) {
        throw new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '5' } })
      }
      return { status: 'ok' as const, database: 'ok' as const }
    }
  })
}

export default healthRoutes
