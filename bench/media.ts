// Post images under load: serving a 200 KiB JPEG, revalidating it (304), and what uploads of
// 1 MiB JPEGs do to the /health probe's latency. The images are generated with sharp (noise,
// so JPEG cannot shrink them) and uploaded through the route, so what is served is what the
// route stored.
import sharp from 'sharp'
import { bearer, measureDiscarding, measureProbe, measureWithProbe, postJson, type Bench, type LoadOptions, type Probe } from './scenarios.js'
import { atLeastCeiling, ratio, type Row, type Target } from './report.js'

const BOUNDARY = 'campus-bench-boundary'
/** Posts to upload into: at most 10 images each. */
const UPLOAD_POSTS = 60
const UPLOAD_CONNECTIONS = 4

/** A JPEG of noise, about `kib` KiB: its side grows until the encoded size reaches it. */
async function noiseJpeg (kib: number): Promise<Buffer> {
  for (let side = 64; ; side += 16) {
    const pixels = Buffer.alloc(side * side * 3)
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24 ^ (i >>> 7)
    const jpeg = await sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 92 }).toBuffer()
    if (jpeg.byteLength >= kib * 1024) return jpeg
  }
}

function multipart (image: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`)
  ])
}

async function createPost (base: string, token: string, title: string): Promise<string> {
  const res = await postJson(`${base}/posts`, { title, body: '사진 첨부 벤치마크' }, token)
  if (res.status !== 201) throw new Error(`POST /posts answered ${res.status}`)
  return res.body.id
}

export async function mediaScenarios (
  bench: Bench, load: LoadOptions, push: (row: Row) => void, probeRate: number, ceilingUrl: string | undefined
): Promise<Target[]> {
  const { base, tokens, connections, versusCeiling } = bench
  const token = tokens[0]!
  const served = await noiseJpeg(200)
  const postId = await createPost(base, token, '벤치 사진')
  const uploaded = await fetch(`${base}/posts/${postId}/media`, {
    method: 'POST', headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: multipart(served)
  })
  if (uploaded.status !== 201) throw new Error(`POST /posts/{id}/media answered ${uploaded.status}: ${await uploaded.text()}`)
  const image = await uploaded.json() as { id: string, size: number }
  const first = await fetch(`${base}/media/${image.id}`)
  const etag = first.headers.get('etag')!
  const servedBytes = Buffer.from(await first.arrayBuffer())
  const size = servedBytes.byteLength

  // Images are fetched by a client that reads and drops the bytes (discardingLoad): autocannon
  // decodes every body to a string, and at this size that, not the server, set its rate (the
  // bare server below did no better than the service through it). The bare server sending
  // these very bytes, through the same client: what the client can take of them.
  let sameBytes: Row | undefined
  if (ceilingUrl !== undefined) {
    const stored = await fetch(`${ceilingUrl}/bytes`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: servedBytes })
    if (!stored.ok) throw new Error(`PUT /bytes on the ceiling server answered ${stored.status}`)
    const m = await measureDiscarding('ceiling GET /bytes (the same image, bodies dropped)', { url: ceilingUrl, path: '/bytes' }, connections, load)
    sameBytes = { ...m, against: '', reference: 0, ratio: null }
    push(sameBytes)
  }
  const get = await versusCeiling(`GET /media/{id} (${Math.round(size / 1024)} KiB, bodies dropped)`, () =>
    measureDiscarding(`GET /media/{id} (${Math.round(size / 1024)} KiB, bodies dropped)`, { url: base, path: `/media/${image.id}` }, connections, load))
  const revalidate = await versusCeiling('GET /media/{id}, If-None-Match (304)', {
    url: base, connections, requests: [{ method: 'GET', path: `/media/${image.id}`, headers: { 'if-none-match': etag } }]
  })

  // Uploads of 1 MiB, a few at a time, while the liveness probe runs; then the probe alone.
  const big = multipart(await noiseJpeg(1024))
  const posts = await Promise.all(Array.from({ length: UPLOAD_POSTS }, (_, i) => createPost(base, token, `업로드 ${i}`)))
  let next = 0
  const probe: Probe = { url: base, path: '/health', rate: probeRate }
  const idle = await measureProbe('GET /health probe, idle (media)', probe, load)
  push({ ...idle, against: 'idle p99', reference: idle.p99, ratio: 1 })
  const [uploads, busy] = await measureWithProbe(`POST /posts/{id}/media (1 MiB JPEG, ${UPLOAD_CONNECTIONS} at once)`, {
    url: base,
    connections: UPLOAD_CONNECTIONS,
    requests: [{
      method: 'POST',
      headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: big,
      setupRequest: (request) => ({ ...request, path: `/posts/${posts[Math.floor(next++ / 10) % posts.length]}/media` })
    }]
  }, 'GET /health probe, uploads running', probe, load)
  push({ ...uploads, against: '', reference: 0, ratio: null })
  push({ ...busy, against: 'idle p99', reference: idle.p99, ratio: ratio(busy.p99, idle.p99) })

  return [
    atLeastCeiling(`GET /media/{id} req/s (${Math.round(size / 1024)} KiB)`, get, 0.1),
    {
      name: 'GET /media/{id} req/s against the bare server sending the same bytes',
      actual: sameBytes === undefined ? 'not run (no ceiling)' : `${get.requestsPerSecond} req/s = ${ratio(get.requestsPerSecond, sameBytes.requestsPerSecond)} × ${sameBytes.requestsPerSecond}`,
      required: '(reported)',
      holds: true
    },
    atLeastCeiling('GET /media/{id} 304 req/s', revalidate, 0.3),
    {
      name: 'GET /health p99 while 1 MiB uploads run',
      actual: `${busy.p99} ms = ${ratio(busy.p99, idle.p99)} × idle ${idle.p99} ms (${uploads.requestsPerSecond} uploads/s, ${uploads.non2xx} non-2xx)`,
      required: '≤ 3 × idle p99',
      holds: busy.p99 <= 3 * idle.p99
    }
  ]
}
