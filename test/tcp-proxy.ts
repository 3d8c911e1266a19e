// A loopback TCP proxy a test can cut and restore, to make the database "unreachable" for an
// app without touching the real server other tests use.
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { Test } from 'tap'
import { fileDatabaseUrl } from './helper.js'

export type TcpProxy = { port: number, cut: () => Promise<void>, restore: () => Promise<void>, close: () => Promise<void> }

export async function startTcpProxy (targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server
  let port = 0

  const listen = () => new Promise<void>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = connect(targetPort, targetHost)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
        s.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      if (typeof address === 'object' && address !== null) port = address.port
      resolve()
    })
  })

  const stop = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })

  await listen()
  return { get port () { return port }, cut: stop, restore: listen, close: stop }
}

/**
 * This test file's database behind a proxy of its own: `url` goes through the proxy, `real`
 * straight to the server. The proxy listens on loopback; the real server may be another host
 * (`db` under compose).
 */
export async function proxiedTestDatabase (t: Test): Promise<{ proxy: TcpProxy, url: string, real: string }> {
  const real = new URL(await fileDatabaseUrl())
  const proxy = await startTcpProxy(real.hostname, Number(real.port))
  t.teardown(() => proxy.close())
  const viaProxy = new URL(real)
  viaProxy.hostname = '127.0.0.1'
  viaProxy.port = String(proxy.port)
  return { proxy, url: viaProxy.toString(), real: real.toString() }
}
