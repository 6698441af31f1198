export function median (values: readonly number[]): number {
  return quantile(values, 0.5)
}

export function quantile (values: readonly number[], q: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  const low = sorted[lower] as number
  const high = sorted[upper] as number
  return low + (high - low) * (position - lower)
}

/** Deterministic PRNG (mulberry32) so that a report's intervals can be recomputed from its raw data. */
function random (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function resample (values: readonly number[], next: () => number): number[] {
  const out = new Array<number>(values.length)
  for (let i = 0; i < values.length; i++) out[i] = values[Math.floor(next() * values.length)] as number
  return out
}

export interface Estimate {
  readonly value: number
  readonly low: number
  readonly high: number
}

const RESAMPLES = 4000

/** Median of per-window values with a 95% percentile-bootstrap interval (windows resampled). */
export function bootstrapMedian (values: readonly number[], seed = 1): Estimate {
  return bootstrap([values], (samples) => median(samples[0] as number[]), seed)
}

/**
 * A statistic of several independent groups of per-window values (e.g. two rounds), with a 95%
 * percentile-bootstrap interval obtained by resampling each group's windows independently.
 */
export function bootstrap (groups: ReadonlyArray<readonly number[]>, statistic: (groups: number[][]) => number, seed = 1): Estimate {
  const clean = groups.map((g) => g.filter(Number.isFinite))
  const value = statistic(clean.map((g) => [...g]))
  if (clean.some((g) => g.length < 2)) return { value, low: Number.NaN, high: Number.NaN }
  const next = random(seed)
  const estimates: number[] = []
  for (let i = 0; i < RESAMPLES; i++) estimates.push(statistic(clean.map((g) => resample(g, next))))
  return { value, low: quantile(estimates, 0.025), high: quantile(estimates, 0.975) }
}

/**
 * median(numerator) ÷ median(denominator) of two independent series (two rounds, or two trees' runs),
 * with a 95% interval from resampling each series on its own.
 */
export function ratioOfMedians (numerator: readonly number[], denominator: readonly number[], seed = 1): Estimate {
  return bootstrap([numerator, denominator], ([a, b]) => median(a as number[]) / median(b as number[]), seed)
}

/** One server process: per window, what it spent (CPU ns, bytes allocated) and the requests it answered. */
export type ProcessSeries = ReadonlyArray<{ readonly amount: number, readonly requests: number }>

/** What a process spent per request over all its windows together. */
export function perRequest (series: ProcessSeries): number {
  let amount = 0
  let requests = 0
  for (const window of series) {
    amount += window.amount
    requests += window.requests
  }
  return requests > 0 ? amount / requests : Number.NaN
}

/**
 * A statistic of several groups of server processes (e.g. the plugin's and the floor's), computed on
 * each process's cost per request, with a 95% interval from a two-level bootstrap: the processes of
 * each group are resampled (process-to-process "luck" is the largest noise on a shared VM), then the
 * windows of each chosen process (a process with one window, such as an allocation count, keeps it).
 */
export function bootstrapProcesses (
  groups: ReadonlyArray<readonly ProcessSeries[]>, statistic: (values: number[][]) => number, seed = 1
): Estimate {
  const clean = groups.map((g) => g.filter((p) => Number.isFinite(perRequest(p))))
  const value = statistic(clean.map((g) => g.map(perRequest)))
  const resamplable = clean.every((g) => g.length >= 2 || (g.length === 1 && (g[0] as ProcessSeries).length >= 2))
  if (!Number.isFinite(value) || !resamplable) return { value, low: Number.NaN, high: Number.NaN }
  // flat arrays: this runs a few hundred times per report, 4 000 resamples each
  const flat = clean.map((g) => g.map((p) => ({
    amounts: Float64Array.from(p, (w) => w.amount),
    requests: Float64Array.from(p, (w) => w.requests)
  })))
  const next = random(seed)
  const estimates: number[] = []
  for (let i = 0; i < RESAMPLES; i++) {
    estimates.push(statistic(flat.map((g) => {
      const values = new Array<number>(g.length)
      for (let p = 0; p < g.length; p++) {
        const { amounts, requests } = g[Math.floor(next() * g.length)] as { amounts: Float64Array, requests: Float64Array }
        let amount = 0
        let count = 0
        for (let w = 0; w < amounts.length; w++) {
          const chosen = Math.floor(next() * amounts.length)
          amount += amounts[chosen] as number
          count += requests[chosen] as number
        }
        values[p] = count > 0 ? amount / count : Number.NaN
      }
      return values
    })))
  }
  return { value, low: quantile(estimates, 0.025), high: quantile(estimates, 0.975) }
}

export interface Spread {
  readonly min: number
  readonly q1: number
  readonly q3: number
  readonly max: number
}

export function spreadOf (values: readonly number[]): Spread {
  return { min: quantile(values, 0), q1: quantile(values, 0.25), q3: quantile(values, 0.75), max: quantile(values, 1) }
}
