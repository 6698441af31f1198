/**
 * The browser side of the CORS protocol (WHATWG Fetch), as Chromium applies it to a `fetch()`
 * made by a page: whether a preflight is sent, what it looks like, and whether the page may read
 * the preflight and the actual responses. Pure: no I/O, no Fastify.
 */
import {
  corsUnsafeRequestHeaderNames, extractTokenList, isNonWildcardRequestHeaderName,
  isSafelistedMethod, normalizeMethod, trimHttpWhitespace
} from './headers.js'
import { blocked } from './messages.js'
import type { Verdict } from './messages.js'
import { authorHeaders, credentialsMode, isSameOrigin, needsPreflight, targetAddressSpace } from './request.js'
import type { PageRequest, ResponseHead } from './request.js'

export type { HeaderList } from './headers.js'
export type { AddressSpace, FailureCode, Verdict, ConsoleContext } from './messages.js'
export type { OutgoingRequest, PageRequest, ResponseHead } from './request.js'
export { consoleMessage, failureMessage } from './messages.js'
export { corsUnsafeRequestHeaderNames, isSafelistedRequestHeader, normalizeMethod } from './headers.js'
export {
  actualRequest, authorHeaders, ignoredHeaders, isSameOrigin, needsPreflight, preflightReasons,
  preflightRequest, requestProblems, targetAddressSpace
} from './request.js'

const RESPONSE_SAFELISTED = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']
const FORBIDDEN_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2'])

/** Field lines of one response header (case-insensitive name), or undefined when absent. */
export function fieldLines (res: ResponseHead, name: string): string[] | undefined {
  for (const [key, value] of Object.entries(res.headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue
    return Array.isArray(value) ? value : [value]
  }
  return undefined
}

/** Fetch#concept-header-list-get: the field lines combined with ", ". */
export function headerValue (res: ResponseHead, name: string): string | undefined {
  return fieldLines(res, name)?.join(', ')
}

/** 3xx responses a browser follows: a redirect status with a Location header. */
export function isRedirect (res: ResponseHead): boolean {
  return [301, 302, 303, 307, 308].includes(res.status) && headerValue(res, 'location') !== undefined
}

const answerOf = (preflight: boolean): string => preflight ? 'the server must answer the preflight' : 'the server must answer'

/**
 * Fetch#cors-check, with Chromium's order of diagnosis (cors.cc CheckAccess): which
 * `Access-Control-Allow-Origin` problem to report first.
 */
export function corsCheck (req: PageRequest, res: ResponseHead, preflight: boolean): Verdict {
  const include = credentialsMode(req) === 'include'
  const acao = headerValue(res, 'access-control-allow-origin')
  const p = preflight ? 'Preflight' : ''
  const answer = answerOf(preflight)
  const want = `\`Access-Control-Allow-Origin: ${req.origin}\``
  if (acao === '*') {
    if (!include) return { allowed: true }
    return blocked(`${p}WildcardOriginNotAllowed`, `${answer} with ${want} instead of \`*\` (and \`Vary: Origin\`), because the request includes credentials`)
  }
  if (acao === undefined) {
    const alternative = include ? ' and `Access-Control-Allow-Credentials: true`' : ' (or `*` if the resource is public)'
    const status = preflight && (res.status < 200 || res.status > 299) ? ` and a 2xx status (it answered ${res.status})` : ''
    return blocked(`${p}MissingAllowOriginHeader`, `${answer} with ${want}${alternative}${status}`)
  }
  if (acao !== req.origin) {
    if (/[ ,]/.test(acao)) {
      return blocked(`${p}MultipleAllowOriginValues`, `${answer} with exactly one ${want}; it sent '${acao}' (usually two layers, e.g. a proxy and the app, both add the header: remove one)`, acao)
    }
    if (acao !== 'null' && !URL.canParse(acao)) {
      return blocked(`${p}InvalidAllowOriginValue`, `${answer} with ${want}; it sent '${acao}', which is not an origin`, acao)
    }
    return blocked(`${p}AllowOriginMismatch`, `${answer} with ${want}, byte for byte (scheme, host and port, no path or trailing slash); it sent '${acao}'`, acao)
  }
  if (include) {
    const acac = headerValue(res, 'access-control-allow-credentials')
    // Fetch#cors-check step 7: exactly `true`, case-sensitive.
    if (acac !== 'true') {
      const sent = acac === undefined ? 'it sent none' : `it sent '${acac}'`
      return blocked(`${p}InvalidAllowCredentials`, `${answer} with \`Access-Control-Allow-Credentials: true\` (exactly, lower-case) because the request includes credentials; ${sent}`, acac ?? '')
    }
  }
  return { allowed: true }
}

/** Fetch#cors-preflight-fetch-0 step 7, in Chromium's order: CORS check, ok status, PNA, ACAM/ACAH. */
export function checkPreflightResponse (req: PageRequest, res: ResponseHead): Verdict {
  if (isSameOrigin(req)) return { allowed: true }
  if (isRedirect(res)) {
    return blocked('PreflightDisallowedRedirect', `the server must answer the preflight itself with a 2xx status instead of redirecting (it answered ${res.status} to ${headerValue(res, 'location') as string}); point the page at the final URL`)
  }
  const access = corsCheck(req, res, true)
  if (!access.allowed) return access
  if (res.status < 200 || res.status > 299) {
    return blocked('PreflightInvalidStatus', `the server must answer the preflight (OPTIONS ${new URL(req.url).pathname}) with a 2xx status; it answered ${res.status}. Preflights never carry cookies or Authorization, so answer OPTIONS before authentication or routing checks`)
  }
  if (req.privateNetwork === true) {
    const acapn = headerValue(res, 'access-control-allow-private-network')
    const space = targetAddressSpace(req.url)
    const fix = 'the server must answer the preflight with `Access-Control-Allow-Private-Network: true`'
    if (acapn === undefined) return blocked('PreflightMissingAllowPrivateNetwork', fix, '', space)
    if (acapn !== 'true') return blocked('PreflightInvalidAllowPrivateNetwork', `${fix}; it sent '${acapn}'`, acapn, space)
  }
  return checkAllowLists(req, res)
}

function checkAllowLists (req: PageRequest, res: ResponseHead): Verdict {
  const include = credentialsMode(req) === 'include'
  const methods = extractTokenList(fieldLines(res, 'access-control-allow-methods'))
  const headerNames = extractTokenList(fieldLines(res, 'access-control-allow-headers'))
  if (methods === 'failure') {
    return blocked('InvalidAllowMethodsPreflightResponse', `the server must send \`Access-Control-Allow-Methods\` as a comma-separated list of method names (e.g. \`GET, PUT\`); it sent '${headerValue(res, 'access-control-allow-methods') as string}'`)
  }
  if (headerNames === 'failure') {
    return blocked('InvalidAllowHeadersPreflightResponse', `the server must send \`Access-Control-Allow-Headers\` as a comma-separated list of header names (e.g. \`content-type, x-custom\`); it sent '${headerValue(res, 'access-control-allow-headers') as string}'`)
  }
  const method = normalizeMethod(req.method)
  // Step 7.4: a preflight caused by the use-CORS-preflight flag alone passes without ACAM.
  const allowedMethods = methods ?? (req.useCorsPreflight === true ? [method] : [])
  if (!allowedMethods.includes(method) && !isSafelistedMethod(method) && (include || !allowedMethods.includes('*'))) {
    let fix = `the server must answer the preflight with \`Access-Control-Allow-Methods\` containing \`${method}\``
    if (include && allowedMethods.includes('*')) fix += '; `*` is not a wildcard when the request includes credentials'
    const caseVariant = allowedMethods.find((m) => m.toLowerCase() === method.toLowerCase())
    if (caseVariant !== undefined) fix += `; methods are case-sensitive: the page sends \`${method}\`, the server lists \`${caseVariant}\``
    return blocked('MethodDisallowedByPreflightResponse', fix, method)
  }
  const allowedNames = new Set((headerNames ?? []).map((name) => name.toLowerCase()))
  const wildcard = !include && allowedNames.has('*')
  const headers = authorHeaders(req)
  const nonWildcard = headers.map(([name]) => name.toLowerCase()).filter(isNonWildcardRequestHeaderName)
  const refused = [
    ...nonWildcard.filter((name) => !allowedNames.has(name)),
    ...corsUnsafeRequestHeaderNames(headers).filter((name) => !allowedNames.has(name) && !wildcard)
  ][0]
  if (refused !== undefined) {
    let fix = `the server must answer the preflight with \`Access-Control-Allow-Headers\` containing \`${refused}\``
    if (allowedNames.has('*')) {
      fix += isNonWildcardRequestHeaderName(refused)
        ? `; \`*\` never covers \`${refused}\`, which must be listed by name (Fetch#cors-non-wildcard-request-header-name; Chromium 156 does not enforce this yet, whatwg/fetch#1919)`
        : '; `*` is not a wildcard when the request includes credentials'
    }
    return blocked('HeaderDisallowedByPreflightResponse', fix, refused)
  }
  return { allowed: true }
}

/**
 * The CORS check of an actual response (any status), and the response header names the page
 * can read through `response.headers` (Fetch#cors-filtered-response, Fetch#main-fetch ACEH step).
 */
export function checkActualResponse (req: PageRequest, res: ResponseHead): Verdict & { exposedHeaders: string[] } {
  const present = [...new Set(Object.keys(res.headers).filter((name) => res.headers[name] !== undefined).map((name) => name.toLowerCase()))]
  const readable = present.filter((name) => !FORBIDDEN_RESPONSE_HEADERS.has(name))
  if (isSameOrigin(req)) return { allowed: true, exposedHeaders: readable }
  const verdict = corsCheck(req, res, false)
  if (!verdict.allowed) return { ...verdict, exposedHeaders: [] }
  const listed = extractTokenList(fieldLines(res, 'access-control-expose-headers'))
  const names = listed === 'failure' || listed === null ? [] : listed.map((name) => name.toLowerCase())
  const all = credentialsMode(req) !== 'include' && names.includes('*')
  const exposed = readable.filter((name) => all || RESPONSE_SAFELISTED.includes(name) || names.includes(name))
  return { allowed: true, exposedHeaders: exposed }
}

/** Fetch#cors-preflight-fetch-0 step 7.9: the max-age of a preflight answer that sends none. */
export const DEFAULT_PREFLIGHT_MAX_AGE = 5
/** The "imposed limit on max-age" of Fetch#cors-preflight-fetch-0 step 7.10: Chromium's two hours. */
export const MAX_PREFLIGHT_MAX_AGE = 7200

/**
 * Fetch#cors-preflight-fetch-0 steps 7.8 to 7.10: `Access-Control-Max-Age` in seconds; absent or
 * not one `delta-seconds` value (`-1`, `5, 10`, `soon`) is the 5 s default, and the answer is
 * capped at 7200 s.
 */
export function preflightMaxAge (res: ResponseHead): number {
  const value = headerValue(res, 'access-control-max-age')
  if (value === undefined) return DEFAULT_PREFLIGHT_MAX_AGE
  const seconds = trimHttpWhitespace(value)
  if (!/^[0-9]+$/.test(seconds)) return DEFAULT_PREFLIGHT_MAX_AGE
  return Math.min(Number(seconds), MAX_PREFLIGHT_MAX_AGE)
}

interface Entry {
  /** The page's serialised origin. */
  origin: string
  url: string
  /** The preflight's credentials mode was 'include'. */
  credentials: boolean
  /** Exactly one of method and headerName is set. */
  method: string | null
  headerName: string | null
  /** Logical time (seconds) at which the entry is removed. */
  expires: number
}

/** One Fetch#concept-cache entry: a method or a header name some preflight granted. */
export type PreflightCacheEntry = Readonly<Entry>

type CacheKey = Pick<Entry, 'origin' | 'url' | 'credentials'>

function cacheKey (req: PageRequest): CacheKey {
  return { origin: req.origin, url: new URL(req.url).href, credentials: credentialsMode(req) === 'include' }
}

/**
 * The CORS-preflight cache of one browser (Fetch#cors-preflight-cache): entries keyed by the
 * page's origin, the request URL and whether credentials mode is 'include', one per method listed
 * in `Access-Control-Allow-Methods` and one per name listed in `Access-Control-Allow-Headers`,
 * merged across preflights. Time is a logical clock in seconds that the caller passes in.
 * Private Network Access is left out: such a request is always preflighted here.
 */
export class PreflightCache {
  #entries: Entry[] = []

  /**
   * Judges a preflight answer (checkPreflightResponse) and, when the browser accepts it, stores
   * its entries as Fetch#cors-preflight-fetch-0 steps 7.8 to 7.15 do: an entry that already matches
   * a listed method or name only gets the new max-age (counted from `now`); max-age 0 caches nothing.
   */
  store (req: PageRequest, res: ResponseHead, now: number): Verdict {
    const verdict = checkPreflightResponse(req, res)
    if (!verdict.allowed || isSameOrigin(req)) return verdict
    // checkPreflightResponse refused 'failure' lists
    let methods = extractTokenList(fieldLines(res, 'access-control-allow-methods')) as string[] | null
    const headerNames = extractTokenList(fieldLines(res, 'access-control-allow-headers')) as string[] | null
    if (methods === null && req.useCorsPreflight === true) methods = [normalizeMethod(req.method)]
    const key = cacheKey(req)
    const expires = now + preflightMaxAge(res)
    for (const method of methods ?? []) {
      const entry = this.#methodMatch(key, method, now)
      if (entry !== undefined) entry.expires = expires
      else this.#entries.push({ ...key, method, headerName: null, expires })
    }
    for (const headerName of headerNames ?? []) {
      const entry = this.#headerNameMatch(key, headerName, now)
      if (entry !== undefined) entry.expires = expires
      else this.#entries.push({ ...key, method: null, headerName, expires })
    }
    this.#evict(now)
    return verdict
  }

  /**
   * The condition under which Fetch#http-fetch sends a CORS-preflight fetch, negated: the cache
   * holds all the request needs, a method entry (unless the method is safelisted and the use-CORS-preflight flag is unset) and a
   * header-name entry for every CORS-unsafe request-header name.
   */
  covers (req: PageRequest, now: number): boolean {
    if (req.privateNetwork === true) return false
    const key = cacheKey(req)
    const method = normalizeMethod(req.method)
    if ((!isSafelistedMethod(method) || req.useCorsPreflight === true) && this.#methodMatch(key, method, now) === undefined) return false
    return corsUnsafeRequestHeaderNames(authorHeaders(req)).every((name) => this.#headerNameMatch(key, name, now) !== undefined)
  }

  /** Whether the browser sends a preflight before this request at time `now`. */
  preflightNeeded (req: PageRequest, now: number): boolean {
    return needsPreflight(req) && !this.covers(req, now)
  }

  /** The entries alive at `now`, oldest first. */
  entries (now: number): PreflightCacheEntry[] {
    return this.#entries.filter((entry) => now < entry.expires).map((entry) => ({ ...entry }))
  }

  /**
   * Fetch#concept-cache-match-method: the method itself or `*`; `*` is a wildcard only when the
   * credentials mode is not 'include' (Fetch#cors-preflight-fetch-0 step 7.5).
   */
  #methodMatch (key: CacheKey, method: string, now: number): Entry | undefined {
    return this.#entries.find((entry) => entry.method !== null && matches(entry, key, now) &&
      (entry.method === method || (entry.method === '*' && !entry.credentials)))
  }

  /**
   * Fetch#concept-cache-match-header: the name, case-insensitively, or `*` when the credentials
   * mode is not 'include' and the name is not `Authorization` (Fetch#cors-non-wildcard-request-header-name).
   */
  #headerNameMatch (key: CacheKey, name: string, now: number): Entry | undefined {
    const lower = name.toLowerCase()
    return this.#entries.find((entry) => entry.headerName !== null && matches(entry, key, now) &&
      (entry.headerName.toLowerCase() === lower || (entry.headerName === '*' && !entry.credentials && !isNonWildcardRequestHeaderName(lower))))
  }

  #evict (now: number): void {
    this.#entries = this.#entries.filter((entry) => now < entry.expires)
  }
}

/** Fetch#concept-cache-match, for an entry still alive at `now`. */
function matches (entry: Entry, key: CacheKey, now: number): boolean {
  return now < entry.expires && entry.origin === key.origin && entry.url === key.url && entry.credentials === key.credentials
}
