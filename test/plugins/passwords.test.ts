import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { build } from '../helper.js'
import { createUser, TEST_PASSWORD } from '../accounts.js'

/** Pids of this process's children running the hasher. */
function hasherPids (): number[] {
  return readdirSync('/proc').filter(name => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      return parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('hasher.js')
    } catch {
      return false
    }
  })
}

function niceOf (pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

t.test('passwords are hashed in a separate process whose threads all run at low priority', async (t) => {
  const app = await build(t)
  await createUser(app)
  const [pid] = hasherPids()
  t.ok(pid, 'a hasher process runs')
  const nices = readdirSync(`/proc/${pid}/task`).map(tid => niceOf(pid!, Number(tid)))
  t.ok(nices.length > 1, 'with its thread pool')
  t.ok(nices.every(n => n === 10), `every thread at nice 10 (${nices.join(',')})`)
})

t.test('a hasher that dies is replaced: logins work again, nothing hangs', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const [pid] = hasherPids()
  process.kill(pid!, 'SIGKILL')
  await new Promise(resolve => setTimeout(resolve, 200))
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: TEST_PASSWORD } })
  t.equal(res.statusCode, 200, 'the next login starts a new hasher')
  const [replacement] = hasherPids()
  t.ok(replacement !== undefined && replacement !== pid, 'in a new process')
})

t.test('a hasher killed under a login answers 503 SERVICE_UNAVAILABLE with Retry-After, not a hang or a 500', async (t) => {
  const app = await build(t)
  const user = await createUser(app)
  const [pid] = hasherPids()
  // Frozen first, so the login is certainly waiting on it when it dies.
  process.kill(pid!, 'SIGSTOP')
  const pending = app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: TEST_PASSWORD } })
  await new Promise(resolve => setTimeout(resolve, 100))
  process.kill(pid!, 'SIGKILL')
  const res = await pending
  t.equal(res.statusCode, 503)
  t.same(res.json(), { error: { code: 'SERVICE_UNAVAILABLE', message: '서비스를 일시적으로 사용할 수 없습니다.' } })
  t.equal(res.headers['retry-after'], '1')
})
