// The OpenAI-compatible chat-completions client behind the code assistant (a local Ollama,
// llama.cpp server or vLLM work as they are), decorated as `fastify.model`. One deadline
// (CODEGEN_TIMEOUT) bounds each whole call, the wait for the first token included; at most
// CODEGEN_CONCURRENCY calls are in flight per instance. Every failure of the model (a 4xx or
// 5xx, malformed JSON, a stream that breaks off, the deadline) is UPSTREAM_ERROR: the upstream
// text, URL and key never reach a client, and the log gets the reason without them.
import fp from 'fastify-plugin'
import { request } from 'undici'
import { AppError } from './errors.js'

export type ChatMessage = { role: 'system' | 'user', content: string }
export type Usage = { promptTokens: number, completionTokens: number } | null
export type Completion = { text: string, usage: Usage }

export interface ModelClient {
  readonly configured: boolean
  /**
   * Calls the model; with `onDelta` it streams (`stream: true`) and hands over each piece of
   * text as it arrives. `signal` aborts the call (a client that left).
   */
  complete: (messages: ChatMessage[], options: { signal: AbortSignal, onDelta?: (text: string) => void }) => Promise<Completion>
}

declare module 'fastify' {
  interface FastifyInstance {
    model: ModelClient
  }
}

/** Why the model failed, for the log only; the client always gets UPSTREAM_ERROR. */
export class UpstreamError extends AppError {
  constructor (readonly reason: string) {
    super('UPSTREAM_ERROR')
  }
}

type Wire = { choices?: Array<{ message?: { content?: unknown }, delta?: { content?: unknown } }>, usage?: { prompt_tokens?: unknown, completion_tokens?: unknown } | null }

function usageOf (wire: Wire): Usage | undefined {
  const usage = wire.usage
  if (usage === undefined || usage === null) return undefined
  const prompt = usage.prompt_tokens
  const completion = usage.completion_tokens
  return typeof prompt === 'number' && typeof completion === 'number' ? { promptTokens: prompt, completionTokens: completion } : undefined
}

function parse (text: string): Wire {
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value !== 'object' || value === null) throw new Error('not an object')
    return value as Wire
  } catch {
    throw new UpstreamError('malformed JSON from the model')
  }
}

/** Reads an SSE body event by event, as it arrives. */
async function readStream (body: AsyncIterable<Uint8Array>, onDelta: (text: string) => void): Promise<Completion> {
  const decoder = new TextDecoder()
  let buffer = ''
  let text = ''
  let usage: Usage = null
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const event = buffer.slice(0, end)
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
      const data = event.split(/\r?\n/).filter(line => line.startsWith('data:')).map(line => line.slice(5).trimStart()).join('\n')
      if (data === '') continue
      if (data === '[DONE]') return { text, usage }
      const wire = parse(data)
      usage = usageOf(wire) ?? usage
      const piece = wire.choices?.[0]?.delta?.content
      if (typeof piece === 'string' && piece !== '') {
        text += piece
        onDelta(piece)
      }
    }
  }
  throw new UpstreamError('the model\'s stream ended before [DONE]')
}

export default fp(async function modelClientPlugin (fastify) {
  const { config } = fastify
  const url = config.CODEGEN_API_URL === undefined ? undefined : config.CODEGEN_API_URL.replace(/\/+$/, '') + '/chat/completions'
  let inFlight = 0

  async function complete (messages: ChatMessage[], options: { signal: AbortSignal, onDelta?: (text: string) => void }): Promise<Completion> {
    if (url === undefined) throw new AppError('SERVICE_UNAVAILABLE')
    if (inFlight >= config.CODEGEN_CONCURRENCY) throw new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1' } })
    inFlight++
    const deadline = AbortSignal.timeout(config.CODEGEN_TIMEOUT * 1000)
    const signal = AbortSignal.any([deadline, options.signal])
    try {
      // undici's request, not fetch: the same HTTP client without the WHATWG stream layers,
      // which cost about a millisecond of CPU per call (bench: the service's overhead per call).
      const response = await request(url, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          ...(config.CODEGEN_API_KEY === undefined ? {} : { authorization: `Bearer ${config.CODEGEN_API_KEY}` })
        },
        body: JSON.stringify({
          model: config.CODEGEN_MODEL,
          messages,
          stream: options.onDelta !== undefined,
          ...(options.onDelta === undefined ? {} : { stream_options: { include_usage: true } })
        })
      })
      if (response.statusCode < 200 || response.statusCode > 299) {
        await response.body.dump().catch(() => {})
        throw new UpstreamError(`the model answered ${response.statusCode}`)
      }
      if (options.onDelta !== undefined) return await readStream(response.body, options.onDelta)
      const wire = parse(await response.body.text())
      const text = wire.choices?.[0]?.message?.content
      if (typeof text !== 'string') throw new UpstreamError('no message content in the model\'s answer')
      return { text, usage: usageOf(wire) ?? null }
    } catch (error) {
      if (error instanceof AppError) throw error
      if (options.signal.aborted) throw new UpstreamError('the client left')
      throw new UpstreamError(deadline.aborted ? `no answer within CODEGEN_TIMEOUT (${config.CODEGEN_TIMEOUT}s)` : `the model could not be reached (${(error as Error).name})`)
    } finally {
      inFlight--
    }
  }

  fastify.decorate('model', { configured: url !== undefined, complete } satisfies ModelClient)
}, { name: 'model-client', dependencies: ['config', 'errors'] })
