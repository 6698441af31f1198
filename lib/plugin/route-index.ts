/**
 * Which routes a preflight's actual request may hit: Fastify's routes, put into a router with
 * Fastify's own matching rules (its copy of find-my-way, its router options), looked up for every
 * method at the preflight's URL. Routes that differ only in constraints share one slot here and are
 * told apart by Host; a constraint a preflight cannot carry (`version`, custom strategies) keeps every
 * such route as a candidate, so the grant is what all of them allow.
 */
import type FindMyWay from 'find-my-way'
import type { Candidate, UrlRoutes } from '../policy/route-grant.js'
import type { RouterMatchOptions } from './fastify-internals.js'

/** A route as indexed: its candidate entry plus the constraints that select it. */
export interface IndexedRoute extends Candidate {
  /** the `host` constraint, if any (exact string or RegExp, as find-my-way's host strategy matches it) */
  readonly host: string | RegExp | undefined
  /** constraints other than `host`, which a preflight does not carry */
  readonly otherConstraints: boolean
}

export interface RouteToIndex {
  readonly method: string
  readonly path: string
  readonly pattern: string
  readonly constraints: Readonly<Record<string, unknown>>
  readonly route: Candidate
}

function noop (): void {}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

function methodRank (method: string): number {
  const rank = METHOD_ORDER.indexOf(method)
  return rank === -1 ? METHOD_ORDER.length : rank
}

const EMPTY: UrlRoutes = new Map()

export class RouteIndex {
  readonly #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>
  readonly #methods: string[] = []
  readonly #hostConstrained: boolean
  /**
   * The routes without any constraint: where find-my-way falls back to when no route on the matched
   * path accepts the request's constraints (a version it does not carry, another host).
   */
  readonly #unconstrained: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>

  /** does any route have a `host` constraint? (then the routes at a URL depend on Host) */
  get hostConstrained (): boolean { return this.#hostConstrained }

  constructor (findMyWay: typeof FindMyWay, options: RouterMatchOptions, routes: readonly RouteToIndex[]) {
    const config = {
      // useSemicolonDelimiter is missing from find-my-way's Config type but honoured at run time
      ...{ useSemicolonDelimiter: options.useSemicolonDelimiter },
      ignoreTrailingSlash: options.ignoreTrailingSlash,
      ignoreDuplicateSlashes: options.ignoreDuplicateSlashes,
      caseSensitive: options.caseSensitive,
      maxParamLength: options.maxParamLength,
      // Fastify already refused unsafe patterns when the routes were declared
      allowUnsafeRegex: true
    }
    this.#router = findMyWay(config)
    this.#unconstrained = findMyWay(config)
    const slots = new Map<string, IndexedRoute[]>()
    let hostConstrained = false
    for (const route of routes) {
      const key = `${route.method} ${route.pattern}`
      let slot = slots.get(key)
      if (slot === undefined) {
        slot = []
        slots.set(key, slot)
        this.#router.on(route.method as FindMyWay.HTTPMethod, route.path, noop, slot)
        if (!this.#methods.includes(route.method)) this.#methods.push(route.method)
      }
      const { host, ...others } = route.constraints
      if (host !== undefined) hostConstrained = true
      const indexed: IndexedRoute = {
        policy: route.route.policy,
        name: route.route.name,
        // find-my-way's host strategy tests a copy without the stateful g and y flags
        host: typeof host === 'string' ? host : host instanceof RegExp ? new RegExp(host.source, host.flags.replace(/[gy]/g, '')) : undefined,
        otherConstraints: Object.keys(others).length > 0
      }
      slot.push(indexed)
      if (indexed.host === undefined && !indexed.otherConstraints) this.#unconstrained.on(route.method as FindMyWay.HTTPMethod, route.path, noop, [indexed])
    }
    this.#hostConstrained = hostConstrained
    // Access-Control-Allow-Methods lists methods in this order, whatever the order of declaration
    this.#methods.sort((a, b) => methodRank(a) - methodRank(b) || (a < b ? -1 : a > b ? 1 : 0))
  }

  /** Every route at this URL for this Host, by method. */
  routesAt (url: string, host: string | undefined): UrlRoutes {
    let routes: Map<string, readonly Candidate[]> | undefined
    for (const method of this.#methods) {
      const found = this.#router.find(method as FindMyWay.HTTPMethod, url)
      if (found === null) continue
      const slot = found.store as IndexedRoute[]
      let candidates = this.#hostConstrained ? selectByHost(slot, host) : slot
      if (!candidates.some(alwaysMatches)) {
        // the request may carry none of the constraints these routes need: then the router falls back
        const fallback = this.#unconstrained.find(method as FindMyWay.HTTPMethod, url)
        if (fallback !== null) candidates = [...candidates, ...(fallback.store as IndexedRoute[])]
      }
      if (candidates.length === 0) continue
      if (routes === undefined) routes = new Map()
      routes.set(method, candidates)
    }
    return routes ?? EMPTY
  }
}

/** A route the router picks at its path whatever the request carries: no constraint, or a host the Host header matched. */
function alwaysMatches (route: IndexedRoute): boolean {
  return !route.otherConstraints
}

/**
 * The host constraint find-my-way's host strategy picks for this Host: a route with that exact host
 * if any, else the first RegExp (in declaration order) that matches; undefined when none does.
 */
function matchedHost (slot: readonly IndexedRoute[], host: string | undefined): string | RegExp | undefined {
  if (host === undefined) return undefined
  for (const route of slot) if (route.host === host) return host
  for (const route of slot) if (route.host instanceof RegExp && route.host.test(host)) return route.host
  return undefined
}

function sameHost (a: string | RegExp, b: string | RegExp): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b
  return a.source === b.source && a.flags === b.flags
}

/**
 * find-my-way keeps the routes whose host constraint is the one its strategy picked, and prefers a
 * route whose constraints all match over one with no constraint at all: a route constrained by that
 * host alone always wins over the unconstrained routes of its slot. A route with another constraint
 * (a version the preflight does not carry, a custom strategy) may still win, so it stays a candidate.
 */
function selectByHost (slot: readonly IndexedRoute[], host: string | undefined): readonly IndexedRoute[] {
  const picked = matchedHost(slot, host)
  let selected: IndexedRoute[] | undefined
  let hostAloneMatched = false
  for (const route of slot) {
    if (route.host !== undefined) {
      if (picked === undefined || !sameHost(route.host, picked)) continue
      if (!route.otherConstraints) hostAloneMatched = true
    }
    (selected ??= []).push(route)
  }
  if (selected === undefined) return []
  return hostAloneMatched ? selected.filter((route) => route.host !== undefined || route.otherConstraints) : selected
}
