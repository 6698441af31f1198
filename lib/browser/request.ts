/**
 * The request side of a page's `fetch()` under the CORS protocol (WHATWG Fetch), as Chromium
 * builds it: the header list after the Headers object, whether a preflight is sent, and the
 * preflight and actual requests as they go on the wire. Pure: no I/O, no Fastify.
 */
import {
  corsUnsafeRequestHeaderNames, isForbiddenMethod, isForbiddenRequestHeader,
  isSafelistedMethod, isSafelistedRequestHeader, isToken, normalizeMethod, trimHttpWhitespace
} from './headers.js'
import type { HeaderList } from './headers.js'
import type { AddressSpace } from './messages.js'

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

export function credentialsMode (req: PageRequest): 'omit' | 'same-origin' | 'include' {
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
