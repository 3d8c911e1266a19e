// A real HTTP server speaking the OpenAI chat-completions protocol (JSON and SSE), for the code
// assistant's tests: no mocked client, no stubbed fetch. `mode` switches how it answers.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type FakeMode =
  | 'ok' // answers, after `delayMs`
  | 'status500' // a 500 with an error body
  | 'malformed' // 200 with a body that is not JSON
  | 'broken' // streams two pieces, then cuts the connection without [DONE]
  | 'slow' // waits `delayMs` before anything (longer than the service's timeout)
  | 'stall' // streams one piece, then waits `delayMs` before the rest
  | 'thinking' // answers after the time a `[think N ms]` in the last message asks for (the benchmark's model)

/** The N of a `[think N ms]` in the request's last message, else 0. */
function thinkingTime (body: Record<string, unknown>): number {
  const messages = body.messages as Array<{ content?: unknown }> | undefined
  const match = /\[think (\d+) ms\]/.exec(String(messages?.at(-1)?.content ?? ''))
  return match === null ? 0 : Number(match[1])
}

export class FakeModel {
  mode: FakeMode = 'ok'
  delayMs = 0
  /** The answer, streamed as these pieces. */
  pieces = ['def ', 'dedupe', '(xs): ', 'return list(dict.fromkeys(xs))']
  /** Every request body received, and whether its connection was closed by the client early. */
  readonly received: Array<{ body: Record<string, unknown>, authorization: string | undefined, closedEarly: boolean }> = []
  /** Off under load (the benchmark), where `received` would only grow. */
  recording = true
  private constructor (private readonly server: Server, readonly url: string) {}

  static async start (port = 0): Promise<FakeModel> {
    let model: FakeModel | undefined
    const server = createServer((request, response) => { void model!.handle(request, response) })
    await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
    model = new FakeModel(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`)
    return model
  }

  async close (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise(resolve => this.server.close(resolve))
  }

  private async handle (request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    let raw = ''
    for await (const chunk of request) raw += chunk
    const entry = { body: JSON.parse(raw) as Record<string, unknown>, authorization: request.headers.authorization, closedEarly: false }
    if (this.recording) this.received.push(entry)
    response.on('close', () => { if (!response.writableFinished) entry.closedEarly = true })
    const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
    const text = this.pieces.join('')
    const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }

    if (this.mode === 'slow') await wait(this.delayMs)
    else if (this.mode === 'thinking') await wait(thinkingTime(entry.body))
    if (this.mode === 'status500') {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"secret upstream detail"}}')
      return
    }
    if (this.mode === 'malformed') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ this is not json')
      return
    }
    if (entry.body.stream !== true) {
      if (this.mode === 'ok') await wait(this.delayMs)
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }))
      return
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    const event = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`)
    for (const [i, piece] of this.pieces.entries()) {
      if (response.destroyed) return
      event({ choices: [{ index: 0, delta: { content: piece } }] })
      if (this.mode === 'broken' && i === 1) {
        response.destroy()
        return
      }
      if (this.mode === 'stall' && i === 0) await wait(this.delayMs)
      else await wait(5)
    }
    event({ choices: [], usage })
    response.end('data: [DONE]\n\n')
  }
}
