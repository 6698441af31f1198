/**
 * Random apps for the route-truth property: routes sharing URLs with their own `config.cors`
 * (often a permissive safelisted-method route next to a strict PUT/DELETE/PATCH one), index routes
 * of a prefixed scope (served at `/admin` and `/admin/`), host-constrained routes and `cors: false`
 * routes; and, written independently of the plugin, whether one route's own policy would grant a
 * preflight if it were the only route of its app.
 */
import fc from 'fast-check'
import Fastify, { type FastifyInstance, type LightMyRequestResponse, type RouteOptions } from 'fastify'
import corsPolicy, { type FastifyCorsRouteOptions } from '../../../lib/index.js'
import {
  authorHeaders, corsUnsafeRequestHeaderNames, normalizeMethod
} from '../../../lib/browser/model.js'
import type { OutgoingRequest, PageRequest } from '../../../lib/browser/model.js'

export const APP_ORIGIN = 'https://app.example'
export const PARTNER_ORIGIN = 'https://partner.example'
export const OTHER_ORIGIN = 'https://other.example'

const ORIGIN_LISTS = {
  app: [APP_ORIGIN],
  partner: [PARTNER_ORIGIN],
  'app+partner': [APP_ORIGIN, PARTNER_ORIGIN]
} as const

/** Tiers: credentials for the app's own origin, and without them for any site or for the partner. */
const TIERS = {
  'app|*': { credentialed: [APP_ORIGIN], public: '*' },
  'app|partner': { credentialed: [APP_ORIGIN], public: [PARTNER_ORIGIN] }
} as const

/** `'*'`, `true` (reflect), an allow-list or tiers. */
export type OriginChoice = '*' | 'reflect' | keyof typeof ORIGIN_LISTS | keyof typeof TIERS

const isTiers = (origin: OriginChoice): origin is keyof typeof TIERS => origin in TIERS

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'
export const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']

const HEADER_ITEMS = ['X-Api-Key', 'x-request-id', 'Authorization', 'content-type']

/**
 * A policy as plain data. For the plugin's options, undefined = the plugin's default; for a route
 * override, undefined = inherited from the plugin (origin and credentials are always set there).
 */
export interface PolicySpec {
  readonly origin: OriginChoice
  readonly credentials: boolean
  readonly methods: readonly string[] | '*' | undefined
  readonly allowedHeaders: readonly string[] | '*' | undefined
  readonly maxAge: number | undefined
}

/** How one route's `config.cors` is chosen from its URL's two policies. */
export type PolicyPick = 'auto' | 'permissive' | 'strict' | 'inherit' | 'off'

/**
 * The routes of one URL: per method (METHODS order) whether a route serves it and how its policy is
 * picked from the URL's two policies.
 */
export interface SlotSpec {
  readonly serves: readonly boolean[]
  readonly permissive: PolicySpec
  readonly strict: PolicySpec
  readonly picks: readonly PolicyPick[]
}

/** `/data`: the same methods for host a.test, host b.test and any host, each variant optional. */
export interface HostSlotSpec {
  readonly serves: readonly boolean[]
  readonly permissive: PolicySpec
  readonly strict: PolicySpec
  readonly a: readonly PolicyPick[] | null
  readonly b: readonly PolicyPick[] | null
  readonly any: readonly PolicyPick[] | null
}

export interface AppSpec {
  readonly plugin: PolicySpec
  /** `/account`; each URL may be left out, so a failing app shrinks to the routes that matter */
  readonly account: SlotSpec | null
  /** `/items/:id` */
  readonly items: SlotSpec | null
  /** `admin.route({ url: '/' })` under prefix `/admin`: `/admin` and `/admin/` */
  readonly adminIndex: SlotSpec | null
  /** `/admin/users` */
  readonly adminUsers: SlotSpec | null
  /** `/data` with host constraints */
  readonly data: HostSlotSpec | null
}

/** What a route's `config.cors` is: absent, `false`, or an override merged over the plugin's options. */
export type RouteCors = 'inherit' | 'off' | PolicySpec

export interface RouteDecl {
  /** e.g. "PUT /data (host b.test)" */
  readonly label: string
  readonly scope: 'root' | 'admin'
  /** the URL as declared in its scope */
  readonly url: string
  readonly method: Method
  readonly host: string | undefined
  readonly cors: RouteCors
}

function nameList (items: readonly string[], star: boolean, listWeight: number): fc.Arbitrary<readonly string[] | '*' | undefined> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: listWeight, arbitrary: fc.uniqueArray(fc.constantFrom(...items), { maxLength: items.length }) },
    { weight: star ? 1 : 0, arbitrary: fc.constant('*' as const) }
  )
}

/** Mostly long enough to outlive a few fetches, so later fetches go out without a preflight. */
const maxAge = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(600, 86400) },
  { weight: 2, arbitrary: fc.constantFrom(0, 5) }
)

/**
 * Policies the plugin accepts: `'*'` (origin, methods or headers) and reflect only without
 * credentials. `star` allows `'*'` for methods and headers: never in the plugin's own options,
 * so no route inherits a `'*'` its own `credentials: true` forbids. `listWeight`: how often
 * `methods` and `allowedHeaders` are lists (a short one refuses most preflights).
 */
function policy (wild: readonly OriginChoice[], lists: readonly OriginChoice[], star: boolean, listWeight: number, tiers: readonly OriginChoice[] = []): fc.Arbitrary<PolicySpec> {
  const record = (origins: readonly OriginChoice[], credentials: boolean): fc.Arbitrary<PolicySpec> => fc.record({
    origin: fc.constantFrom(...origins),
    credentials: fc.constant(credentials),
    methods: nameList(METHODS, star && !credentials, listWeight),
    allowedHeaders: nameList(HEADER_ITEMS, star && !credentials, listWeight),
    maxAge
  })
  return fc.oneof(
    { weight: wild.length === 0 ? 0 : 1, arbitrary: record(wild.length === 0 ? ['*'] : wild, false) },
    { weight: 1, arbitrary: record(lists, false) },
    { weight: 3, arbitrary: record(lists, true) },
    // tiers grant credentials to their credentialed tier: drawn as credentialed policies (no '*' lists)
    { weight: tiers.length === 0 ? 0 : 2, arbitrary: record(tiers.length === 0 ? lists : tiers, true) }
  )
}

const permissivePolicy = policy(['*', 'reflect'], ['app+partner', 'app+partner', 'partner'], true, 1, ['app|*', 'app|partner'])
const strictPolicy = policy([], ['app', 'app', 'app+partner'], true, 3, ['app|partner'])
const pluginPolicy = policy(['*', 'reflect'], ['app', 'app+partner'], false, 2, ['app|*', 'app|partner'])

const pick: fc.Arbitrary<PolicyPick> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<PolicyPick>('auto') },
  { weight: 1, arbitrary: fc.constant<PolicyPick>('permissive') },
  { weight: 1, arbitrary: fc.constant<PolicyPick>('strict') },
  { weight: 1, arbitrary: fc.constant<PolicyPick>('inherit') },
  { weight: 1, arbitrary: fc.constant<PolicyPick>('off') }
)
const picks = fc.tuple(pick, pick, pick, pick, pick)
// false first: fast-check shrinks a oneof towards its first arbitrary, so failing apps lose routes
const often = fc.oneof({ weight: 1, arbitrary: fc.constant(false) }, { weight: 3, arbitrary: fc.constant(true) })
/** GET and PUT most often: the shared-URL pair of the threat. */
const serves = fc.tuple(often, fc.boolean(), often, fc.boolean(), fc.boolean())

const slot: fc.Arbitrary<SlotSpec> = fc.record({ serves, permissive: permissivePolicy, strict: strictPolicy, picks })

const hostSlot: fc.Arbitrary<HostSlotSpec> = fc.record({
  serves,
  permissive: permissivePolicy,
  strict: strictPolicy,
  a: fc.option(picks, { nil: null, freq: 5 }),
  b: fc.option(picks, { nil: null, freq: 5 }),
  any: fc.option(picks, { nil: null, freq: 2 })
})

/** Plain records, tuples and constants only, so fast-check can shrink a given app spec. */
export const appSpec: fc.Arbitrary<AppSpec> = fc.record({
  plugin: pluginPolicy,
  account: fc.option(slot, { nil: null, freq: 8 }),
  items: fc.option(slot, { nil: null, freq: 8 }),
  adminIndex: fc.option(slot, { nil: null, freq: 8 }),
  adminUsers: fc.option(slot, { nil: null, freq: 8 }),
  data: fc.option(hostSlot, { nil: null, freq: 8 })
})

function methodsOf (serves: readonly boolean[]): Method[] {
  const methods = METHODS.filter((_, index) => serves[index] === true)
  return methods.length === 0 ? ['GET'] : methods
}

function isSafelisted (method: Method): boolean {
  return method === 'GET' || method === 'POST'
}

/** `auto`: the permissive policy for safelisted methods, the strict one for the others. */
function corsOf (choice: PolicyPick, method: Method, slotSpec: { permissive: PolicySpec, strict: PolicySpec }, auto: 'permissive' | 'strict' | 'by-method'): RouteCors {
  switch (choice) {
    case 'inherit': return 'inherit'
    case 'off': return 'off'
    case 'permissive': return slotSpec.permissive
    case 'strict': return slotSpec.strict
    case 'auto': {
      const which = auto === 'by-method' ? (isSafelisted(method) ? 'permissive' : 'strict') : auto
      return slotSpec[which]
    }
  }
}

function slotRoutes (scope: 'root' | 'admin', url: string, spec: SlotSpec | null): RouteDecl[] {
  if (spec === null) return []
  const path = scope === 'admin' ? `/admin${url === '/' ? ' (and /admin/)' : url}` : url
  return methodsOf(spec.serves).map((method) => ({
    label: `${method} ${path}`,
    scope,
    url,
    method,
    host: undefined,
    cors: corsOf(spec.picks[METHODS.indexOf(method)] as PolicyPick, method, spec, 'by-method')
  }))
}

/** The routes of an app, in declaration order. */
export function routesOf (spec: AppSpec): RouteDecl[] {
  const routes = [
    ...slotRoutes('root', '/account', spec.account),
    ...slotRoutes('root', '/items/:id', spec.items),
    ...slotRoutes('admin', '/', spec.adminIndex),
    ...slotRoutes('admin', '/users', spec.adminUsers)
  ]
  const data = spec.data
  if (data === null) return routes
  const variants = [['a.test', data.a, 'permissive'], ['b.test', data.b, 'strict'], [undefined, data.any, 'by-method']] as const
  for (const [host, variantPicks, auto] of variants) {
    if (variantPicks === null) continue
    for (const method of methodsOf(data.serves)) {
      routes.push({
        label: `${method} /data${host === undefined ? '' : ` (host ${host})`}`,
        scope: 'root',
        url: '/data',
        method,
        host,
        cors: corsOf(variantPicks[METHODS.indexOf(method)] as PolicyPick, method, data, auto)
      })
    }
  }
  return routes
}

function originOption (origin: OriginChoice): FastifyCorsRouteOptions['origin'] {
  if (isTiers(origin)) {
    const tiers = TIERS[origin]
    return { credentialed: [...tiers.credentialed], public: tiers.public === '*' ? '*' : [...tiers.public] }
  }
  return origin === '*' ? '*' : origin === 'reflect' ? true : [...ORIGIN_LISTS[origin]]
}

/** Plugin or route options; keys left undefined are left out. With tiers, `credentials` is left out: the tiers decide. */
export function toOptions (spec: PolicySpec): FastifyCorsRouteOptions {
  const options: Record<string, unknown> = {
    origin: originOption(spec.origin),
    credentials: isTiers(spec.origin) ? undefined : spec.credentials,
    methods: spec.methods === '*' || spec.methods === undefined ? spec.methods : [...spec.methods],
    allowedHeaders: spec.allowedHeaders === '*' || spec.allowedHeaders === undefined ? spec.allowedHeaders : [...spec.allowedHeaders],
    maxAge: spec.maxAge
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return options as FastifyCorsRouteOptions
}

/** The policy a route runs under (its override merged over the plugin's options), or null for `cors: false`. */
export function ownPolicy (app: AppSpec, route: RouteDecl): PolicySpec | null {
  if (route.cors === 'off') return null
  if (route.cors === 'inherit') return app.plugin
  const merged: Record<string, unknown> = { ...app.plugin }
  for (const [key, value] of Object.entries(route.cors)) if (value !== undefined) merged[key] = value
  return merged as unknown as PolicySpec
}

function grantsOrigin (origin: OriginChoice, requestOrigin: string): boolean {
  if (origin === '*') return true
  if (origin === 'reflect') return requestOrigin !== 'null'
  if (isTiers(origin)) {
    const tiers = TIERS[origin]
    return (tiers.credentialed as readonly string[]).includes(requestOrigin) || tiers.public === '*' || (tiers.public as readonly string[]).includes(requestOrigin)
  }
  return (ORIGIN_LISTS[origin] as readonly string[]).includes(requestOrigin)
}

/** Does the policy answer this origin with credentials? Tiers: only their credentialed tier. */
function grantsCredentials (policy: PolicySpec, requestOrigin: string): boolean {
  return isTiers(policy.origin) ? (TIERS[policy.origin].credentialed as readonly string[]).includes(requestOrigin) : policy.credentials
}

/**
 * Why the route's own policy, were it alone in its app, would refuse the preflight of `page`
 * (undefined when it grants it): what the browser needs from a single-route app, the origin with
 * `Access-Control-Allow-Credentials: true` for a credentialed request, the method (the route's own
 * method is its default `methods`) and every CORS-unsafe request-header name (reflected by default;
 * `*` never covers Authorization nor a credentialed request).
 */
export function ownRefusal (policy: PolicySpec | null, page: PageRequest): string | undefined {
  if (policy === null) return 'the route has config.cors: false'
  const include = page.credentials === 'include'
  if (!grantsOrigin(policy.origin, page.origin)) return `origin ${page.origin} is not allowed`
  if (include && !grantsCredentials(policy, page.origin)) return 'the request includes credentials and the policy grants this origin none'
  const method = normalizeMethod(page.method)
  const safelisted = method === 'GET' || method === 'HEAD' || method === 'POST'
  if (!safelisted && policy.methods !== undefined && !(policy.methods === '*' ? !include : policy.methods.includes(method))) {
    return `method ${method} is not in methods ${JSON.stringify(policy.methods)}`
  }
  for (const name of corsUnsafeRequestHeaderNames(authorHeaders(page))) {
    const allowed = policy.allowedHeaders === undefined ||
      (policy.allowedHeaders === '*' ? !include && name !== 'authorization' : policy.allowedHeaders.some((h) => h.toLowerCase() === name))
    if (!allowed) return `header ${name} is not in allowedHeaders ${JSON.stringify(policy.allowedHeaders)}`
  }
  return undefined
}

export function describePolicy (policy: PolicySpec | null): string {
  if (policy === null) return 'cors: false'
  return JSON.stringify(toOptions(policy))
}

export interface RouteTruthApp {
  readonly app: FastifyInstance
  readonly spec: AppSpec
  readonly routes: readonly RouteDecl[]
  /** How many times each route's handler ran, by index in `routes`. */
  readonly runs: readonly number[]
  /** Sends a request as the browser puts it on the wire; `ran` is the index in `routes` of the handler that ran. */
  send: (request: OutgoingRequest, body: string | undefined) => Promise<{ res: LightMyRequestResponse, ran: number | undefined }>
}

/** The plugin registered (awaited) at the root, then the routes, each handler recording that it ran. */
export async function buildRouteTruthApp (spec: AppSpec): Promise<RouteTruthApp> {
  const app = Fastify({ logger: false })
  await app.register(corsPolicy, toOptions(spec.plugin))
  const routes = routesOf(spec)
  const runs = routes.map(() => 0)
  let ran: number | undefined
  const options = (route: RouteDecl, index: number): RouteOptions => ({
    method: route.method,
    url: route.url,
    ...(route.host === undefined ? {} : { constraints: { host: route.host } }),
    ...(route.cors === 'inherit' ? {} : { config: { cors: route.cors === 'off' ? false : toOptions(route.cors) } }),
    handler: async () => {
      runs[index] = (runs[index] as number) + 1
      ran = index
      return route.label
    }
  })
  routes.forEach((route, index) => { if (route.scope === 'root') app.route(options(route, index)) })
  app.register(async (admin) => {
    routes.forEach((route, index) => { if (route.scope === 'admin') admin.route(options(route, index)) })
  }, { prefix: '/admin' })
  await app.ready()
  return {
    app,
    spec,
    routes,
    runs,
    async send (request, body) {
      const url = new URL(request.url)
      const headers: Record<string, string> = { host: url.host }
      for (const [name, value] of request.headers) headers[name.toLowerCase()] = value
      ran = undefined
      const res = await app.inject({
        method: request.method as 'GET',
        url: url.pathname,
        headers,
        ...(body === undefined ? {} : { payload: body })
      })
      return { res, ran }
    }
  }
}
