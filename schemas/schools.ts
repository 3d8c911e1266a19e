// Schools: the catalog users, boards and lectures belong to.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Limit, Page, Text, Timestamp, Uuid } from './common.js'

export const School = Type.Object({
  id: Uuid,
  name: Type.String({ examples: ['홍익대학교'] }),
  createdAt: Timestamp
}, { description: 'A school' })
export type School = Static<typeof School>

export const SchoolPage = Page(School)

export const NewSchoolBody = Type.Object({
  name: Text(1, 100, { examples: ['홍익대학교', 'Hongik University'] })
}, { additionalProperties: false })
export type NewSchoolBody = Static<typeof NewSchoolBody>

export const SchoolQuery = Type.Object({
  q: Type.Optional(Text(1, 100, { description: 'keeps schools whose name contains it (case-insensitive)' })),
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type SchoolQuery = Static<typeof SchoolQuery>
