// The benchmark's model: the tests' fake chat-completions server (test/fake-model.ts) in its
// own process, answering at once unless the prompt asks it to think (`[think 50 ms]`).
// Started by bench/run.ts with PORT set; exits on SIGTERM.
import { FakeModel } from '../test/fake-model.js'

const model = await FakeModel.start(Number(process.env.PORT ?? 0))
model.mode = 'thinking'
model.recording = false
process.stdout.write(`listening ${model.url}\n`)

process.on('SIGTERM', () => {
  model.close().then(() => process.exit(0), () => process.exit(1))
})
