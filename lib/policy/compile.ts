import type { FastifyCorsOriginFunction } from './schema.js'
import type { NameList, ResolvedOptions } from './options.js'
import { ORIGIN_VERDICTS, compileOriginMatcher, listVerdict, type OriginVerdict } from './origin-matcher.js'

/**
 * A compiled, frozen policy: everything the request path needs, as ready-made strings and sets.
 * invariant: originKind === 'any' ⇒ !credentials; credentials ⇒ no '*' among methods/headers/exposed.
 */
export interface CorsPolicy {
  readonly originKind: 'any' | 'reflect' | 'none' | 'list' | 'function'
  /** the request's Origin value judged by this policy's origin setting, chosen once for `originKind` */
  readonly verdictFor: (origin: string) => OriginVerdict
  /** set ⇔ originKind === 'function' */
  readonly originCheck: FastifyCorsOriginFunction | undefined
  /** `this` of the origin function: the Fastify instance the plugin was registered in */
  readonly originThis: unknown
  /** the origin function declares its callback parameter, so returning nothing means "the callback answers" */
  readonly originCheckTakesCallback: boolean
  readonly originCheckTimeout: number
  readonly credentials: boolean
  /** ACAO depends on the request, so every response needs `Vary: Origin` (Fetch#cors-protocol-and-http-caches) */
  readonly varyOrigin: boolean
  /** Access-Control-Expose-Headers for actual responses; undefined: none configured */
  readonly aceh: string | undefined
  /** Access-Control-Allow-Methods when `methods` is configured ('*' or a list); undefined: the route's own methods */
  readonly acam: string | undefined
  /** the configured methods; undefined when `methods` is unset or '*' (invariant: methodSet !== undefined ⇒ acam lists them) */
  readonly methodSet: ReadonlySet<string> | undefined
  /** Access-Control-Allow-Headers when `allowedHeaders` is configured ('' for an empty list); undefined: echo the validated request headers */
  readonly acah: string | undefined
  /** the configured header names, lower-cased ('*' excluded); empty when `allowedHeaders` is unset */
  readonly headerSet: ReadonlySet<string>
  /** `allowedHeaders` holds '*' (which never covers Authorization) */
  readonly anyHeader: boolean
  readonly maxAge: string | undefined
  readonly cacheControl: string | undefined
  readonly preflight: boolean
  readonly preflightContinue: boolean
  readonly optionsSuccessStatus: number
  readonly allowPrivateNetwork: boolean
  readonly enforce: boolean | 'report-only'
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
    verdictFor: origin.kind === 'list' ? listVerdict(compileOriginMatcher(origin.origins, origin.regexps)) : ORIGIN_VERDICTS[origin.kind],
    originCheck: origin.kind === 'function' ? origin.check : undefined,
    originThis,
    originCheckTakesCallback: origin.kind === 'function' && origin.check.length >= 2,
    originCheckTimeout: options.originCheckTimeout,
    credentials: options.credentials,
    varyOrigin,
    aceh: joinList(options.exposedHeaders),
    acam: joinList(options.methods),
    methodSet: options.methods === undefined || options.methods.wildcard ? undefined : new Set(options.methods.names),
    acah: options.allowedHeaders === undefined ? undefined : joinList(options.allowedHeaders) ?? '',
    headerSet: new Set(options.allowedHeaders?.names.map((name) => name.toLowerCase()) ?? []),
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
