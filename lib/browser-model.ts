/**
 * The browser side of the CORS protocol (WHATWG Fetch), as Chromium applies it to a `fetch()`
 * made by a page: whether a preflight is sent, what it looks like, and whether the page may read
 * the preflight and the actual responses. Pure: no I/O, no Fastify.
 */
import {
  corsUnsafeRequestHeaderNames, extractTokenList, isForbiddenMethod, isForbiddenRequestHeader,
  isNonWildcardRequestHeaderName, isSafelistedMethod, isSafelistedRequestHeader, isToken,
  normalizeMethod, trimHttpWhitespace
} from './browser-headers.js'
import type { HeaderList } from './browser-headers.js'
import { blocked } from './browser-messages.js'
import type { AddressSpace, Verdict } from './browser-messages.js'

export type { HeaderList } from './browser-headers.js'
export type { AddressSpace, FailureCode, Verdict, ConsoleContext } from './browser-messages.js'
export { consoleMessage, failureMessage } from './browser-messages.js'
export { corsUnsafeRequestHeaderNames, isSafelistedRequestHeader, normalizeMethod } from './browser-headers.js'

/** A `fetch()` call as a page makes it. */
export interface PageRequest {
  /** Absolute target URL. */
  url: string
  /** The page's serialised origin, e.g. 'http://localhost:8080', or 'null' (sandboxed, file:, tainted). */
  origin: string
  /** As the script wrote it; normalised per Fetch#concept-method-normalize. */
  method: string
  /** Author request headers. */
  headers?: HeaderList | Record<string, string>
  /** Defaults to 'same-origin', as in `fetch()`. */
  credentials?: 'omit' | 'same-origin' | 'include'
  /** Private Network Access: the target is more private than the page. */
  privateNetwork?: boolean
  /** Fetch#use-cors-preflight-flag (XHR upload listeners, streamed bodies). */
  useCorsPreflight?: boolean
}

/** A response as Node gives it: lower-case names; several field lines as an array. */
export interface ResponseHead {
  status: number
  headers: Record<string, string | string[] | undefined>
}

/** A request exactly as the browser puts it on the wire (names as sent, in order). */
export interface OutgoingRequest {
  method: string
  url: string
  headers: HeaderList
}

const RESPONSE_SAFELISTED = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']
const FORBIDDEN_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2'])

function rawHeaders (req: PageRequest): HeaderList {
  return Array.isArray(req.headers) ? req.headers : Object.entries(req.headers ?? {})
}

/** The request's header list after the Headers object did its work: values trimmed, forbidden names dropped. */
export function authorHeaders (req: PageRequest): HeaderList {
  const raw = rawHeaders(req)
  const list: HeaderList = []
  for (const [name, value] of raw) {
    const normalised = trimHttpWhitespace(value)
    if (!isForbiddenRequestHeader(name, normalised)) list.push([name, normalised])
  }
  return list
}

/** Author headers the browser silently drops (Fetch#forbidden-request-header). */
export function ignoredHeaders (req: PageRequest): string[] {
  return rawHeaders(req).filter(([name, value]) => isForbiddenRequestHeader(name, trimHttpWhitespace(value))).map(([name]) => name)
}

/** What makes `fetch()` throw a TypeError before anything is sent; empty when the call is valid. */
export function requestProblems (req: PageRequest): string[] {
  const problems: string[] = []
  let url: URL | undefined
  try {
    url = new URL(req.url)
  } catch {
    problems.push(`Failed to parse URL from ${req.url}`)
  }
  if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`URL scheme "${url.protocol.slice(0, -1)}" is not supported.`)
  }
  if (url !== undefined && (url.username !== '' || url.password !== '')) {
    problems.push(`Request cannot be constructed from a URL that includes credentials: ${req.url}`)
  }
  if (!isToken(req.method)) problems.push(`'${req.method}' is not a valid HTTP method.`)
  else if (isForbiddenMethod(req.method)) problems.push(`'${req.method}' HTTP method is unsupported.`)
  for (const [name, value] of rawHeaders(req)) {
    if (!isToken(name)) problems.push(`Invalid name: '${name}'`)
    // ByteString values: no NUL, CR or LF, and nothing above U+00FF.
    else if (/[\0\r\n]|[^\0-\u00ff]/.test(value)) problems.push(`Invalid value for header '${name}'`)
  }
  return problems
}

function urlOrigin (url: string): string {
  return new URL(url).origin
}

/** True when the page and the target share an origin: then no CORS applies at all. */
export function isSameOrigin (req: PageRequest): boolean {
  return req.origin !== 'null' && urlOrigin(req.url) === req.origin
}

function credentialsMode (req: PageRequest): 'omit' | 'same-origin' | 'include' {
  return req.credentials ?? 'same-origin'
}

/** Why a preflight is needed (empty when it is not), one sentence each. */
export function preflightReasons (req: PageRequest): string[] {
  if (isSameOrigin(req)) return []
  const reasons: string[] = []
  const method = normalizeMethod(req.method)
  if (!isSafelistedMethod(method)) reasons.push(`${method} is not a CORS-safelisted method (GET, HEAD, POST)`)
  const headers = authorHeaders(req)
  const unsafe = corsUnsafeRequestHeaderNames(headers)
  for (const name of unsafe) {
    const own = headers.filter(([n, v]) => n.toLowerCase() === name && !isSafelistedRequestHeader(n, v))
    if (own.length === 0) {
      reasons.push(`${name} is safelisted, but the safelisted values exceed 1024 bytes in total`)
    } else if (['accept', 'accept-language', 'content-language', 'content-type', 'range'].includes(name)) {
      reasons.push(`${name}: '${(own[0] as [string, string])[1]}' is not a CORS-safelisted value`)
    } else {
      reasons.push(`${name} is not a CORS-safelisted request header`)
    }
  }
  if (req.privateNetwork === true) reasons.push('the target is on a more private network (Private Network Access)')
  if (req.useCorsPreflight === true) reasons.push('the use-CORS-preflight flag is set (upload listeners or a streamed body)')
  return reasons
}

/** Fetch#main-fetch: a cross-origin request is preflighted when it is not "simple". */
export function needsPreflight (req: PageRequest): boolean {
  return preflightReasons(req).length > 0
}

/** The address space Chromium names in PNA messages: loopback hosts are `local`. */
export function targetAddressSpace (url: string): AddressSpace {
  const host = new URL(url).hostname
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\./.test(host)
  return loopback ? 'local' : 'private'
}

/**
 * The CORS-preflight request, in the order Chromium builds it (preflight_controller.cc):
 * Accept, ACRM, ACRH (Fetch#cors-unsafe-request-header-names, joined by ',' without a space),
 * ACRPN for Private Network Access, Origin, Sec-Fetch-Mode.
 */
export function preflightRequest (req: PageRequest): OutgoingRequest {
  const headers: HeaderList = [['accept', '*/*'], ['access-control-request-method', normalizeMethod(req.method)]]
  const unsafe = corsUnsafeRequestHeaderNames(authorHeaders(req))
  if (unsafe.length > 0) headers.push(['access-control-request-headers', unsafe.join(',')])
  if (req.privateNetwork === true) headers.push(['access-control-request-private-network', 'true'])
  headers.push(['origin', req.origin], ['sec-fetch-mode', 'cors'])
  return { method: 'OPTIONS', url: req.url, headers }
}

/**
 * The actual request: the author headers (one line per name, values combined with ", "), then
 * what the browser adds: Accept when the script set none, Origin (Fetch#append-a-request-origin-header),
 * Sec-Fetch-Mode.
 */
export function actualRequest (req: PageRequest): OutgoingRequest {
  const method = normalizeMethod(req.method)
  const combined = new Map<string, [string, string]>()
  for (const [name, value] of authorHeaders(req)) {
    const entry = combined.get(name.toLowerCase())
    if (entry === undefined) combined.set(name.toLowerCase(), [name, value])
    else entry[1] += `, ${value}`
  }
  const headers: HeaderList = [...combined.values()]
  if (!combined.has('accept')) headers.push(['accept', '*/*'])
  const sameOrigin = isSameOrigin(req)
  if (!sameOrigin || (method !== 'GET' && method !== 'HEAD')) headers.push(['origin', req.origin])
  headers.push(['sec-fetch-mode', 'cors'])
  return { method, url: req.url, headers }
}

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
        ? `; \`*\` never covers \`${refused}\`, which must be listed by name`
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
