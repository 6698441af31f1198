import FindMyWay from 'find-my-way'
import type { CorsPolicy } from './policy.js'

/** The methods served at one URL pattern, joined lazily (routes are all known once requests arrive). */
interface ServedMethods { readonly methods: string[], joined: string | undefined }

/** What the plugin knows about one route: its policy (`null` = `cors: false`) and its URL's methods. */
export interface RouteEntry {
  readonly policy: CorsPolicy | null
  /** "PUT /items/:id", for messages */
  readonly name: string
  readonly served: ServedMethods
}

/** Router options that change which route a URL hits; taken from Fastify's own configuration. */
export interface RouterConfig {
  ignoreTrailingSlash?: boolean
  ignoreDuplicateSlashes?: boolean
  caseSensitive?: boolean
  maxParamLength?: number
  useSemicolonDelimiter?: boolean
  allowUnsafeRegex?: boolean
}

function noop (): void {}

/**
 * A second find-my-way router (Fastify's own router) holding every route's CORS entry, so a
 * preflight can be answered with the policy of the route the actual request will hit: same URL
 * matching as Fastify, route selected by Access-Control-Request-Method.
 */
export class PreflightRoutes {
  readonly #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>
  readonly #served = new Map<string, ServedMethods>()
  readonly #methods = new Set<string>()

  constructor (config: RouterConfig) {
    // useSemicolonDelimiter is missing from find-my-way's Config type but honoured at run time
    this.#router = FindMyWay({
      ...{ useSemicolonDelimiter: config.useSemicolonDelimiter ?? false },
      ignoreTrailingSlash: config.ignoreTrailingSlash ?? false,
      ignoreDuplicateSlashes: config.ignoreDuplicateSlashes ?? false,
      caseSensitive: config.caseSensitive ?? true,
      maxParamLength: config.maxParamLength ?? 100,
      allowUnsafeRegex: config.allowUnsafeRegex ?? false
    })
  }

  /** Records a route; a second route for the same method and URL (e.g. other constraints) keeps the first. */
  add (methods: readonly string[], url: string, policy: CorsPolicy | null): RouteEntry[] {
    let served = this.#served.get(url)
    if (served === undefined) {
      served = { methods: [], joined: undefined }
      this.#served.set(url, served)
    }
    const entries: RouteEntry[] = []
    for (const method of methods) {
      const entry: RouteEntry = { policy, name: `${method} ${url}`, served }
      try {
        this.#router.on(method as FindMyWay.HTTPMethod, url, noop, entry)
      } catch {
        continue
      }
      // a route with cors: false is not advertised to browsers
      if (policy !== null && !served.methods.includes(method)) served.methods.push(method)
      this.#methods.add(method)
      entries.push(entry)
    }
    return entries
  }

  /** The route a request with this method and URL would hit, if any. */
  find (method: string, url: string): RouteEntry | undefined {
    // only methods some route uses are looked up: the router's per-method table is keyed by name
    if (!this.#methods.has(method)) return undefined
    const found = this.#router.find(method as FindMyWay.HTTPMethod, url)
    return found === null ? undefined : found.store as RouteEntry
  }

  /** ACAM for the route's URL: every method served there. */
  static methodsOf (entry: RouteEntry): string {
    const served = entry.served
    if (served.joined === undefined) served.joined = served.methods.join(', ')
    return served.joined
  }
}
