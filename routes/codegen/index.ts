// The code assistant: a prompt goes to the configured model (streamed back as server-sent
// events when asked), the answer is stored in the caller's private history, and a daily
// quota (CODEGEN_DAILY_LIMIT per TZ_DAY day) keeps the bill bounded.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { AppError, envelope, pickLanguage } from '../../plugins/errors.js'
import { UpstreamError, type ChatMessage, type Completion } from '../../plugins/model-client.js'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import {
  CodegenCreated, CodegenDeleted, CodegenDeletedAll, CodegenRecord, CodegenRecordPage, CodegenStats, NewCodegenBody
} from '../../schemas/codegen.js'
import {
  dayIn, deleteAllRecords, deleteRecord, getRecord, holdUnit, listRecords, releaseUnit, secondsToMidnight, stats, storeAnswer,
  type Quota
} from '../../db/codegen.js'

const TAGS = ['codegen']

// The streamed answer, for the document only: the handler writes the events itself.
const StreamedAnswer = {
  description: 'With `Accept: text/event-stream`: the answer as server-sent events',
  content: {
    'text/event-stream': {
      schema: Type.String({
        description: '`event: delta` with `{"text"}` as the model writes, then `event: done` with the 201 body ' +
          '(CodegenCreated), or `event: error` with the error envelope when the model fails after the stream began',
        // OpenAPI 3.0: one `example` in a schema (`examples` there is 3.1).
        example: 'event: delta\ndata: {"text":"def dedupe(items):"}\n\n' +
          'event: done\ndata: {"id":"7d0c…","language":"python","feature":"code-generation","prompt":"…","answer":"def dedupe(items): …",' +
          '"usage":{"promptTokens":42,"completionTokens":120},"createdAt":"2026-03-01T09:00:00.000Z","remainingToday":19}\n\n'
      })
    }
  }
}
// A hold outlives the call's own deadline by this much before it stops counting.
const HOLD_MARGIN_SECONDS = 30

function promptMessages (body: NewCodegenBody): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `You are a careful programming assistant. Answer in ${body.language}. The task is: ${body.feature}. ` +
        'Give working code first, then a short explanation.'
    },
    { role: 'user', content: body.prompt }
  ]
}

function sse (reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

const codegenRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()
  const { config, sql } = fastify

  function quotaNow (): Quota {
    const now = fastify.clock.now()
    return {
      limit: config.CODEGEN_DAILY_LIMIT,
      day: dayIn(config.TZ_DAY, now),
      now,
      holdSeconds: config.CODEGEN_TIMEOUT + HOLD_MARGIN_SECONDS,
      retryAfter: secondsToMidnight(config.TZ_DAY, now)
    }
  }

  /**
   * Calls the model with a unit of quota held; a failure gives the unit back. A client that
   * leaves before the answer is stored cancels the model call.
   */
  async function answer (
    request: FastifyRequest, body: NewCodegenBody, reply: FastifyReply, controller: AbortController, onDelta?: (text: string) => void
  ) {
    const quota = quotaNow()
    const holdId = await holdUnit(sql, request.user.id, quota)
    const leave = () => { if (!reply.raw.writableFinished) controller.abort() }
    reply.raw.once('close', leave)
    let completion: Completion
    try {
      completion = await fastify.model.complete(promptMessages(body), { signal: controller.signal, ...(onDelta === undefined ? {} : { onDelta }) })
    } catch (error) {
      await releaseUnit(sql, request.user.id, quota, holdId)
      if (error instanceof UpstreamError) request.log.warn({ reason: error.reason }, 'model call failed')
      throw error
    } finally {
      reply.raw.removeListener('close', leave)
    }
    if (controller.signal.aborted) {
      await releaseUnit(sql, request.user.id, quota, holdId)
      throw new UpstreamError('the client left')
    }
    return await storeAnswer(sql, request.user.id, holdId, quota, body, completion.text, completion.usage)
  }

  fastify.route({
    method: 'POST',
    url: '/codegen/requests',
    // The model call takes seconds without a connection: CODEGEN_CONCURRENCY bounds it instead.
    config: { databaseGate: false },
    schema: {
      tags: TAGS,
      operationId: 'createCodegenRequest',
      summary: 'Ask the model; the answer is stored in your history',
      description: 'With `Accept: text/event-stream` the answer streams as server-sent events: `event: delta` with ' +
        '`{"text"}` as the model writes, then `event: done` with this route\'s 201 body; a model failure after the stream ' +
        'began ends it with `event: error` and the envelope. Refusals before the model is called are the usual JSON. ' +
        'A failed call, or a client that leaves before the end, stores nothing and uses no quota.',
      body: NewCodegenBody,
      response: { 200: StreamedAnswer, 201: CodegenCreated, ...errors(429, 502, 503) }
    },
    handler: async function ask (request, reply) {
      if (!fastify.model.configured) throw new AppError('SERVICE_UNAVAILABLE')
      if (!/\btext\/event-stream\b/.test(request.headers.accept ?? '')) {
        return reply.code(201).send(await answer(request, request.body, reply, new AbortController()))
      }

      // The stream begins with the first piece of text; a failure before it is plain JSON.
      const controller = new AbortController()
      let streaming = false
      const onDelta = (text: string) => {
        if (!streaming) {
          streaming = true
          reply.hijack()
          // The headers the hooks set (request id, security headers) still go out.
          for (const [name, value] of Object.entries(reply.getHeaders())) {
            if (value !== undefined) reply.raw.setHeader(name, value)
          }
          reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
        }
        sse(reply, 'delta', { text })
      }
      try {
        const record = await answer(request, request.body, reply, controller, onDelta)
        if (!streaming) onDelta('')
        sse(reply, 'done', record)
        reply.raw.end()
      } catch (error) {
        if (!streaming) throw error
        if (controller.signal.aborted) {
          // The client left: nobody to tell, and the connection must not linger.
          reply.raw.destroy()
          return reply
        }
        const code = error instanceof AppError ? error.code : 'INTERNAL_ERROR'
        if (!(error instanceof AppError)) request.log.error({ err: error }, 'codegen stream failed')
        sse(reply, 'error', envelope(code, pickLanguage(request.headers['accept-language'])))
        reply.raw.end()
      }
      return reply
    }
  })

  fastify.route({
    method: 'GET',
    url: '/codegen/requests',
    schema: {
      tags: TAGS,
      operationId: 'listCodegenRequests',
      summary: 'Your history, newest first',
      querystring: PageQuery,
      response: { 200: CodegenRecordPage }
    },
    handler: async function history (request) {
      return await listRecords(sql, request.user.id, request.query)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/codegen/requests',
    schema: {
      tags: TAGS,
      operationId: 'deleteAllCodegenRequests',
      summary: 'Delete your whole history (today\'s quota stays used)',
      response: { 200: CodegenDeletedAll }
    },
    handler: async function forgetAll (request) {
      return { deleted: await deleteAllRecords(sql, request.user.id) }
    }
  })

  fastify.route({
    method: 'GET',
    url: '/codegen/requests/:id',
    schema: {
      tags: TAGS,
      operationId: 'getCodegenRequest',
      summary: 'One of your requests with its answer',
      params: IdParams,
      response: { 200: CodegenRecord, ...errors(404) }
    },
    handler: async function readOne (request) {
      return await getRecord(sql, request.user.id, request.params.id)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/codegen/requests/:id',
    schema: {
      tags: TAGS,
      operationId: 'deleteCodegenRequest',
      summary: 'Delete one of your requests',
      params: IdParams,
      response: { 200: CodegenDeleted, ...errors(404) }
    },
    handler: async function forgetOne (request) {
      await deleteRecord(sql, request.user.id, request.params.id)
      return { deleted: true as const }
    }
  })

  fastify.route({
    method: 'GET',
    url: '/codegen/stats',
    schema: {
      tags: TAGS,
      operationId: 'getCodegenStats',
      summary: 'Your totals: by language and feature, tokens, and today\'s quota',
      response: { 200: CodegenStats }
    },
    handler: async function myStats (request) {
      return await stats(sql, request.user.id, quotaNow())
    }
  })
}

export default codegenRoutes
