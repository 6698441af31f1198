/**
 * HTTP token rules (RFC 9110 §5.6.2) and the Fetch lists of special method and header names.
 * Everything that reads request input here is a bounded loop over char codes: no regex ever runs
 * over a request header (an unbounded split or regex over ACRH was a DoS in other CORS libraries).
 */

/** Longest Access-Control-Request-Method accepted; real methods are a few bytes. */
export const MAX_METHOD_LENGTH = 64
/** Longest Access-Control-Request-Headers value accepted, and the most names in it. */
export const MAX_ACRH_LENGTH = 4096
export const MAX_ACRH_NAMES = 64
/** Longest single header name accepted in Access-Control-Request-Headers. */
export const MAX_HEADER_NAME_LENGTH = 128

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1
for (let c = 48; c <= 57; c++) TCHAR[c] = 1
for (let c = 65; c <= 90; c++) TCHAR[c] = 1
for (let c = 97; c <= 122; c++) TCHAR[c] = 1

/** True when `value` is a non-empty RFC 9110 token of at most `max` characters. */
export function isToken (value: string, max: number): boolean {
  const length = value.length
  if (length === 0 || length > max) return false
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 128 || TCHAR[code] !== 1) return false
  }
  return true
}

/** Fetch#forbidden-method */
export const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK'])

/** Fetch#cors-safelisted-method: always allowed, never need to be listed in ACAM. */
export const SAFELISTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST'])

/** Fetch#concept-method-normalize: only these six are upper-cased by browsers. */
const NORMALIZED_METHODS: ReadonlySet<string> = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

/** The method a browser would send for `method` (Fetch#concept-method-normalize). */
export function normalizeMethod (method: string): string {
  const upper = method.toUpperCase()
  return NORMALIZED_METHODS.has(upper) ? upper : method
}

/** Fetch#forbidden-request-header names; scripts can never set them, so allowing them means nothing. */
export const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
  'access-control-request-private-network', 'connection', 'content-length', 'cookie', 'cookie2', 'date',
  'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'via'
])

/** Response-only names that make no sense as request headers in ACAH. */
export const RESPONSE_ONLY_HEADERS: ReadonlySet<string> = new Set([
  'set-cookie', 'set-cookie2', 'access-control-allow-origin', 'access-control-allow-credentials',
  'access-control-allow-methods', 'access-control-allow-headers', 'access-control-allow-private-network',
  'access-control-expose-headers', 'access-control-max-age'
])

/** Fetch#forbidden-response-header-name: never exposed to scripts, whatever ACEH says. */
export const FORBIDDEN_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['set-cookie', 'set-cookie2'])

/** True for names a script can never set (Fetch#forbidden-request-header, including `proxy-*` and `sec-*`). */
export function isForbiddenRequestHeader (lowerName: string): boolean {
  return FORBIDDEN_REQUEST_HEADERS.has(lowerName) || lowerName.startsWith('proxy-') || lowerName.startsWith('sec-')
}

/**
 * True when Access-Control-Request-Headers is already in the form browsers send it (Fetch#cors-preflight-fetch-0
 * step 5: lower-cased names joined by ","), within the same limits as `parseRequestHeaderNames`. Such a
 * value is exactly what parsing and re-joining it would give, so it can be echoed as it is, without
 * allocating a list per preflight. With `withoutWildcard`, a list naming `*` is not one (echoed, it
 * would read as a wildcard), found in the same pass.
 */
export function isCanonicalHeaderNameList (value: string, withoutWildcard = false): boolean {
  // browsers send the same list on every preflight of a page: a string compare answers it again
  if (value === (withoutWildcard ? lastCanonicalWithoutWildcard : lastCanonical)) return true
  if (!scanCanonicalHeaderNameList(value, withoutWildcard)) return false
  if (withoutWildcard) lastCanonicalWithoutWildcard = value
  else lastCanonical = value
  return true
}

/** The last value each form of `isCanonicalHeaderNameList` accepted. */
let lastCanonical: string | undefined
let lastCanonicalWithoutWildcard: string | undefined

function scanCanonicalHeaderNameList (value: string, withoutWildcard: boolean): boolean {
  const length = value.length
  if (length === 0 || length > MAX_ACRH_LENGTH) return false
  let names = 1
  let nameStart = 0
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i)
    if (code === 44 /* , */) {
      if (i === nameStart || i - nameStart > MAX_HEADER_NAME_LENGTH || ++names > MAX_ACRH_NAMES) return false
      if (withoutWildcard && i === nameStart + 1 && value.charCodeAt(nameStart) === 42 /* * */) return false
      nameStart = i + 1
      continue
    }
    if (code >= 128 || TCHAR[code] !== 1 || (code >= 65 && code <= 90)) return false
  }
  if (withoutWildcard && length === nameStart + 1 && value.charCodeAt(nameStart) === 42) return false
  return length !== nameStart && length - nameStart <= MAX_HEADER_NAME_LENGTH
}

/**
 * Parses Access-Control-Request-Headers into lower-cased names.
 * Browsers send one line, lower-cased, sorted and comma-joined (Fetch#cors-preflight-fetch-0 step 5),
 * but proxies may split it into several lines, which Node joins with ", "; so OWS and empty elements
 * are tolerated (RFC 9110 §5.6.1). Returns undefined (fail closed) for anything that is not a list of
 * tokens, or that exceeds the length or count limits.
 */
export function parseRequestHeaderNames (value: string): string[] | undefined {
  const length = value.length
  if (length > MAX_ACRH_LENGTH) return undefined
  const names: string[] = []
  let start = -1
  for (let i = 0; i <= length; i++) {
    const code = i === length ? 44 : value.charCodeAt(i)
    if (code === 44 /* , */ || code === 32 || code === 9) {
      if (start !== -1) {
        if (i - start > MAX_HEADER_NAME_LENGTH || names.length === MAX_ACRH_NAMES) return undefined
        names.push(value.slice(start, i).toLowerCase())
        start = -1
        // after a name only OWS then a comma (or the end) may follow
        while (i < length && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++
        if (i < length && value.charCodeAt(i) !== 44) return undefined
      }
      continue
    }
    if (code >= 128 || TCHAR[code] !== 1) return undefined
    if (start === -1) start = i
  }
  return names
}
