// The service's entry point (`node dist/start.cjs`): prepares libuv's thread pool, then loads
// server.js. This file is CommonJS on purpose: an ES module entry is too late, because loading
// ES modules reads files on the pool and so starts it, and both settings below only take
// effect before the pool starts.
//
// - Its size. The pool runs argon2, and each hash holds 19 MiB that glibc keeps in the
//   thread's arena once freed: a pool wider than HASH_CONCURRENCY only adds threads that each
//   end up holding a block, for no throughput (never more than HASH_CONCURRENCY hashes run).
//   UV_THREADPOOL_SIZE, when set, wins. (The pool's other users here, dns.lookup when the
//   database connects and file reads for Swagger UI, wait behind at most one hash, ~40 ms.)
// - Its priority. The pool's threads are started by a short-lived worker thread that first
//   lowers its own priority (nice HASH_THREAD_NICE): threads inherit it, so when logins keep
//   every core busy hashing, the event loop (nice 0) still gets a core at once and answers
//   everything else on time. Hashes only yield the CPU; with cores to spare they run at full
//   speed. Linux only: elsewhere the pool keeps the process's priority.
//
// Running `node dist/server.js` directly also works, without these two.
import { Worker } from 'node:worker_threads'

const WHOLE_NUMBER = /^\d+$/

// The fallbacks are schemas/config.ts's defaults (importing it here would start the pool);
// test/server.test.ts checks they agree.
function setting (name: string, fallback: number): number {
  const text = process.env[name]
  // A malformed value is left for the configuration check in server.js to report.
  return text !== undefined && WHOLE_NUMBER.test(text) ? Number(text) : fallback
}

function startPoolFromLowPriorityThread (nice: number): Promise<void> {
  const worker = new Worker(`
    const { readdirSync, readFileSync, readlinkSync, stat } = require('node:fs')
    const { setPriority } = require('node:os')
    const { parentPort, workerData } = require('node:worker_threads')
    let failed
    try {
      // Linux's nice is per thread; /proc/thread-self names this thread's id.
      const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
      setPriority(tid, workerData.nice)
    } catch (error) {
      failed = String(error && error.message)
    }
    // The first use of the pool starts it, from this thread. Then count the threads that
    // inherited the priority: none if something had started the pool before this file ran.
    stat('.', () => {
      if (failed !== undefined) return parentPort.postMessage({ failed })
      let lowered = 0
      for (const tid of readdirSync('/proc/self/task')) {
        try {
          const fields = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')
          if (Number(fields[16]) === workerData.nice) lowered++
        } catch {}
      }
      parentPort.postMessage({ lowered: lowered - 1 }) // less this thread
    })
  `, { eval: true, workerData: { nice } })
  // Best effort: if the worker fails, the pool starts later at normal priority.
  return new Promise((resolve) => {
    worker.once('message', (message: { failed?: string, lowered?: number }) => {
      if (message.failed !== undefined) {
        process.emitWarning(`HASH_THREAD_NICE was not applied: ${message.failed}`)
      } else if (message.lowered === 0) {
        process.emitWarning('the thread pool had started before start.cjs ran (an --import in NODE_OPTIONS?): ' +
          'UV_THREADPOOL_SIZE and HASH_THREAD_NICE were not applied')
      }
      void worker.terminate().finally(resolve)
    })
    worker.once('error', () => resolve())
  })
}

async function main (): Promise<void> {
  process.env.UV_THREADPOOL_SIZE ??= String(setting('HASH_CONCURRENCY', 2))
  const nice = setting('HASH_THREAD_NICE', 10)
  if (process.platform === 'linux' && nice > 0) await startPoolFromLowPriorityThread(nice)
  await import('./server.js')
}

void main()
