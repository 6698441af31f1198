// One benchmark server: `server.ts <variant> <scenario>`. Prints `READY <port>` once listening on
// loopback; answers each `snapshot` line on stdin with `SNAPSHOT <cpu ns> <requests> <main-thread cpu ns>`,
// starts counting the bytes it allocates on `alloc-start` and answers `alloc-stop` with
// `ALLOC <bytes> <requests>` (both since `alloc-start`); exits on SIGTERM/SIGINT or as soon as its
// parent goes away (stdin closes).
import { GCProfiler, getHeapStatistics } from 'node:v8'
import { Worker } from 'node:worker_threads'
import { buildApp } from './app.js'
import { isVariant, scenarioByName } from './scenarios.js'

const [variant, scenarioName, injectLimitText] = process.argv.slice(2)
if (variant === undefined || !isVariant(variant) || scenarioName === undefined) {
  process.stderr.write('usage: server.ts <variant> <scenario> [inject warm-up limit ms]\n')
  process.exit(2)
}

const scenario = scenarioByName(scenarioName)
const app = await buildApp(variant, scenario)
await app.listen({ host: '127.0.0.1', port: 0 })

// Warm the JIT before the server is pinned to the shared core: the same request through
// app.inject() exercises routing, hooks and the CORS layer; the HTTP path warms under real load.
const WARMUP_INJECTIONS = 3000
const WARMUP_LIMIT_MS = Number(injectLimitText ?? 1500)
const warmupStarted = performance.now()
for (let i = 0; i < WARMUP_INJECTIONS && performance.now() - warmupStarted < WARMUP_LIMIT_MS; i++) {
  await app.inject({ method: scenario.request.method, url: scenario.request.path, headers: scenario.request.headers })
}

const address = app.server.address()
if (address === null || typeof address === 'string') throw new TypeError('expected a TCP address')

// The request count lives in shared memory, and a small worker thread answers the harness: it reads
// the count and /proc at the same instant while the load keeps running, and it answers at once even
// when the main thread works through a long batch of slow requests (a @fastify/cors server scanning
// 10 000 RegExps, sharing its core with dozens of others, would answer a snapshot seconds late).
const counter = new Int32Array(new SharedArrayBuffer(4))
let requests = 0
app.server.on('request', () => { requests = Atomics.add(counter, 0, 1) + 1 })

/** stdin's lines: `snapshot` answered in the worker, the rest (allocation) posted to the main thread. */
const SNAPSHOT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { existsSync, readdirSync, readFileSync, writeSync } = require('node:fs')
const { Socket } = require('node:net')
const { counter, pid } = workerData
const taskDir = '/proc/' + pid + '/task'
const schedstat = existsSync(taskDir + '/' + pid + '/schedstat')
function threadNs (tid) {
  try { return Number(readFileSync(taskDir + '/' + tid + '/schedstat', 'utf8').split(' ')[0]) } catch { return 0 }
}
function processNs () {
  if (schedstat) { let total = 0; for (const tid of readdirSync(taskDir)) total += threadNs(tid); return total }
  const stat = readFileSync('/proc/' + pid + '/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1e7
}
let pending = ''
// a pipe read through libuv's event loop, not a blocking read that would hold the process at exit
const stdin = new Socket({ fd: 0, readable: true, writable: false }).setEncoding('utf8')
stdin.on('data', (chunk) => {
  pending += chunk
  let newline = pending.indexOf('\\n')
  while (newline !== -1) {
    const command = pending.slice(0, newline)
    pending = pending.slice(newline + 1)
    newline = pending.indexOf('\\n')
    if (command === 'snapshot') {
      const requests = Atomics.load(counter, 0)
      writeSync(1, 'SNAPSHOT ' + processNs() + ' ' + requests + ' ' + (schedstat ? threadNs(pid) : NaN) + '\\n')
    } else {
      parentPort.postMessage(command)
    }
  }
})
stdin.on('end', () => { parentPort.postMessage('end') })
stdin.on('error', () => { parentPort.postMessage('end') })
`

/**
 * Bytes allocated on the JavaScript heap between `alloc-start` and `alloc-stop`: what the used heap grew
 * by between collections (V8's GC profiler records the used heap before and after each one), plus its
 * growth since the last. Only on while the allocation phase runs, never during the CPU windows.
 */
interface GcStatistics { beforeGC: { heapStatistics: { usedHeapSize: number } }, afterGC: { heapStatistics: { usedHeapSize: number } } }
let allocation: { profiler: GCProfiler, usedBefore: number, requestsBefore: number } | undefined

function allocStart (): void {
  allocation?.profiler.stop()
  const profiler = new GCProfiler()
  profiler.start()
  allocation = { profiler, usedBefore: getHeapStatistics().used_heap_size, requestsBefore: requests }
}

function allocStop (): string {
  if (allocation === undefined) return 'ALLOC NaN 0'
  const usedAfter = getHeapStatistics().used_heap_size
  const count = requests - allocation.requestsBefore
  const collections = allocation.profiler.stop().statistics as unknown as GcStatistics[]
  let bytes = 0
  let used = allocation.usedBefore
  for (const gc of collections) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - used
    used = gc.afterGC.heapStatistics.usedHeapSize
  }
  bytes += usedAfter - used
  allocation = undefined
  return `ALLOC ${bytes} ${count}`
}

let closing = false
function shutdown (): void {
  if (closing) return
  closing = true
  // process.exit (not a kill) so that `node --cpu-prof` writes its profile.
  app.close().finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}

const worker = new Worker(SNAPSHOT_WORKER, { eval: true, workerData: { counter, pid: process.pid } })
worker.on('message', (command: string) => {
  if (command === 'alloc-start') { allocStart(); process.stdout.write('ALLOC-STARTED\n') }
  if (command === 'alloc-stop') process.stdout.write(allocStop() + '\n')
  if (command === 'end') shutdown()
})
worker.on('error', (error) => { process.stderr.write(`snapshot worker: ${error.message}\n`); shutdown() })
worker.unref()
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
process.stdout.write(`READY ${address.port}\n`)
