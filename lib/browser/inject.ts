/**
 * The browser model played against an application in tests: `fetchFromPage` sends, through
 * `app.inject()`, the requests Chromium sends for one `fetch()` (the preflight when one is needed,
 * then the actual request, then each redirect), and `browserVerdict` judges one response the test
 * obtained itself. The application is typed by shape, so this file imports nothing but the model.
 */
import { checkActualResponse, checkPreflightResponse } from './model.js'
import type { PreflightCache } from './model.js'
import { consoleMessage } from './messages.js'
import type { Verdict } from './messages.js'
import {
  actualRequest, credentialsMode, ignoredHeaders, isSameOrigin, needsPreflight, preflightReasons,
  preflightRequest, requestProblems
} from './request.js'
import type { OutgoingRequest, PageRequest, ResponseHead } from './request.js'
import type { HeaderList } from './headers.js'
import { normalizeMethod } from './headers.js'
import { followRedirect } from './redirect.js'

/** What a relative `url` is resolved against: the host `app.inject()` uses by default. */
const BASE_URL = 'http://localhost'

/** One `fetch(url, init)` made by a page whose origin is `origin` (CORS mode, redirect mode "follow"). */
export interface PageFetch extends Omit<PageRequest, 'url' | 'method'> {
  /** Absolute, or a path resolved against http://localhost (the host `app.inject()` uses by default). */
  url: string
  /** As the script writes it; default 'GET'. `'patch'` stays `patch` (Fetch normalises six methods only). */
  method?: string
  /**
   * A string body (`init.body`): sent with the actual request only, with
   * `Content-Type: text/plain;charset=UTF-8` when the headers set no `Content-Type`, as `fetch()` does.
   */
  body?: string
  /**
   * The `Cookie` header the browser holds for the URL. Sent with the actual request when the
   * credentials mode lets it ('include'; 'same-origin' to the page's own origin), never with a
   * preflight. SameSite is not modelled: give only the cookies the browser would attach.
   */
  cookie?: string
}

/** An `app.inject()` response, or any response given as status code and Node-style headers. */
export interface InjectedResponse {
  statusCode: number
  /** Lower-case names; several field lines as an array; numbers as Node allows them. */
  headers: Record<string, string | string[] | number | undefined>
  body?: string
}

/** The `app.inject()` options fetchFromPage uses. */
export interface InjectRequest {
  method: string
  /** Path and query of the request URL. */
  url: string
  /** The request headers, `host` first (the request URL's host). */
  headers: Record<string, string>
  payload?: string
}

/** A Fastify instance, or anything with its `inject()`. */
export interface InjectableApp {
  inject (options: InjectRequest): Promise<InjectedResponse>
}

/** A verdict with the line Chromium prints to the console when it blocks the request. */
export interface BrowserVerdict extends Verdict {
  /** Chromium's console line, word for word; absent when allowed. */
  consoleMessage?: string
}

/** One request the browser sent, the app's answer, and what the browser made of it. */
export interface BrowserExchange {
  kind: 'preflight' | 'actual' | 'redirect'
  /** The request as the browser puts it on the wire (the Host header aside). */
  request: OutgoingRequest
  /** The app's answer: status and headers, normalised (lower-case names, strings). */
  response: ResponseHead
  verdict: BrowserVerdict
  /** Why the browser sent a preflight (preflights only). */
  reasons?: string[]
  /** What the browser changes when it follows the redirect (redirects followed only). */
  notes?: string[]
}

/** What the page gets from `fetch()` when the browser lets it read the response. */
export interface PageResponse {
  status: number
  /** The final URL (`response.url`). */
  url: string
  redirected: boolean
  /** The headers the page can read (`response.headers`): safelisted or exposed, values combined with ", ". */
  headers: Record<string, string>
  body: string
}

/** The outcome of one `fetch()`: allowed or blocked with Chromium's console line, and every exchange. */
export interface FetchResult extends BrowserVerdict {
  /** The preflight exchange, when the browser sent one (the last one when redirects led to several). */
  preflight?: BrowserExchange
  /** Whether the actual request reached the app (so its handler ran, whatever the browser then allows). */
  actualSent: boolean
  /** What the page reads; only when allowed. */
  response?: PageResponse
  /** Headers a page cannot set (Fetch's forbidden request headers): the browser dropped them. */
  ignoredHeaders: string[]
  /** Every request sent, in order. */
  exchanges: BrowserExchange[]
}

export interface FetchFromPageOptions {
  /**
   * The page's CORS-preflight cache, kept across calls to model one page making several fetches:
   * a preflight is sent only when the cache does not cover the request, and accepted answers are
   * stored. Without it every call starts with an empty cache.
   */
  preflightCache?: PreflightCache
  /** The page's clock for `preflightCache`, in seconds; default 0. */
  now?: number
}

/** Options of browserVerdict. */
export interface BrowserVerdictOptions {
  /** The response answers the page's preflight (the `OPTIONS` request of preflightRequest(page)). */
  preflight?: boolean
}

/** The model's request for `fetch`; throws the TypeError `fetch()` throws before sending anything. */
function pageRequestOf (fetch: PageFetch): PageRequest {
  const method = fetch.method ?? 'GET'
  // an unparsable URL stays as written: requestProblems reports it
  const url = URL.canParse(fetch.url, BASE_URL) ? new URL(fetch.url, BASE_URL).href : fetch.url
  const headers: HeaderList = Array.isArray(fetch.headers) ? [...fetch.headers] : Object.entries(fetch.headers ?? {})
  if (fetch.body !== undefined && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'text/plain;charset=UTF-8'])
  }
  const req: PageRequest = {
    url, origin: fetch.origin, method, headers, credentials: fetch.credentials, privateNetwork: fetch.privateNetwork, useCorsPreflight: fetch.useCorsPreflight
  }
  const problems = requestProblems(req)
  const normalised = normalizeMethod(method)
  if (fetch.body !== undefined && (normalised === 'GET' || normalised === 'HEAD')) problems.push('Request with GET/HEAD method cannot have body.')
  if (problems.length > 0) throw new TypeError(`fetch() throws before sending anything: ${problems.join(' ')}`)
  return req
}

/** Node-style headers as the model reads them: lower-case names, string field lines. */
function responseHeadOf (response: InjectedResponse): ResponseHead {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue
    const key = name.toLowerCase()
    const lines = [...[headers[key] ?? []].flat(), ...[value].flat().map(String)]
    headers[key] = lines.length === 1 ? lines[0] as string : lines
  }
  return { status: response.statusCode, headers }
}

function withConsole (verdict: Verdict, request: OutgoingRequest, origin: string, initialUrl: string): BrowserVerdict {
  const line = consoleMessage(verdict, { url: request.url, origin, initialUrl, method: request.method })
  return line === undefined ? verdict : { ...verdict, consoleMessage: line }
}

/**
 * Judges one response as Chromium would for the page's `fetch()`: the answer to its preflight
 * (`{ preflight: true }`), or the actual response. Use `needsPreflight(page)` to know whether the
 * browser sends a preflight first, or fetchFromPage to have both sent and judged in order.
 *
 * @example
 * ```ts
 * const res = await app.inject({ url: '/items', headers: { origin: 'https://app.example.com' } })
 * browserVerdict({ origin: 'https://app.example.com', url: '/items' }, res).allowed // true or false
 * ```
 */
export function browserVerdict (fetch: PageFetch, response: InjectedResponse, options: BrowserVerdictOptions = {}): BrowserVerdict & { exposedHeaders?: string[] } {
  const req = pageRequestOf(fetch)
  const head = responseHeadOf(response)
  if (options.preflight === true) return withConsole(checkPreflightResponse(req, head), preflightRequest(req), req.origin, req.url)
  const { exposedHeaders, ...verdict } = checkActualResponse(req, head)
  return { ...withConsole(verdict, actualRequest(req), req.origin, req.url), ...(verdict.allowed ? { exposedHeaders } : {}) }
}

function injectOptions (request: OutgoingRequest, payload: string | undefined): InjectRequest {
  const url = new URL(request.url)
  const options: InjectRequest = {
    method: request.method,
    url: url.pathname + url.search,
    headers: { host: url.host, ...Object.fromEntries(request.headers) }
  }
  return payload === undefined ? options : { ...options, payload }
}

/** Fetch#http-network-or-cache-fetch: cookies go with 'include', and with 'same-origin' to the page's own origin. */
function withCookie (request: OutgoingRequest, req: PageRequest, cookie: string | undefined): OutgoingRequest {
  const mode = credentialsMode(req)
  const send = cookie !== undefined && (mode === 'include' || (mode === 'same-origin' && isSameOrigin(req)))
  return send ? { ...request, headers: [...request.headers, ['cookie', cookie]] } : request
}

/**
 * Plays the page's `fetch()` against `app` as Chromium does: the CORS-preflight request first when
 * the browser sends one (and nothing else if the browser refuses its answer), then the actual
 * request, then every redirect the browser follows (each sent to `app` too, with the new URL's
 * Host). Returns whether the page can read the response, Chromium's console line when it cannot,
 * what it reads when it can, and every exchange. Throws a TypeError where `fetch()` throws one
 * before sending anything (a forbidden method, a body with GET, an invalid header name…).
 *
 * @example
 * ```ts
 * const result = await fetchFromPage(app, { origin: 'https://app.example.com', url: '/items/1', method: 'PUT', headers: { 'X-Request-Id': '1' } })
 * result.allowed          // can the page read the response?
 * result.consoleMessage   // else the line Chromium prints
 * result.preflight        // the preflight exchange, when one was sent
 * ```
 */
export async function fetchFromPage (app: InjectableApp, fetch: PageFetch, options: FetchFromPageOptions = {}): Promise<FetchResult> {
  let req = pageRequestOf(fetch)
  const { preflightCache: cache, now = 0 } = options
  const origin = req.origin
  const initialUrl = req.url
  const ignored = ignoredHeaders(req)
  const exchanges: BrowserExchange[] = []
  // the outcome is the verdict of the last exchange
  const done = (response?: PageResponse): FetchResult => {
    const preflight = exchanges.findLast((exchange) => exchange.kind === 'preflight')
    return {
      ...(exchanges.at(-1) as BrowserExchange).verdict,
      ...(preflight === undefined ? {} : { preflight }),
      actualSent: exchanges.some((exchange) => exchange.kind !== 'preflight'),
      ...(response === undefined ? {} : { response }),
      ignoredHeaders: ignored,
      exchanges
    }
  }
  let body = fetch.body
  for (let redirects = 0; ; redirects++) {
    if (cache === undefined ? needsPreflight(req) : cache.preflightNeeded(req, now)) {
      const request = preflightRequest(req)
      const response = responseHeadOf(await app.inject(injectOptions(request, undefined)))
      const verdict = cache === undefined ? checkPreflightResponse(req, response) : cache.store(req, response, now)
      exchanges.push({ kind: 'preflight', request, response, verdict: withConsole(verdict, request, origin, initialUrl), reasons: preflightReasons(req) })
      if (!verdict.allowed) return done()
    }
    const request = withCookie(actualRequest(req), req, fetch.cookie)
    if (request.method !== request.method.toUpperCase()) {
      throw new Error(`fetchFromPage: a browser sends the method '${request.method}' as written (Fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT); app.inject() cannot send it so, and Node's HTTP parser refuses it with 400 Bad Request before the app sees it. Write '${request.method.toUpperCase()}' in the page's fetch()`)
    }
    const injected = await app.inject(injectOptions(request, body))
    const response = responseHeadOf(injected)
    const redirect = followRedirect(req, response, redirects)
    if (redirect.kind === 'final') {
      const { exposedHeaders, ...verdict } = checkActualResponse(req, response)
      exchanges.push({ kind: 'actual', request, response, verdict: withConsole(verdict, request, origin, initialUrl) })
      if (!verdict.allowed) return done()
      const headers = Object.fromEntries(exposedHeaders.map((name) => [name, [response.headers[name] as string | string[]].flat().join(', ')]))
      return done({ status: response.status, url: req.url, redirected: redirects > 0, headers, body: injected.body ?? '' })
    }
    if (redirect.kind === 'blocked') {
      exchanges.push({ kind: 'redirect', request, response, verdict: withConsole(redirect.verdict, request, origin, initialUrl) })
      return done()
    }
    exchanges.push({ kind: 'redirect', request, response, verdict: { allowed: true }, notes: redirect.notes })
    // 301/302 (POST) and 303 turn the request into a GET without a body
    if (redirect.next.method !== normalizeMethod(req.method)) body = undefined
    req = redirect.next
  }
}
