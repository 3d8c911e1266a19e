// Bounded primitives every domain schema is built from, so limits live in one place.
import { Type, type Static, type TSchema, type StringOptions } from '@sinclair/typebox'

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' })
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
export const Cursor = Type.String({ minLength: 1, maxLength: 200, description: 'opaque cursor from nextCursor' })

export const PageQuery = Type.Object({
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type PageQuery = Static<typeof PageQuery>

/** `{ items, nextCursor }`: the shape of every list. */
export function Page<T extends TSchema> (item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' })
  })
}

/** Small JSON acknowledgements the contract uses for deletions and logout. */
export function Flag<K extends string> (name: K) {
  return Type.Object({ [name]: Type.Literal(true) } as { [P in K]: ReturnType<typeof Type.Literal<true>> })
}

/** The OpenAPI security requirement of every route behind `fastify.authenticate`. */
export const BearerAuth = [{ bearerAuth: [] }]
