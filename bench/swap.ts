// Latency while the allow-list is replaced: `swap.ts [--quick] [--no-pin]` prints one JSON object
// (SwapResult); `bench/run.ts` runs it. A server process (this script with `--serve`, pinned to the
// server core when taskset is there and `--no-pin` is not given)
// registers the plugin with 100 000 exact origins and answers GET /items; this process loads it with
// autocannon from an origin both lists allow, and alternates phases: A, steady load; B, the same load
// while the server replaces its list by another 100 000-origin list, back to back (`await
// app.corsPolicy.setOrigins(next)` in a loop). The two lists are built once, before measuring, so a
// swap costs what the plugin does with a fresh list (every entry differs from the list in force), not
// the making of the list. Every response's latency is recorded (autocannon's own timing of each
// request); a response counts for a phase when its request was sent and answered within it. Reported
// per phase: p50, p99 and max latency, the server's longest event-loop delay and the swaps completed;
// overall: the median over pairs (A then B) of p99(B) ÷ p99(A), with a bootstrap interval.
import type { ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { request } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import corsPolicy from '../lib/index.js'
import { installCleanup, isRunning, planCores, spawnTracked, stopChild } from './processes.js'
import { bootstrapMedian, quantile } from './stats.js'
import type { Estimate } from './stats.js'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
    // leave both processes unpinned, e.g. while another benchmark holds the server core
    'no-pin': { type: 'boolean', default: false },
    // smaller runs, for the harness test of this script's output
    origins: { type: 'string' },
    pairs: { type: 'string' },
    'phase-ms': { type: 'string' }
  }
})

const ORIGINS = Number(args.origins ?? 100_000)
const PAIRS = Number(args.pairs ?? (args.quick ? 4 : 10))
const PHASE_MS = Number(args['phase-ms'] ?? (args.quick ? 1800 : 2500))
const WARMUP_MS = args.quick ? 1500 : 3000
const CONNECTIONS = 8
/** Allowed by both lists, placed last in each. */
const REQUEST_ORIGIN = 'https://app.example.com'

/** Parent → server messages, and the server's answers. */
type Command = { readonly type: 'phase', readonly swapping: boolean } | { readonly type: 'end-phase' }
type Report =
  | { readonly type: 'ready', readonly port: number, readonly registerMs: number }
  | { readonly type: 'phase-started' }
  | { readonly type: 'phase-ended', readonly swaps: number, readonly swapMs: readonly number[], readonly loopDelayMaxMs: number }

export interface SwapPhase {
  readonly kind: 'steady' | 'swapping'
  readonly requests: number
  /** responses other than 2xx, and request errors */
  readonly errors: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  /** the server's longest event-loop delay in the phase (monitorEventLoopDelay, 1 ms resolution) */
  readonly loopDelayMaxMs: number
  /** swaps completed in the phase (the one in progress when it ends is waited for, outside the phase) */
  readonly swaps: number
  /** wall time of each swap, from the call to the promise settling */
  readonly swapMs: readonly number[]
}

export interface SwapResult {
  readonly origins: number
  readonly connections: number
  readonly phaseMs: number
  readonly pairs: number
  /** `register` + `ready()` of the server with its first list */
  readonly registerMs: number
  /** A, B, A, B, …: steady, then swapping, per pair */
  readonly phases: readonly SwapPhase[]
  /** Access-Control-Allow-Origin of one request before the phases, after the last swap, and the origin expected */
  readonly probe: { readonly before: string | undefined, readonly after: string | undefined, readonly expected: string }
  readonly steadyP99Ms: Estimate
  readonly swappingP99Ms: Estimate
  /** per pair p99(B) ÷ p99(A), median over pairs */
  readonly p99Ratio: Estimate
  readonly swapsCompleted: number
  /** median wall time of a swap under the load */
  readonly msPerSwap: Estimate
}

function originList (name: string, count: number): string[] {
  const list = Array.from({ length: count - 1 }, (_, i) => `https://${name}-tenant-${i}.example.com`)
  list.push(REQUEST_ORIGIN)
  return list
}

// --- the server -----------------------------------------------------------------------------------

async function serve (): Promise<void> {
  const send = (report: Report): void => { process.send?.(report) }
  const lists = [originList('a', ORIGINS), originList('b', ORIGINS)] as const
  const started = performance.now()
  const app = Fastify({ logger: false })
  await app.register(corsPolicy, { origin: lists[0], credentials: true })
  app.get('/items', async () => 'items')
  await app.ready()
  const registerMs = performance.now() - started
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  let inForce = 0
  /** the swapping of the current phase: `stop` ends it after the swap in progress */
  const phase = { stop: false, swapping: Promise.resolve({ swaps: 0, swapMs: [] as number[] }) }
  const swapLoop = async (): Promise<{ swaps: number, swapMs: number[] }> => {
    const swapMs: number[] = []
    while (!phase.stop) {
      const next = 1 - inForce
      const begun = performance.now()
      await app.corsPolicy.setOrigins(lists[next] as string[])
      swapMs.push(performance.now() - begun)
      inForce = next
      // one turn of the event loop between swaps, whatever a swap does inside
      await new Promise<void>((resolve) => { setImmediate(resolve) })
    }
    return { swaps: swapMs.length, swapMs }
  }
  const endPhase = async (): Promise<void> => {
    phase.stop = true
    const { swaps, swapMs } = await phase.swapping
    // the delay histogram is in nanoseconds
    send({ type: 'phase-ended', swaps, swapMs, loopDelayMaxMs: delay.max / 1e6 })
  }
  process.on('message', (command: Command) => {
    if (command.type === 'end-phase') {
      endPhase().catch((error: unknown) => {
        process.stderr.write(`swap server: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
        process.exit(1)
      })
      return
    }
    delay.reset()
    phase.stop = false
    phase.swapping = command.swapping ? swapLoop() : Promise.resolve({ swaps: 0, swapMs: [] })
    send({ type: 'phase-started' })
  })
  process.on('disconnect', () => {
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
  send({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0, registerMs })
}

// --- the load and the phases ------------------------------------------------------------------------

interface AutocannonInstance {
  stop: () => void
  on: (event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void) => void
}
type Autocannon = (options: object, done: (error: Error | null) => void) => AutocannonInstance

function nextReport (child: ChildProcess, type: Report['type']): Promise<Report> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: Report): void => {
      if (report.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(report)
    }
    const onExit = (code: number | null): void => { reject(new TypeError(`the swap server exited (${String(code)}) before '${type}'`)) }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

function allowOrigin (port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/items', headers: { origin: REQUEST_ORIGIN } }, (res) => {
      res.resume()
      res.on('end', () => { resolve(res.headers['access-control-allow-origin']) })
    })
    req.on('error', reject)
    req.end()
  })
}

/** One response: when its request was sent and answered (ms, this process's clock) and whether it was a 2xx. */
interface Sample { readonly sentAt: number, readonly answeredAt: number, readonly ok: boolean }

function phaseOf (samples: readonly Sample[], from: number, to: number, kind: SwapPhase['kind'], ended: Extract<Report, { type: 'phase-ended' }>): SwapPhase {
  const within = samples.filter((s) => s.sentAt >= from && s.answeredAt <= to)
  const latencies = within.filter((s) => s.ok).map((s) => s.answeredAt - s.sentAt)
  return {
    kind,
    requests: within.length,
    errors: within.length - latencies.length,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: quantile(latencies, 1),
    loopDelayMaxMs: ended.loopDelayMaxMs,
    swaps: ended.swaps,
    swapMs: ended.swapMs
  }
}

async function measure (): Promise<SwapResult> {
  installCleanup()
  const pinToServerCore = args['no-pin'] ? () => {} : planCores().pinToServerCore
  const script = process.argv[1] as string
  const extra = [args.origins === undefined ? [] : ['--origins', String(ORIGINS)]].flat()
  const server = spawnTracked(process.execPath, [...process.execArgv, script, '--serve', ...extra], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  try {
    const ready = await nextReport(server, 'ready') as Extract<Report, { type: 'ready' }>
    if (server.pid !== undefined) pinToServerCore(server.pid)
    const command = (message: Command): void => { server.send(message) }
    const before = await allowOrigin(ready.port)

    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon
    const samples: Sample[] = []
    let loadError: Error | null = null
    const load = autocannon({
      url: `http://127.0.0.1:${ready.port}/items`,
      headers: { origin: REQUEST_ORIGIN },
      connections: CONNECTIONS,
      duration: 3600
    }, (error) => { loadError = error })
    load.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      const answeredAt = performance.now()
      samples.push({ sentAt: answeredAt - responseTimeMs, answeredAt, ok: statusCode >= 200 && statusCode < 300 })
    })
    const pause = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms) })
    await pause(WARMUP_MS)

    const phases: SwapPhase[] = []
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const swapping of [false, true]) {
        const started = nextReport(server, 'phase-started')
        command({ type: 'phase', swapping })
        await started
        const from = performance.now()
        await pause(PHASE_MS)
        const to = performance.now()
        const ended = nextReport(server, 'phase-ended')
        command({ type: 'end-phase' })
        phases.push(phaseOf(samples, from, to, swapping ? 'swapping' : 'steady', await ended as Extract<Report, { type: 'phase-ended' }>))
      }
      // what was measured is kept in `phases`: the samples of the pairs before are no longer needed
      samples.length = 0
    }
    load.stop()
    if (loadError !== null) throw loadError
    const after = await allowOrigin(ready.port)

    const steady = phases.filter((p) => p.kind === 'steady')
    const swappingPhases = phases.filter((p) => p.kind === 'swapping')
    return {
      origins: ORIGINS,
      connections: CONNECTIONS,
      phaseMs: PHASE_MS,
      pairs: PAIRS,
      registerMs: ready.registerMs,
      phases,
      probe: { before, after, expected: REQUEST_ORIGIN },
      steadyP99Ms: bootstrapMedian(steady.map((p) => p.p99Ms)),
      swappingP99Ms: bootstrapMedian(swappingPhases.map((p) => p.p99Ms)),
      p99Ratio: bootstrapMedian(swappingPhases.map((p, i) => p.p99Ms / (steady[i] as SwapPhase).p99Ms)),
      swapsCompleted: swappingPhases.reduce((sum, p) => sum + p.swaps, 0),
      msPerSwap: bootstrapMedian(swappingPhases.flatMap((p) => p.swapMs))
    }
  } finally {
    if (isRunning(server)) {
      server.disconnect()
      await stopChild(server)
    }
  }
}

if (args.serve) {
  await serve()
} else {
  const result = await measure()
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
}
