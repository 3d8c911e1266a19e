// The only place that builds the real instance and listens. Loads configuration (refusing to
// start on a bad value, with one line naming it), closes gracefully on SIGTERM/SIGINT.
import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import app, { serverOptions } from './app.js'
import { ConfigError, loadConfig } from './plugins/config.js'
import { DatabaseUnreachableError } from './plugins/db.js'
import type { Config } from './schemas/config.js'

function loadConfigOrExit (): Config {
  try {
    return loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(error.message + '\n')
    process.exit(1)
  }
}

const config = loadConfigOrExit()
const fastify = Fastify(serverOptions(config))

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT * 1000 }, async function shutdown ({ signal, err }) {
  if (err !== undefined) fastify.log.error({ err }, 'shutting down after an uncaught error')
  else fastify.log.info({ signal }, 'shutting down')
  await fastify.close()
})

try {
  await fastify.register(app, { config })
  await fastify.listen({ host: config.HOST, port: config.PORT })
} catch (error) {
  const message = error instanceof DatabaseUnreachableError ? error.message : `start failed: ${(error as Error).message}`
  // One line an operator can act on; the stack only for whoever turns on debug.
  fastify.log.debug({ err: error }, 'start failed')
  fastify.log.fatal(message)
  process.stderr.write(message + '\n')
  await fastify.close().catch(() => {})
  process.exit(1)
}
