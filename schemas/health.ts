// Liveness and readiness answers, for orchestrators and load balancers.
import { Type } from '@sinclair/typebox'

export const Status = Type.Object({ status: Type.Literal('ok') }, { description: 'the process is running' })
export const ReadyStatus = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Literal('ok')
}, { description: 'the process and its database answer' })
