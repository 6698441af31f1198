/**
 * One dispatcher per Fastify app: knows every registration of the plugin and, once the app is ready,
 * every route with the policy of the registration that owns it, so any registration's catch-all can
 * answer a preflight with the policy of the route the actual request will hit.
 */
import type { FastifyInstance } from 'fastify'
import { routeConfigError } from '../errors.js'
import {
  HOOKS_BEFORE_HANDLER, ORIGIN_TRUST_OPTIONS, contradictionWarnings, dangerWarnings, formatProblems, renderValue, resolveOptions, type OptionProblem
} from '../policy/options.js'
import { compilePolicy, type CorsPolicy } from '../policy/compile.js'
import { CorsRouteOptionsSchema, type FastifyCorsDelegator, type FastifyCorsHook } from '../policy/schema.js'
import { FastifyInternalsError, fastifyFindMyWay, listRouterRoutes, routerMatchOptions, type RouterMatchOptions } from './fastify-internals.js'
import { RouteIndex, type RouteToIndex } from './route-index.js'
import { profileUrl, type Candidate, type UrlProfile } from '../policy/route-grant.js'
import { pathOf } from '../http/request-values.js'
import type { SwappableOriginList } from '../policy/swappable-origins.js'

/** On a route's config: the policy its own `config.cors` compiled to (null = `cors: false`). */
export const kRouteEntry = Symbol.for('fastify-cors-policy.route')
/** On the config of the plugin's own OPTIONS routes: 'preflight' or 'plain'. */
export const kOwnRoute = Symbol.for('fastify-cors-policy.ownRoute')

const ROUTE_OPTION_NAMES = Object.keys(CorsRouteOptionsSchema.properties)

export interface RouteEntry {
  readonly policy: CorsPolicy | null
  /** "PUT /items/:id", for messages */
  readonly name: string
  /** the registration whose scope the route belongs to (the innermost one) */
  readonly owner: Registration
}

/** One `register(corsPolicy, options)`. */
export interface Registration {
  /** the instance the plugin was registered in */
  readonly scope: FastifyInstance
  /** the scope's prefix without a trailing slash ('' at the root) */
  readonly prefix: string
  readonly defaultPolicy: CorsPolicy
  /** what a route's config.cors is merged over; released once the routes are compiled */
  inheritedOptions: Record<string, unknown>
  /** compiled route policies by `config.cors` value: a GET and its HEAD route share one */
  readonly compiled: Map<unknown, CorsPolicy>
  /** the hook in which actual requests of this scope are decided */
  readonly hook: FastifyCorsHook
  /** per-request options, when the plugin was given a delegator */
  readonly delegator: FastifyCorsDelegator | undefined
  /** deadline of the delegator (the plugin's originCheckTimeout) */
  readonly delegatorTimeout: number
  /**
   * policies compiled from a delegator's options objects, by identity, then by the route override
   * merged over them (`undefined` for routes without config.cors); a string is the problem found
   */
  readonly delegated: WeakMap<object, Map<object | undefined, CorsPolicy | string>>
  /** with a delegator: each route override's `config.cors` object, by the policy it compiled to */
  readonly overrides: Map<CorsPolicy, Record<string, unknown>>
  /**
   * the allow-list (or tiers) the registration's policy and the route policies that inherit its `origin`
   * read, replaced at run time through `app.corsPolicy`; set ⇔ the origin is a list or tiers and there is no delegator
   */
  readonly originList: SwappableOriginList | undefined
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function withoutUndefined (value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) if (value[key] !== undefined) copy[key] = value[key]
  return copy
}

/** The options a route inherits from its registration: the route-level keys of the plugin options. */
export function inheritableOptions (rawOptions: unknown): Record<string, unknown> {
  // any object the options were read from (a class instance too: its own enumerable keys, as resolveOptions reads them)
  const options = rawOptions !== null && typeof rawOptions === 'object' && !Array.isArray(rawOptions) ? withoutUndefined(rawOptions as Record<string, unknown>) : {}
  return Object.fromEntries(Object.entries(options).filter(([key]) => ROUTE_OPTION_NAMES.includes(key)))
}

// shared through the global symbol registry, so an app that loads both the ESM and the CommonJS build
// of the package still has one dispatcher
const kDispatchers = Symbol.for('fastify-cors-policy.dispatchers')
const dispatchers: WeakMap<object, Dispatcher> = ((globalThis as Record<symbol, unknown>)[kDispatchers] ??= new WeakMap()) as WeakMap<object, Dispatcher>
/** URLs whose view (routes and covering registration) is kept */
const PROFILE_CACHE_SIZE = 1000

/** The dispatcher of the app this instance belongs to (every instance of one app shares its server). */
export function dispatcherOf (fastify: FastifyInstance): Dispatcher {
  const key = fastify.server as object
  let dispatcher = dispatchers.get(key)
  if (dispatcher === undefined) {
    dispatcher = new Dispatcher()
    dispatchers.set(key, dispatcher)
  }
  return dispatcher
}

/** What a preflight needs of its URL: the routes there, profiled, and the registration whose prefix covers it. */
export interface UrlView {
  readonly profile: UrlProfile
  readonly covering: Registration | undefined
}

export class Dispatcher {
  readonly registrations: Registration[] = []
  /** the policies of registrations with a delegator (default and routes'): never the truth without the delegator's answer */
  readonly delegatedPolicies = new Map<CorsPolicy, Registration>()
  #index: RouteIndex | undefined
  readonly #views = new Map<string, UrlView>()
  /**
   * The URL looked up last, and its view: the router's constraint and then the plugin's onRequest
   * look up the same URL of a preflight, one after the other.
   */
  #lastUrl: string | undefined
  #lastHost: string | undefined
  #lastView: UrlView | undefined
  #fastify: FastifyInstance | undefined
  #router: RouterMatchOptions | undefined
  /** does any route answer its own preflights (preflight: false)? */
  #selfAnswered = false
  /** prefixes whose catch-all OPTIONS routes exist (lower-cased under case-insensitive routing) */
  readonly #catchAllPrefixes = new Set<string>()

  /** Adds a registration; a delegating one's policies are never the truth without its delegator's answer. */
  register (registration: Registration): void {
    this.registrations.push(registration)
    if (registration.delegator !== undefined) this.delegatedPolicies.set(registration.defaultPolicy, registration)
  }

  /** True for the first registration that asks for this prefix's catch-all OPTIONS routes. */
  claimCatchAll (prefix: string, caseSensitive: boolean): boolean {
    const key = caseSensitive ? prefix : prefix.toLowerCase()
    if (this.#catchAllPrefixes.has(key)) return false
    this.#catchAllPrefixes.add(key)
    return true
  }

  /**
   * Reads every route once the app is ready: compiles each owned route's `config.cors` (start-up
   * fails on an invalid one, naming the route), and indexes all routes for preflights.
   */
  build (fastify: FastifyInstance): void {
    if (this.#index !== undefined) return
    const router = routerMatchOptions(fastify)
    const routes = listRouterRoutes(fastify)
    const toIndex: RouteToIndex[] = []
    let ownRoutes = 0
    for (const route of routes) {
      const config = route.context.config
      const name = `${route.method} ${route.path}`
      const own = config[kOwnRoute]
      if (own !== undefined) {
        ownRoutes++
        continue
      }
      const owner = this.ownerOf(route.context.server)
      let policy: CorsPolicy | null | undefined
      if (owner !== undefined) {
        policy = compileRoutePolicy(owner, config.cors, name)
        if (policy !== null && !policy.preflight) this.#selfAnswered = true
        const entry: RouteEntry = { policy, name, owner }
        config[kRouteEntry] = entry
      } else {
        // outside every registration's scope: the plugin's hooks never run there
        policy = undefined
        if (config.cors !== undefined) {
          fastify.log.warn(`fastify-cors-policy: route ${name} has config.cors, but no registration of the plugin covers its scope, so it gets no CORS headers and its preflights are refused; register fastify-cors-policy in that scope or a parent of it`)
        }
      }
      toIndex.push({ method: route.method, path: route.path, pattern: route.pattern, constraints: route.constraints, route: { policy, name } })
    }
    if (ownRoutes === 0 && this.registrations.some((registration) => registration.defaultPolicy.preflight)) {
      // the plugin's own OPTIONS route must be among the routes read: if not, the walk missed routes
      throw new FastifyInternalsError('the routes (the plugin\'s own OPTIONS route was not among those listed)')
    }
    this.#router = router
    this.#fastify = fastify
    this.#index = new RouteIndex(fastifyFindMyWay(), router, toIndex)
    // no route can be added now: let the raw options (an allow-list of 100 000 strings, say) be
    // collected, so only the compiled policies stay on the heap
    for (const registration of this.registrations) {
      // a delegator's options are merged over them at run time
      if (registration.delegator === undefined) registration.inheritedOptions = {}
      registration.compiled.clear()
    }
  }

  /**
   * The innermost registration whose hooks run for routes of this instance. Fastify adds a lifecycle
   * hook to the instance and to every encapsulated instance below it, whenever either was created,
   * and encapsulated instances inherit from their parent.
   */
  ownerOf (server: FastifyInstance): Registration | undefined {
    let owner: Registration | undefined
    for (const registration of this.registrations) {
      const scope = registration.scope
      if (scope !== server && !Object.prototype.isPrototypeOf.call(scope, server)) continue
      if (owner === undefined || Object.prototype.isPrototypeOf.call(owner.scope, scope)) owner = registration
    }
    return owner
  }

  /**
   * The routes at a URL (for this Host when routes are host-constrained), profiled, and the
   * registration covering it, once: routes never change once the app is ready, so a URL's view is
   * cached. The cache is bounded and simply emptied when full, so URLs sprayed by a client cost only
   * the lookup they would cost uncached.
   */
  viewAt (url: string, host: string | undefined): UrlView {
    if (url === this.#lastUrl && host === this.#lastHost) return this.#lastView as UrlView
    const index = this.#index as RouteIndex
    const key = index.hostConstrained ? `${host ?? ''} ${url}` : url
    let view = this.#views.get(key)
    if (view === undefined) {
      view = { profile: profileUrl(index.routesAt(url, host)), covering: this.scopeFor(url) }
      if (this.#views.size >= PROFILE_CACHE_SIZE) this.#views.clear()
      this.#views.set(key, view)
    }
    this.#lastUrl = url
    this.#lastHost = host
    this.#lastView = view
    return view
  }

  /**
   * Does Fastify serve this method at this URL although the index found no route for it? Then the
   * plugin does not know that route's policy, and a preflight for it must be refused.
   */
  servedUnseen (method: string, url: string, host: string | undefined): boolean {
    try {
      return (this.#fastify as FastifyInstance).findRoute({ method: method as 'GET', url, ...(host === undefined ? {} : { constraints: { host } }) }) !== null
    } catch {
      return true
    }
  }

  /** Does this registration's prefix cover the URL? */
  covers (registration: Registration, url: string): boolean {
    return this.scopeFor(url, [registration]) !== undefined
  }

  /** The registration whose prefix covers this URL most closely, if any. */
  scopeFor (url: string, registrations: readonly Registration[] = this.registrations): Registration | undefined {
    let path = pathOf(url)
    if (this.#router !== undefined && !this.#router.caseSensitive) path = path.toLowerCase()
    let best: Registration | undefined
    for (const registration of registrations) {
      let prefix = registration.prefix
      if (this.#router !== undefined && !this.#router.caseSensitive) prefix = prefix.toLowerCase()
      if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) continue
      // the longest prefix wins; of equal prefixes the outer scope, which owns the URLs no route serves
      // (a registration in a child scope without a prefix covers that scope's routes, not the 404s)
      if (best === undefined || registration.prefix.length > best.prefix.length ||
        (registration.prefix.length === best.prefix.length && Object.prototype.isPrototypeOf.call(registration.scope, best.scope))) best = registration
    }
    return best
  }

  /**
   * The value of the plugin's routing constraint for an OPTIONS request: 'preflight' or 'plain' routes
   * it to the plugin's catch-all routes; undefined leaves it to the application's routes (or its 404):
   * outside every registration's prefix, for a plain OPTIONS request an application OPTIONS route
   * serves, and for a preflight whose target answers its own preflights (preflight: false).
   */
  optionsValue (url: string, host: string | undefined, requestMethod: string | undefined): 'preflight' | 'plain' | undefined {
    if (this.#index === undefined) return requestMethod === undefined ? 'plain' : 'preflight'
    // the router, not the URL's spelling, says whether a route the plugin owns is there: `/%61pi/x` or
    // `//api/x` may reach `/api/x`
    const { profile, covering } = this.viewAt(url, host)
    if (covering === undefined && !ownsAny(profile)) return undefined
    if (requestMethod === undefined) return profile.routes.has('OPTIONS') ? undefined : 'plain'
    if (this.#selfAnswered && answersOwnPreflights(profile.routes.get(requestMethod))) return undefined
    return 'preflight'
  }
}

function withOrigin (vary: string | undefined): string {
  return vary === undefined ? 'Origin' : vary.startsWith('Origin') ? vary : `Origin, ${vary}`
}

/** Does a registration of the plugin own any route at this URL (`cors: false` ones included)? */
function ownsAny (profile: UrlProfile): boolean {
  for (const candidates of profile.routes.values()) {
    for (const candidate of candidates) if (candidate.policy !== undefined) return true
  }
  return false
}

/** Do all the routes a preflight targets answer their own preflights (preflight: false)? */
export function answersOwnPreflights (targets: readonly Candidate[] | undefined): boolean {
  if (targets === undefined || targets.length === 0) return false
  for (const candidate of targets) {
    const policy = candidate.policy
    if (policy === null || policy === undefined || policy.preflight) return false
  }
  return true
}

/** Compiles a route's `config.cors` over its registration's options; one policy per distinct value. */
export function compileRoutePolicy (owner: Registration, override: unknown, name: string): CorsPolicy | null {
  const cache = owner.compiled
  if (override === undefined) return owner.defaultPolicy
  if (override === false) return null
  if (!isPlainObject(override)) {
    const message = `expected false or an options object, received ${renderValue(override)}`
    throw routeConfigError(name, [{ path: '', value: override, message, fix: 'set config.cors to false (no CORS on this route) or to an options object', unsafe: false }], message)
  }
  const cached = cache.get(override)
  if (cached !== undefined) return cached
  const policy = compileOverride(owner, override, (warning) => { owner.scope.log.warn(`fastify-cors-policy: route ${name}: ${warning}`) }, name)
  if (Array.isArray(policy)) throw routeConfigError(name, policy)
  if (owner.delegator !== undefined) {
    owner.overrides.set(policy, override)
    dispatcherOf(owner.scope).delegatedPolicies.set(policy, owner)
  }
  for (const warning of contradictionWarnings(override)) owner.scope.log.warn(`fastify-cors-policy: route ${name}: ${warning}`)
  cache.set(override, policy)
  return policy
}

/**
 * Options merged over a registration's (a route's config.cors, or a delegator's answer), compiled;
 * or the problems found.
 */
function compileOverride (owner: Registration, override: Record<string, unknown>, warn?: (message: string) => void, route?: string): CorsPolicy | OptionProblem[] {
  const own = withoutUndefined(override)
  let resolved = resolveCheckingHook(owner, { ...inheritedFor(owner.inheritedOptions, own), ...own })
  if (resolved.problems.length > 0) {
    // a value the override inherits never makes it invalid (as @fastify/cors merges it): the inherited keys the problems
    // name (and an inherited `credentials`, which forbids '*' everywhere) yield to the override's own
    const inherited = Object.keys(owner.inheritedOptions).filter((key) => !(key in own))
    const named = resolved.problems.map((problem) => problem.path.split('/')[1] as string)
    const dropped = inherited.filter((key) => named.includes(key) || (key === 'credentials' && owner.inheritedOptions.credentials === true))
    if (dropped.length > 0) {
      const kept = Object.fromEntries(Object.entries(owner.inheritedOptions).filter(([key]) => !dropped.includes(key)))
      const retried = resolveCheckingHook(owner, { ...kept, ...own })
      if (retried.problems.length === 0) {
        warn?.(`the inherited ${dropped.map((key) => `${key}: ${renderValue(owner.inheritedOptions[key])}`).join(', ')} ${dropped.length === 1 ? 'does' : 'do'} not apply here, because it conflicts with this route's own options`)
        resolved = retried
      }
    }
  }
  if (resolved.problems.length > 0) return resolved.problems
  // a route that inherits the registration's list reads it (as it is now, and as it changes at run time)
  const originList = owner.originList !== undefined && !('origin' in own) && resolved.options.origin.kind === owner.originList.kind ? owner.originList : undefined
  if (originList !== undefined) {
    const problems = originList.addReader(resolved.options, route)
    if (problems.length > 0) return problems
  }
  // an opt-in the route only inherits was announced where the plugin was registered
  if (warn !== undefined && ORIGIN_TRUST_OPTIONS.some((key) => key in own)) {
    dangerWarnings(originList === undefined ? resolved.options : { ...resolved.options, origin: originList.setting }).forEach(warn)
  }
  return compilePolicy(resolved.options, owner.scope, originList)
}

/**
 * The options an override inherits: all of the registration's, except an `originCache` when the
 * override's own `origin` is no function (a cache of function answers has nothing to keep there, so
 * nothing is lost and nothing needs saying).
 */
function inheritedFor (inherited: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  if (!('originCache' in inherited) || !('origin' in own) || typeof own.origin === 'function') return inherited
  const { originCache: _notApplicable, ...rest } = inherited
  return rest
}

/** Route-level options resolved, with `enforce` checked against the hook the registration decides in. */
function resolveCheckingHook (owner: Registration, merged: Record<string, unknown>): ReturnType<typeof resolveOptions> {
  // one pass over the merged options: the override's own unknown or plugin-level keys are reported
  // once, and so are conflicts with inherited values (e.g. origin '*' under credentials: true)
  const resolved = resolveOptions(merged, ROUTE_OPTION_NAMES)
  if (resolved.options.enforce && !HOOKS_BEFORE_HANDLER.has(owner.hook)) {
    const fix = "register the plugin with hook: 'preHandler' (or 'onRequest', 'preParsing', 'preValidation'), or remove enforce"
    resolved.problems.push({ path: '/enforce', value: merged.enforce, message: `needs a hook that runs before the handler, but the plugin decides in '${owner.hook}'; ${fix}`, fix, unsafe: false })
  }
  return resolved
}

/**
 * The policy of the options a delegator answered, with a route's own `config.cors` merged over them
 * (as @fastify/cors merges them), compiled once per (options object, route override); a string is
 * the problem.
 */
export function compileDelegatedPolicy (owner: Registration, options: unknown, override?: Record<string, unknown>): CorsPolicy | string {
  if (!isPlainObject(options)) return `the delegator answered ${renderValue(options)}; expected an options object`
  let byOverride = owner.delegated.get(options)
  if (byOverride === undefined) {
    byOverride = new Map()
    owner.delegated.set(options, byOverride)
  }
  let policy = byOverride.get(override)
  if (policy === undefined) {
    const compiled = compileOverride(owner, override === undefined ? options : { ...withoutUndefined(options), ...override })
    // which options apply depends on the request, so every answer varies by Origin, even '*' or false
    policy = Array.isArray(compiled) ? formatProblems(compiled) : Object.freeze({ ...compiled, varyOrigin: true, preflightVary: withOrigin(compiled.preflightVary) })
    byOverride.set(override, policy)
  }
  return policy
}
