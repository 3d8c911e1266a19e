import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { freePort } from '../db/embedded.js'
import { createDatabase, TEST_JWT_SECRET } from './helper.js'

const SERVER = fileURLToPath(new URL('../server.js', import.meta.url))


async function waitForHealth (base: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`)
    try {
      if ((await fetch(`${base}/health`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error('server did not answer /health in time')
}

function exited (child: ChildProcess): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

t.test('node dist/server.js serves, then SIGTERM → exit 0 within a few seconds and nothing answers', async (t) => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: await createDatabase(),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'campus-api-server-')),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })

  await waitForHealth(base, child)
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok' })
  const ready = await fetch(`${base}/health/ready`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ok', database: 'ok' })
  const missing = await fetch(`${base}/nothing-here`)
  t.equal(missing.status, 404)
  t.same(await missing.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })

  const started = Date.now()
  child.kill('SIGTERM')
  const result = await Promise.race([exited(child), sleep(15_000).then(() => 'still running' as const)])
  t.same(result, { code: 0, signal: null }, `exited cleanly (${Date.now() - started} ms); output: ${output}`)
  await t.rejects(fetch(`${base}/health`), 'no longer answered')
})
