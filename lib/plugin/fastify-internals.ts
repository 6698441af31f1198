/**
 * Everything the plugin learns from Fastify (and the Node response under a reply) beyond its public
 * API, in one file so an upgrade that changes it breaks here (test/plugin/fastify-internals.test.ts
 * pins each fact, and CI runs that test against the newest Fastify 5 too). Each reader fails loudly
 * instead of guessing, or falls back to the public API.
 */
import { createRequire } from 'node:module'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import FindMyWay from 'find-my-way'
import { ownUrl } from './own-url.js'

/** A route as Fastify's router holds it, read at start-up. */
export interface RouterRoute {
  readonly method: string
  /** the path given to the router, prefix and slash variant included ('/admin' and '/admin/') */
  readonly path: string
  /** the router's canonical form of the path (lower-cased when routing is case-insensitive) */
  readonly pattern: string
  readonly constraints: Readonly<Record<string, unknown>>
  /** Fastify's route context: `config` is the route's config (its `cors` value as given), `server` the instance that declared it */
  readonly context: RouteContext
}

export interface RouteContext {
  readonly config: Record<PropertyKey, unknown>
  readonly server: FastifyInstance
}

/** The router settings that decide which route a URL hits. */
export interface RouterMatchOptions {
  readonly ignoreTrailingSlash: boolean
  readonly ignoreDuplicateSlashes: boolean
  readonly caseSensitive: boolean
  readonly maxParamLength: number
  readonly useSemicolonDelimiter: boolean
}

export class FastifyInternalsError extends Error {
  constructor (what: string) {
    super(`fastify-cors-policy cannot read ${what} from this Fastify version, so it cannot tell which route a preflight targets; ` +
      'it refuses to start rather than guess. Use a Fastify 5 release this plugin supports and report the version.')
    this.name = 'FastifyInternalsError'
  }
}

/**
 * Every route in Fastify's router, with its context. `printRoutes({ includeMeta: true })` makes
 * find-my-way call `options.buildPrettyMeta(route)` for each route object it walks, after assigning
 * its own function to that key; an accessor keeps ours in place. find-my-way merges the `method` of
 * similar routes afterwards, so each route is copied when it is seen.
 */
export function listRouterRoutes (fastify: FastifyInstance): RouterRoute[] {
  const routes: RouterRoute[] = []
  const options: Record<string, unknown> = { includeMeta: true, commonPrefix: false }
  Object.defineProperty(options, 'buildPrettyMeta', {
    get: () => (route: { method?: unknown, path?: unknown, pattern?: unknown, opts?: { constraints?: Record<string, unknown> }, store?: unknown }) => {
      const context = route.store as RouteContext | null | undefined
      if (typeof route.method !== 'string' || typeof route.path !== 'string' || context === null || typeof context !== 'object' ||
          context.config === null || typeof context.config !== 'object' || context.server === undefined) {
        throw new FastifyInternalsError('a route (find-my-way passed no method, path or Fastify context to buildPrettyMeta)')
      }
      routes.push({
        method: route.method,
        path: route.path,
        pattern: typeof route.pattern === 'string' ? route.pattern : route.path,
        constraints: { ...(route.opts?.constraints ?? {}) },
        context
      })
      return {}
    },
    set: () => {},
    enumerable: true
  })
  fastify.printRoutes(options)
  return routes
}

/**
 * The options Fastify gave find-my-way. Fastify merges top-level router keys under `routerOptions`
 * with its own precedence (an own key of `routerOptions` wins, then the top-level key, then the
 * default), which `initialConfig` does not show; the merged object is on the instance's options.
 */
export function routerMatchOptions (fastify: FastifyInstance): RouterMatchOptions {
  const symbol = findSymbol(fastify, 'fastify.options')
  const options = symbol === undefined ? undefined : (fastify as unknown as Record<symbol, { routerOptions?: Record<string, unknown> } | undefined>)[symbol]
  const router = options?.routerOptions
  if (router === undefined || router === null || typeof router !== 'object') throw new FastifyInternalsError("the router's options")
  return {
    ignoreTrailingSlash: router.ignoreTrailingSlash === true,
    ignoreDuplicateSlashes: router.ignoreDuplicateSlashes === true,
    caseSensitive: router.caseSensitive !== false,
    maxParamLength: typeof router.maxParamLength === 'number' ? router.maxParamLength : 100,
    useSemicolonDelimiter: router.useSemicolonDelimiter === true
  }
}

/** A Fastify symbol by its description, own or inherited (encapsulated instances inherit from their parent). */
function findSymbol (fastify: FastifyInstance, description: string): symbol | undefined {
  for (let object: object | null = fastify; object !== null; object = Object.getPrototypeOf(object)) {
    const symbol = Object.getOwnPropertySymbols(object).find((candidate) => candidate.description === description)
    if (symbol !== undefined) return symbol
  }
  return undefined
}

/**
 * find-my-way as Fastify loads it: the copy Fastify itself resolves, so matching rules are the
 * router's own even if this package's dependency resolved to another version. Where Fastify cannot
 * be resolved from here (an unusual install layout), this package's own find-my-way 9 is used.
 */
export function fastifyFindMyWay (): typeof FindMyWay {
  try {
    const require = createRequire(ownUrl)
    const fastifyEntry = require.resolve('fastify')
    return createRequire(fastifyEntry)('find-my-way') as typeof FindMyWay
  } catch {
    return FindMyWay
  }
}

/**
 * Reads a request's route config on the hot path.
 * `request.routeOptions` builds a fresh object of a dozen fields on every access; the route config it
 * returns is the `config` of Fastify's route context, which the request holds under a private symbol
 * (`Symbol('fastify.context')`, stable across Fastify 4 and 5). The symbol is found once on the first
 * request; when it is absent the public getter is used, so a Fastify change costs speed, not behaviour.
 */
let contextSymbol: symbol | null | undefined

export function routeConfigOf (request: FastifyRequest): Record<PropertyKey, unknown> {
  if (contextSymbol === undefined) {
    contextSymbol = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'fastify.context') ?? null
  }
  if (contextSymbol !== null) {
    const context = (request as unknown as Record<symbol, { config?: Record<PropertyKey, unknown> } | undefined>)[contextSymbol]
    if (context?.config !== undefined) return context.config
  }
  return request.routeOptions.config as unknown as Record<PropertyKey, unknown>
}

/**
 * The headers given to a reply, by lower-case name, read and written in place on the hot path:
 * `reply.header()` and `reply.getHeader()` lower-case the name into a new string on every call, and
 * `reply.getHeaders()` copies every header (and those of `reply.raw`) into a new object. Fastify keeps
 * them in an object under a private symbol (`Symbol('fastify.reply.headers')`), and `reply.header(name,
 * value)` is `object[name.toLowerCase()] = value` for every name but set-cookie. The symbol is found once
 * on the first reply; undefined when it is absent, and the caller then uses the public methods, so a
 * Fastify change costs speed, not behaviour. Only names already lower-case (and never set-cookie) are
 * written; a header is removed with `reply.removeHeader()`, which also removes it from `reply.raw`.
 */
let replyHeadersSymbol: symbol | null | undefined

export function replyHeadersOf (reply: FastifyReply): Record<string, unknown> | undefined {
  if (replyHeadersSymbol === undefined) {
    replyHeadersSymbol = Object.getOwnPropertySymbols(reply).find((symbol) => symbol.description === 'fastify.reply.headers') ?? null
  }
  if (replyHeadersSymbol === null) return undefined
  const headers = (reply as unknown as Record<symbol, unknown>)[replyHeadersSymbol]
  return headers !== null && typeof headers === 'object' ? headers as Record<string, unknown> : undefined
}

/**
 * The headers set on `reply.raw`, as Node's response keeps them under a private symbol
 * (`kOutHeaders`): null until one is set, then `{ [lower-case name]: [name, value] }`; undefined when
 * this response keeps them elsewhere (the symbol is looked for on the first response), and the
 * public methods serve, so a Node change costs speed, not behaviour. Read in place: `getHeader()`
 * checks and lower-cases the name on every call, `getHeaderNames()` makes an array.
 */
let outHeadersSymbol: symbol | null | undefined

export function rawHeadersOf (raw: FastifyReply['raw']): Record<string, unknown> | null | undefined {
  if (outHeadersSymbol === undefined) {
    outHeadersSymbol = Object.getOwnPropertySymbols(raw).find((symbol) => symbol.description === 'kOutHeaders') ?? null
  }
  if (outHeadersSymbol === null) return undefined
  const headers = (raw as unknown as Record<symbol, unknown>)[outHeadersSymbol]
  return headers === null || typeof headers === 'object' ? headers as Record<string, unknown> | null : undefined
}

/** A header set on `reply.raw`, by lower-case name, as `reply.raw.getHeader(name)` reads it (read in place where it can). */
export function rawHeaderOf (raw: FastifyReply['raw'], name: string): unknown {
  const headers = rawHeadersOf(raw)
  if (headers === null) return undefined
  if (headers !== undefined) {
    const entry = headers[name]
    if (entry === undefined) return undefined
    if (Array.isArray(entry) && entry.length === 2) return entry[1]
  }
  return raw.getHeader(name)
}

/**
 * The function every method of Fastify's logger is when `logger` is false: abstract-logging's no-op,
 * loaded as Fastify loads it; undefined when it cannot be loaded (then nothing is ever taken for it).
 */
const nullLoggerMethod: unknown = (() => {
  try {
    const require = createRequire(createRequire(ownUrl).resolve('fastify'))
    const nullLogger = require('abstract-logging') as { debug?: unknown }
    return typeof nullLogger.debug === 'function' ? nullLogger.debug : undefined
  } catch {
    return undefined
  }
})()

/** Does this logger drop debug lines unread? Fastify's logger when `logger` is false does, and has no `isLevelEnabled` to say so. */
export function dropsDebug (log: { debug: unknown }): boolean {
  return nullLoggerMethod !== undefined && log.debug === nullLoggerMethod
}

/** A lifecycle hook as a Fastify context holds it. */
export type ContextHook = (...args: never[]) => unknown

/** The hooks Fastify runs for the requests a context answers: each array filled at preReady, null for none. */
export interface ContextHooks {
  onRequest: ContextHook[] | null
  onSend: ContextHook[] | null
}

/** A not-found context: its hooks (Fastify's context object itself) and the instance whose hooks they are. */
export interface NotFoundContext {
  readonly hooks: ContextHooks
  /** the instance that set the not-found handler; undefined when the context does not say */
  readonly server: FastifyInstance | undefined
}

/**
 * The not-found context that answers this instance's URLs no route serves, once the app is ready. A
 * prefixed scope without a not-found handler of its own has no entry in Fastify's 404 router, so its
 * 404s are answered by the context of the nearest parent that has one, with that parent's hooks
 * (fastify/lib/four-oh-four.js). Fastify keeps it on the instance under
 * `Symbol('fastify.404ContextKey')`, own or inherited; undefined when it is not there or not shaped as
 * expected, and the plugin then leaves 404s as Fastify has them.
 */
export function notFoundContextOf (fastify: FastifyInstance): NotFoundContext | undefined {
  const symbol = findSymbol(fastify, 'fastify.404ContextKey')
  const context = symbol === undefined ? undefined : (fastify as unknown as Record<symbol, unknown>)[symbol]
  if (context === null || typeof context !== 'object') return undefined
  const { onRequest, onSend, server } = context as Record<string, unknown>
  if (!isHookList(onRequest) || !isHookList(onSend)) return undefined
  return { hooks: context as ContextHooks, server: typeof server === 'object' && server !== null ? server as FastifyInstance : undefined }
}

function isHookList (value: unknown): boolean {
  return value === null || Array.isArray(value)
}
