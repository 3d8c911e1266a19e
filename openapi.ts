// `npm run openapi`: writes the document the service serves at /swagger/json to openapi.json,
// so client authors can read and diff the contract in review; test/openapi.test.ts fails when
// the committed file is not what the code produces. The document comes from the real app with
// default settings (the routes only exist once it is built), built without a database: nothing
// is started, connected or queried, and it never listens.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import app, { serverOptions } from './app.js'
import { loadConfig } from './plugins/config.js'

/** The document as the service serves it, in the stable text openapi.json holds. */
export async function documentText (fastify: FastifyInstance): Promise<string> {
  const res = await fastify.inject({ method: 'GET', url: '/swagger/json' })
  return JSON.stringify(res.json(), null, 2) + '\n'
}

/** The document of an app built with default settings and no database (nothing to start). */
export async function offlineDocumentText (): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent', JWT_SECRET: 'openapi-document-only-secret-0123456789abcdef' })
  const fastify = Fastify(serverOptions(config))
  try {
    await fastify.register(app, { config, connectDatabase: false })
    await fastify.ready()
    return await documentText(fastify)
  } finally {
    await fastify.close()
  }
}

async function main (): Promise<void> {
  const target = fileURLToPath(new URL('../openapi.json', import.meta.url))
  writeFileSync(target, await offlineDocumentText())
  process.stdout.write(`openapi: wrote ${target}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`openapi failed: ${(error as Error).message}\n`)
    process.exit(1)
  })
}
