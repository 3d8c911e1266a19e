// Bounded primitives every domain schema is built from, so limits live in one place.
import { Type, type Static, type TSchema, type StringOptions } from '@sinclair/typebox'

// ajv's `uuid` format also takes `urn:uuid:…`, which PostgreSQL's uuid type refuses (a 500):
// the pattern keeps to the plain form. Upper case is accepted; plugins/input.ts lowers it.
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
export const UUID = { format: 'uuid', pattern: UUID_PATTERN } as const
export const Uuid = Type.String({ ...UUID, description: 'UUID' })
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC time' })

/** A user-facing text field: stored NFC-normalized and trimmed (see plugins/input.ts). */
export function Text (minLength: number, maxLength: number, options: StringOptions = {}) {
  return Type.String({ minLength, maxLength, ...options })
}

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export type IdParams = Static<typeof IdParams>

// Query integers must be plain decimals; plugins/input.ts checks the raw text before ajv
// coerces it, because ajv alone would accept "0x10", "1e1" and " 5".
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'page size' })
// Room for the longest sort key a list has: a lecture's code (30 characters, 4 bytes each in
// UTF-8) beside an id, as JSON in base64url, is about 220 characters.
export const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'opaque cursor from nextCursor' })

export const PageQuery = Type.Object({
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type PageQuery = Static<typeof PageQuery>

// Contract objects are components: a schema with an `$id` (its name in the OpenAPI document and
// in generated clients), a description and examples. plugins/schemas.ts registers every one
// exported from schemas/ and turns each place that embeds one into a `$ref`.

/** A component's first example, for the examples of the components built from it. */
export function exampleOf (schema: TSchema): unknown {
  const examples = schema.examples as unknown[] | undefined
  if (examples === undefined || examples.length === 0) throw new Error(`schema ${String(schema.$id)} has no example`)
  return examples[0]
}

/**
 * `{ items, nextCursor }`: the shape of every list, one generic shape named after its item
 * (`PostPage`, `LecturePage`…), so a generated client has one page type per item type.
 */
export function Page<T extends TSchema> (item: T) {
  const name = `${String(item.$id)}Page`
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass it back as `?cursor=` for the next page; null on the last page' })
  }, {
    $id: name,
    description: `One page of ${String(item.$id)} items`,
    examples: [{ items: [exampleOf(item)], nextCursor: null }]
  })
}

/** Small JSON acknowledgements the contract uses for deletions and logout: `{ deleted: true }`. */
export function Flag<K extends string> (name: K) {
  return Type.Object({ [name]: Type.Literal(true) } as { [P in K]: ReturnType<typeof Type.Literal<true>> }, {
    $id: name[0]!.toUpperCase() + name.slice(1),
    description: `\`{ "${name}": true }\`: done`,
    examples: [{ [name]: true }]
  })
}

/** The OpenAPI security requirement of every route behind `fastify.authenticate`. */
export const BearerAuth = [{ bearerAuth: [] }]
