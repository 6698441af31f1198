import { METHODS } from 'node:http'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { PreflightCache, needsPreflight, preflightRequest, type PageRequest, type ResponseHead } from '../../lib/browser/model.js'

/** One `fetch()` made by a page; its headers are safelisted or not as Fetch says. */
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

function listOf (value: string | string[] | number | undefined): string[] {
  if (value === undefined) return []
  const joined = Array.isArray(value) ? value.join(',') : String(value)
  return joined.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

/**
 * A page that sends `fetch()`es the way Fetch does with its CORS-preflight cache
 * (https://fetch.spec.whatwg.org/#cors-preflight-cache), played through the browser model's
 * PreflightCache: a preflight goes out only when the cache does not cover the request, and the actual
 * request only when the preflight passed. The page's clock stands still unless `wait` moves it.
 */
export class CachingPage {
  readonly #app: FastifyInstance
  readonly #cache = new PreflightCache()
  #now = 0

  constructor (app: FastifyInstance) {
    this.#app = app
  }

  /** Lets time pass (seconds), so cached entries can expire. */
  wait (seconds: number): void {
    this.#now += seconds
  }

  async fetch (request: PageFetch): Promise<PageFetchResult> {
    const page: PageRequest = {
      url: `http://${request.host ?? 'localhost:80'}${request.url}`,
      origin: request.origin,
      method: request.method,
      headers: request.headers ?? {},
      credentials: request.credentials === true ? 'include' : 'omit'
    }
    const host: Record<string, string> = request.host === undefined ? {} : { host: request.host }
    let preflight: LightMyRequestResponse | undefined
    if (needsPreflight(page) && !this.#cache.covers(page, this.#now)) {
      const outgoing = preflightRequest(page)
      preflight = await this.#app.inject({ method: 'OPTIONS', url: request.url, headers: { ...host, ...Object.fromEntries(outgoing.headers) } })
      const verdict = this.#cache.store(page, { status: preflight.statusCode, headers: preflight.headers as ResponseHead['headers'] }, this.#now)
      if (!verdict.allowed) return { preflight, sent: false, actual: undefined }
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
