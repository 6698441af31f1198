import { cellCpuUs, cellKey, cellOffMainUs } from './http-bench.js'
import type { CellKey, RoundResult, ServerWindow, SoloResult } from './http-bench.js'
import type { ProbeResult } from './probe.js'
import type { Variant } from './scenarios.js'
import { bootstrap, bootstrapMedian, median } from './stats.js'
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

/** Ratio of two cells' per-window series (each reduced by its median), bootstrapped per round. */
export function crossRatio (numerator: readonly number[], denominator: readonly number[]): Estimate {
  return bootstrap([numerator, denominator], ([a, b]) => median(a as number[]) / median(b as number[]))
}

export function ratioSeries (cell: CellMetrics, bare: CellMetrics | undefined): number[] {
  if (bare === undefined) return [...cell.windowCpuUs]
  return pairwise(cell.windowCpuUs, bare.windowCpuUs, (x, y) => x / y)
}
