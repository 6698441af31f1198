import { cellCpuUs, cellKey, cellOffMainUs } from './http-bench.js'
import type { CellKey, RoundResult, ServerWindow, SoloResult } from './http-bench.js'
import type { ProbeResult } from './probe.js'
import type { Variant } from './scenarios.js'
import { bootstrapMedian, median, ratioOfMedians } from './stats.js'
import type { Estimate } from './stats.js'

export interface CellMetrics {
  readonly scenario: string
  readonly variant: Variant
  /** Per-window CPU µs/request (median over processes). */
  readonly windowCpuUs: readonly number[]
  readonly cpuUs: Estimate
  /** Of the CPU per request, the part spent off the main thread (V8's GC/compiler workers, libuv). */
  readonly offMainUs: Estimate
  /** cell / bare, per window. */
  readonly ratioBare: Estimate | undefined
  /** cell − bare, per window (µs). */
  readonly extraUs: Estimate | undefined
  /** plugin / @fastify/cors, per window (plugin rows only). */
  readonly ratioFastifyCors: Estimate | undefined
  /** (plugin − bare) / (@fastify/cors − bare), per window (plugin rows only). */
  readonly extraRatioFastifyCors: Estimate | undefined
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

function pairwise (a: readonly number[], b: readonly number[], combine: (x: number, y: number) => number): number[] {
  return a.map((x, i) => combine(x, b[i] as number))
}

export function analyseRounds (rounds: readonly RoundResult[]): CellMetrics[] {
  const cells: CellMetrics[] = []
  for (const round of rounds) {
    for (const scenario of round.scenarios) {
      const bare = perWindow(round, cellKey(scenario, 'bare'))
      const fastifyCors = perWindow(round, cellKey(scenario, 'fastify-cors'))
      const hasBare = round.variants.includes('bare')
      const hasFastifyCors = fastifyCors.some(Number.isFinite)
      for (const variant of round.variants) {
        const key = cellKey(scenario, variant)
        const cpu = perWindow(round, key)
        if (!cpu.some(Number.isFinite)) continue
        const isPlugin = variant === 'plugin'
        const samples = round.windows.slice(steadyStart(round)).flatMap((w) => w[key] ?? [])
        cells.push({
          scenario,
          variant,
          windowCpuUs: cpu,
          cpuUs: bootstrapMedian(cpu),
          offMainUs: bootstrapMedian(perWindow(round, key, cellOffMainUs)),
          ratioBare: hasBare ? bootstrapMedian(pairwise(cpu, bare, (x, y) => x / y)) : undefined,
          extraUs: hasBare ? bootstrapMedian(pairwise(cpu, bare, (x, y) => x - y)) : undefined,
          ratioFastifyCors: isPlugin && hasFastifyCors ? bootstrapMedian(pairwise(cpu, fastifyCors, (x, y) => x / y)) : undefined,
          extraRatioFastifyCors: isPlugin && hasFastifyCors && hasBare
            ? bootstrapMedian(cpu.map((x, i) => (x - (bare[i] as number)) / ((fastifyCors[i] as number) - (bare[i] as number))))
            : undefined,
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

export function ratioSeries (cell: CellMetrics, bare: CellMetrics | undefined): number[] {
  if (bare === undefined) return [...cell.windowCpuUs]
  return pairwise(cell.windowCpuUs, bare.windowCpuUs, (x, y) => x / y)
}

// --- targets ---------------------------------------------------------------------------------

export type TargetStatus = 'met' | 'met, CI crosses limit' | 'missed' | 'missed, CI crosses limit' | 'not measured'

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
  if (ok(estimate.value)) return boundsAgree ? 'met' : 'met, CI crosses limit'
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

function scaleTarget (cells: readonly CellMetrics[], scenario: string, name: string): TargetResult {
  const plugin = findCell(cells, scenario, 'plugin')
  const base = findCell(cells, 'simple-get', 'plugin')
  const measured = plugin !== undefined && base !== undefined
    ? shift(ratioOfMedians(ratioSeries(plugin, findCell(cells, scenario, 'bare')), ratioSeries(base, findCell(cells, 'simple-get', 'bare'))), -1)
    : undefined
  const fastifyCors = findCell(cells, scenario, 'fastify-cors')
  const fastifyCorsBase = findCell(cells, 'simple-get', 'fastify-cors')
  const heapFloor = findCell(cells, scenario, 'heap-floor')
  const reference = [
    fastifyCors !== undefined && fastifyCorsBase !== undefined
      ? `@fastify/cors ${percent(ratioOfMedians(ratioSeries(fastifyCors, findCell(cells, scenario, 'bare')), ratioSeries(fastifyCorsBase, findCell(cells, 'simple-get', 'bare'))).value - 1)}`
      : '',
    heapFloor?.ratioBare !== undefined ? `bare Fastify merely holding a Set of the same origins ${percent(heapFloor.ratioBare.value - 1)} over bare` : ''
  ].filter((part) => part !== '').join('; ')
  return target(scenario, name, '≤ +5% vs 1 origin', measured, percent, (v) => v <= 0.05, reference)
}

function shift (estimate: Estimate, by: number): Estimate {
  return { value: estimate.value + by, low: estimate.low + by, high: estimate.high + by }
}

/** Per-window CPU the CORS layer adds over bare Fastify in the same round. */
function extraSeries (cells: readonly CellMetrics[], scenario: string, variant: 'plugin' | 'fastify-cors'): number[] | undefined {
  const cell = findCell(cells, scenario, variant)
  const bare = findCell(cells, scenario, 'bare')
  if (cell === undefined || bare === undefined) return undefined
  return cell.windowCpuUs.map((x, i) => x - (bare.windowCpuUs[i] as number))
}

/**
 * Judged on what the CORS layer adds over bare Fastify: Node's own parsing of a 16 KiB header costs
 * bare Fastify as much as any variant, and is no part of the plugin's bounded work.
 */
function adversarialTarget (cells: readonly CellMetrics[], scenario: string, name: string): TargetResult {
  const plugin = extraSeries(cells, scenario, 'plugin')
  const preflight = extraSeries(cells, 'preflight', 'plugin')
  const measured = plugin !== undefined && preflight !== undefined ? ratioOfMedians(plugin, preflight) : undefined
  const fastifyCors = extraSeries(cells, scenario, 'fastify-cors')
  const fastifyCorsPreflight = extraSeries(cells, 'preflight', 'fastify-cors')
  const pluginTotal = findCell(cells, scenario, 'plugin')
  const preflightTotal = findCell(cells, 'preflight', 'plugin')
  const reference = [
    fastifyCors !== undefined && fastifyCorsPreflight !== undefined ? `@fastify/cors ${ratio(ratioOfMedians(fastifyCors, fastifyCorsPreflight).value)}` : '',
    pluginTotal !== undefined && preflightTotal !== undefined
      ? `whole request incl. Node's header parsing: ${ratio(ratioOfMedians(pluginTotal.windowCpuUs, preflightTotal.windowCpuUs).value)}`
      : ''
  ].filter((part) => part !== '').join('; ')
  return target(scenario, name, '≤ 2× a normal preflight (CPU over bare)', measured, ratio, (v) => v <= 2, reference)
}

export interface StartupMeasurement {
  readonly plugin: Estimate | undefined
  readonly fastifyCors: Estimate | undefined
  readonly bare: Estimate | undefined
}

export function evaluateTargets (cells: readonly CellMetrics[], startup: StartupMeasurement): TargetResult[] {
  const disallowed = findCell(cells, 'disallowed', 'plugin')
  const regexps = findCell(cells, 'regexp-100', 'plugin')
  return [
    extraTarget(cells, 'simple-get', 'simple allowed GET: extra CPU', 0.6),
    extraTarget(cells, 'no-origin', 'GET without Origin: extra CPU', 0.4),
    extraTarget(cells, 'preflight', 'preflight: extra CPU', 0.9),
    target('disallowed', 'disallowed origin: plugin ÷ @fastify/cors', '< 1 (cheaper)', disallowed?.ratioFastifyCors, ratio, (v) => v < 1),
    scaleTarget(cells, 'list-100k', '100 000 exact origins vs 1 origin'),
    scaleTarget(cells, 'patterns-10k', '10 000 patterns vs 1 origin'),
    target('regexp-100', '100 RegExps: CORS overhead ÷ @fastify/cors overhead', '≤ 0.75 (≥ 25% cheaper)', regexps?.extraRatioFastifyCors, ratio, (v) => v <= 0.75,
      regexps?.ratioFastifyCors !== undefined ? `total CPU ÷ @fastify/cors ${ratio(regexps.ratioFastifyCors.value)}` : ''),
    adversarialTarget(cells, 'adv-long-origin', 'adversarial 16 KiB Origin ÷ preflight'),
    adversarialTarget(cells, 'adv-acrh-commas', 'adversarial 8 KiB-comma ACRH ÷ preflight'),
    adversarialTarget(cells, 'adv-acrh-1000', 'adversarial 1 000-name ACRH ÷ preflight'),
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
