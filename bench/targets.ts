import { crossRatio, findCell, ratioSeries } from './analysis.js'
import type { CellMetrics } from './analysis.js'
import type { Estimate } from './stats.js'

export type TargetStatus = 'met' | 'met, CI crosses limit' | 'missed' | 'missed, CI crosses limit' | 'not measured'

export interface TargetResult {
  readonly target: string
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
  name: string, limit: string, measured: Estimate | undefined, format: (v: number) => string, ok: (v: number) => boolean, reference = ''
): TargetResult {
  return { target: name, limit, measured, format, reference, status: statusOf(measured, ok) }
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
  return target(name, `≤ ${maxUs} µs over bare`, plugin?.extraUs, us, (v) => v <= maxUs, reference)
}

function scaleTarget (cells: readonly CellMetrics[], scenario: string, name: string): TargetResult {
  const plugin = findCell(cells, scenario, 'plugin')
  const base = findCell(cells, 'simple-get', 'plugin')
  const measured = plugin !== undefined && base !== undefined
    ? shift(crossRatio(ratioSeries(plugin, findCell(cells, scenario, 'bare')), ratioSeries(base, findCell(cells, 'simple-get', 'bare'))), -1)
    : undefined
  const fastifyCors = findCell(cells, scenario, 'fastify-cors')
  const fastifyCorsBase = findCell(cells, 'simple-get', 'fastify-cors')
  const heapFloor = findCell(cells, scenario, 'heap-floor')
  const reference = [
    fastifyCors !== undefined && fastifyCorsBase !== undefined
      ? `@fastify/cors ${percent(crossRatio(ratioSeries(fastifyCors, findCell(cells, scenario, 'bare')), ratioSeries(fastifyCorsBase, findCell(cells, 'simple-get', 'bare'))).value - 1)}`
      : '',
    heapFloor?.ratioBare !== undefined ? `bare Fastify merely holding a Set of the same origins ${percent(heapFloor.ratioBare.value - 1)} over bare` : ''
  ].filter((part) => part !== '').join('; ')
  return target(name, '≤ +5% vs 1 origin', measured, percent, (v) => v <= 0.05, reference)
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
  const measured = plugin !== undefined && preflight !== undefined ? crossRatio(plugin, preflight) : undefined
  const fastifyCors = extraSeries(cells, scenario, 'fastify-cors')
  const fastifyCorsPreflight = extraSeries(cells, 'preflight', 'fastify-cors')
  const pluginTotal = findCell(cells, scenario, 'plugin')
  const preflightTotal = findCell(cells, 'preflight', 'plugin')
  const reference = [
    fastifyCors !== undefined && fastifyCorsPreflight !== undefined ? `@fastify/cors ${ratio(crossRatio(fastifyCors, fastifyCorsPreflight).value)}` : '',
    pluginTotal !== undefined && preflightTotal !== undefined
      ? `whole request incl. Node's header parsing: ${ratio(crossRatio(pluginTotal.windowCpuUs, preflightTotal.windowCpuUs).value)}`
      : ''
  ].filter((part) => part !== '').join('; ')
  return target(name, '≤ 2× a normal preflight (CPU over bare)', measured, ratio, (v) => v <= 2, reference)
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
    target('disallowed origin: plugin ÷ @fastify/cors', '< 1 (cheaper)', disallowed?.ratioFastifyCors, ratio, (v) => v < 1),
    scaleTarget(cells, 'list-100k', '100 000 exact origins vs 1 origin'),
    scaleTarget(cells, 'patterns-10k', '10 000 patterns vs 1 origin'),
    target('100 RegExps: CORS overhead ÷ @fastify/cors overhead', '≤ 0.75 (≥ 25% cheaper)', regexps?.extraRatioFastifyCors, ratio, (v) => v <= 0.75,
      regexps?.ratioFastifyCors !== undefined ? `total CPU ÷ @fastify/cors ${ratio(regexps.ratioFastifyCors.value)}` : ''),
    adversarialTarget(cells, 'adv-long-origin', 'adversarial 16 KiB Origin ÷ preflight'),
    adversarialTarget(cells, 'adv-acrh-commas', 'adversarial 8 KiB-comma ACRH ÷ preflight'),
    adversarialTarget(cells, 'adv-acrh-1000', 'adversarial 1 000-name ACRH ÷ preflight'),
    target('start-up: register 100 000 origins + ready', '< 1000 ms', startup.plugin, ms, (v) => v < 1000,
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
