/**
 * The lookup structures of an allow-list (OriginMatcher), built a slice of entries at a time: from
 * nothing, or from a matcher in force, whose structures are copied once and then changed. So a list
 * of 100 000 entries can be compiled between requests, and adding or removing a few entries costs one
 * copy of the list rather than a rebuild. Nothing reads the structures before `finish` freezes them.
 */
import { alternationSource } from './regexp-alternation.js'
import type { ConfiguredOrigin } from './origin-pattern.js'

/** One `*.domain` pattern's scheme and port; `port` is `''`, `':8443'` or `'*'` (any port). */
export interface SubdomainRule {
  readonly scheme: string
  readonly port: string
}

/** Result of matching a request's Origin against an allow-list. */
export type OriginMatch = 'allowed' | 'not-allowed' | 'invalid'

/**
 * An allow-list compiled for lookups whose cost does not grow with its size: exact origins in a
 * Set; `*.domain` patterns in a Map keyed by `.domain`, probed once per label of the request's host
 * with a slice of the Origin (no other string is built per request); `:*` patterns in a Set keyed
 * by scheme://host. RegExps are tested only when configured.
 */
export interface OriginMatcher {
  readonly exact: ReadonlySet<string>
  readonly anyPortHosts: ReadonlySet<string>
  /** `.domain` → the schemes and ports its `*.` patterns allow (lists shared between domains) */
  readonly subdomains: ReadonlyMap<string, readonly SubdomainRule[]>
  readonly regexps: readonly RegExp[]
  /**
   * the answers for Origin values outside `exact`, remembered (at most ANSWERS_KEPT, emptied when
   * full; origin-matcher.ts); undefined when `exactOnly`
   */
  readonly answers: Map<string, OriginMatch> | undefined
  /** length of the longest `.domain` suffix among the `*.` patterns */
  readonly longestSuffix: number
  /** true when only the exact Set needs to be consulted */
  readonly exactOnly: boolean
}

/**
 * A sequential copy of a string built by concatenation or slicing: V8 keeps such strings as trees
 * of parts (or views of a parent), several heap objects each, and a large allow-list would keep all
 * of them alive and make every full garbage collection mark them.
 */
function flat (value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1')
}

/**
 * Joins RegExps that share flags into one alternation, factored where they start alike
 * (regexp-alternation.ts), so a list of 100 costs one engine run that reads their shared start once,
 * rather than 100 calls. Every source is anchored (checked at registration), so each alternative still
 * matches whole origins. Sources with back-references or named groups keep their own RegExp, since
 * joining would renumber or duplicate them.
 */
function combineRegExps (regexps: RegExp[]): RegExp[] {
  const byFlags = new Map<string, string[]>()
  const alone: RegExp[] = []
  for (const re of regexps) {
    if (/\\[1-9k]|\(\?<[^=!]/.test(re.source)) { alone.push(re); continue }
    const sources = byFlags.get(re.flags) ?? []
    sources.push(re.source)
    byFlags.set(re.flags, sources)
  }
  const combined = [...byFlags].map(([flags, sources]) => new RegExp(alternationSource(sources, flags), flags))
  return combined.concat(alone)
}

/**
 * The rule lists of `*.` patterns, one frozen list per set of schemes and ports: 10 000 tenants under
 * one scheme and port share one list, so the Map holds little beyond its keys. Kept across the builds
 * of one allow-list, so that its changes share them too.
 */
export type SharedRules = Map<string, readonly SubdomainRule[]>

const NO_RULES: readonly SubdomainRule[] = Object.freeze([])

/** The `.domain` key and the rule of a `*.` pattern. */
function subdomainRule (entry: Extract<ConfiguredOrigin, { kind: 'pattern' }>): { domain: string, scheme: string, port: string } {
  return { domain: `.${entry.host}`, scheme: entry.scheme, port: entry.port === '*' || entry.port === '' ? entry.port : `:${entry.port}` }
}

/** Whether `matcher` lists `entry` as written (not whether a pattern of it admits the origin). */
export function listsEntry (matcher: OriginMatcher, entry: ConfiguredOrigin): boolean {
  if (entry.kind === 'exact') return matcher.exact.has(entry.origin)
  if (!entry.subdomains) return matcher.anyPortHosts.has(`${entry.scheme}://${entry.host}`)
  const { domain, scheme, port } = subdomainRule(entry)
  return (matcher.subdomains.get(domain) ?? NO_RULES).some((rule) => rule.scheme === scheme && rule.port === port)
}

/** What is left to copy of the matcher a build starts from, once its copy has begun. */
interface BaseLeft {
  readonly exact: Iterator<string>
  readonly anyPortHosts: Iterator<string>
  readonly subdomains: Iterator<[string, readonly SubdomainRule[]]>
}

export class OriginMatcherBuilder {
  #exact = new Set<string>()
  #anyPortHosts = new Set<string>()
  #subdomains = new Map<string, readonly SubdomainRule[]>()
  readonly #shared: SharedRules
  #longestSuffix: number
  /** the last `*.` pattern of the longest domain was removed: `finish` finds the new bound */
  #longestRemoved = false
  #patternRules: number
  /** the matcher this build starts from, until its entries are copied */
  #base: OriginMatcher | undefined
  #baseLeft: BaseLeft | undefined

  /**
   * Starts from nothing, or from `base` and the count of its `*.` rules. `base` itself never
   * changes: its entries are copied (`copyBase`, else before the first change) and changed here.
   */
  constructor (shared: SharedRules = new Map(), base?: { readonly matcher: OriginMatcher, readonly patternRules: number }) {
    this.#shared = shared
    this.#base = base?.matcher
    this.#longestSuffix = base?.matcher.longestSuffix ?? 0
    this.#patternRules = base?.patternRules ?? 0
  }

  /**
   * Copies up to `count` more entries of the base (by default all that are left, at once); returns
   * whether some are left. A large base is copied a slice at a time this way.
   */
  copyBase (count = Infinity): boolean {
    const base = this.#base
    if (base === undefined) return false
    if (this.#baseLeft === undefined && count === Infinity) {
      this.#exact = new Set(base.exact)
      this.#anyPortHosts = new Set(base.anyPortHosts)
      this.#subdomains = new Map(base.subdomains)
      this.#base = undefined
      return false
    }
    const left = this.#baseLeft ??= { exact: base.exact.values(), anyPortHosts: base.anyPortHosts.values(), subdomains: base.subdomains.entries() }
    let copied = 0
    for (let next = left.exact.next(); next.done !== true; next = left.exact.next()) {
      this.#exact.add(next.value)
      if (++copied === count) return true
    }
    for (let next = left.anyPortHosts.next(); next.done !== true; next = left.anyPortHosts.next()) {
      this.#anyPortHosts.add(next.value)
      if (++copied === count) return true
    }
    for (let next = left.subdomains.next(); next.done !== true; next = left.subdomains.next()) {
      this.#subdomains.set(next.value[0], next.value[1])
      if (++copied === count) return true
    }
    this.#base = undefined
    this.#baseLeft = undefined
    return false
  }

  /** Entries listed (origins and patterns; RegExps are given to `finish`). */
  get entries (): number {
    return this.#exact.size + this.#anyPortHosts.size + this.#patternRules
  }

  /** `*.` rules listed: with `entries`, what a later build from this one starts from. */
  get patternRules (): number {
    return this.#patternRules
  }

  /** Adds `entries[from, to)`; those listed already change nothing. Returns how many were new. */
  add (entries: readonly ConfiguredOrigin[], from = 0, to = entries.length): number {
    this.copyBase()
    const before = this.entries
    for (let i = from; i < to; i++) {
      const entry = entries[i] as ConfiguredOrigin
      if (entry.kind === 'exact') {
        if (!this.#exact.has(entry.origin)) this.#exact.add(flat(entry.origin))
      } else if (!entry.subdomains) {
        this.#anyPortHosts.add(`${entry.scheme}://${entry.host}`)
      } else {
        const { domain, scheme, port } = subdomainRule(entry)
        const rules = this.#subdomains.get(domain) ?? NO_RULES
        if (rules.some((rule) => rule.scheme === scheme && rule.port === port)) continue
        this.#longestSuffix = Math.max(this.#longestSuffix, domain.length)
        this.#subdomains.set(rules === NO_RULES ? flat(domain) : domain, this.#sharedRules([...rules, { scheme, port }]))
        this.#patternRules++
      }
    }
    return this.entries - before
  }

  /** Removes the entries listed as written; the others change nothing. Returns how many were listed. */
  remove (entries: readonly ConfiguredOrigin[]): number {
    this.copyBase()
    const before = this.entries
    for (const entry of entries) {
      if (entry.kind === 'exact') {
        this.#exact.delete(entry.origin)
      } else if (!entry.subdomains) {
        this.#anyPortHosts.delete(`${entry.scheme}://${entry.host}`)
      } else {
        const { domain, scheme, port } = subdomainRule(entry)
        const rules = this.#subdomains.get(domain) ?? NO_RULES
        const left = rules.filter((rule) => rule.scheme !== scheme || rule.port !== port)
        if (left.length === rules.length) continue
        this.#patternRules--
        if (left.length > 0) {
          this.#subdomains.set(domain, this.#sharedRules(left))
        } else {
          this.#subdomains.delete(domain)
          if (domain.length === this.#longestSuffix) this.#longestRemoved = true
        }
      }
    }
    return before - this.entries
  }

  /** The matcher of the entries and `regexps` (copied without `g`/`y`, so `lastIndex` never matters), frozen. */
  finish (regexps: readonly RegExp[]): OriginMatcher {
    this.copyBase()
    if (this.#longestRemoved) {
      this.#longestSuffix = 0
      for (const domain of this.#subdomains.keys()) this.#longestSuffix = Math.max(this.#longestSuffix, domain.length)
    }
    const copies = combineRegExps(regexps.map((re) => new RegExp(re.source, re.flags.replace(/[gy]/g, ''))))
    const exactOnly = this.#anyPortHosts.size === 0 && this.#subdomains.size === 0 && copies.length === 0
    return Object.freeze({
      exact: this.#exact,
      anyPortHosts: this.#anyPortHosts,
      subdomains: this.#subdomains,
      regexps: Object.freeze(copies),
      answers: exactOnly ? undefined : new Map(),
      longestSuffix: this.#longestSuffix,
      exactOnly
    })
  }

  #sharedRules (rules: SubdomainRule[]): readonly SubdomainRule[] {
    const signature = rules.map((rule) => `${rule.scheme} ${rule.port}`).sort().join('|')
    let list = this.#shared.get(signature)
    if (list === undefined) {
      list = Object.freeze(rules.map((rule) => Object.freeze(rule)))
      this.#shared.set(signature, list)
    }
    return list
  }
}
