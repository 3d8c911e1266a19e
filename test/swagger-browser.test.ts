// The Swagger page in a real browser (headless Chromium through puppeteer-core), as a person
// uses it: every operation listed, each request body's Korean and English examples offered,
// Authorize once and the token still works after a reload. Skipped, and says so, where no
// Chromium is installed (`apt-get install -y chromium`, or CHROMIUM_PATH).
import t from 'tap'
import { existsSync } from 'node:fs'
import puppeteer, { type Page } from 'puppeteer-core'
import { build } from './helper.js'
import { listen } from './raw-http.js'
import { createUser } from './accounts.js'

const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .find(path => path !== undefined && path !== '' && existsSync(path))

/** Opens an operation's panel by its id (Swagger UI names it operations-<tag>-<operationId>). */
async function openOperation (page: Page, tag: string, operationId: string): Promise<string> {
  const selector = `#operations-${tag}-${operationId}`
  // A click that lands while Swagger UI is still rendering (after a reload it restores the
  // authorization and renders again) can be lost, and the panel then never opens: in a full
  // suite on a busy machine this waited out its 30 s once. Click again until it says it is open.
  for (let attempt = 1; attempt <= 10; attempt++) {
    if (await page.$(`${selector}.is-open`) === null) await page.click(`${selector} .opblock-summary-control`)
    try {
      await page.waitForSelector(`${selector} .opblock-body`, { timeout: 3000 })
      return selector
    } catch {}
  }
  throw new Error(`${selector} did not open after 10 clicks`)
}

const skip = chromium === undefined ? 'no Chromium here (apt-get install -y chromium, or set CHROMIUM_PATH)' : false

t.test('the Swagger page in headless Chromium: operations, examples, Authorize that survives a reload', { skip }, async (t) => {
  const app = await build(t)
  const port = await listen(app)
  const document = (await app.inject({ method: 'GET', url: '/swagger/json' })).json()
  const operations = Object.values(document.paths as Record<string, object>).reduce((n, methods) => n + Object.keys(methods).length, 0)
  const user = await createUser(app, { nickname: '브라우저' })

  // --no-sandbox: Chromium refuses to sandbox as root, which is how CI and containers run.
  const browser = await puppeteer.launch({ executablePath: chromium!, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
  t.teardown(async () => await browser.close())
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`))
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })

  await page.goto(`http://127.0.0.1:${port}/swagger`)
  await page.waitForSelector('.opblock')
  t.equal(await page.$$eval('.opblock', blocks => blocks.length), operations, `all ${operations} operations are listed`)

  // A request body offers its named examples, ready to send.
  const signup = await openOperation(page, 'auth', 'signup')
  const exampleNames = await page.$$eval(`${signup} .examples-select option`, options => options.map(o => o.textContent))
  t.ok(exampleNames.some(name => name?.includes('한국어')) && exampleNames.some(name => name?.includes('English')), `signup offers both examples (${exampleNames.join(', ')})`)
  t.match(await page.$eval(`${signup} .body-param__example, ${signup} .highlight-code`, el => el.textContent), /jinho/, 'the Korean sample is shown')

  // Authorize once with a real token.
  await page.click('.auth-wrapper .authorize')
  await page.waitForSelector('.modal-ux input[type=text]')
  await page.type('.modal-ux input[type=text]', user.token)
  await page.click('.modal-ux .auth-btn-wrapper .authorize')
  await page.click('.modal-ux .btn-done')

  // After a reload, a call from the page still carries it.
  await page.reload()
  await page.waitForSelector('.opblock')
  const me = await openOperation(page, 'auth', 'getMe')
  await page.click(`${me} .try-out__btn`)
  await page.click(`${me} .execute`)
  await page.waitForSelector(`${me} .live-responses-table tbody .response-col_status`)
  t.equal((await page.$eval(`${me} .live-responses-table tbody .response-col_status`, el => el.textContent))?.trim(), '200', 'GET /auth/me from the page after a reload: 200')
  t.match(await page.$eval(`${me} .live-responses-table .microlight`, el => el.textContent), /브라우저/, 'and it is the authorized user')
  t.same(problems, [], 'no error in the page (a CSP violation included)')
})
