import { cellCpuUs, cellKey } from './http-bench.js'
import type { CellKey, RoundResult, SoloResult } from './http-bench.js'
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

function perWindow (round: RoundResult, key: CellKey): number[] {
  return round.windows.map((w) => {
    const samples = w[key]
    return samples === undefined ? Number.NaN : cellCpuUs(samples)
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
        const samples = round.windows.flatMap((w) => w[key] ?? [])
        cells.push({
          scenario,
          variant,
          windowCpuUs: cpu,
          cpuUs: bootstrapMedian(cpu),
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
