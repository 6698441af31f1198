import { METHODS } from 'node:http'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

/** One `fetch()` made by a page. Every header given is treated as CORS-unsafe (it needs a preflight). */
export interface PageFetch {
  origin: string
  method: string
  url: string
  /** the URL's host, sent as `Host` (inject's own default otherwise) */
  host?: string
  headers?: Record<string, string>
  body?: string
  /** credentials mode "include" */
  credentials?: boolean
}

export interface PageFetchResult {
  /** the preflight's response, when one was sent */
  preflight: LightMyRequestResponse | undefined
  /** did the browser send the actual request? */
  sent: boolean
  /** the actual request's response (undefined when not sent, or for a method inject cannot send) */
  actual: LightMyRequestResponse | undefined
}

const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST'])

function listOf (value: string | string[] | number | undefined): string[] {
  if (value === undefined) return []
  const joined = Array.isArray(value) ? value.join(',') : String(value)
  return joined.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

/**
 * A page that sends `fetch()`es the way Fetch does with its CORS-preflight cache
 * (https://fetch.spec.whatwg.org/#cors-preflight-cache): entries keyed by origin, URL and
 * credentials mode, one per method listed in Access-Control-Allow-Methods and per header listed in
 * Access-Control-Allow-Headers, kept for Access-Control-Max-Age seconds (Chromium's 5 s when absent;
 * 0 keeps nothing). Only as much of Fetch as shows which actual requests reach the server after
 * earlier preflights; lib/browser-model.ts is the full model.
 */
export class CachingPage {
  readonly #app: FastifyInstance
  readonly #methods = new Map<string, Map<string, number>>()
  readonly #headers = new Map<string, Map<string, number>>()

  constructor (app: FastifyInstance) {
    this.#app = app
  }

  async fetch (request: PageFetch): Promise<PageFetchResult> {
    const credentials = request.credentials === true
    const names = Object.keys(request.headers ?? {}).map((name) => name.toLowerCase()).sort()
    const key = `${request.origin} ${request.host ?? 'localhost:80'}${request.url} ${String(credentials)}`
    const host: Record<string, string> = request.host === undefined ? {} : { host: request.host }
    let preflight: LightMyRequestResponse | undefined
    // https://fetch.spec.whatwg.org/#main-fetch step 12: a preflight unless the cache covers the request
    const needsPreflight = !SAFELISTED_METHODS.has(request.method) || names.length > 0
    if (needsPreflight && !this.#covered(key, request.method, names, credentials)) {
      const headers: Record<string, string> = { ...host, origin: request.origin, 'access-control-request-method': request.method }
      if (names.length > 0) headers['access-control-request-headers'] = names.join(',')
      preflight = await this.#app.inject({ method: 'OPTIONS', url: request.url, headers })
      if (!this.#preflightPasses(preflight, request, names, credentials)) return { preflight, sent: false, actual: undefined }
      this.#store(key, preflight)
    }
    // light-my-request sends only the methods Node knows; Fastify would answer any other with a 404
    if (!METHODS.includes(request.method)) return { preflight, sent: true, actual: undefined }
    const actual = await this.#app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: { ...host, ...request.headers, origin: request.origin },
      ...(request.body === undefined ? {} : { payload: request.body })
    })
    return { preflight, sent: true, actual }
  }

  // https://fetch.spec.whatwg.org/#concept-cache-match-method and #concept-cache-match-header
  #covered (key: string, method: string, names: string[], credentials: boolean): boolean {
    const now = Date.now()
    const live = (entries: Map<string, number> | undefined, name: string): boolean => (entries?.get(name) ?? 0) > now
    const methods = this.#methods.get(key)
    const headers = this.#headers.get(key)
    const methodOk = SAFELISTED_METHODS.has(method) || live(methods, method) || (!credentials && live(methods, '*'))
    return methodOk && names.every((name) => live(headers, name) || (!credentials && name !== 'authorization' && live(headers, '*')))
  }

  // https://fetch.spec.whatwg.org/#cors-preflight-fetch-0 steps 7.1 to 7.7
  #preflightPasses (res: LightMyRequestResponse, request: PageFetch, names: string[], credentials: boolean): boolean {
    if (res.statusCode < 200 || res.statusCode > 299) return false
    const acao = res.headers['access-control-allow-origin']
    if (acao !== request.origin && (acao !== '*' || credentials)) return false
    if (credentials && res.headers['access-control-allow-credentials'] !== 'true') return false
    const methods = listOf(res.headers['access-control-allow-methods'])
    const headers = listOf(res.headers['access-control-allow-headers']).map((name) => name.toLowerCase())
    if (!SAFELISTED_METHODS.has(request.method) && !methods.includes(request.method) && (credentials || !methods.includes('*'))) return false
    return names.every((name) => headers.includes(name) || (!credentials && name !== 'authorization' && headers.includes('*')))
  }

  #store (key: string, res: LightMyRequestResponse): void {
    const maxAge = res.headers['access-control-max-age'] === undefined ? 5 : Number(res.headers['access-control-max-age'])
    if (!(maxAge > 0)) return
    const expires = Date.now() + maxAge * 1000
    const methods = this.#methods.get(key) ?? new Map<string, number>()
    const headers = this.#headers.get(key) ?? new Map<string, number>()
    for (const method of listOf(res.headers['access-control-allow-methods'])) methods.set(method, expires)
    for (const name of listOf(res.headers['access-control-allow-headers'])) headers.set(name.toLowerCase(), expires)
    this.#methods.set(key, methods)
    this.#headers.set(key, headers)
  }
}

/** Access-Control-Allow-Methods as a sorted list (the order of the names is not promised), or undefined. */
export function allowedMethodsOf (res: LightMyRequestResponse): string[] | undefined {
  const value = res.headers['access-control-allow-methods']
  return value === undefined ? undefined : listOf(value).sort()
}

/** Access-Control-Allow-Headers as a sorted list of lower-case names, or undefined. */
export function allowedHeadersOf (res: LightMyRequestResponse): string[] | undefined {
  const value = res.headers['access-control-allow-headers']
  return value === undefined ? undefined : listOf(value).map((name) => name.toLowerCase()).sort()
}
