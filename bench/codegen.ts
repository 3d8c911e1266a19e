// The code assistant under load, against the benchmark's model (bench/model.ts) on this
// machine: what the service adds to each model call (one request at a time, so the p50s are
// service time and not queueing), its throughput with the quota raised, and how soon a
// streamed answer's first piece reaches the client compared with the model's own.
import { Agent, request as httpRequest } from 'node:http'
import { bearer, percentile, rotating, type Bench } from './scenarios.js'
import { atLeastCeiling, type Target } from './report.js'

const SEQUENTIAL = 200
/** The model's time to its first token in the streaming comparison (a fast local model). */
const THINK_MS = 50

type Timing = { firstByte: number, total: number }

/** One request over a keep-alive agent: ms to the first byte of the body, and to its end. */
function timeOnce (agent: Agent, url: URL, init: { method: string, headers: Record<string, string>, body: string }): Promise<Timing & { status: number }> {
  return new Promise((resolve, reject) => {
    const sent = performance.now()
    let firstByte = 0
    const req = httpRequest(url, { agent, method: init.method, headers: init.headers }, (res) => {
      res.on('data', () => { if (firstByte === 0) firstByte = performance.now() - sent })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, firstByte, total: performance.now() - sent }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** p50s of `count` requests sent one after another (after a tenth as many discarded). */
async function sequential (url: URL, init: (i: number) => { method: string, headers: Record<string, string>, body: string }, count: number): Promise<Timing> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const firstBytes: number[] = []
  const totals: number[] = []
  try {
    for (let i = 0; i < count + Math.ceil(count / 10); i++) {
      const t = await timeOnce(agent, url, init(i))
      if (t.status < 200 || t.status >= 300) throw new Error(`${init(i).method} ${url.pathname} answered ${t.status}`)
      if (i < Math.ceil(count / 10)) continue
      firstBytes.push(t.firstByte)
      totals.push(t.total)
    }
  } finally {
    agent.destroy()
  }
  const p50 = (xs: number[]) => Math.round(percentile(xs.sort((a, b) => a - b), 0.5) * 100) / 100
  return { firstByte: p50(firstBytes), total: p50(totals) }
}

export async function codegenScenarios (bench: Bench, modelUrl: string): Promise<Target[]> {
  const { base, tokens, connections, versusCeiling } = bench
  const ask = (prompt: string) => JSON.stringify({ language: 'python', feature: 'code-generation', prompt })
  const toModel = (prompt: string, stream: boolean) => JSON.stringify({
    model: 'bench', stream, messages: [{ role: 'system', content: 'You are a careful programming assistant.' }, { role: 'user', content: prompt }]
  })
  const json = { 'content-type': 'application/json' }
  const model = new URL(`${modelUrl}/chat/completions`)
  const route = new URL(`${base}/codegen/requests`)
  const prompt = '리스트에서 중복을 제거하는 함수를 작성해 주세요.'

  const modelAlone = await sequential(model, () => ({ method: 'POST', headers: json, body: toModel(prompt, false) }), SEQUENTIAL)
  const service = await sequential(route, i => ({ method: 'POST', headers: { ...json, ...bearer(tokens[i % tokens.length]!) }, body: ask(prompt) }), SEQUENTIAL)
  const thinking = `[think ${THINK_MS} ms] ${prompt}`
  const modelStream = await sequential(model, () => ({ method: 'POST', headers: json, body: toModel(thinking, true) }), SEQUENTIAL / 4)
  const serviceStream = await sequential(route, i => ({
    method: 'POST', headers: { ...json, ...bearer(tokens[i % tokens.length]!), accept: 'text/event-stream' }, body: ask(thinking)
  }), SEQUENTIAL / 4)

  const throughput = await versusCeiling('POST /codegen/requests (instant model)', {
    url: base, connections,
    requests: [rotating(tokens, t => ({ method: 'POST', path: '/codegen/requests', headers: { ...json, ...bearer(t) }, body: ask(prompt) }))]
  })

  const overhead = Math.round((service.total - modelAlone.total) * 100) / 100
  const firstPiece = Math.round(serviceStream.firstByte / modelStream.firstByte * 100) / 100
  return [
    {
      name: 'POST /codegen/requests overhead (p50, one at a time)',
      actual: `${overhead} ms (${service.total} ms through the service, ${modelAlone.total} ms the model alone)`,
      required: '≤ 3 ms',
      holds: overhead <= 3
    },
    atLeastCeiling('POST /codegen/requests req/s (quota raised)', throughput, 0.1),
    {
      name: `streamed first piece p50 (model thinks ${THINK_MS} ms)`,
      actual: `${serviceStream.firstByte} ms = ${firstPiece} × the model's own ${modelStream.firstByte} ms`,
      required: '≤ 1.2 × the model\'s time to first token',
      holds: firstPiece <= 1.2
    }
  ]
}
