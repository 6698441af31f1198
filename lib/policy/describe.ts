/**
 * A registration's effective policy in words, for the start-up log: one line, bounded in length
 * whatever the options hold, so an operator sees what the plugin will do without reading the code
 * that configured it.
 */
import type { NameList, OriginList, OriginSetting, ResolvedOptions } from './options.js'
import { originText } from './origin-pattern.js'

/** Entries of an allow-list a line shows; the others are counted. */
export const ORIGINS_SHOWN = 5
const NAMES_SHOWN = 8
const ITEM_LENGTH = 60
const NAME_LENGTH = 32
const PREFIX_LENGTH = 100

/** The text, cut to `max` characters with an ellipsis when longer. */
export function clip (text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** `[a, b, … (+K more)]`: at most `shown` items, each clipped; `size` counts the items when `items` holds only the first. */
function boundedList (items: readonly string[], shown: number, size = items.length): string {
  const head = items.slice(0, shown)
  if (size > shown) head.push(`… (+${size - shown} more)`)
  return `[${head.join(', ')}]`
}

/** A key and either a value as configured (`credentials true`) or words for a behaviour (`methods: each route's own`). */
type Segment = { readonly value: string, readonly words?: undefined } | { readonly words: string, readonly value?: undefined }

function segment (key: string, part: Segment): string {
  return part.value !== undefined ? `${key} ${part.value}` : `${key}: ${part.words}`
}

/**
 * An allow-list of `size` entries of which `origins` and `regexps` hold the first (at least
 * `ORIGINS_SHOWN` of each), so that a list of 100 000 changed at run time is described without reading it all.
 */
export interface OriginListHead extends OriginList {
  readonly size: number
}

function originList (list: OriginList | OriginListHead): string {
  // only the entries shown are rendered: describing 100 000 tenants costs what describing 5 does
  return boundedList([
    ...list.origins.slice(0, ORIGINS_SHOWN).map((item) => `'${clip(originText(item), ITEM_LENGTH)}'`),
    ...list.regexps.slice(0, ORIGINS_SHOWN).map((re) => clip(String(re), ITEM_LENGTH))
  ], ORIGINS_SHOWN, 'size' in list ? list.size : list.origins.length + list.regexps.length)
}

function originSetting (origin: OriginSetting): Segment {
  switch (origin.kind) {
    case 'any': return { value: "'*'" }
    case 'reflect': return { words: 'reflect any origin' }
    case 'none': return { words: 'none' }
    case 'function': return { words: 'decided by a function' }
    case 'list': return { value: originList(origin) }
    case 'tiered': return { value: `{ credentialed ${originList(origin.credentialed)}, public ${origin.public.kind === 'any' ? "'*'" : originList(origin.public)} }` }
  }
}

function originSegment (options: ResolvedOptions, configured: boolean): string {
  const setting = originSetting(options.origin)
  // a delegator's answers are merged over the registration's options: the static origin is their default
  if (options.delegator !== undefined) return segment('origin', { words: `per request (delegator; default ${setting.value ?? setting.words})` })
  if (options.origin.kind === 'any' && !configured) return segment('origin', { value: "'*' (not configured)" })
  const cache = options.originCache
  if (options.origin.kind === 'function' && cache !== undefined) {
    const byKey = cache.key === undefined ? '' : ', by originCache.key'
    return segment('origin', { words: `decided by a function, answers kept (up to ${cache.max}, ${cache.ttl} ms, refusals ${cache.negativeTtl} ms${byKey})` })
  }
  return segment('origin', setting)
}

/** A method or header list as configured (`[A, B]`, `'*'`), or in words when it is unset or empty. */
function listSegment (key: string, list: NameList | undefined, unset: Segment, empty: Segment, wildcard = "'*'"): string {
  if (list === undefined) return segment(key, unset)
  if (list.names.length === 0) return segment(key, list.wildcard ? { value: wildcard } : empty)
  const names = list.names.map((item) => clip(item, NAME_LENGTH))
  return segment(key, { value: boundedList(list.wildcard ? ['*', ...names] : names, NAMES_SHOWN) })
}

function preflightSegment (options: ResolvedOptions): string {
  if (!options.preflight) return 'preflight: left to the application'
  if (options.preflightContinue) return 'preflight: headers added, then the route answers (preflightContinue)'
  const status = options.optionsSuccessStatus === 204 ? '' : ` ${options.optionsSuccessStatus}`
  return `preflight answered${status} (${options.strictPreflight ? 'strict' : 'not strict'})`
}

/**
 * One line stating the policy a registration applies, e.g. `fastify-cors-policy: /api policy: origin
 * ['https://a.com'], credentials true, methods: each route's own, …, hook onRequest`. A key is followed
 * by the value as configured, or by a colon and words for a behaviour (`methods: each route's own`).
 * `given` is the options as the user passed them; `prefix` the scope's prefix ('' at the root).
 */
export function describePolicy (options: ResolvedOptions, given: Record<string, unknown>, prefix: string): string {
  const segments = [
    originSegment(options, given.origin !== undefined),
    options.origin.kind === 'tiered' ? 'credentials: credentialed tier only' : `credentials ${options.credentials}`,
    listSegment('methods', options.methods, { words: "each route's own" }, { value: 'none (safelisted only)' }),
    listSegment('allowedHeaders', options.allowedHeaders, { words: 'requested (validated)' }, { value: 'none (safelisted only)' }, "'*' (Authorization excluded)"),
    listSegment('exposedHeaders', options.exposedHeaders, { value: 'none' }, { value: 'none' }),
    `maxAge ${options.maxAge ?? 'none'}`
  ]
  if (options.cacheControl !== undefined) segments.push(`cacheControl '${clip(options.cacheControl, ITEM_LENGTH)}'`)
  segments.push(
    preflightSegment(options),
    `private network ${options.allowPrivateNetwork ? 'yes' : 'no'}`,
    `enforce ${options.enforce}`
  )
  if (options.dangerouslyAllowAnyOriginWithCredentials) segments.push('dangerouslyAllowAnyOriginWithCredentials true')
  if (options.dangerouslyAllowInsecureOrigins) segments.push('dangerouslyAllowInsecureOrigins true')
  segments.push(`hook ${options.hook}`)
  return `fastify-cors-policy: ${prefix === '' ? '/' : clip(prefix, PREFIX_LENGTH)} policy: ${segments.join(', ')}`
}

/**
 * The line logged when a registration's allow-list is changed at run time, in the words of the
 * start-up line: `fastify-cors-policy: /api origin now ['https://a.com', …] (addOrigins)`.
 */
export function describeOriginChange (origin: OriginSetting, prefix: string, change: string): string {
  return `fastify-cors-policy: ${prefix === '' ? '/' : clip(prefix, PREFIX_LENGTH)} ${segment('origin now', originSetting(origin))} (${change})`
}

/**
 * The warning for an `origin` key whose value is undefined, which reads as "not set": typically
 * `origin: process.env.ORIGINS` with the variable missing, which would silently allow every origin.
 */
export function undefinedOriginWarning (given: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(given, 'origin') || given.origin !== undefined) return undefined
  return "fastify-cors-policy: origin is undefined (an unset environment variable?), so the default '*' applies and every website can read the responses; set origin, or remove the key if '*' is meant"
}
