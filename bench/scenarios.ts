import type { FastifyCorsOptions as FastifyCorsPackageOptions } from '@fastify/cors'
import type { FastifyCorsOptions } from '../lib/index.js'

/**
 * The servers every scenario runs side by side. Four are diagnostics for optimisation: `hooks-floor`
 * is bare Fastify plus an empty onRequest and an empty onSend hook, what any CORS layer built on
 * those two hooks costs at least; `headers-floor` (the scenarios with a µs target) is the same two
 * hooks writing the plugin's own answer to the scenario's request as constants, what any CORS layer
 * on those hooks that sends the same headers costs at least, decisions aside; `heap-floor` (large
 * allow-lists only) is bare Fastify keeping a Set of the same origin strings alive, what the garbage
 * collector charges for holding them at all; `router-floor` is bare Fastify with the router constraint
 * the plugin installs so its catch-all OPTIONS routes coexist with an application's, what routing
 * every request through that constraint costs.
 */
export const VARIANTS = ['bare', 'router-floor', 'hooks-floor', 'headers-floor', 'heap-floor', 'plugin', 'fastify-cors'] as const
export type Variant = typeof VARIANTS[number]

export const VARIANT_LABELS: Record<Variant, string> = {
  bare: 'bare Fastify',
  'router-floor': "bare + the plugin's preflight routing constraint",
  'hooks-floor': 'bare + empty onRequest/onSend hooks',
  'headers-floor': 'bare + the same CORS headers as constants (same two hooks)',
  'heap-floor': 'bare + a Set of the same origins',
  plugin: 'fastify-cors-policy',
  'fastify-cors': '@fastify/cors'
}

export interface BenchRequest {
  readonly method: 'GET' | 'OPTIONS'
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
}

export interface Scenario {
  readonly name: string
  readonly title: string
  readonly request: BenchRequest
  readonly pluginOptions: () => FastifyCorsOptions
  /** `undefined` when @fastify/cors cannot express the policy (reported as n/a). */
  readonly fastifyCorsOptions: (() => FastifyCorsPackageOptions) | undefined
  /** The configured origin strings, for the `heap-floor` variant; only large allow-lists have one. */
  readonly retainedOrigins?: () => string[]
  /** Run the `headers-floor` variant: the scenarios whose CPU and allocation targets are judged over it. */
  readonly headersFloor?: true
  /** Whether a browser would pass the CORS check; a probe that disagrees is flagged. `undefined`: no expectation. */
  readonly expectAllowed: boolean | undefined
}

export const ROUTE_PATH = '/items'
export const OVERRIDE_ROUTE_PATH = '/public'
/** Route-level override used by the `route-override` scenario, identical for both CORS variants. */
export const ROUTE_OVERRIDE = { origin: '*', credentials: false } as const

const METHODS = ['GET', 'HEAD', 'POST', 'PUT']
const PREFLIGHT_HEADERS = 'content-type,x-custom'
const DISALLOWED_ORIGIN = 'https://evil.example.net'

/** `count` distinct exact origins; the request always matches the last one (worst case for a list scan). */
export function exactOrigins (count: number): string[] {
  const origins = new Array<string>(count)
  for (let i = 0; i < count; i++) origins[i] = `https://app${i}.example.com`
  return origins
}

function lastExactOrigin (count: number): string {
  return `https://app${count - 1}.example.com`
}

export function tenantPatterns (count: number): string[] {
  const patterns = new Array<string>(count)
  for (let i = 0; i < count; i++) patterns[i] = `https://*.tenant${i}.example.com`
  return patterns
}

/** The anchored RegExp a @fastify/cors user writes for `https://*.tenantN.example.com`. */
export function tenantRegExps (count: number): RegExp[] {
  const regexps = new Array<RegExp>(count)
  for (let i = 0; i < count; i++) regexps[i] = new RegExp(`^https://([a-z0-9-]+\\.)+tenant${i}\\.example\\.com$`)
  return regexps
}

export function regionRegExps (count: number): RegExp[] {
  const regexps = new Array<RegExp>(count)
  for (let i = 0; i < count; i++) regexps[i] = new RegExp(`^https://app-[a-z]+\\.region${i}\\.example\\.com$`)
  return regexps
}

function listScenario (name: string, title: string, count: number): Scenario {
  return {
    name,
    title,
    ...(count >= 10_000 ? { retainedOrigins: () => exactOrigins(count) } : {}),
    request: { method: 'GET', path: ROUTE_PATH, headers: { origin: lastExactOrigin(count) } },
    pluginOptions: () => ({ origin: exactOrigins(count), credentials: true, methods: METHODS }),
    fastifyCorsOptions: () => ({ origin: exactOrigins(count), credentials: true, methods: METHODS }),
    expectAllowed: true
  }
}

function preflightRequest (origin: string, requestHeaders: string): BenchRequest {
  return {
    method: 'OPTIONS',
    path: ROUTE_PATH,
    headers: {
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': requestHeaders
    }
  }
}

/** The allow-list of one origin, with credentials, for both CORS layers. */
function singleOrigin (name: string, title: string, request: BenchRequest, expectAllowed: boolean | undefined): Scenario {
  return {
    name,
    title,
    request,
    pluginOptions: () => ({ origin: exactOrigins(1), credentials: true, methods: METHODS }),
    fastifyCorsOptions: () => ({ origin: exactOrigins(1), credentials: true, methods: METHODS }),
    expectAllowed
  }
}

function headerNames (count: number): string {
  const names = new Array<string>(count)
  for (let i = 0; i < count; i++) names[i] = `x-h${String(i).padStart(4, '0')}`
  return names.join(',')
}

/**
 * An origin function as a multi-tenant app writes one: an asynchronous lookup in a store of customer
 * origins (a Set here, so that the lookup itself costs next to nothing and the price of calling the
 * function at all shows).
 */
function tenantStore (): Set<string> {
  return new Set(exactOrigins(1000))
}

const LONG_ORIGIN = `https://${'a'.repeat(16 * 1024 - 'https://'.length - '.example.com'.length)}.example.com`

export const SCENARIOS: readonly Scenario[] = [
  { ...listScenario('simple-get', 'simple GET, allowed origin (allow-list of 1)', 1), headersFloor: true },
  { ...singleOrigin('no-origin', 'GET without Origin', { method: 'GET', path: ROUTE_PATH, headers: {} }, true), headersFloor: true },
  {
    ...singleOrigin('preflight', `preflight PUT, ACRH \`${PREFLIGHT_HEADERS}\``, preflightRequest(lastExactOrigin(1), PREFLIGHT_HEADERS), true),
    headersFloor: true
  },
  { ...singleOrigin('disallowed', 'GET, disallowed origin', { method: 'GET', path: ROUTE_PATH, headers: { origin: DISALLOWED_ORIGIN } }, false), headersFloor: true },
  listScenario('list-100', 'GET, allow-list of 100 exact origins (match last)', 100),
  { ...listScenario('list-10k', 'GET, allow-list of 10 000 exact origins (match last)', 10_000), headersFloor: true },
  listScenario('list-100k', 'GET, allow-list of 100 000 exact origins (match last)', 100_000),
  {
    name: 'patterns-10k',
    title: 'GET, 10 000 wildcard patterns (match last)',
    request: { method: 'GET', path: ROUTE_PATH, headers: { origin: 'https://app.tenant9999.example.com' } },
    pluginOptions: () => ({ origin: tenantPatterns(10_000), credentials: true, methods: METHODS }),
    retainedOrigins: () => tenantPatterns(10_000),
    // @fastify/cors has no patterns: the equivalent anchored RegExp per tenant.
    fastifyCorsOptions: () => ({ origin: tenantRegExps(10_000), credentials: true, methods: METHODS }),
    expectAllowed: true
  },
  {
    name: 'regexp-100',
    title: 'GET, 100 anchored RegExps (match last)',
    request: { method: 'GET', path: ROUTE_PATH, headers: { origin: 'https://app-eu.region99.example.com' } },
    pluginOptions: () => ({ origin: regionRegExps(100), credentials: true, methods: METHODS }),
    fastifyCorsOptions: () => ({ origin: regionRegExps(100), credentials: true, methods: METHODS }),
    headersFloor: true,
    expectAllowed: true
  },
  {
    name: 'origin-function-cached',
    title: 'GET, async origin function with `originCache` (cache hit)',
    request: { method: 'GET', path: ROUTE_PATH, headers: { origin: lastExactOrigin(1000) } },
    pluginOptions: () => {
      const store = tenantStore()
      return { origin: async (origin: string) => store.has(origin), originCache: true, credentials: true, methods: METHODS }
    },
    // @fastify/cors keeps no answers: its origin function runs on every request
    fastifyCorsOptions: () => {
      const store = tenantStore()
      return { origin: async (origin: string | undefined) => origin !== undefined && store.has(origin), credentials: true, methods: METHODS }
    },
    expectAllowed: true
  },
  singleOrigin('adv-long-origin', 'adversarial preflight: 16 KiB Origin', preflightRequest(LONG_ORIGIN, PREFLIGHT_HEADERS), false),
  singleOrigin('adv-acrh-commas', 'adversarial preflight: ACRH of 8 KiB of commas',
    preflightRequest(lastExactOrigin(1), ','.repeat(8 * 1024)), undefined),
  singleOrigin('adv-acrh-1000', 'adversarial preflight: ACRH of 1 000 header names',
    preflightRequest(lastExactOrigin(1), headerNames(1000)), undefined),
  singleOrigin('route-override', 'GET, route-level override (`origin: \'*\'`)',
    { method: 'GET', path: OVERRIDE_ROUTE_PATH, headers: { origin: lastExactOrigin(1) } }, true)
]

export function scenarioByName (name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name)
  if (scenario === undefined) {
    throw new TypeError(`unknown scenario '${name}', expected one of: ${SCENARIOS.map((s) => s.name).join(', ')}`)
  }
  return scenario
}

export function isVariant (value: string): value is Variant {
  return (VARIANTS as readonly string[]).includes(value)
}
