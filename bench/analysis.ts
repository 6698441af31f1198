import { cellCpuUs, cellKey } from './http-bench.js'
import type { CellKey, RoundResult, ServerWindow, SoloResult } from './http-bench.js'
import type { HookResult } from './hooks.js'
import type { ProbeResult } from './probe.js'
import type { SwapResult } from './swap.js'
import type { Variant } from './scenarios.js'
import { bootstrapProcesses, median, perRequest, quantile, spreadOf } from './stats.js'
import type { Estimate, ProcessSeries, Spread } from './stats.js'

/**
 * One variant in one scenario. CPU figures are statistics over the variant's server processes, each
 * process reduced to its CPU per request over the steady windows (`bootstrapProcesses`: processes,
 * then their windows, resampled); ratios and differences are between those statistics.
 */
export interface CellMetrics {
  readonly scenario: string
  readonly variant: Variant
  /** Per-window CPU µs/request (median over processes), for comparisons of whole runs (bench/compare.ts). */
  readonly windowCpuUs: readonly number[]
  /** Each process's CPU (µs) and requests per steady window. */
  readonly processes: readonly ProcessSeries[]
  /** Each process's CPU µs/request over its steady windows. */
  readonly processCpuUs: readonly number[]
  /** Median over processes. */
  readonly cpuUs: Estimate
  /** Lower quartile over processes: the cost of a process without bad luck. */
  readonly lowerQuartileUs: Estimate
  /** Process-to-process spread of CPU µs/request. */
  readonly spreadUs: Spread
  /** Of the CPU per request, the part spent off the main thread (V8's GC/compiler workers, libuv). */
  readonly offMainUs: Estimate
  /** median(cell) / median(bare). */
  readonly ratioBare: Estimate | undefined
  /** median(cell) − median(bare) (µs). */
  readonly extraUs: Estimate | undefined
  /** median(plugin) / median(@fastify/cors) (plugin rows only). */
  readonly ratioFastifyCors: Estimate | undefined
  /** (plugin − bare) / (@fastify/cors − bare), on medians (plugin rows only). */
  readonly extraRatioFastifyCors: Estimate | undefined
  /** Each process's bytes allocated and requests over the allocation phase (one window each). */
  readonly allocation: readonly ProcessSeries[]
  /** Bytes allocated per request, median over processes. */
  readonly bytesPerRequest: Estimate | undefined
  /** Requests the allocation phase counted, all processes together. */
  readonly allocationRequests: number
  readonly solo: SoloResult | undefined
  readonly probe: ProbeResult | undefined
  readonly requestsPerWindow: number
  readonly errors: number
}

const UNSTEADY_FACTOR = 1.3

/**
 * Leading windows in which the round was visibly still warming up (a bare server costing over 1.3×
 * its median), at most half of them. A burst of load from elsewhere later in the round hits every
 * variant alike and stays in; a server still being optimised by V8 does not, so it is left out.
 */
export function steadyStart (round: RoundResult): number {
  const scores = round.windows.map(() => 0)
  for (const scenario of round.scenarios) {
    const bare = round.windows.map((w) => cellCpuUs(w[cellKey(scenario, 'bare')] ?? []))
    const typical = median(bare)
    bare.forEach((value, i) => { scores[i] = Math.max(scores[i] as number, value / typical) })
  }
  let start = 0
  while (start < Math.floor(scores.length / 2) && (scores[start] as number) > UNSTEADY_FACTOR) start++
  return start
}

function perWindow (round: RoundResult, key: CellKey, measure: (samples: readonly ServerWindow[]) => number = cellCpuUs): number[] {
  return round.windows.slice(steadyStart(round)).map((w) => {
    const samples = w[key]
    return samples === undefined ? Number.NaN : measure(samples)
  })
}

/** Each process of a cell: what it spent (`amount`, µs by default: CPU) and answered, per steady window. */
function processSeries (round: RoundResult, key: CellKey, amount: (s: ServerWindow) => number = (s) => s.cpuNs / 1000): ProcessSeries[] {
  const byReplica = new Map<number, Array<{ amount: number, requests: number }>>()
  for (const window of round.windows.slice(steadyStart(round))) {
    for (const sample of window[key] ?? []) {
      if (sample.requests <= 0) continue
      let series = byReplica.get(sample.replica)
      if (series === undefined) byReplica.set(sample.replica, series = [])
      series.push({ amount: amount(sample), requests: sample.requests })
    }
  }
  return [...byReplica.values()]
}

/** Each process of a cell: bytes allocated and requests answered, per window of the allocation phase. */
function allocationSeries (round: RoundResult, key: CellKey): ProcessSeries[] {
  const byReplica = new Map<number, Array<{ amount: number, requests: number }>>()
  for (const sample of round.allocation[key] ?? []) {
    if (sample.requests <= 0 || !Number.isFinite(sample.bytes)) continue
    let series = byReplica.get(sample.replica)
    if (series === undefined) byReplica.set(sample.replica, series = [])
    series.push({ amount: sample.bytes, requests: sample.requests })
  }
  return [...byReplica.values()]
}

const med = (values: readonly number[] | undefined): number => median(values ?? [])

/** Statistics over processes that a cell and the targets use (each with its two-level bootstrap interval). */
export const over = {
  median: (a: readonly ProcessSeries[]): Estimate => bootstrapProcesses([a], ([x]) => med(x)),
  lowerQuartile: (a: readonly ProcessSeries[]): Estimate => bootstrapProcesses([a], ([x]) => quantile(x ?? [], 0.25)),
  ratio: (a: readonly ProcessSeries[], b: readonly ProcessSeries[]): Estimate => bootstrapProcesses([a, b], ([x, y]) => med(x) / med(y)),
  difference: (a: readonly ProcessSeries[], b: readonly ProcessSeries[]): Estimate => bootstrapProcesses([a, b], ([x, y]) => med(x) - med(y)),
  /** (a − b) / (c − d) */
  ratioOfDifferences: (a: readonly ProcessSeries[], b: readonly ProcessSeries[], c: readonly ProcessSeries[], d: readonly ProcessSeries[]): Estimate =>
    bootstrapProcesses([a, b, c, d], ([w, x, y, z]) => (med(w) - med(x)) / (med(y) - med(z))),
  /** (a − b) / c */
  differenceOver: (a: readonly ProcessSeries[], b: readonly ProcessSeries[], c: readonly ProcessSeries[]): Estimate =>
    bootstrapProcesses([a, b, c], ([x, y, z]) => (med(x) - med(y)) / med(z)),
  /** (a / b) / (c / d) − 1 */
  ratioChange: (a: readonly ProcessSeries[], b: readonly ProcessSeries[], c: readonly ProcessSeries[], d: readonly ProcessSeries[]): Estimate =>
    bootstrapProcesses([a, b, c, d], ([w, x, y, z]) => (med(w) / med(x)) / (med(y) / med(z)) - 1)
}

export function analyseRounds (rounds: readonly RoundResult[]): CellMetrics[] {
  const cells: CellMetrics[] = []
  for (const round of rounds) {
    for (const scenario of round.scenarios) {
      const bare = processSeries(round, cellKey(scenario, 'bare'))
      const fastifyCors = processSeries(round, cellKey(scenario, 'fastify-cors'))
      const hasBare = bare.length > 0
      const hasFastifyCors = fastifyCors.length > 0
      for (const variant of round.variants) {
        const key = cellKey(scenario, variant)
        const processes = processSeries(round, key)
        if (processes.length === 0) continue
        const isPlugin = variant === 'plugin'
        const samples = round.windows.slice(steadyStart(round)).flatMap((w) => w[key] ?? [])
        const processCpuUs = processes.map(perRequest)
        const allocation = allocationSeries(round, key)
        cells.push({
          scenario,
          variant,
          windowCpuUs: perWindow(round, key),
          processes,
          processCpuUs,
          cpuUs: over.median(processes),
          lowerQuartileUs: over.lowerQuartile(processes),
          spreadUs: spreadOf(processCpuUs),
          offMainUs: over.median(processSeries(round, key, (s) => (s.cpuNs - s.mainCpuNs) / 1000)),
          ratioBare: hasBare ? over.ratio(processes, bare) : undefined,
          extraUs: hasBare ? over.difference(processes, bare) : undefined,
          ratioFastifyCors: isPlugin && hasFastifyCors ? over.ratio(processes, fastifyCors) : undefined,
          extraRatioFastifyCors: isPlugin && hasFastifyCors && hasBare ? over.ratioOfDifferences(processes, bare, fastifyCors, bare) : undefined,
          allocation,
          bytesPerRequest: allocation.length > 0 ? over.median(allocation) : undefined,
          allocationRequests: allocation.reduce((sum, p) => sum + p.reduce((s, w) => s + w.requests, 0), 0),
          solo: round.solo[key],
          probe: round.probes[key],
          requestsPerWindow: median(samples.map((s) => s.requests)),
          errors: samples.reduce((sum, s) => sum + s.errors, 0)
        })
      }
    }
  }
  return cells
}

export function findCell (cells: readonly CellMetrics[], scenario: string, variant: Variant): CellMetrics | undefined {
  return cells.find((c) => c.scenario === scenario && c.variant === variant)
}

/** Window by window, a cell's CPU per request ÷ bare's (for comparisons of whole runs, bench/compare.ts). */
export function ratioSeries (cell: CellMetrics, bare: CellMetrics | undefined): number[] {
  if (bare === undefined) return [...cell.windowCpuUs]
  return cell.windowCpuUs.map((x, i) => x / (bare.windowCpuUs[i] as number))
}

// --- targets ---------------------------------------------------------------------------------

/** A target is met only when its whole interval is within the limit. */
export type TargetStatus = 'met' | 'not met, CI crosses limit' | 'missed' | 'missed, CI crosses limit' | 'not measured' | 'not judged: different answer'

export interface TargetResult {
  readonly target: string
  /** The scenario a missed target profiles (none for start-up). */
  readonly scenario: string | undefined
  readonly limit: string
  readonly measured: Estimate | undefined
  readonly format: (value: number) => string
  /** For context: the same quantity for @fastify/cors, when meaningful. */
  readonly reference: string
  readonly status: TargetStatus
}

const us = (value: number): string => `${value.toFixed(2)} µs`
const ratio = (value: number): string => `${value.toFixed(3)}×`
const percent = (value: number): string => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`
const ms = (value: number): string => `${value.toFixed(0)} ms`

function statusOf (estimate: Estimate | undefined, ok: (value: number) => boolean): TargetStatus {
  if (estimate === undefined || !Number.isFinite(estimate.value)) return 'not measured'
  const bounds = [estimate.low, estimate.high].filter(Number.isFinite)
  const boundsAgree = bounds.every((b) => ok(b) === ok(estimate.value))
  if (ok(estimate.value)) return boundsAgree ? 'met' : 'not met, CI crosses limit'
  return boundsAgree ? 'missed' : 'missed, CI crosses limit'
}

function target (
  scenario: string | undefined, name: string, limit: string, measured: Estimate | undefined, format: (v: number) => string,
  ok: (v: number) => boolean, reference = ''
): TargetResult {
  return { target: name, scenario, limit, measured, format, reference, status: statusOf(measured, ok) }
}

function extraTarget (cells: readonly CellMetrics[], scenario: string, name: string, maxUs: number): TargetResult {
  const plugin = findCell(cells, scenario, 'plugin')
  const fastifyCors = findCell(cells, scenario, 'fastify-cors')
  const bare = findCell(cells, scenario, 'bare')
  const floor = findCell(cells, scenario, 'hooks-floor')
  const headersFloor = findCell(cells, scenario, 'headers-floor')
  const reference = [
    fastifyCors?.extraUs !== undefined && bare !== undefined ? `@fastify/cors ${us(fastifyCors.extraUs.value)} over bare ${us(bare.cpuUs.value)}` : '',
    floor?.extraUs !== undefined ? `empty onRequest+onSend hooks ${us(floor.extraUs.value)}` : '',
    headersFloor?.extraUs !== undefined ? `the same hooks writing the same headers as constants ${formatEstimate(headersFloor.extraUs, us)}` : ''
  ].filter((part) => part !== '').join('; ')
  return target(scenario, name, `≤ ${maxUs} µs over bare`, plugin?.extraUs, us, (v) => v <= maxUs, reference)
}

function processesOf (cells: readonly CellMetrics[], scenario: string, variant: Variant): readonly ProcessSeries[] {
  return findCell(cells, scenario, variant)?.processes ?? []
}

function scaleTarget (cells: readonly CellMetrics[], scenario: string, name: string, maxChange = 0.05): TargetResult {
  const of = (s: string, v: Variant): readonly ProcessSeries[] => processesOf(cells, s, v)
  const change = (variant: Variant): Estimate | undefined => of(scenario, variant).length > 0 && of('simple-get', variant).length > 0
    ? over.ratioChange(of(scenario, variant), of(scenario, 'bare'), of('simple-get', variant), of('simple-get', 'bare'))
    : undefined
  const fastifyCors = change('fastify-cors')
  const heapFloor = findCell(cells, scenario, 'heap-floor')
  const reference = [
    fastifyCors !== undefined ? `@fastify/cors ${percent(fastifyCors.value)}` : '',
    heapFloor?.ratioBare !== undefined ? `bare Fastify merely holding a Set of the same origins ${percent(heapFloor.ratioBare.value - 1)} over bare` : ''
  ].filter((part) => part !== '').join('; ')
  return target(scenario, name, `≤ +${(maxChange * 100).toFixed(0)}% vs 1 origin`, change('plugin'), percent, (v) => v <= maxChange, reference)
}

/**
 * Judged on what the CORS layer adds over bare Fastify: Node's own parsing of a 16 KiB header costs
 * bare Fastify as much as any variant, and is no part of the plugin's bounded work.
 */
function adversarialTarget (cells: readonly CellMetrics[], scenario: string, name: string): TargetResult {
  const of = (s: string, v: Variant): readonly ProcessSeries[] => processesOf(cells, s, v)
  const versusPreflight = (variant: Variant): Estimate | undefined => of(scenario, variant).length > 0 && of('preflight', variant).length > 0
    ? over.ratioOfDifferences(of(scenario, variant), of(scenario, 'bare'), of('preflight', variant), of('preflight', 'bare'))
    : undefined
  const fastifyCors = versusPreflight('fastify-cors')
  const pluginTotal = findCell(cells, scenario, 'plugin')
  const preflightTotal = findCell(cells, 'preflight', 'plugin')
  const reference = [
    fastifyCors !== undefined ? `@fastify/cors ${ratio(fastifyCors.value)}` : '',
    pluginTotal !== undefined && preflightTotal !== undefined
      ? `whole request incl. Node's header parsing: ${ratio(pluginTotal.cpuUs.value / preflightTotal.cpuUs.value)}`
      : ''
  ].filter((part) => part !== '').join('; ')
  return target(scenario, name, '≤ 2× a normal preflight (CPU over bare)', versusPreflight('plugin'), ratio, (v) => v <= 2, reference)
}

const bytes = (value: number): string => `${value.toFixed(0)} B`

/** Bytes per request the plugin allocates over the headers floor (the same answer written as constants). */
function allocationTarget (cells: readonly CellMetrics[], scenario: string, name: string, maxBytes: number): TargetResult {
  const plugin = findCell(cells, scenario, 'plugin')
  const floor = findCell(cells, scenario, 'headers-floor')
  const measured = plugin !== undefined && floor !== undefined && plugin.allocation.length > 0 && floor.allocation.length > 0
    ? over.difference(plugin.allocation, floor.allocation)
    : undefined
  const perRequestOf = (variant: Variant): string => {
    const value = findCell(cells, scenario, variant)?.bytesPerRequest?.value
    return value === undefined ? '' : `${VARIANT_SHORT[variant]} ${bytes(value)}`
  }
  const counted = Math.min(plugin?.allocationRequests ?? 0, floor?.allocationRequests ?? 0)
  const reference = [
    ['bare', 'headers-floor', 'plugin', 'fastify-cors'].map((v) => perRequestOf(v as Variant)).filter((p) => p !== '').join(', ') + ' per request',
    `over ≥ ${counted.toLocaleString('en-US')} requests per variant`
  ].join('; ')
  return target(scenario, name, `≤ ${maxBytes} B per request over the headers floor`, measured, bytes, (v) => v <= maxBytes, reference)
}

const VARIANT_SHORT: Readonly<Record<Variant, string>> = {
  bare: 'bare',
  'router-floor': 'router floor',
  'hooks-floor': 'hooks floor',
  'headers-floor': 'headers floor',
  'heap-floor': 'heap floor',
  plugin: 'plugin',
  'fastify-cors': '@fastify/cors'
}

/**
 * CPU the plugin adds over the headers floor, as a fraction of a bare request. Where the HTTP interval
 * is wider than the limit, the in-process hook timing (bench/hooks.ts) is shown next to it.
 */
function floorCpuTarget (
  cells: readonly CellMetrics[], hooks: readonly HookResult[], scenario: string, name: string, maxFraction: number
): TargetResult {
  const plugin = processesOf(cells, scenario, 'plugin')
  const floor = processesOf(cells, scenario, 'headers-floor')
  const bare = processesOf(cells, scenario, 'bare')
  const measured = plugin.length > 0 && floor.length > 0 && bare.length > 0 ? over.differenceOver(plugin, floor, bare) : undefined
  const bareUs = findCell(cells, scenario, 'bare')?.cpuUs.value
  const differenceUs = plugin.length > 0 && floor.length > 0 ? over.difference(plugin, floor) : undefined
  const wide = measured !== undefined && Number.isFinite(measured.low) ? measured.high - measured.low > maxFraction : measured !== undefined
  const ns = (v: number): string => `${v.toFixed(0)} ns`
  const timed = (hook: HookResult): string => `plugin hooks − floor hooks ${formatEstimate(hook.differenceNs, ns)} = ${formatEstimate(hook.differenceOfBare, percent)}` +
    ` of a bare request in process (${formatEstimate(hook.bareNs, ns)}; ${statusOf(hook.differenceOfBare, (v) => v <= maxFraction)})` +
    (hook.specMinimumOfBare === undefined
      ? ''
      : `, where the SPEC minimum (bench/spec-minimum.ts) − floor hooks is ${formatEstimate(hook.specMinimumOfBare, percent)}` +
        (hook.specMinimumOfBare.low > maxFraction ? ': over the limit, so no layer on these hooks that does what SPEC requires can meet it' : ''))
  const injected = hooks.find((h) => h.scenario === scenario && h.transport === 'inject')
  const overHttp = hooks.find((h) => h.scenario === scenario && h.transport === 'http')
  const inProcess = [
    injected !== undefined ? `in process through app.inject(), ${timed(injected)}` : '',
    overHttp !== undefined ? `in process over loopback HTTP, ${timed(overHttp)}` : ''
  ].filter((part) => part !== '').join('; ')
  const prefix = inProcess !== '' && wide ? 'HTTP interval wider than the limit; ' : ''
  const reference = [
    differenceUs !== undefined ? `plugin − floor ${formatEstimate(differenceUs, us)}` : '',
    bareUs !== undefined ? `bare ${us(bareUs)}` : '',
    prefix + inProcess
  ].filter((part) => part !== '').join('; ')
  return target(scenario, name, `≤ ${(maxFraction * 100).toFixed(0)}% of bare over the headers floor`, measured, percent, (v) => v <= maxFraction, reference)
}

/**
 * Same work: the same status and the same Access-Control-Allow-Origin (the same decision); other
 * differences (an ACAC on a refusal, an echoed ACRH) are listed in the probes table.
 */
function sameWork (plugin: ProbeResult | undefined, fastifyCors: ProbeResult | undefined): boolean {
  return plugin !== undefined && fastifyCors !== undefined && plugin.status === fastifyCors.status &&
    plugin.headers['access-control-allow-origin'] === fastifyCors.headers['access-control-allow-origin']
}

function fastifyCorsTargets (cells: readonly CellMetrics[]): TargetResult[] {
  const scenarios = [...new Set(cells.filter((c) => c.variant === 'fastify-cors').map((c) => c.scenario))]
  return scenarios.map((scenario) => {
    const plugin = findCell(cells, scenario, 'plugin')
    const fastifyCors = findCell(cells, scenario, 'fastify-cors')
    const name = `${scenario}: plugin's CPU over bare ÷ @fastify/cors's`
    if (!sameWork(plugin?.probe, fastifyCors?.probe)) {
      return { ...target(scenario, name, '≤ 0.8', undefined, ratio, () => false), status: 'not judged: different answer' as const, reference: 'the two answer differently (see Probes)' }
    }
    return target(scenario, name, '≤ 0.8', plugin?.extraRatioFastifyCors, ratio, (v) => v <= 0.8,
      plugin?.extraUs !== undefined && fastifyCors?.extraUs !== undefined
        ? `plugin ${formatEstimate(plugin.extraUs, us)}, @fastify/cors ${formatEstimate(fastifyCors.extraUs, us)} over bare`
        : '')
  })
}

export interface StartupMeasurement {
  readonly plugin: Estimate | undefined
  readonly fastifyCors: Estimate | undefined
  readonly bare: Estimate | undefined
}

/** p99 latency while a 100 000-origin list is replaced back to back, over p99 before (bench/swap.ts), median over pairs of phases. */
function swapTarget (swap: SwapResult | undefined): TargetResult {
  const latency = (value: number): string => `${value.toFixed(2)} ms`
  const reference = swap === undefined
    ? ''
    : `p99 ${formatEstimate(swap.steadyP99Ms, latency)} before, ${formatEstimate(swap.swappingP99Ms, latency)} during ${swap.swapsCompleted} swaps (${formatEstimate(swap.msPerSwap, ms)} each)`
  return target(undefined, 'list swap of 100 000 origins: p99 latency during swaps ÷ before', '≤ 2×', swap?.p99Ratio, ratio, (v) => v <= 2, reference)
}

export function evaluateTargets (cells: readonly CellMetrics[], startup: StartupMeasurement, hooks: readonly HookResult[] = [], swap?: SwapResult): TargetResult[] {
  const disallowed = findCell(cells, 'disallowed', 'plugin')
  const regexps = findCell(cells, 'regexp-100', 'plugin')
  return [
    allocationTarget(cells, 'simple-get', 'simple allowed GET: allocation', 150),
    allocationTarget(cells, 'no-origin', 'GET without Origin: allocation', 150),
    allocationTarget(cells, 'preflight', 'allowed preflight: allocation', 150),
    allocationTarget(cells, 'disallowed', 'refusal (disallowed origin): allocation', 400),
    floorCpuTarget(cells, hooks, 'simple-get', 'simple allowed GET: CPU over the headers floor', 0.02),
    floorCpuTarget(cells, hooks, 'no-origin', 'GET without Origin: CPU over the headers floor', 0.02),
    floorCpuTarget(cells, hooks, 'preflight', 'preflight: CPU over the headers floor', 0.04),
    floorCpuTarget(cells, hooks, 'disallowed', 'disallowed origin: CPU over the headers floor', 0.04),
    floorCpuTarget(cells, hooks, 'regexp-100', '100 RegExps (match last): CPU over the headers floor', 0.04),
    floorCpuTarget(cells, hooks, 'list-10k', '10 000 exact origins (match last): CPU over the headers floor', 0.04),
    ...fastifyCorsTargets(cells),
    extraTarget(cells, 'simple-get', 'simple allowed GET: extra CPU', 0.6),
    extraTarget(cells, 'no-origin', 'GET without Origin: extra CPU', 0.4),
    extraTarget(cells, 'preflight', 'preflight: extra CPU', 0.9),
    target('disallowed', 'disallowed origin: plugin ÷ @fastify/cors', '< 1 (cheaper)', disallowed?.ratioFastifyCors, ratio, (v) => v < 1),
    scaleTarget(cells, 'list-100k', '100 000 exact origins vs 1 origin'),
    scaleTarget(cells, 'patterns-10k', '10 000 patterns vs 1 origin'),
    scaleTarget(cells, 'origin-function-cached', 'cached origin function (hit) vs a list of 1 origin', 0.10),
    target('regexp-100', '100 RegExps: CORS overhead ÷ @fastify/cors overhead', '≤ 0.75 (≥ 25% cheaper)', regexps?.extraRatioFastifyCors, ratio, (v) => v <= 0.75,
      regexps?.ratioFastifyCors !== undefined ? `total CPU ÷ @fastify/cors ${ratio(regexps.ratioFastifyCors.value)}` : ''),
    adversarialTarget(cells, 'adv-long-origin', 'adversarial 16 KiB Origin ÷ preflight'),
    adversarialTarget(cells, 'adv-acrh-commas', 'adversarial 8 KiB-comma ACRH ÷ preflight'),
    adversarialTarget(cells, 'adv-acrh-1000', 'adversarial 1 000-name ACRH ÷ preflight'),
    swapTarget(swap),
    target(undefined, 'start-up: register 100 000 origins + ready', '< 1000 ms', startup.plugin, ms, (v) => v < 1000,
      startup.fastifyCors !== undefined && startup.bare !== undefined
        ? `@fastify/cors ${ms(startup.fastifyCors.value)}, bare Fastify ${ms(startup.bare.value)}`
        : '')
  ]
}

export function formatEstimate (estimate: Estimate | undefined, format: (value: number) => string): string {
  if (estimate === undefined || !Number.isFinite(estimate.value)) return 'n/a'
  if (!Number.isFinite(estimate.low)) return format(estimate.value)
  return `${format(estimate.value)} [${format(estimate.low)}, ${format(estimate.high)}]`
}
