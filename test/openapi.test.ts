// The committed openapi.json is what the code produces, and the document passes Redocly's
// recommended lint: client authors diff the file in review and generate clients from it.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { lintFromString, loadConfig } from '@redocly/openapi-core'
import { documentText, offlineDocumentText } from '../openapi.js'
import { build } from './helper.js'

const ROOT = new URL('../../', import.meta.url)
// Probes take no input and need no token: there is no 4xx they could give.
const NO_4XX_EXPECTED = new Set(['#/paths/~1health/get/responses', '#/paths/~1health~1ready/get/responses'])

t.test('openapi.json is current: `npm run openapi` writes what the code produces', async (t) => {
  const app = await build(t)
  const served = await documentText(app)
  const committed = readFileSync(new URL('openapi.json', ROOT), 'utf8')
  t.ok(served === committed, 'openapi.json is what the service serves (if not: run `npm run openapi` and commit it)')
  // `npm run openapi` builds the app without a database (a query would fail: its client points
  // at no-database.invalid): the same document.
  t.ok(await offlineDocumentText() === served, 'the document built without a database is the one served')
})

t.test('the document passes Redocly\'s recommended lint (test/redocly.yaml): no error, no warning', async (t) => {
  const app = await build(t)
  const config = await loadConfig({ configPath: fileURLToPath(new URL('test/redocly.yaml', ROOT)) })
  const problems = await lintFromString({ source: await documentText(app), absoluteRef: 'openapi.json', config })
  const findings = problems
    .filter(p => !(p.ruleId === 'operation-4xx-response' && NO_4XX_EXPECTED.has(p.location[0]?.pointer ?? '')))
    .map(p => `${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`)
  t.same(findings, [], 'nothing to report')
})
