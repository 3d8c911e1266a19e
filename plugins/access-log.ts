// One access line per request, written when the answer has gone out: method, route pattern,
// status, duration, request id (pino's reqId) and the user when known. Fastify's default writes
// two lines per request (incoming, completed) with the whole request and reply serialized; at
// LOG_LEVEL=info that cost more than half the throughput of cheap routes. Done in Fastify's
// own LogController rather than an onResponse hook: no hook runs per request for it.
//
// When the service writes JSON to its own destination (production), the line is put together
// here, in pino's format, and handed to that destination: pino's general path (the bindings,
// the redaction of secret fields, a serializer walking the object) was 15-20% of a cached
// page's CPU, for a line whose fields are known and hold no secret. Errors, and every other
// line, still go through pino.
import { hostname } from 'node:os'
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * Where pino writes: its SonicBoom destination (asynchronous, buffered, flushed at exit). Given
 * only when access lines are wanted (LOG_LEVEL info or finer).
 */
export type LineDestination = { write: (line: string) => unknown }

const INFO = 30
// pino's default base bindings, serialized once.
const BASE = `"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`

export class AccessLog extends LogController {
  constructor (private readonly destination?: LineDestination) {
    super()
  }

  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? null
    const ms = Math.round(reply.elapsedTime * 10) / 10
    const userId = request.user?.id
    // A response stream that broke after its head went out: the status says nothing of it.
    if (error !== null && error !== undefined) {
      reply.log.error({ method: request.method, route, status: reply.statusCode, ms, userId, err: error }, 'request errored')
    } else if (this.destination === undefined) {
      reply.log.info({ method: request.method, route, status: reply.statusCode, ms, userId }, 'request')
    } else {
      // Every value is a string of ours or the HTTP parser's, or a number: JSON.stringify
      // escapes the strings all the same.
      this.destination.write(`{"level":${INFO},"time":${Date.now()},${BASE},"reqId":${JSON.stringify(request.id)},` +
        `"method":${JSON.stringify(request.method)},"route":${route === null ? 'null' : JSON.stringify(route)},` +
        `"status":${reply.statusCode},"ms":${ms}${userId === undefined ? '' : `,"userId":${JSON.stringify(userId)}`},"msg":"request"}\n`)
    }
  }
}
