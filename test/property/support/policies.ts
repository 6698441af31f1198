/**
 * Random CORS policies as plain data (so fast-check can print and shrink them), and their
 * translation into plugin options. Every generated policy is one the plugin accepts.
 */
import fc from 'fast-check'
import type { FastifyCorsOptions, FastifyCorsRouteOptions } from '../../../lib/index.js'
import { resolveOptions } from '../../../lib/policy/options.js'

/** Deterministic origin functions, named so a counterexample says which one ran. */
export const ORIGIN_FUNCTIONS = {
  /** https tenants under fn.example */
  tenant: (origin: string): boolean => origin.startsWith('https://') && origin.endsWith('.fn.example'),
  tenantAsync: async (origin: string): Promise<boolean> => origin.startsWith('https://') && origin.endsWith('.fn.example'),
  /** throws for anything mentioning evil (a throw denies, never a 500: expressjs/cors#92) */
  throwsOnEvil: (origin: string): boolean => {
    if (origin.includes('evil')) throw new TypeError(`refusing ${origin}`)
    return origin.endsWith('.fn.example')
  },
  rejectsOnEvil: async (origin: string): Promise<boolean> => {
    if (origin.includes('evil')) throw new TypeError(`refusing ${origin}`)
    return origin.endsWith('.fn.example')
  },
  /** answers 'null' too: a function's answer stands */
  tenantOrNull: (origin: string): boolean => origin === 'null' || origin.endsWith('.fn.example'),
  /** a non-boolean truthy answer is not an allow */
  truthyString: (origin: string): boolean => (origin.endsWith('.fn.example') ? 'yes' : '') as unknown as boolean
} as const

export type OriginFunctionName = keyof typeof ORIGIN_FUNCTIONS

/** A configured origin list entry: a string (exact or pattern) or an anchored RegExp's source. */
export type ListItem = string | { regexp: string }

export type OriginSpec =
  | { kind: '*' }
  | { kind: true }
  | { kind: false }
  | { kind: 'list', items: ListItem[] }
  | { kind: 'function', name: OriginFunctionName }
  /** `{ credentialed, public }`: credentials for one list, none for the other origins `public` admits */
  | { kind: 'tiered', credentialed: ListItem[], public: '*' | ListItem[] }

export type NameListSpec = string[] | '*' | undefined

/** One policy, all keys explicit; `undefined` means "not set". */
export interface PolicySpec {
  origin: OriginSpec | undefined
  credentials: boolean | undefined
  methods: NameListSpec
  allowedHeaders: NameListSpec
  exposedHeaders: NameListSpec
  maxAge: number | undefined
  allowPrivateNetwork: boolean | undefined
  optionsSuccessStatus: number | undefined
  dangerouslyAllowAnyOriginWithCredentials: boolean | undefined
}

export const LIST_ITEMS: readonly ListItem[] = [
  'https://app.example.com',
  'https://APP.example.com:443', // normalised to https://app.example.com
  'http://localhost:8080',
  'https://*.x.example',
  'https://*.x.example:8443',
  'http://localhost:*',
  'http://*.dev.example:*',
  'null',
  { regexp: '^https:\\/\\/[a-z0-9-]+\\.re\\.example$' },
  { regexp: '^https:\\/\\/(?:alpha|beta)\\.example\\.net$' }
]

/** What the credentialed tier accepts: no 'null', no http origin on a host that is not loopback. */
const CREDENTIALED_ITEMS: readonly ListItem[] = LIST_ITEMS.filter((item) => item !== 'null' && item !== 'http://*.dev.example:*')

const listItems = (items: readonly ListItem[]): fc.Arbitrary<ListItem[]> =>
  fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: 4, selector: (item) => JSON.stringify(item) })

const METHOD_ITEMS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'patch', 'OPTIONS']
const REQUEST_HEADER_ITEMS = ['Content-Type', 'x-api-key', 'X-Request-Id', 'Authorization', 'accept', 'range']
const EXPOSED_HEADER_ITEMS = ['X-Total-Count', 'Content-Disposition', 'etag']

const originSpec: fc.Arbitrary<OriginSpec> = fc.oneof(
  fc.constant<OriginSpec>({ kind: '*' }),
  fc.constant<OriginSpec>({ kind: true }),
  fc.constant<OriginSpec>({ kind: false }),
  fc.uniqueArray(fc.constantFrom(...LIST_ITEMS), { minLength: 1, maxLength: 5, selector: (item) => JSON.stringify(item) })
    .map((items): OriginSpec => ({ kind: 'list', items })),
  fc.constantFrom(...(Object.keys(ORIGIN_FUNCTIONS) as OriginFunctionName[])).map((name): OriginSpec => ({ kind: 'function', name })),
  // twice as likely as the others: tiers refuse more of the options drawn with them (credentials: false, '*' lists)
  {
    weight: 2,
    arbitrary: fc.record({ credentialed: listItems(CREDENTIALED_ITEMS), public: fc.oneof(fc.constant<'*'>('*'), listItems(LIST_ITEMS)) })
      .map(({ credentialed, public: publicTier }): OriginSpec => ({ kind: 'tiered', credentialed, public: publicTier }))
  }
)

function nameList (items: readonly string[]): fc.Arbitrary<NameListSpec> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant<NameListSpec>('*'),
    fc.uniqueArray(fc.constantFrom(...items), { minLength: 0, maxLength: 4 })
  )
}

/** Every key present (possibly undefined), so the plugin-level policy is fully described. */
const fullSpec: fc.Arbitrary<PolicySpec> = fc.record({
  origin: fc.option(originSpec, { nil: undefined, freq: 8 }),
  credentials: fc.option(fc.boolean(), { nil: undefined }),
  methods: nameList(METHOD_ITEMS),
  allowedHeaders: nameList(REQUEST_HEADER_ITEMS),
  exposedHeaders: nameList(EXPOSED_HEADER_ITEMS),
  maxAge: fc.option(fc.constantFrom(0, 5, 600, 86400), { nil: undefined }),
  allowPrivateNetwork: fc.option(fc.boolean(), { nil: undefined }),
  optionsSuccessStatus: fc.option(fc.constantFrom(200, 204), { nil: undefined }),
  dangerouslyAllowAnyOriginWithCredentials: fc.option(fc.boolean(), { nil: undefined, freq: 3 })
})

function listOption (list: NameListSpec): string | string[] | undefined {
  return list === undefined ? undefined : list === '*' ? '*' : [...list]
}

function originOption (spec: OriginSpec | undefined): FastifyCorsOptions['origin'] {
  if (spec === undefined) return undefined
  switch (spec.kind) {
    case '*': return '*'
    case true: return true
    case false: return false
    case 'function': return ORIGIN_FUNCTIONS[spec.name]
    case 'list': return originList(spec.items)
    case 'tiered': return { credentialed: originList(spec.credentialed), public: spec.public === '*' ? '*' : originList(spec.public) }
  }
}

function originList (items: readonly ListItem[]): Array<string | RegExp> {
  return items.map((item) => typeof item === 'string' ? item : new RegExp(item.regexp))
}

/** Plugin (or route) options for a spec; unset keys are left out. */
export function toOptions (spec: PolicySpec): FastifyCorsRouteOptions {
  const options: Record<string, unknown> = {
    origin: originOption(spec.origin),
    credentials: spec.credentials,
    methods: listOption(spec.methods),
    allowedHeaders: listOption(spec.allowedHeaders),
    exposedHeaders: listOption(spec.exposedHeaders),
    maxAge: spec.maxAge,
    allowPrivateNetwork: spec.allowPrivateNetwork,
    optionsSuccessStatus: spec.optionsSuccessStatus,
    dangerouslyAllowAnyOriginWithCredentials: spec.dangerouslyAllowAnyOriginWithCredentials
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return options as FastifyCorsRouteOptions
}

/** The options a route ends up with: its override merged over the plugin's. */
export function mergeSpecs (plugin: PolicySpec, override: PolicySpec): PolicySpec {
  const merged = { ...plugin }
  for (const key of Object.keys(override) as Array<keyof PolicySpec>) {
    if (override[key] !== undefined) (merged as Record<string, unknown>)[key] = override[key]
  }
  return merged
}

function isAccepted (spec: PolicySpec): boolean {
  return resolveOptions(toOptions(spec)).problems.length === 0
}

/** A route's `config.cors`: off, or an override whose merge over the plugin's options is valid. */
export type RouteSpec = false | PolicySpec

/** The policies of one app: the plugin's, and the overrides of two routes. */
export interface AppSpec {
  plugin: PolicySpec
  override: RouteSpec
  items: RouteSpec
}

const routeSpec: fc.Arbitrary<RouteSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<RouteSpec>(false) },
  { weight: 4, arbitrary: fullSpec }
)

export const appSpec: fc.Arbitrary<AppSpec> = fc.record({ plugin: fullSpec, override: routeSpec, items: routeSpec })
  .filter((app) => isAccepted(app.plugin) &&
    [app.override, app.items].every((route) => route === false || isAccepted(mergeSpecs(app.plugin, route))))

/** Whether the effective policy of a route sends `Access-Control-Allow-Credentials: true`. */
export function sendsCredentials (spec: PolicySpec): boolean {
  return spec.credentials === true
}
