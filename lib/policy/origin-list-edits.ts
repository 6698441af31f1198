/**
 * Allow-lists as a registration keeps them to change them at run time: compiled (the matcher the
 * request path reads, and what it takes to read the list back from it, so that a list of 100 000
 * tenants is not kept twice), compiled a slice at a time, and changed by a few entries at the cost
 * of one copy of the list. Entries are compared as written, normalised (`originText`), RegExps by
 * source and flags.
 */
import type { OriginListHead } from './describe.js'
import type { OriginSetting } from './options.js'
import { OriginMatcherBuilder, listsEntry, type SharedRules } from './origin-matcher-builder.js'
import type { OriginMatcher } from './origin-matcher.js'
import { originText, type ConfiguredOrigin } from './origin-pattern.js'
import { SLICE_SIZE, sliceBounds, type Sliced } from './origin-list-slices.js'

/** One entry of an allow-list: an origin or a pattern (a string), or an anchored RegExp. */
export type OriginListItem = string | RegExp

/** An allow-list as the options resolve it. */
export type ListSetting = Extract<OriginSetting, { kind: 'list' }>
/** Tiers (`{ credentialed, public }`) as the options resolve them. */
export type TieredSetting = Extract<OriginSetting, { kind: 'tiered' }>
/** The origin settings that can be replaced at run time. */
export type SwappableSetting = ListSetting | TieredSetting

/** The list of no entries (which allows no origin). */
export const EMPTY_LIST: ListSetting = Object.freeze({ kind: 'list', origins: [], regexps: [] }) as ListSetting

/** Tiers as they read back: each tier's list, normalised; `public` may be '*'. */
export interface OriginTiers {
  readonly credentialed: readonly OriginListItem[]
  readonly public: '*' | readonly OriginListItem[]
}

/** An allow-list compiled: its matcher, and what reading it back and changing it need besides. */
export interface CompiledList {
  readonly matcher: OriginMatcher
  /** the RegExps as written, without duplicates (the matcher holds combined copies) */
  readonly regexps: readonly RegExp[]
  /** the `*.` rules the matcher holds */
  readonly patternRules: number
  /** its entries: origins, patterns and RegExps */
  readonly size: number
}

/**
 * The entries a matcher was compiled from (the first `limit`), read back from its lookup structures
 * in the order: origins, `:*` patterns, `*.` patterns.
 */
function entriesOf (matcher: OriginMatcher, limit = Infinity): ConfiguredOrigin[] {
  const entries: ConfiguredOrigin[] = []
  for (const origin of matcher.exact) {
    if (entries.length >= limit) return entries
    entries.push({ kind: 'exact', origin })
  }
  for (const schemeHost of matcher.anyPortHosts) {
    if (entries.length >= limit) return entries
    const hostStart = schemeHost.indexOf('://')
    entries.push({ kind: 'pattern', scheme: schemeHost.slice(0, hostStart), host: schemeHost.slice(hostStart + 3), subdomains: false, port: '*' })
  }
  for (const [domain, rules] of matcher.subdomains) {
    for (const rule of rules) {
      if (entries.length >= limit) return entries
      entries.push({ kind: 'pattern', scheme: rule.scheme, host: domain.slice(1), subdomains: true, port: rule.port.startsWith(':') ? rule.port.slice(1) : rule.port })
    }
  }
  return entries
}

/** A RegExp's identity for a list: its source and flags, as written. */
function regExpKey (re: RegExp): string {
  return String(re)
}

function withoutDuplicateRegExps (regexps: readonly RegExp[]): RegExp[] {
  const byKey = new Map<string, RegExp>()
  for (const re of regexps) if (!byKey.has(regExpKey(re))) byKey.set(regExpKey(re), re)
  return [...byKey.values()]
}

function finished (builder: OriginMatcherBuilder, regexps: readonly RegExp[]): CompiledList {
  const unique = Object.freeze(withoutDuplicateRegExps(regexps))
  return Object.freeze({ matcher: builder.finish(unique), regexps: unique, patternRules: builder.patternRules, size: builder.entries + unique.length })
}

/** Adds `origins` to `builder` a slice at a time, yielding before each slice when there are several. */
function * addInSlices (builder: OriginMatcherBuilder, origins: readonly ConfiguredOrigin[]): Sliced<void> {
  const bounds = sliceBounds(origins.length)
  for (const [from, to] of bounds) {
    if (bounds.length > 1) yield
    builder.add(origins, from, to)
  }
}

/** A builder that starts from `base`, its entries copied a slice at a time when it has many. */
function * copyOf (base: CompiledList, shared: SharedRules): Sliced<OriginMatcherBuilder> {
  const builder = new OriginMatcherBuilder(shared, base)
  if (base.size > SLICE_SIZE) {
    while (builder.copyBase(SLICE_SIZE)) yield
  }
  return builder
}

/** `setting` compiled a slice at a time; `shared` holds the rule lists of the list's `*.` patterns. */
export function * compileList (setting: ListSetting, shared: SharedRules): Sliced<CompiledList> {
  const builder = new OriginMatcherBuilder(shared)
  yield * addInSlices(builder, setting.origins)
  return finished(builder, setting.regexps)
}

/** `base` and the entries of `added` it does not list yet (one copy of `base`); undefined when it lists them all. */
export function * mergedList (base: CompiledList, added: ListSetting, shared: SharedRules): Sliced<CompiledList | undefined> {
  const fresh = added.origins.filter((entry) => !listsEntry(base.matcher, entry))
  const regexps = withoutDuplicateRegExps([...base.regexps, ...added.regexps])
  if (fresh.length === 0 && regexps.length === base.regexps.length) return undefined
  const builder = yield * copyOf(base, shared)
  yield * addInSlices(builder, fresh)
  return finished(builder, regexps)
}

/** `base` without the entries `removed` spells as written (one copy of `base`); undefined when it lists none of them. */
export function * reducedList (base: CompiledList, removed: ListSetting, shared: SharedRules): Sliced<CompiledList | undefined> {
  const listed = removed.origins.filter((entry) => listsEntry(base.matcher, entry))
  const keys = new Set(removed.regexps.map(regExpKey))
  const regexps = base.regexps.filter((re) => !keys.has(regExpKey(re)))
  if (listed.length === 0 && regexps.length === base.regexps.length) return undefined
  const builder = yield * copyOf(base, shared)
  builder.remove(listed)
  return finished(builder, regexps)
}

/** The list as the options resolve it, read back from its compiled form. */
export function readBack (list: CompiledList): ListSetting {
  return { kind: 'list', origins: entriesOf(list.matcher), regexps: [...list.regexps] }
}

/** The first `count` origins and patterns and the first `count` RegExps of the list, and its size, in constant time. */
export function headOf (list: CompiledList, count: number): OriginListHead {
  return { kind: 'list', origins: entriesOf(list.matcher, count), regexps: list.regexps.slice(0, count), size: list.size }
}

/** The first entry the list reads back (it has one). */
export function firstItemOf (list: CompiledList): OriginListItem {
  const [first] = entriesOf(list.matcher, 1)
  return first === undefined ? list.regexps[0] as RegExp : originText(first)
}

/** A list as `origins` reads it: origins, then patterns, then RegExps. */
export function itemsOf (list: ListSetting): readonly OriginListItem[] {
  return Object.freeze([...list.origins.map(originText), ...list.regexps])
}
