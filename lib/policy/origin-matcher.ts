import { serializedOriginHostEnd } from '../http/origin.js'
import type { ConfiguredOrigin } from './origin-pattern.js'

/** One `*.domain` pattern's scheme and port; `port` is `''`, `':8443'` or `'*'` (any port). */
export interface SubdomainRule {
  readonly scheme: string
  readonly port: string
}

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
 * Joins RegExps that share flags into one alternation, so a list of 100 costs one engine run rather
 * than 100 calls. Every source is anchored (checked at registration), so each alternative still
 * matches whole origins. Sources with back-references or named groups keep their own RegExp, since
 * joining would renumber or duplicate them.
 */
function combineRegExps (regexps: RegExp[]): RegExp[] {
  const byFlags = new Map<string, string[]>()
  const alone: RegExp[] = []
  for (const re of regexps) {
    if (/\\[1-9k]|\(\?<[^=!]/.test(re.source)) { alone.push(re); continue }
    const sources = byFlags.get(re.flags) ?? []
    sources.push(`(?:${re.source})`)
    byFlags.set(re.flags, sources)
  }
  const combined = [...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags))
  return combined.concat(alone)
}

/** Builds the lookup structures once; RegExps are copied without `g`/`y` so `lastIndex` never matters. */
export function compileOriginMatcher (origins: readonly ConfiguredOrigin[], regexps: readonly RegExp[]): OriginMatcher {
  const exact = new Set<string>()
  const anyPortHosts = new Set<string>()
  const rulesByDomain = new Map<string, SubdomainRule[]>()
  let longestSuffix = 0
  for (const entry of origins) {
    if (entry.kind === 'exact') {
      exact.add(flat(entry.origin))
    } else if (!entry.subdomains) {
      anyPortHosts.add(`${entry.scheme}://${entry.host}`)
    } else {
      longestSuffix = Math.max(longestSuffix, entry.host.length + 1)
      const domain = `.${entry.host}`
      const port = entry.port === '*' || entry.port === '' ? entry.port : `:${entry.port}`
      const rules = rulesByDomain.get(domain) ?? []
      if (!rules.some((rule) => rule.scheme === entry.scheme && rule.port === port)) rules.push({ scheme: entry.scheme, port })
      rulesByDomain.set(domain, rules)
    }
  }
  // 10 000 tenants under one scheme and port share one frozen list: the Map holds little beyond its keys
  const shared = new Map<string, readonly SubdomainRule[]>()
  const subdomains = new Map<string, readonly SubdomainRule[]>()
  for (const [domain, rules] of rulesByDomain) {
    const signature = rules.map((rule) => `${rule.scheme} ${rule.port}`).sort().join('|')
    let list = shared.get(signature)
    if (list === undefined) {
      list = Object.freeze(rules.map((rule) => Object.freeze(rule)))
      shared.set(signature, list)
    }
    subdomains.set(flat(domain), list)
  }
  const copies = combineRegExps(regexps.map((re) => new RegExp(re.source, re.flags.replace(/[gy]/g, ''))))
  return Object.freeze({
    exact,
    anyPortHosts,
    subdomains,
    regexps: Object.freeze(copies),
    longestSuffix,
    exactOnly: anyPortHosts.size === 0 && subdomains.size === 0 && copies.length === 0
  })
}

/** Result of matching a request's Origin against an allow-list. */
export type OriginMatch = 'allowed' | 'not-allowed' | 'invalid'

/**
 * Matches a raw Origin header value. An exact hit needs no parsing (the Set holds only validated,
 * normalised origins); everything else is validated first, so patterns and RegExps only ever see a
 * well-formed serialised origin, and `null` is never matched by them.
 */
export function matchOrigin (matcher: OriginMatcher, origin: string): OriginMatch {
  if (matcher.exact.has(origin)) return 'allowed'
  if (origin === 'null') return 'not-allowed'
  const hostEnd = serializedOriginHostEnd(origin)
  if (hostEnd === -1) return 'invalid'
  if (matcher.exactOnly) return 'not-allowed'
  if (matcher.anyPortHosts.size !== 0 && matcher.anyPortHosts.has(origin.slice(0, hostEnd))) return 'allowed'
  if (matcher.subdomains.size !== 0) {
    const schemeEnd = origin.indexOf('://')
    const portLength = origin.length - hostEnd
    // a wildcard label stands for one or more labels, so the suffix starts after the first label;
    // suffixes longer than every configured one cannot match, so a host of many short labels costs
    // no more than the configured domains (without this bound the probing is quadratic in its length)
    const from = Math.max(schemeEnd + 4, hostEnd - matcher.longestSuffix)
    for (let dot = origin.indexOf('.', from); dot !== -1 && dot < hostEnd; dot = origin.indexOf('.', dot + 1)) {
      const rules = matcher.subdomains.get(origin.slice(dot, hostEnd))
      if (rules === undefined) continue
      for (const rule of rules) {
        if (rule.scheme.length !== schemeEnd || !origin.startsWith(rule.scheme)) continue
        if (rule.port === '*' || (rule.port.length === portLength && origin.endsWith(rule.port))) return 'allowed'
      }
    }
  }
  // an indexed loop: `for…of` allocated an iterator and its results on every request here
  const regexps = matcher.regexps
  for (let i = 0; i < regexps.length; i++) {
    if ((regexps[i] as RegExp).test(origin)) return 'allowed'
  }
  return 'not-allowed'
}

/** Outcome of checking a request's Origin against a policy; 'check' means the origin function decides. */
export type OriginVerdict = OriginMatch | 'check'

/**
 * The verdict of each origin setting but a list, one function per setting: the compiler picks one, so
 * the request path makes one call instead of switching on the kind. None reflects anything that is
 * not a valid serialised origin.
 */
export const ORIGIN_VERDICTS = {
  // '*' reflects nothing, so any Origin value gets it: a shared cache must never store a CORS-less
  // variant that one malformed Origin produced (Fetch#cors-protocol-and-http-caches)
  any: (_origin: string): OriginVerdict => 'allowed',
  // Fetch#serializing-a-request-origin: 'null' is sent by sandboxed and redirected requests, so
  // reflecting it would grant anyone access; it is matched only when listed literally
  reflect: (origin: string): OriginVerdict => origin === 'null' ? 'not-allowed' : serializedOriginHostEnd(origin) === -1 ? 'invalid' : 'allowed',
  function: (origin: string): OriginVerdict => origin === 'null' || serializedOriginHostEnd(origin) !== -1 ? 'check' : 'invalid',
  none: (origin: string): OriginVerdict => origin === 'null' || serializedOriginHostEnd(origin) !== -1 ? 'not-allowed' : 'invalid'
} as const

/** The verdict function of an allow-list. */
export function listVerdict (matcher: OriginMatcher): (origin: string) => OriginVerdict {
  return (origin) => matchOrigin(matcher, origin)
}
