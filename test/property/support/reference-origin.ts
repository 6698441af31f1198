/**
 * The obvious, slow reading of the plugin's origin rules (the `origin` option), written
 * independently of lib/policy/origin-matcher.ts: which request origins a configured origin list,
 * `'*'`, `true`, `false` or a function grants.
 */
import { serializedOriginHostEnd } from '../../../lib/http/origin.js'
import { parseConfiguredOrigin, type ConfiguredOrigin } from '../../../lib/policy/origin-pattern.js'
import { ORIGIN_FUNCTIONS, type ListItem, type OriginSpec, type PolicySpec } from './policies.js'

export type OriginMatch = 'allowed' | 'not-allowed' | 'invalid'

/**
 * Exact entries by equality (`null` only when listed), `host:*` by scheme and host, `*.domain` by a
 * suffix after at least one character of subdomain and the same port (or any with `:*`), RegExps by test.
 */
export function referenceMatch (origins: readonly ConfiguredOrigin[], regexps: readonly RegExp[], origin: string): OriginMatch {
  if (origins.some((o) => o.kind === 'exact' && o.origin === origin)) return 'allowed'
  if (origin === 'null') return 'not-allowed'
  const hostEnd = serializedOriginHostEnd(origin)
  if (hostEnd === -1) return 'invalid'
  const schemeEnd = origin.indexOf('://')
  const scheme = origin.slice(0, schemeEnd)
  const host = origin.slice(schemeEnd + 3, hostEnd)
  const port = origin.slice(hostEnd + 1)
  for (const o of origins) {
    if (o.kind !== 'pattern' || o.scheme !== scheme) continue
    if (!o.subdomains && host === o.host) return 'allowed'
    if (o.subdomains && host.length > o.host.length + 1 && host.endsWith(`.${o.host}`) && (o.port === '*' || o.port === port)) return 'allowed'
  }
  return regexps.some((re) => re.test(origin)) ? 'allowed' : 'not-allowed'
}

/** Whether a policy's `origin` option grants `origin` (a function that throws or rejects denies). */
export async function originGranted (spec: OriginSpec | undefined, origin: string): Promise<boolean> {
  const valid = origin === 'null' || serializedOriginHostEnd(origin) !== -1
  const kind = spec ?? { kind: '*' }
  switch (kind.kind) {
    case '*': return true // '*' answers every Origin value with '*', a malformed one too: nothing is reflected
    case true: return valid && origin !== 'null'
    case false: return false
    case 'function':
      if (!valid) return false
      try {
        return (await ORIGIN_FUNCTIONS[kind.name](origin)) === true
      } catch {
        return false
      }
    case 'list': return listMatches(kind.items, origin)
    // '*' answers any Origin value, as a plain '*' does
    case 'tiered': return listMatches(kind.credentialed, origin) || kind.public === '*' || listMatches(kind.public, origin)
  }
}

/** Whether a configured list admits `origin`. */
function listMatches (items: readonly ListItem[], origin: string): boolean {
  const origins: ConfiguredOrigin[] = []
  const regexps: RegExp[] = []
  for (const item of items) {
    if (typeof item !== 'string') {
      regexps.push(new RegExp(item.regexp))
      continue
    }
    const parsed = parseConfiguredOrigin(item)
    if (parsed.kind === 'error') throw new TypeError(`fixture ${item}: ${parsed.problem}`)
    origins.push(parsed)
  }
  return referenceMatch(origins, regexps, origin) === 'allowed'
}

/**
 * Whether a policy that grants `origin` grants it credentials: `credentials: true`, or the
 * credentialed tier of tiers (the public tier never gets them).
 */
export function credentialsGranted (spec: PolicySpec, origin: string): boolean {
  if (spec.origin?.kind === 'tiered') return listMatches(spec.origin.credentialed, origin)
  return spec.credentials === true
}
