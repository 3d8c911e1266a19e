// Raw HTTP over a TCP socket, for requests a well-behaved client (or inject) would never send:
// oversized headers, broken URL encoding, a second request on a kept-alive connection.
import { connect, type AddressInfo, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

export type RawResponse = { status: number, headers: Record<string, string>, body: string }

/** Listens on a free loopback port and returns it. */
export async function listen (app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

/** Splits one or more HTTP/1.1 responses (Content-Length framed) out of the bytes received. */
export function parseResponses (raw: string): RawResponse[] {
  const responses: RawResponse[] = []
  let rest = raw
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    if (end === -1) break
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const bodyBytes = Buffer.from(rest.slice(end + 4))
    const length = Number(headers['content-length'] ?? bodyBytes.length)
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: bodyBytes.subarray(0, length).toString() })
    rest = bodyBytes.subarray(length).toString()
  }
  return responses
}

/** Opens a connection; `received()` is everything read so far, `closed` settles when it ends. */
export function openConnection (port: number): Promise<{ socket: Socket, received: () => string, closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    const closed = new Promise<void>((resolveClosed) => socket.on('close', () => resolveClosed()))
    socket.on('error', () => {})
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks).toString(), closed }))
    socket.once('error', reject)
  })
}

/** Sends raw bytes on a new connection and reads until the server closes it. */
export async function rawRequest (port: number, text: string): Promise<RawResponse[]> {
  const connection = await openConnection(port)
  connection.socket.write(text)
  await connection.closed
  return parseResponses(connection.received())
}
