// One place that turns every failure into the contract's envelope, in the caller's language.
// Application code throws AppError with a code; framework, parser and plugin errors are mapped
// here; anything unexpected becomes INTERNAL_ERROR with the details kept in the log only.
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { ERRORS, ErrorEnvelope, errors, type ErrorCode, type Language } from '../schemas/errors.js'
import { isDatabaseDown, isDatabaseUnavailable } from '../db/unavailable.js'

type Detail = { path: string, message: string }

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: Detail[] | undefined
  readonly headers: Record<string, string>

  constructor (code: ErrorCode, options: { details?: Detail[], headers?: Record<string, string>, cause?: unknown } = {}) {
    super(ERRORS[code].en, { cause: options.cause })
    this.code = code
    this.details = options.details
    this.headers = options.headers ?? {}
  }

  get statusCode (): number {
    return ERRORS[this.code].status
  }
}

/** A 400 for one field, for checks a schema cannot express (a bad cursor, following oneself). */
export function invalidField (path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { details: [{ path, message }] })
}

/** `ko` unless the client prefers English: the first supported language by q-value wins. */
export function pickLanguage (header: string | undefined): Language {
  if (header === undefined || header === '') return 'ko'
  let best: Language = 'ko'
  let bestQ = -1
  for (const part of header.split(',', 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';')
    const primary = tag.split('-')[0]
    if (primary !== 'ko' && primary !== 'en') continue
    const qParam = params.map(p => p.trim()).find(p => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    if (Number.isFinite(q) && q > bestQ) {
      best = primary
      bestQ = q
    }
  }
  return bestQ > 0 ? best : 'ko'
}

export function envelope (code: ErrorCode, language: Language, details?: Detail[]): ErrorEnvelope {
  const body: ErrorEnvelope = { error: { code, message: ERRORS[code][language] } }
  if (details !== undefined) body.error.details = details
  return body
}

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_BAD_URL: 'VALIDATION_FAILED',
  FST_ERR_MAX_PARAM_LENGTH: 'NOT_FOUND',
  // @fastify/multipart (image uploads)
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'VALIDATION_FAILED',
  FST_FILES_LIMIT: 'VALIDATION_FAILED',
  FST_FIELDS_LIMIT: 'VALIDATION_FAILED',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE'
}

type AjvError = { instancePath: string, message?: string, keyword: string, params: Record<string, unknown> }

function validationDetails (error: FastifyError): Detail[] {
  const context = error.validationContext ?? 'body'
  return (error.validation as AjvError[]).map(v => {
    let path = `/${context}${v.instancePath}`
    if (v.keyword === 'required') path += `/${String(v.params.missingProperty)}`
    if (v.keyword === 'additionalProperties') path += `/${String(v.params.additionalProperty)}`
    return { path, message: v.message ?? 'is not valid' }
  })
}

/** Maps anything thrown during a request to an AppError; undefined means "unexpected". */
function toAppError (error: FastifyError): AppError | undefined {
  if (error instanceof AppError) return error
  if (error.validation !== undefined) {
    return new AppError('VALIDATION_FAILED', { details: validationDetails(error) })
  }
  const mapped = FRAMEWORK_CODES[error.code]
  if (mapped !== undefined) return new AppError(mapped)
  // secure-json-parse rejects __proto__ / constructor.prototype keys with a plain SyntaxError.
  if (error instanceof SyntaxError && error.statusCode === 400) return new AppError('INVALID_JSON')
  if (isDatabaseUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1' }, cause: error })
  return undefined
}

function sendEnvelope (reply: FastifyReply, appError: AppError, request: FastifyRequest): FastifyReply {
  const language = pickLanguage(request.headers['accept-language'])
  return reply
    .code(appError.statusCode)
    .headers(appError.headers)
    .send(envelope(appError.code, language, appError.details))
}

export function errorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error)
  if (appError !== undefined) {
    // The database being away is one condition, not a bug per request: no stack for it.
    if (appError.cause !== undefined && isDatabaseUnavailable(appError.cause)) {
      request.log.debug({ dbError: (appError.cause as { code?: string }).code }, 'database unavailable')
      if (isDatabaseDown(appError.cause) && request.server.hasDecorator('databaseHealth')) request.server.databaseHealth.unavailable()
    } else if (appError.code === 'SERVICE_UNAVAILABLE') {
      // A refusal by design (a full line, draining, readiness), not a bug: no stack per request.
      request.log.debug('service unavailable')
    } else if (appError.statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
    }
    return sendEnvelope(reply, appError, request)
  }
  request.log.error({ err: error }, 'unexpected error')
  return sendEnvelope(reply, new AppError('INTERNAL_ERROR'), request)
}

/** The answer to a path no route serves (registered, rate-limited, by plugins/rate-limit.ts). */
export function notFound (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendEnvelope(reply, new AppError('NOT_FOUND'), request)
}

/** serverOptions.frameworkErrors: bad URL encoding and overlong path parameters. */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void errorHandler(error, request, reply)
}

const CLIENT_ERRORS: Record<string, { status: number, code: ErrorCode }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT' }
}

/**
 * serverOptions.clientErrorHandler: requests Node's parser refuses before Fastify sees them
 * (headers or URL too large, garbage on the wire). There is no parsed request, so the
 * answer is in the default language.
 */
export function clientErrorHandler (error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const { status, code } = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, code: 'VALIDATION_FAILED' as const }
  if (!socket.writable) {
    socket.destroy(error)
    return
  }
  const body = JSON.stringify(envelope(code, 'ko'))
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body
  )
}

/**
 * Errors any route can give whatever it does, added to each route's response schemas so the
 * OpenAPI document lists them and the envelope is serialized by its schema.
 */
function commonErrorStatuses (route: RouteOptions): number[] {
  const schema = route.schema ?? {}
  // 503 with Retry-After: any route while the service drains, and any that needs the database
  // while it is away or the route's share of the pool is busy.
  const statuses = [500, 503]
  if (schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined) statuses.push(400)
  if (schema.body !== undefined) statuses.push(413, 415)
  return statuses
}

export default fp(async function errorsPlugin (fastify) {
  fastify.addHook('onRoute', (route) => {
    if (route.schema?.hide === true) return
    route.schema = route.schema ?? {}
    route.schema.response = { ...errors(...commonErrorStatuses(route)), ...(route.schema.response as object ?? {}) }
  })

  fastify.setErrorHandler(errorHandler)
}, { name: 'errors' })
