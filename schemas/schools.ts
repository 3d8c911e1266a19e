// Schools: the catalog users, boards and lectures belong to.
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Limit, Page, Text, Timestamp, Uuid } from './common.js'
import { SAMPLE_SCHOOL_ID } from './auth.js'

export const School = Type.Object({
  id: Uuid,
  name: Type.String({ examples: ['홍익대학교'] }),
  createdAt: Timestamp
}, {
  $id: 'School',
  description: 'A school of the catalog',
  examples: [{ id: SAMPLE_SCHOOL_ID, name: '홍익대학교', createdAt: '2026-02-01T00:00:00.000Z' }]
})
export type School = Static<typeof School>

export const SchoolPage = Page(School)

export const NewSchoolBody = Type.Object({
  name: Text(1, 100, { examples: ['홍익대학교', 'Hongik University'] })
}, {
  $id: 'NewSchoolBody',
  additionalProperties: false,
  description: 'A school for the catalog (admin only); names are unique, case-insensitive',
  examples: [{ name: '홍익대학교' }, { name: 'Hongik University' }]
})
export type NewSchoolBody = Static<typeof NewSchoolBody>

export const SchoolQuery = Type.Object({
  q: Type.Optional(Text(1, 100, { description: 'keeps schools whose name contains it (case-insensitive)' })),
  limit: Limit,
  cursor: Type.Optional(Cursor)
}, { additionalProperties: false })
export type SchoolQuery = Static<typeof SchoolQuery>
