// Liveness and readiness answers, for orchestrators and load balancers.
import { Type } from '@sinclair/typebox'

export const Status = Type.Object({ status: Type.Literal('ok') }, {
  $id: 'Status',
  description: 'The process is running',
  examples: [{ status: 'ok' }]
})
export const ReadyStatus = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Literal('ok')
}, {
  $id: 'ReadyStatus',
  description: 'The process and its database answer',
  examples: [{ status: 'ok', database: 'ok' }]
})
