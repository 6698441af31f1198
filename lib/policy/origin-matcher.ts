import { serializedOriginHostEnd } from '../http/origin.js'
import { OriginMatcherBuilder, type OriginMatch, type OriginMatcher } from './origin-matcher-builder.js'
import type { ConfiguredOrigin } from './origin-pattern.js'

export type { OriginMatch, OriginMatcher, SubdomainRule } from './origin-matcher-builder.js'

/** Builds the lookup structures once; RegExps are copied without `g`/`y` so `lastIndex` never matters. */
export function compileOriginMatcher (origins: readonly ConfiguredOrigin[], regexps: readonly RegExp[]): OriginMatcher {
  const builder = new OriginMatcherBuilder()
  builder.add(origins)
  return builder.finish(regexps)
}

/**
 * Matches a raw Origin header value. An exact hit needs no parsing (the Set holds only validated,
 * normalised origins); everything else is validated first, so patterns and RegExps only ever see a
 * well-formed serialised origin, and `null` is never matched by them. The answers for valid origins
 * outside the Set are remembered.
 */
export function matchOrigin (matcher: OriginMatcher, origin: string): OriginMatch {
  if (matcher.exact.has(origin)) return 'allowed'
  if (origin === 'null') return 'not-allowed'
  const answers = matcher.answers
  if (answers === undefined) return serializedOriginHostEnd(origin) === -1 ? 'invalid' : 'not-allowed'
  // the Set's lookup computed the Origin's hash already: this lookup costs less than any check below
  const known = answers.get(origin)
  if (known !== undefined) return known
  const answer = matchBeyondExact(matcher, origin)
  if (answer !== 'invalid') {
    if (answers.size >= ANSWERS_KEPT) answers.clear()
    answers.set(origin, answer)
  }
  return answer
}

/**
 * How many answers for valid origins outside the exact Set a matcher keeps: a page's origin comes
 * back on every request, and the syntax check, the patterns and the RegExps cost far more than a
 * lookup. A valid origin is at most MAX_ORIGIN_LENGTH characters, so they hold at most 1 MB; invalid
 * values are not kept (they cannot push out a real origin's answer), and a flood of distinct valid
 * origins empties them again and again and costs the checks it would cost anyway. The patterns and
 * RegExps never change (RegExps are copied without `g`/`y`), so neither does an answer.
 */
export const ANSWERS_KEPT = 1000

/** The answer for an Origin value outside the exact Set, from the syntax check, the patterns and the RegExps. */
function matchBeyondExact (matcher: OriginMatcher, origin: string): OriginMatch {
  const hostEnd = serializedOriginHostEnd(origin)
  if (hostEnd === -1) return 'invalid'
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

/**
 * Outcome of checking a request's Origin against a policy; 'check' means the origin function decides,
 * 'allowed-public' that a tiered origin admits it in its public tier (answered without credentials).
 */
export type OriginVerdict = OriginMatch | 'check' | 'allowed-public'

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

/**
 * The verdict function of tiers: the credentialed list first, so an origin in both tiers gets
 * credentials; then the public list, or any Origin value for public '*' (which reflects nothing).
 */
export function tieredVerdict (credentialed: OriginMatcher, publicTier: OriginMatcher | 'any'): (origin: string) => OriginVerdict {
  if (publicTier === 'any') {
    return (origin) => matchOrigin(credentialed, origin) === 'allowed' ? 'allowed' : 'allowed-public'
  }
  return (origin) => {
    if (matchOrigin(credentialed, origin) === 'allowed') return 'allowed'
    const match = matchOrigin(publicTier, origin)
    return match === 'allowed' ? 'allowed-public' : match
  }
}
