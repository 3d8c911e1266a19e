// Contract objects as named components. Every schema exported from a file of schemas/ that has
// an `$id` is registered once (fastify.addSchema: the serializers and the OpenAPI document's
// components; the validators read the same list, plugins/validation.ts), and wherever a route
// or another component embeds one, the compilers and the document see `{ $ref: id }` instead of
// a copy. So schema files stay plain TypeBox (a Post holds its UserSummary, the types in the
// code are exact) while a generated client gets one `Post` type, not one per route.
// A new domain's schema file is picked up by being in schemas/; nothing to list here.
import { readdirSync } from 'node:fs'
import fp from 'fastify-plugin'
import type { FastifySchema, FastifySerializerCompiler, RouteOptions } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import { SignupBody } from '../schemas/auth.js'

type Json = Record<string, unknown>

const SCHEMA_DIR = new URL('../schemas/', import.meta.url)

function isObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Annotation values are data, not schemas: an example may hold anything.
const DATA_KEYWORDS = new Set(['examples', 'default', 'const', 'enum'])

/** Every object with an `$id` reachable from `values` (a module's exports), by id; one id, one shape. */
export function collectComponents (values: unknown[], found = new Map<string, Json>()): Map<string, Json> {
  collect(values, found, new Set())
  return found
}

function collect (value: unknown, found: Map<string, Json>, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return
  seen.add(value)
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, seen)
    return
  }
  const object = value as Json
  if (typeof object.$id === 'string') {
    const known = found.get(object.$id)
    if (known !== undefined && known !== object && JSON.stringify(known) !== JSON.stringify(object)) {
      throw new Error(`two different schemas are named ${object.$id}`)
    }
    found.set(object.$id, object)
  }
  for (const [key, child] of Object.entries(object)) {
    if (!DATA_KEYWORDS.has(key)) collect(child, found, seen)
  }
}

/**
 * A copy of `schema` in which every embedded component is `{ $ref: id }` (the root keeps its
 * own `$id`). `isComponent` guards against a schema with an `$id` that schemas/ does not export:
 * its `$ref` would resolve nowhere.
 */
function withRefs (schema: unknown, isComponent: (id: string) => boolean, root = true): unknown {
  if (Array.isArray(schema)) return schema.map(item => withRefs(item, isComponent, false))
  if (!isObject(schema)) return schema
  if (!root && typeof schema.$id === 'string') {
    if (!isComponent(schema.$id)) throw new Error(`schema ${schema.$id} is not exported from a file of schemas/`)
    return { $ref: schema.$id }
  }
  const copy: Json = {}
  for (const [key, child] of Object.entries(schema)) {
    copy[key] = DATA_KEYWORDS.has(key) ? child : withRefs(child, isComponent, false)
  }
  return copy
}

/** The components of schemas/, by name, with their refs in place. */
export async function loadComponents (passwordMinLength: number): Promise<Json[]> {
  const found = new Map<string, Json>()
  const files = readdirSync(SCHEMA_DIR).filter(name => name.endsWith('.js')).sort()
  for (const file of files) {
    const module = await import(new URL(file, SCHEMA_DIR).href) as Record<string, unknown>
    collectComponents(Object.values(module), found)
  }
  // The one component that depends on configuration: the password bound is PASSWORD_MIN_LENGTH.
  found.set('SignupBody', SignupBody(passwordMinLength) as unknown as Json)
  const isComponent = (id: string): boolean => found.has(id)
  return [...found.keys()].sort().map(id => withRefs(found.get(id), isComponent) as Json)
}

function useRefs (schema: FastifySchema, isComponent: (id: string) => boolean): void {
  // Not as roots: a route's body or answer that is a component becomes a `$ref` to it too.
  if (isObject(schema.body)) schema.body = withRefs(schema.body, isComponent, false)
  const response = schema.response
  if (isObject(response)) {
    for (const [status, answer] of Object.entries(response)) response[status] = withRefs(answer, isComponent, false)
  }
}

/** The components `schema` refers to, directly or through other components, by id. */
function componentsUsedBy (schema: unknown, byId: ReadonlyMap<string, Json>, used: Record<string, Json> = {}): Record<string, Json> {
  if (Array.isArray(schema)) {
    for (const item of schema) componentsUsedBy(item, byId, used)
  } else if (isObject(schema)) {
    const ref = schema.$ref
    if (typeof ref === 'string' && used[ref] === undefined && byId.has(ref)) {
      used[ref] = byId.get(ref)!
      componentsUsedBy(used[ref], byId, used)
    }
    for (const [key, child] of Object.entries(schema)) if (!DATA_KEYWORDS.has(key)) componentsUsedBy(child, byId, used)
  }
  return used
}

/**
 * Response serializers built with only the components each answer uses. Fastify's default
 * hands every shared schema to every serializer, and fast-json-stringify checks and indexes
 * each of them per compile: with 73 components and ~370 answers that was 0.5 s more per app
 * start (every test file builds several apps).
 */
function serializerCompiler (byId: ReadonlyMap<string, Json>): FastifySerializerCompiler<unknown> {
  const build = SerializerSelector()
  return (route) => build(componentsUsedBy(route.schema, byId), {})({ ...route, httpStatus: route.httpStatus ?? '' })
}

export default fp(async function schemasPlugin (fastify) {
  const components = await loadComponents(fastify.config.PASSWORD_MIN_LENGTH)
  const ids = new Set(components.map(schema => schema.$id as string))
  const isComponent = (id: string): boolean => ids.has(id)
  for (const schema of components) fastify.addSchema(schema as TSchema)
  fastify.setSerializerCompiler(serializerCompiler(new Map(components.map(schema => [schema.$id as string, schema]))))
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema !== undefined) useRefs(route.schema, isComponent)
  })
}, { name: 'schemas', dependencies: ['config'] })
