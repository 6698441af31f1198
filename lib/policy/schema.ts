import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/**
 * What an origin function may answer: `true` allows (reflects) the request's origin, `false` (or
 * nothing) refuses it, and a static `origin` value (an origin, a pattern, `'*'`, an anchored RegExp or
 * an array of these) is matched against the request's origin as if it were configured.
 */
export type OriginAnswer = boolean | string | RegExp | Array<string | RegExp>

/**
 * What an origin function found out while deciding (a tenant, its plan), handed to the handler as
 * `request.cors.originData`. Empty here: give it fields through declaration merging,
 * `declare module 'fastify-cors-policy' { interface FastifyCorsOriginData { tenantId: string } }`.
 */
export interface FastifyCorsOriginData {}

/** An origin function's answer with data for the handler: `{ allow: true, data: { tenantId } }`. */
export interface OriginAnswerWithData {
  allow: OriginAnswer
  /** exposed as `request.cors.originData` (kept with the answer when `originCache` is on) */
  data?: FastifyCorsOriginData
}

/** The callback of an origin function, as with @fastify/cors: `cb(null, true)`, `cb(new Error('…'))`. */
export type OriginCallback = (error: Error | null, allow?: OriginAnswer | OriginAnswerWithData) => void

/**
 * `function (origin, cb, request, signal)`, called with `this` = the Fastify instance the plugin was
 * registered in. It answers through `cb(error, allow)`, or by returning the answer or a promise of it.
 * `signal` aborts when `originCheckTimeout` passes or the client disconnects: pass it on to the lookup.
 */
export type FastifyCorsOriginFunction = (
  this: FastifyInstance, origin: string, callback: OriginCallback, request: FastifyRequest, signal: AbortSignal
) => void | OriginAnswer | OriginAnswerWithData | PromiseLike<OriginAnswer | OriginAnswerWithData | undefined>

/** `originCache.key`: the cache key of a request's origin (e.g. the tenant and the origin); the default is the origin. */
export type FastifyCorsOriginCacheKey = (origin: string, request: FastifyRequest) => string

const OriginCacheKeySchema = Type.Unsafe<FastifyCorsOriginCacheKey>(Type.Function([Type.String(), Type.Unknown()], Type.String(), {
  description: 'The cache key of a request\'s origin; default: the origin. Requests with one key share one answer.',
  expected: 'a function (origin, request) that returns a string'
}))

/** The settings of `originCache: { … }`; each has its default. */
export const OriginCacheSettingsSchema = Type.Object({
  max: Type.Optional(Type.Integer({ minimum: 1, default: 1000, description: 'Answers kept; the least recently used goes first.', expected: 'an integer of at least 1' })),
  ttl: Type.Optional(Type.Integer({ minimum: 0, default: 60000, description: 'Milliseconds an answer that allows the origin is kept (0: none is kept).', expected: 'an integer of at least 0 (milliseconds)' })),
  negativeTtl: Type.Optional(Type.Integer({ minimum: 0, default: 10000, description: 'Milliseconds an answer that does not allow the origin is kept (0: none is kept).', expected: 'an integer of at least 0 (milliseconds)' })),
  key: Type.Optional(OriginCacheKeySchema)
}, { additionalProperties: false })

/** `originCache: { max, ttl, negativeTtl, key }`. */
export type FastifyCorsOriginCacheSettings = Static<typeof OriginCacheSettingsSchema>

/** @deprecated use FastifyCorsOriginFunction */
export type FastifyCorsOriginCheck = FastifyCorsOriginFunction

const OriginFunctionSchema = Type.Unsafe<FastifyCorsOriginFunction>(Type.Function([Type.String(), Type.Unknown(), Type.Unknown()], Type.Unknown(), {
  expected: 'a function (origin, cb, request) that calls cb(null, allow) or returns allow or a promise of it'
}))

/** The options a delegator may return for one request: what a route may set in `config.cors`. */
export type FastifyCorsDelegatedOptions = FastifyCorsRouteOptions

/** The callback of a delegator: `cb(null, options)`, or `cb(error)` to deny the request. */
export type CorsDelegatorCallback = (error: Error | null, options?: FastifyCorsDelegatedOptions) => void

/**
 * Per-request options, as @fastify/cors's `delegator`: answers through `cb(error, options)` or by
 * returning the options or a promise of them. Each options object is validated and compiled once.
 * `signal` aborts when `originCheckTimeout` passes or the client disconnects.
 */
export type FastifyCorsDelegator = (
  request: FastifyRequest, callback: CorsDelegatorCallback, signal: AbortSignal
) => void | FastifyCorsDelegatedOptions | PromiseLike<FastifyCorsDelegatedOptions | undefined>

const DelegatorSchema = Type.Unsafe<FastifyCorsDelegator>(Type.Function([Type.Unknown(), Type.Unknown()], Type.Unknown(), {
  expected: 'a function (request, cb) that calls cb(null, options) or returns options or a promise of them'
}))

/** The hooks in which actual requests may be decided (those of @fastify/cors, and onSend). */
export const CORS_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend'] as const
export type FastifyCorsHook = typeof CORS_HOOKS[number]

// Type.RegExp checks strings, not RegExp instances: an object schema admits the instance and the
// semantic pass checks `instanceof RegExp` and anchoring.
const RegExpSchema = Type.Unsafe<RegExp>(Type.Object({}, { expected: 'an anchored RegExp' }))

const OriginItemSchema = Type.Union([Type.String({ minLength: 1 }), RegExpSchema])

/**
 * Two tiers on one route: `credentialed` origins get their origin and credentials, any other origin
 * that `public` admits gets a response without credentials (`'*'`, or its origin for a list).
 */
const TieredOriginSchema = Type.Object({
  credentialed: Type.Array(OriginItemSchema, {
    minItems: 1,
    description: 'Origins answered with Access-Control-Allow-Origin: <origin> and Access-Control-Allow-Credentials: true (the rules of a list with credentials: true).',
    expected: 'a non-empty array of origins, patterns or anchored RegExps'
  }),
  public: Type.Union([Type.Literal('*'), Type.Array(OriginItemSchema, { minItems: 1 })], {
    description: "Other origins answered without credentials: '*' (Access-Control-Allow-Origin: *) or a list (their origin).",
    expected: "'*' or a non-empty array of origins, patterns or anchored RegExps"
  })
}, {
  additionalProperties: false,
  description: 'Tiered origins: credentialed responses for an allow-list, public ones for other sites.',
  expected: "{ credentialed: [origins], public: '*' or [origins] }"
})

/** `origin: { credentialed, public }`: credentials for an allow-list, responses without credentials for other sites. */
export type FastifyCorsTieredOrigin = Static<typeof TieredOriginSchema>

const HeaderListSchema = (description: string) => Type.Union([
  Type.String(),
  Type.Array(Type.String(), { minItems: 0 })
], { description, expected: "a string (comma-separated names allowed), an array of strings, or '*'" })

/**
 * The plugin options: the single source of the option types. Defaults live here (`default`).
 * Unknown keys are refused, so a typo never silently does nothing.
 */
export const CorsOptionsSchema = Type.Object({
  origin: Type.Optional(Type.Union([
    Type.Literal('*'),
    Type.Boolean(),
    OriginItemSchema,
    Type.Array(OriginItemSchema, { minItems: 1 }),
    TieredOriginSchema,
    OriginFunctionSchema
  ], {
    default: '*',
    description: "Who may read responses: '*', an origin, a pattern (https://*.example.com, http://localhost:*), an anchored RegExp, an array of these, true (reflect any), false (none), a function, or tiers { credentialed: [...], public: '*' | [...] }.",
    expected: "'*', an origin string, a pattern, an anchored RegExp, a non-empty array of these, true, false, a function, or { credentialed: [...], public: '*' or [...] }"
  })),
  credentials: Type.Optional(Type.Boolean({ default: false, description: 'Send Access-Control-Allow-Credentials: true. Needs an explicit origin.', expected: 'a boolean' })),
  methods: Type.Optional(HeaderListSchema('Methods for Access-Control-Allow-Methods on preflights; default: the methods the target route serves.')),
  allowedHeaders: Type.Optional(HeaderListSchema('Request headers for Access-Control-Allow-Headers; default: reflect the (validated) requested headers.')),
  exposedHeaders: Type.Optional(HeaderListSchema('Response headers for Access-Control-Expose-Headers on actual responses.')),
  maxAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, description: 'Access-Control-Max-Age in seconds on preflights (browsers clamp: Chromium 7200, Firefox 86400).', expected: 'an integer from 0 to 86400 (seconds)' })),
  cacheControl: Type.Optional(Type.Union([
    Type.Integer({ minimum: 0 }),
    Type.String({ minLength: 1, pattern: '^[\\x20-\\x7e]+$' })
  ], { description: 'Cache-Control on preflights: seconds (max-age=N) or a header value.', expected: 'a non-negative integer (seconds) or a printable ASCII string' })),
  preflight: Type.Optional(Type.Boolean({ default: true, description: 'Answer preflight requests.', expected: 'a boolean' })),
  strictPreflight: Type.Optional(Type.Boolean({ default: true, description: 'An OPTIONS request with no route of its own that lacks Origin or Access-Control-Request-Method gets 400.', expected: 'a boolean' })),
  preflightContinue: Type.Optional(Type.Boolean({ default: false, description: "After adding preflight headers, let the route's own OPTIONS handler answer.", expected: 'a boolean' })),
  optionsSuccessStatus: Type.Optional(Type.Integer({ minimum: 200, maximum: 299, default: 204, description: 'Status of a successful preflight.', expected: 'an integer from 200 to 299' })),
  allowPrivateNetwork: Type.Optional(Type.Boolean({ default: false, description: 'Private Network Access: answer Access-Control-Request-Private-Network with Access-Control-Allow-Private-Network: true.', expected: 'a boolean' })),
  originCheckTimeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000, default: 2000, description: 'Milliseconds after which an unsettled origin function denies.', expected: 'an integer from 1 to 60000 (milliseconds)' })),
  originCache: Type.Optional(Type.Union([Type.Boolean(), OriginCacheSettingsSchema], {
    description: "Keep the origin function's answers (LRU with expiry), one lookup at a time per key: true, or { max, ttl, negativeTtl, key }. Only with an origin function.",
    expected: 'true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }'
  })),
  enforce: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('report-only')], {
    default: false,
    description: "Refuse cross-origin requests from denied origins with 403 (FST_CORS_FORBIDDEN, through the app's error handler) before the handler runs; 'report-only' logs what it would refuse and lets the request through.",
    expected: "true, false or 'report-only'"
  })),
  hideOptionsRoute: Type.Optional(Type.Boolean({ default: true, description: "Hide the plugin's OPTIONS route from schema/docs generators.", expected: 'a boolean' })),
  logLevel: Type.Optional(Type.Union((['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const).map((level) => Type.Literal(level)), {
    description: "Log level of the plugin's OPTIONS route.",
    expected: "one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'"
  })),
  dangerouslyAllowAnyOriginWithCredentials: Type.Optional(Type.Boolean({ default: false, description: 'The only way to combine origin: true (reflect any origin) with credentials.', expected: 'a boolean' })),
  dangerouslyAllowInsecureOrigins: Type.Optional(Type.Boolean({ default: false, description: 'The only way to combine http: origins (other than loopback hosts) with credentials.', expected: 'a boolean' })),
  hook: Type.Optional(Type.Union(CORS_HOOKS.map((hook) => Type.Literal(hook)), {
    default: 'onRequest',
    description: 'The hook in which actual requests are decided; preflights are always answered in onRequest.',
    expected: `one of ${CORS_HOOKS.map((hook) => `'${hook}'`).join(', ')}`
  })),
  delegator: Type.Optional(DelegatorSchema)
}, { additionalProperties: false })

/** Options of `app.register(corsPolicy, options)`. */
export type FastifyCorsOptions = Static<typeof CorsOptionsSchema>

/** Keys that only make sense where the plugin is registered. */
export const PLUGIN_ONLY_OPTIONS = ['strictPreflight', 'hideOptionsRoute', 'logLevel', 'hook', 'delegator'] as const

/** The options a route may override in `config.cors`: the plugin schema without the plugin-only keys. */
export const CorsRouteOptionsSchema = Type.Omit(CorsOptionsSchema, PLUGIN_ONLY_OPTIONS, { additionalProperties: false })

/** Options of a route's `config: { cors: { … } }`, merged over the plugin's options. */
export type FastifyCorsRouteOptions = Static<typeof CorsRouteOptionsSchema>
