// The service's side of the hasher process (hasher.ts): starts it, sends it argon2 work over
// IPC, and starts a new one if it dies. Concurrency is bounded by the caller
// (plugins/passwords.ts); this module only moves work and answers between processes.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import argon2 from 'argon2'

/** OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export type HasherRequest =
  | { id: number, op: 'hash', password: string }
  | { id: number, op: 'verify', hash: string, password: string }

export type HasherReply =
  | { type: 'ready', dummyHash: string }
  | { type: 'result', id: number, value: string | boolean }
  | { type: 'error', id: number, message: string }

// Omit that keeps the union's members apart.
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never

type Pending = { resolve: (value: string | boolean) => void, reject: (error: Error) => void }

export interface Hasher {
  hash: (password: string) => Promise<string>
  verify: (hash: string, password: string) => Promise<boolean>
  /** A hash of random bytes at the service's parameters, for logins of unknown users. */
  dummyHash: () => Promise<string>
  close: () => Promise<void>
}

const HASHER_ENTRY = fileURLToPath(new URL('../hasher.js', import.meta.url))

export class HasherGoneError extends Error {
  override name = 'HasherGoneError'
}

export function startHasher (onExit: (code: number | null) => void): Hasher {
  let child: ChildProcess | undefined
  let ready: Promise<string> | undefined
  let closing = false
  let nextId = 0
  const pending = new Map<number, Pending>()

  function spawn (): Promise<string> {
    const process = fork(HASHER_ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child = process
    ready = new Promise<string>((resolve, reject) => {
      process.on('message', (reply: HasherReply) => {
        if (reply.type === 'ready') return resolve(reply.dummyHash)
        const waiting = pending.get(reply.id)
        pending.delete(reply.id)
        if (reply.type === 'result') waiting?.resolve(reply.value)
        else waiting?.reject(new Error(`argon2: ${reply.message}`))
      })
      process.on('exit', (code) => {
        // Whatever it was doing is lost; the next request starts a new hasher.
        child = undefined
        ready = undefined
        reject(new HasherGoneError('the hasher process exited before it was ready'))
        for (const waiting of pending.values()) waiting.reject(new HasherGoneError('the hasher process exited'))
        pending.clear()
        if (!closing) onExit(code)
      })
    })
    ready.catch(() => {})
    return ready
  }

  async function call (request: WithoutId<HasherRequest>): Promise<string | boolean> {
    await (ready ?? spawn())
    const target = child
    if (target === undefined || !target.connected) throw new HasherGoneError('the hasher process exited')
    const id = nextId++
    return await new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      target.send({ ...request, id } as HasherRequest, (error) => {
        if (error === null) return
        pending.delete(id)
        reject(new HasherGoneError(error.message))
      })
    })
  }

  spawn()
  return {
    hash: async (password) => await call({ op: 'hash', password }) as string,
    verify: async (hash, password) => await call({ op: 'verify', hash, password }) as boolean,
    dummyHash: () => ready ?? spawn(),
    async close () {
      closing = true
      const running = child
      if (running === undefined) return
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve())
        running.disconnect()
      })
    }
  }
}
