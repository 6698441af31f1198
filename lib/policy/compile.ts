import type { FastifyCorsOriginFunction } from './schema.js'
import type { NameList, ResolvedOptions } from './options.js'
import { compileOriginMatcher, type OriginMatcher } from './origin-matcher.js'

/**
 * A compiled, frozen policy: everything the request path needs, as ready-made strings and sets.
 * invariant: originKind === 'any' ⇒ !credentials; credentials ⇒ no '*' among methods/headers/exposed.
 */
export interface CorsPolicy {
  readonly originKind: 'any' | 'reflect' | 'none' | 'list' | 'function'
  readonly matcher: OriginMatcher | undefined
  readonly originCheck: FastifyCorsOriginFunction | undefined
  /** `this` of the origin function: the Fastify instance the plugin was registered in */
  readonly originThis: unknown
  /** the origin function declares its callback parameter, so returning nothing means "the callback answers" */
  readonly originCheckTakesCallback: boolean
  readonly originCheckTimeout: number
  readonly credentials: boolean
  /** ACAO depends on the request, so every response needs `Vary: Origin` (Fetch#cors-protocol-and-http-caches) */
  readonly varyOrigin: boolean
  /** ACEH value for actual responses, or undefined */
  readonly exposeHeaders: string | undefined
  /** ACAM value when methods are configured ('*' or a list); undefined = the route's own methods */
  readonly allowMethods: string | undefined
  /** configured methods; undefined when not configured or '*' */
  readonly allowedMethods: ReadonlySet<string> | undefined
  readonly anyMethod: boolean
  /** ACAH value when headers are configured; undefined = reflect the validated request headers */
  readonly allowHeaders: string | undefined
  readonly allowedHeaders: ReadonlySet<string>
  readonly anyHeader: boolean
  readonly maxAge: string | undefined
  readonly cacheControl: string | undefined
  readonly preflight: boolean
  readonly preflightContinue: boolean
  readonly optionsSuccessStatus: number
  readonly allowPrivateNetwork: boolean
  readonly enforce: boolean
  /** Vary value for preflight responses, or undefined */
  readonly preflightVary: string | undefined
}

function joinList (list: NameList | undefined): string | undefined {
  if (list === undefined) return undefined
  const items = list.wildcard ? ['*', ...list.names] : list.names
  return items.length === 0 ? undefined : items.join(', ')
}

/** Compiles resolved options once; the request path never reads raw options. */
export function compilePolicy (options: ResolvedOptions, originThis?: unknown): CorsPolicy {
  const origin = options.origin
  const varyOrigin = origin.kind !== 'any' && origin.kind !== 'none'
  const preflightVary = [
    varyOrigin ? 'Origin' : undefined,
    // the route-aware default answer depends on which method is requested
    options.methods === undefined ? 'Access-Control-Request-Method' : undefined,
    options.allowedHeaders === undefined ? 'Access-Control-Request-Headers' : undefined
  ].filter((part) => part !== undefined).join(', ')
  return Object.freeze({
    originKind: origin.kind,
    matcher: origin.kind === 'list' ? compileOriginMatcher(origin.origins, origin.regexps) : undefined,
    originCheck: origin.kind === 'function' ? origin.check : undefined,
    originThis,
    originCheckTakesCallback: origin.kind === 'function' && origin.check.length >= 2,
    originCheckTimeout: options.originCheckTimeout,
    credentials: options.credentials,
    varyOrigin,
    exposeHeaders: joinList(options.exposedHeaders),
    allowMethods: joinList(options.methods),
    allowedMethods: options.methods === undefined || options.methods.wildcard ? undefined : new Set(options.methods.names),
    anyMethod: options.methods?.wildcard === true,
    allowHeaders: options.allowedHeaders === undefined ? undefined : joinList(options.allowedHeaders) ?? '',
    allowedHeaders: new Set(options.allowedHeaders?.names.map((name) => name.toLowerCase()) ?? []),
    anyHeader: options.allowedHeaders?.wildcard === true,
    maxAge: options.maxAge === undefined ? undefined : String(options.maxAge),
    cacheControl: options.cacheControl,
    preflight: options.preflight,
    preflightContinue: options.preflightContinue,
    optionsSuccessStatus: options.optionsSuccessStatus,
    allowPrivateNetwork: options.allowPrivateNetwork,
    enforce: options.enforce,
    preflightVary: preflightVary === '' ? undefined : preflightVary
  })
}
