// Code assistant: prompts to the configured model, the stored history and its stats.
import { Type, type Static } from '@sinclair/typebox'
import { Flag, Page, Text, Timestamp, Uuid } from './common.js'

const Label = (examples: string[]) => Text(1, 40, { pattern: '^[^\\p{Cc}]+$', examples })

export const NewCodegenBody = Type.Object({
  language: Label(['python', 'typescript']),
  feature: Label(['code-generation', 'refactoring']),
  prompt: Text(1, 4000, { examples: ['리스트에서 중복을 제거하는 함수를 작성해 주세요.'] })
}, { additionalProperties: false })
export type NewCodegenBody = Static<typeof NewCodegenBody>

const TokenUsage = Type.Union([
  Type.Object({ promptTokens: Type.Integer({ minimum: 0 }), completionTokens: Type.Integer({ minimum: 0 }) }),
  Type.Null()
], { description: 'as the model reported it; null when it did not' })

const recordFields = {
  id: Uuid,
  language: Type.String(),
  feature: Type.String(),
  prompt: Type.String(),
  answer: Type.String(),
  usage: TokenUsage,
  createdAt: Timestamp
}

export const CodegenRecord = Type.Object(recordFields, { description: 'A stored request and the model\'s answer' })
export type CodegenRecord = Static<typeof CodegenRecord>
export const CodegenRecordPage = Page(CodegenRecord)

export const CodegenCreated = Type.Object({
  ...recordFields,
  remainingToday: Type.Integer({ minimum: 0 })
}, { description: 'The stored answer, and how many requests remain today' })

export const CodegenStats = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'requests in the history' }),
  today: Type.Integer({ minimum: 0, description: 'requests answered today (TZ_DAY), deleted ones included' }),
  remainingToday: Type.Integer({ minimum: 0 }),
  topLanguage: Type.Union([Type.String(), Type.Null()]),
  topFeature: Type.Union([Type.String(), Type.Null()]),
  byLanguage: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { examples: [{ python: 3, typescript: 1 }] }),
  byFeature: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  tokens: Type.Object({ prompt: Type.Integer({ minimum: 0 }), completion: Type.Integer({ minimum: 0 }) })
})
export type CodegenStats = Static<typeof CodegenStats>

export const CodegenDeletedAll = Type.Object({ deleted: Type.Integer({ minimum: 0, description: 'how many records were deleted' }) })
export const CodegenDeleted = Flag('deleted')
