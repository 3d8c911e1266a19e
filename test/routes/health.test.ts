import t from 'tap'
import { build } from '../helper.js'
import { proxiedTestDatabase } from '../tcp-proxy.js'

t.test('GET /health → 200 {status:"ok"}', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json; charset=utf-8/)
  t.same(res.json(), { status: 'ok' })
})

t.test('GET /health/ready → 200 while the database answers', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok', database: 'ok' })
})

t.test('GET /health/ready → 503 SERVICE_UNAVAILABLE while the database is unreachable, 200 once it is back', async (t) => {
  const { proxy, url } = await proxiedTestDatabase(t)
  const app = await build(t, { env: { DATABASE_URL: url } })

  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)

  await proxy.cut()
  const down = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(down.statusCode, 503)
  t.same(down.json(), { error: { code: 'SERVICE_UNAVAILABLE', message: '서비스를 일시적으로 사용할 수 없습니다.' } })
  t.equal(down.headers['retry-after'], '5', 'tells the prober when to come back')
  const alive = await app.inject({ method: 'GET', url: '/health' })
  t.equal(alive.statusCode, 200, 'the process keeps running and answering')

  await proxy.restore()
  let back = 0
  for (let i = 0; i < 50 && back !== 200; i++) {
    back = (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode
    if (back !== 200) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.equal(back, 200, 'ready again once the database is reachable')
})
