// Request text hygiene the schemas cannot express, applied before validation so length bounds
// see the stored form:
// - every string is NFC-normalized and trimmed (composed and decomposed Hangul are one name);
// - a NUL character or a lone surrogate anywhere is 400 VALIDATION_FAILED;
// - query integers must be plain decimals: ajv's coercion alone would take "0x10" or "1e1".
import fp from 'fastify-plugin'
import type { FastifyRequest, RouteOptions } from 'fastify'
import { invalidField } from './errors.js'
import { Type } from '@sinclair/typebox'
import { UUID_PATTERN } from '../schemas/common.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Query parameters typed integer, filled in at route registration. */
    queryIntegers?: string[]
  }
}

// Secrets are compared byte for byte after NFC; trimming would silently change them.
const UNTRIMMED_KEYS = new Set(['password'])
const FORBIDDEN_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const PLAIN_INTEGER = /^-?(0|[1-9][0-9]{0,15})$/
const MAX_DEPTH = 32

function cleanString (value: string, path: string, trim: boolean): string {
  if (FORBIDDEN_TEXT.test(value)) throw invalidField(path, 'must not contain NUL characters or unpaired surrogates')
  const normalized = value.normalize('NFC')
  return trim ? normalized.trim() : normalized
}

/** Cleans strings in place (bodies are fresh objects from JSON.parse), returning the new root. */
function clean (value: unknown, path: string, key: string, depth: number): unknown {
  if (typeof value === 'string') return cleanString(value, path, !UNTRIMMED_KEYS.has(key))
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = clean(value[i], `${path}/${i}`, key, depth + 1)
    return value
  }
  const object = value as Record<string, unknown>
  for (const k of Object.keys(object)) object[k] = clean(object[k], `${path}/${k}`, k, depth + 1)
  return value
}

type JsonSchema = { type?: string, properties?: Record<string, JsonSchema> }

function integerQueryKeys (route: RouteOptions): string[] {
  const properties = (route.schema?.querystring as JsonSchema | undefined)?.properties ?? {}
  return Object.entries(properties).filter(([, s]) => s.type === 'integer').map(([k]) => k)
}

function checkQueryIntegers (query: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    const value = query[key]
    if (value === undefined) continue
    if (typeof value !== 'string' || !PLAIN_INTEGER.test(value)) {
      throw invalidField(`/querystring/${key}`, 'must be a plain decimal integer')
    }
  }
}

const NO_QUERY = Type.Object({}, { additionalProperties: false })

async function cleanRequestInput (request: FastifyRequest): Promise<void> {
  // Integers first: the raw text as sent, before trimming could make " 5" look plain.
  const keys = request.routeOptions.config.queryIntegers
  if (keys !== undefined) checkQueryIntegers(request.query as Record<string, unknown>, keys)
  if (request.body !== undefined) request.body = clean(request.body, '/body', '', 0)
  clean(request.query, '/querystring', '', 0)
  clean(request.params, '/params', '', 0)
  lowerUuids(request.query as Record<string, unknown>)
  lowerUuids(request.params as Record<string, unknown>)
}

const ANY_CASE_UUID = new RegExp(UUID_PATTERN)

/**
 * Ids in the path and the query in lower case, as the database writes them: cached pages are
 * keyed by the id as given and dropped by the id the database names, so `/posts/{ID}` in upper
 * case (Swift's uuidString) would otherwise keep a page its invalidation never reaches.
 */
function lowerUuids (values: Record<string, unknown> | undefined): void {
  if (values === undefined || values === null) return
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string' && ANY_CASE_UUID.test(value)) values[key] = value.toLowerCase()
  }
}

export default fp(async function inputPlugin (fastify) {
  // Every body is JSON. Fastify also parses text/plain by default, which turned a wrong
  // content type into a confusing "body must be object" 400 instead of 415.
  fastify.removeContentTypeParser('text/plain')
  fastify.addHook('onRoute', (route) => {
    // An operation that takes no query parameters refuses any, as one with parameters refuses
    // those it does not know: `?limit=5` on a list without paging must not be silently ignored.
    if (route.schema?.operationId !== undefined && route.schema.querystring === undefined) {
      route.schema = { ...route.schema, querystring: NO_QUERY }
    }
    const keys = integerQueryKeys(route)
    if (keys.length > 0) route.config = { ...route.config, queryIntegers: keys }
  })
  fastify.addHook('preValidation', cleanRequestInput)
}, { name: 'input', dependencies: ['errors'] })
