// The password hasher's own process (started by plugins/password-hasher.ts). argon2id is CPU
// work by design; run at normal priority, two hashes saturate a two-core machine and the
// event loop that serves every other request waits for a core. Here all of the hashing
// threads run at low priority (nice 10): they get every idle cycle, but the service and its
// database always come first.
import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'
import { randomBytes } from 'node:crypto'
import argon2 from 'argon2'
import { ARGON2_OPTIONS, type HasherReply, type HasherRequest } from './plugins/password-hasher.js'

const LOW_PRIORITY = 10

/**
 * On Linux a nice value belongs to each thread, and threads inherit it only when created.
 * libuv's pool already exists here (the first hash started it), so every thread of this
 * process is lowered one by one. Elsewhere, the process's own priority is the best we have.
 */
function lowerPriority (): void {
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), LOW_PRIORITY)
  } catch {
    setPriority(0, LOW_PRIORITY)
  }
}

function send (reply: HasherReply): void {
  process.send?.(reply)
}

async function answer (request: HasherRequest): Promise<void> {
  try {
    const value = request.op === 'hash'
      ? await argon2.hash(request.password, ARGON2_OPTIONS)
      : await argon2.verify(request.hash, request.password)
    send({ type: 'result', id: request.id, value })
  } catch (error) {
    send({ type: 'error', id: request.id, message: (error as Error).message })
  }
}

// The dummy hash (for logins of unknown users) doubles as the warm-up that starts the pool.
const dummyHash = await argon2.hash(randomBytes(32).toString('base64'), ARGON2_OPTIONS)
lowerPriority()
process.on('message', (request: HasherRequest) => { void answer(request) })
// The service is gone (or closed us): nothing left to hash for.
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', dummyHash })
