// Code assistant: prompts to the configured model, the stored history and its stats.
import { Type, type Static } from '@sinclair/typebox'
import { Flag, Page, Text, Timestamp, Uuid } from './common.js'

const Label = (examples: string[]) => Text(1, 40, { pattern: '^[^\\p{Cc}]+$', examples })

export const NewCodegenBody = Type.Object({
  language: Label(['python', 'typescript']),
  feature: Label(['code-generation', 'refactoring']),
  prompt: Text(1, 4000, { examples: ['리스트에서 중복을 제거하는 함수를 작성해 주세요.'] })
}, {
  $id: 'NewCodegenBody',
  additionalProperties: false,
  description: 'A prompt for the model; `language` and `feature` shape its instructions and the stats',
  examples: [
    { language: 'python', feature: 'code-generation', prompt: '리스트에서 중복을 제거하는 함수를 작성해 주세요.' },
    { language: 'typescript', feature: 'refactoring', prompt: 'Rewrite this loop with Array.prototype.map: for (const x of xs) ys.push(x * 2)' }
  ]
})
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

const sampleRecord = {
  id: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  language: 'python',
  feature: 'code-generation',
  prompt: '리스트에서 중복을 제거하는 함수를 작성해 주세요.',
  answer: '```python\ndef unique(items):\n    return list(dict.fromkeys(items))\n```',
  usage: { promptTokens: 42, completionTokens: 31 },
  createdAt: '2026-03-02T09:00:00.000Z'
}

export const CodegenRecord = Type.Object(recordFields, {
  $id: 'CodegenRecord',
  description: 'A stored request and the model\'s answer',
  examples: [sampleRecord]
})
export type CodegenRecord = Static<typeof CodegenRecord>
export const CodegenRecordPage = Page(CodegenRecord)

export const CodegenCreated = Type.Object({
  ...recordFields,
  remainingToday: Type.Integer({ minimum: 0 })
}, {
  $id: 'CodegenCreated',
  description: 'The stored answer, and how many requests remain today',
  examples: [{ ...sampleRecord, remainingToday: 19 }]
})

export const CodegenStats = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'requests in the history' }),
  today: Type.Integer({ minimum: 0, description: 'requests answered today (TZ_DAY), deleted ones included' }),
  remainingToday: Type.Integer({ minimum: 0 }),
  topLanguage: Type.Union([Type.String(), Type.Null()]),
  topFeature: Type.Union([Type.String(), Type.Null()]),
  byLanguage: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { examples: [{ python: 3, typescript: 1 }] }),
  byFeature: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  tokens: Type.Object({ prompt: Type.Integer({ minimum: 0 }), completion: Type.Integer({ minimum: 0 }) })
}, {
  $id: 'CodegenStats',
  description: 'The caller\'s use of the code assistant',
  examples: [{
    total: 4,
    today: 2,
    remainingToday: 18,
    topLanguage: 'python',
    topFeature: 'code-generation',
    byLanguage: { python: 3, typescript: 1 },
    byFeature: { 'code-generation': 3, refactoring: 1 },
    tokens: { prompt: 168, completion: 124 }
  }]
})
export type CodegenStats = Static<typeof CodegenStats>

export const CodegenDeletedAll = Type.Object({ deleted: Type.Integer({ minimum: 0, description: 'how many records were deleted' }) }, {
  $id: 'CodegenDeletedAll',
  description: 'The caller\'s history is empty now',
  examples: [{ deleted: 4 }]
})
export const CodegenDeleted = Flag('deleted')
