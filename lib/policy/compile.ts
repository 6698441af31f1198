import type { FastifyCorsOriginFunction } from './schema.js'
import type { NameList, OriginSetting, ResolvedOptions } from './options.js'
import type { OriginCacheSettings } from './origin-cache-settings.js'
import { ORIGIN_VERDICTS, compileOriginMatcher, listVerdict, tieredVerdict, type OriginMatcher, type OriginVerdict } from './origin-matcher.js'
import type { SwappableOriginList } from './swappable-origins.js'

/**
 * A compiled, frozen policy: everything the request path needs, as ready-made strings and sets.
 * invariant: originKind === 'any' ⇒ !credentials; credentials ⇒ no '*' among methods/headers/exposed;
 * originKind === 'tiered' ⇒ credentials.
 */
export interface CorsPolicy {
  readonly originKind: 'any' | 'reflect' | 'none' | 'list' | 'function' | 'tiered'
  /** the request's Origin value judged by this policy's origin setting, chosen once for `originKind` */
  readonly verdictFor: (origin: string) => OriginVerdict
  /** set ⇔ originKind === 'function' */
  readonly originCheck: FastifyCorsOriginFunction | undefined
  /** `this` of the origin function: the Fastify instance the plugin was registered in */
  readonly originThis: unknown
  /** the origin function declares its callback parameter, so returning nothing means "the callback answers" */
  readonly originCheckTakesCallback: boolean
  readonly originCheckTimeout: number
  /** set ⇒ originKind === 'function': its answers are kept, in one cache per (registration, function, settings) */
  readonly originCache: OriginCacheSettings | undefined
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
  /**
   * set ⇔ originKind === 'tiered': the policy a public-tier origin (verdict 'allowed-public') is
   * answered with: this one without credentials, originKind 'any' (public '*') or 'list', still varying by Origin
   */
  readonly publicTier: CorsPolicy | undefined
}

/** Each tier's list compiled as a plain list is; public '*' needs no matcher. */
interface TierMatchers {
  readonly credentialed: OriginMatcher
  readonly public: OriginMatcher | 'any'
}

function compileTiers (origin: Extract<OriginSetting, { kind: 'tiered' }>): TierMatchers {
  return {
    credentialed: compileOriginMatcher(origin.credentialed.origins, origin.credentialed.regexps),
    public: origin.public.kind === 'any' ? 'any' : compileOriginMatcher(origin.public.origins, origin.public.regexps)
  }
}

function verdictFunction (origin: OriginSetting, tiers: TierMatchers | undefined, originList: SwappableOriginList | undefined): (origin: string) => OriginVerdict {
  if (origin.kind === 'list') return originList?.verdictFor ?? listVerdict(compileOriginMatcher(origin.origins, origin.regexps))
  if (origin.kind === 'tiered') return originList?.verdictFor ?? tieredVerdict((tiers as TierMatchers).credentialed, (tiers as TierMatchers).public)
  return ORIGIN_VERDICTS[origin.kind]
}

/** The public tier's policy: the tiered one without credentials, with Vary: Origin kept (the other tier reflects the origin). */
function publicTierOf (policy: CorsPolicy, matcher: OriginMatcher | 'any', originList: SwappableOriginList | undefined): CorsPolicy {
  return Object.freeze({
    ...policy,
    originKind: matcher === 'any' ? 'any' as const : 'list' as const,
    verdictFor: matcher === 'any' ? ORIGIN_VERDICTS.any : originList?.publicVerdictFor ?? listVerdict(matcher),
    credentials: false
  })
}

function joinList (list: NameList | undefined): string | undefined {
  if (list === undefined) return undefined
  const items = list.wildcard ? ['*', ...list.names] : list.names
  return items.length === 0 ? undefined : items.join(', ')
}

/**
 * Compiles resolved options once; the request path never reads raw options. `originList`: the
 * registration's allow-list (or tiers) that a list (or tiered) origin reads instead of its own (it is
 * inherited, and may be replaced at run time).
 */
export function compilePolicy (options: ResolvedOptions, originThis?: unknown, originList?: SwappableOriginList): CorsPolicy {
  const origin = options.origin
  const tiers = origin.kind === 'tiered' ? compileTiers(origin) : undefined
  const varyOrigin = origin.kind !== 'any' && origin.kind !== 'none'
  const preflightVary = [
    varyOrigin ? 'Origin' : undefined,
    // the route-aware default answer depends on which method is requested
    options.methods === undefined ? 'Access-Control-Request-Method' : undefined,
    options.allowedHeaders === undefined ? 'Access-Control-Request-Headers' : undefined
  ].filter((part) => part !== undefined).join(', ')
  const policy: CorsPolicy = Object.freeze({
    originKind: origin.kind,
    verdictFor: verdictFunction(origin, tiers, originList),
    originCheck: origin.kind === 'function' ? origin.check : undefined,
    originThis,
    originCheckTakesCallback: origin.kind === 'function' && origin.check.length >= 2,
    originCheckTimeout: options.originCheckTimeout,
    originCache: origin.kind === 'function' ? options.originCache : undefined,
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
    preflightVary: preflightVary === '' ? undefined : preflightVary,
    publicTier: undefined
  })
  if (tiers === undefined) return policy
  return Object.freeze({ ...policy, publicTier: publicTierOf(policy, tiers.public, originList) })
}
