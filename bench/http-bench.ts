import { loadFor, sleep } from './load.js'
import type { LoadGenerator } from './load.js'
import { probe } from './probe.js'
import type { ProbeResult } from './probe.js'
import { startServer, stopServers } from './processes.js'
import type { Allocation, CorePlan, RunningServer, Snapshot } from './processes.js'
import { scenarioByName } from './scenarios.js'
import type { Scenario, Variant } from './scenarios.js'
import type { ScriptEntry } from './entries.js'
import { median } from './stats.js'

export interface HttpBenchSettings {
  /** Server processes per variant: bare, the headers floor and the two CORS layers. */
  readonly replicas: number
  /** Server processes of the other diagnostic floors (router, hooks, heap). */
  readonly diagnosticReplicas: number
  /** Warm-up lasts at least `warmupMs`, then until every server's CPU/request is stable, at most `warmupMaxMs`. */
  readonly warmupMs: number
  readonly warmupMaxMs: number
  readonly windows: number
  readonly windowMs: number
  /** 0 skips the solo phase. */
  readonly soloMs: number
  /** Upper bound of each server's `app.inject()` warm-up before it listens. */
  readonly injectWarmupMs: number
  /** Extra Node/V8 flags for every server process (e.g. `--no-allocation-site-pretenuring`). */
  readonly nodeArgs?: readonly string[]
  /**
   * Allocation phase, after the CPU windows (the load keeps running): it lasts until every variant but
   * @fastify/cors has answered about `allocRequests` requests over its processes (estimated from the
   * windows' rate), at least `allocMinMs` and at most `allocMaxMs`.
   */
  readonly allocRequests: number
  readonly allocMinMs: number
  readonly allocMaxMs: number
}

const WARMUP_STEP_MS = 500
const WARMUP_TOLERANCE = 0.1

async function snapshotAll (servers: readonly RunningServer[]): Promise<Snapshot[]> {
  return await Promise.all(servers.map(async (s) => await s.snapshot()))
}

/**
 * Until V8 has optimised the hot paths, a fresh server costs several times its steady CPU per
 * request; wait until three consecutive steps agree within 10% for every server (or the limit).
 */
async function warmUp (servers: readonly RunningServer[], settings: HttpBenchSettings): Promise<number> {
  const started = performance.now()
  await sleep(settings.warmupMs)
  let previous = await snapshotAll(servers)
  const costs: number[][] = []
  const agree = (a: readonly number[], b: readonly number[]): boolean =>
    a.every((c, i) => Math.abs(c / (b[i] as number) - 1) < WARMUP_TOLERANCE)
  while (performance.now() - started < settings.warmupMaxMs) {
    await sleep(WARMUP_STEP_MS)
    const current = await snapshotAll(servers)
    costs.push(current.map((c, i) => {
      const p = previous[i] as Snapshot
      return (c.cpuNs - p.cpuNs) / Math.max(1, c.requests - p.requests)
    }))
    previous = current
    const [a, b, c] = costs.slice(-3)
    if (a !== undefined && b !== undefined && c !== undefined && agree(c, b) && agree(b, a)) break
  }
  return performance.now() - started
}

export type CellKey = `${string}|${Variant}`
export function cellKey (scenario: string, variant: Variant): CellKey {
  return `${scenario}|${variant}`
}

export interface ServerWindow {
  readonly replica: number
  readonly cpuNs: number
  /** Of which on the main thread; the rest ran on V8's workers (concurrent GC, compilers) and libuv's. */
  readonly mainCpuNs: number
  readonly requests: number
  /** Socket errors of the whole load (recorded on the last window). */
  readonly errors: number
}

export interface AllocationSample {
  readonly replica: number
  /** The allocation phase is cut into windows too, so that one process gives an interval. */
  readonly window: number
  readonly bytes: number
  readonly requests: number
}

export interface SoloResult {
  readonly requestsPerSecond: number
  readonly p99Ms: number
  readonly errors: number
}

export interface RoundResult {
  readonly scenarios: readonly string[]
  readonly variants: readonly Variant[]
  readonly servers: number
  /** windows[w][cell] = each replica's CPU time and responses during window w. */
  readonly windows: ReadonlyArray<Readonly<Record<CellKey, readonly ServerWindow[]>>>
  readonly solo: Readonly<Record<CellKey, SoloResult>>
  readonly probes: Readonly<Record<CellKey, ProbeResult>>
  /** allocation[cell] = each replica's bytes allocated and requests answered during the allocation phase. */
  readonly allocation: Readonly<Record<CellKey, readonly AllocationSample[]>>
  /** How long the allocation phase lasted (ms). */
  readonly allocationMs: number
}

/** How long the allocation phase must last for every variant but @fastify/cors to reach `allocRequests`. */
function allocationDuration (servers: readonly RunningServer[], lastWindow: Readonly<Record<CellKey, readonly ServerWindow[]>> | undefined, settings: HttpBenchSettings): number {
  let needed = settings.allocMinMs
  for (const server of servers) {
    if (server.variant === 'fastify-cors' || server.replica !== 0) continue
    const samples = lastWindow?.[cellKey(server.scenario, server.variant)] ?? []
    const perMs = samples.reduce((sum, s) => sum + s.requests, 0) / settings.windowMs
    needed = Math.max(needed, perMs > 0 ? 1.1 * settings.allocRequests / perMs : settings.allocMaxMs)
  }
  return Math.min(needed, settings.allocMaxMs)
}

const ALLOCATION_WINDOWS = 4
/** A server this many times slower than bare (same scenario, same replica number) is left out of the allocation phase. */
const SLOWEST_COUNTED = 20

/** Bytes each server allocates while the load keeps running (V8's GC profiler on only now), in a few windows. */
async function measureAllocation (servers: readonly RunningServer[], durationMs: number): Promise<Record<CellKey, AllocationSample[]>> {
  const allocation: Record<CellKey, AllocationSample[]> = {}
  for (let window = 0; window < ALLOCATION_WINDOWS; window++) {
    await Promise.all(servers.map(async (s) => { await s.allocStart() }))
    await sleep(durationMs / ALLOCATION_WINDOWS)
    const counts = await Promise.all(servers.map(async (s) => await s.allocStop()))
    servers.forEach((server, i) => {
      const count = counts[i] as Allocation
      ;(allocation[cellKey(server.scenario, server.variant)] ??= []).push({ replica: server.replica, window, bytes: count.bytes, requests: count.requests })
    })
  }
  return allocation
}

/** CPU µs per request of one cell in one window: median over its server processes. */
export function cellCpuUs (samples: readonly ServerWindow[]): number {
  return median(samples.filter((s) => s.requests > 0).map((s) => s.cpuNs / s.requests / 1000))
}

function variantsOf (scenario: Scenario, variants: readonly Variant[]): Variant[] {
  return variants.filter((v) => (v !== 'fastify-cors' || scenario.fastifyCorsOptions !== undefined) &&
    (v !== 'heap-floor' || scenario.retainedOrigins !== undefined) &&
    (v !== 'headers-floor' || scenario.headersFloor === true))
}

export async function runRound (
  scenarioNames: readonly string[], variants: readonly Variant[], settings: HttpBenchSettings,
  entry: ScriptEntry, cores: CorePlan, load: LoadGenerator, log: (line: string) => void
): Promise<RoundResult> {
  const wanted: Array<{ scenario: Scenario, variant: Variant, replica: number }> = []
  for (const name of scenarioNames) {
    const scenario = scenarioByName(name)
    for (const variant of variantsOf(scenario, variants)) {
      const replicas = variant === 'router-floor' || variant === 'hooks-floor' || variant === 'heap-floor' ? settings.diagnosticReplicas : settings.replicas
      for (let replica = 0; replica < replicas; replica++) wanted.push({ scenario, variant, replica })
    }
  }
  const started = performance.now()
  const servers: RunningServer[] = []
  try {
    const results = await Promise.allSettled(wanted.map(async (w) => await startServer(entry, cores, w.variant, w.scenario.name, w.replica, { injectWarmupMs: settings.injectWarmupMs, extraNodeArgs: settings.nodeArgs ?? [] })))
    for (const r of results) if (r.status === 'fulfilled') servers.push(r.value)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    log(`  ${servers.length} servers up in ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const probes: Record<CellKey, ProbeResult> = {}
    for (const server of servers) {
      if (server.replica !== 0) continue
      probes[cellKey(server.scenario, server.variant)] = await probe(server.port, scenarioByName(server.scenario).request)
    }

    // One continuous load over warm-up and all windows: connections stay open and the JIT stays
    // warm; windows are cut by snapshots taken inside each server.
    const targets = servers.map((s) => ({ port: s.port, request: scenarioByName(s.scenario).request }))
    const running = load.start(targets)
    const windows: Array<Record<CellKey, ServerWindow[]>> = []
    let errors: number[] = []
    let allocation: Record<CellKey, AllocationSample[]> = {}
    let allocationMs = 0
    try {
      const warmedMs = await warmUp(servers, settings)
      log(`  warm after ${(warmedMs / 1000).toFixed(1)} s`)
      let before = await snapshotAll(servers)
      for (let w = 0; w < settings.windows; w++) {
        await sleep(settings.windowMs)
        const after = await snapshotAll(servers)
        const window: Record<CellKey, ServerWindow[]> = {}
        servers.forEach((server, i) => {
          const start = before[i] as Snapshot
          const end = after[i] as Snapshot
          const sample = {
            replica: server.replica,
            cpuNs: end.cpuNs - start.cpuNs,
            mainCpuNs: end.mainCpuNs - start.mainCpuNs,
            requests: end.requests - start.requests,
            errors: 0
          }
          ;(window[cellKey(server.scenario, server.variant)] ??= []).push(sample)
        })
        windows.push(window)
        before = after
      }
      allocationMs = allocationDuration(servers, windows.at(-1), settings)
      // A server twenty times slower than bare (@fastify/cors scanning 10 000 RegExps) would count too
      // few requests to tell anything, and would answer each command seconds late: left out.
      const last = windows.at(-1) ?? {}
      const rate = (server: RunningServer, variant: Variant): number =>
        last[cellKey(server.scenario, variant)]?.find((s) => s.replica === server.replica)?.requests ?? 0
      const counted = servers.filter((server) => rate(server, server.variant) * SLOWEST_COUNTED >= rate(server, 'bare'))
      log(`  allocation phase: ${(allocationMs / 1000).toFixed(1)} s, ${counted.length} of ${servers.length} servers`)
      allocation = await measureAllocation(counted, allocationMs)
    } finally {
      errors = (await running.stop()).map((r) => r.errors)
    }
    servers.forEach((server, i) => {
      const last = windows.at(-1)?.[cellKey(server.scenario, server.variant)]?.find((s) => s.replica === server.replica)
      if (last !== undefined) Object.assign(last, { errors: errors[i] ?? 0 })
    })

    // for information only: the compared variants, not the diagnostic floors
    const solo: Record<CellKey, SoloResult> = {}
    for (const server of servers) {
      if (server.replica !== 0 || settings.soloMs === 0 || !['bare', 'plugin', 'fastify-cors'].includes(server.variant)) continue
      const [result] = await loadFor(load, [{ port: server.port, request: scenarioByName(server.scenario).request }], settings.soloMs)
      if (result === undefined) continue
      solo[cellKey(server.scenario, server.variant)] = {
        requestsPerSecond: result.requests / (result.durationMs / 1000), p99Ms: result.p99Ms, errors: result.errors
      }
    }
    return { scenarios: scenarioNames, variants, servers: servers.length, windows, solo, probes, allocation, allocationMs }
  } finally {
    await stopServers(servers)
  }
}
