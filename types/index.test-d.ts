import Fastify, { type FastifyContextConfig, type FastifyInstance, type FastifyRequest } from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import corsPolicy, {
  CorsOptionsSchema, CorsForbiddenError, CorsInvalidOptionsError, CorsInvalidRouteConfigError, CorsUnsafeOptionsError, fastifyCorsPolicy, validateCorsOptions,
  type OptionProblem, type CorsDecision, type CorsReason, type FastifyCorsOptions, type FastifyCorsRouteOptions,
  type OriginFunction, type AsyncOriginFunction, type FastifyCorsOptionsDelegate, type FastifyCorsOptionsDelegatePromise,
  type FastifyPluginOptionsDelegate, type CorsDelegatorCallback, type CorsRefusal,
  CorsOriginNotChangeableError, type FastifyCorsPolicyHandle, type FastifyCorsOriginList, type FastifyCorsOriginTiers, type FastifyCorsOriginTiersChange
} from 'fastify-cors-policy'
import type { FastifyCorsOriginData, OriginAnswerWithData, FastifyCorsOriginCacheSettings, FastifyCorsOriginCacheKey } from 'fastify-cors-policy'
import type { FastifyCorsTieredOrigin } from 'fastify-cors-policy'

const app = Fastify()

// valid option shapes
app.register(corsPolicy)
app.register(corsPolicy, {})
app.register(corsPolicy, { origin: '*' })
app.register(corsPolicy, { origin: ['https://app.example.com', 'https://*.example.org', /^https:\/\/a\.com$/], credentials: true })
app.register(corsPolicy, { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true })
app.register(corsPolicy, { origin: (origin, _cb, request) => origin.endsWith('.example.com') && request.method === 'GET' })
app.register(corsPolicy, { origin (origin, cb) { expectType<FastifyInstance>(this); cb(null, origin === 'https://a.com') } })
app.register(corsPolicy, { origin: (_origin, cb) => { cb(new Error('Not allowed'), false) } })
app.register(corsPolicy, { origin: async () => ['https://a.com', /^https:\/\/b\.com$/] })
app.register(corsPolicy, { hook: 'preHandler', enforce: true })
app.register(corsPolicy, { delegator: (request, cb) => { cb(null, { origin: request.headers.origin === 'https://a.com' }) } })
app.register(corsPolicy, { delegator: async () => ({ origin: ['https://a.com'], credentials: true }) })
app.register(corsPolicy, (instance: FastifyInstance) => (request: FastifyRequest, cb: CorsDelegatorCallback) => { cb(null, { origin: instance.hasDecorator('x') && request.url === '/' }) })
const callbackOrigin: OriginFunction = function (origin, cb) { cb(null, origin !== undefined) }
const asyncOrigin: AsyncOriginFunction = async (origin) => origin === 'https://a.com'
app.register(corsPolicy, { origin: callbackOrigin })
app.register(corsPolicy, { origin: asyncOrigin })
const promiseDelegate: FastifyCorsOptionsDelegatePromise = async () => ({ origin: '*' })
const delegate: FastifyCorsOptionsDelegate = promiseDelegate
const pluginDelegate: FastifyPluginOptionsDelegate = () => delegate
app.register(corsPolicy, pluginDelegate)
expectError(app.register(corsPolicy, { hook: 'onResponse' }))
expectError(app.register(corsPolicy, { delegator: 'x' }))
app.register(corsPolicy, { origin: async (origin) => origin === 'https://a.com', originCheckTimeout: 500 })
app.register(corsPolicy, { methods: ['GET', 'PUT'], allowedHeaders: 'Content-Type, X-Custom', exposedHeaders: ['X-Total'], maxAge: 600, cacheControl: 'no-store' })
app.register(corsPolicy, { preflight: true, strictPreflight: false, preflightContinue: false, optionsSuccessStatus: 200, allowPrivateNetwork: true, enforce: true, hideOptionsRoute: false, logLevel: 'warn' })
app.register(fastifyCorsPolicy, { origin: 'https://a.com' })

// invalid option shapes
expectError(app.register(corsPolicy, { origin: 5 }))
expectError(app.register(corsPolicy, { credentials: 'yes' }))
expectError(app.register(corsPolicy, { origins: ['https://a.com'] }))
expectError(app.register(corsPolicy, { logLevel: 'loud' }))
expectError(app.register(corsPolicy, { methods: 5 }))

// option types come from the schema
expectType<typeof CorsOptionsSchema>(CorsOptionsSchema)
expectAssignable<FastifyCorsOptions>({ origin: 'https://a.com', maxAge: 5 })
expectNotAssignable<FastifyCorsRouteOptions>({ hideOptionsRoute: true })
expectAssignable<FastifyCorsRouteOptions>({ origin: '*', credentials: false })

// route config and request decoration through declaration merging
app.get('/public', { config: { cors: { origin: '*', credentials: false } } }, async () => 'ok')
app.post('/internal', { config: { cors: false } }, async () => 'ok')
// route shorthands infer their own config type, so the check is on the merged interface itself
// (the plugin also refuses such values at start-up with FST_CORS_INVALID_ROUTE_CONFIG)
expectAssignable<FastifyContextConfig>({ cors: false })
expectAssignable<FastifyContextConfig>({ cors: { origin: ['https://a.com'], methods: ['PUT'] } })
expectNotAssignable<FastifyContextConfig>({ cors: 'yes' })
expectNotAssignable<FastifyContextConfig>({ cors: true })
expectNotAssignable<FastifyContextConfig>({ cors: { strictPreflight: true } })
app.get('/me', async (request) => {
  expectType<CorsDecision | null>(request.cors)
  const decision = request.cors
  if (decision !== null) {
    expectType<boolean>(decision.allowed)
    expectType<boolean>(decision.credentialed)
    expectType<boolean>(decision.preflight)
    expectType<string | undefined>(decision.origin)
    expectType<CorsReason>(decision.reason)
    expectType<string | undefined>(decision.detail)
  }
  return { allowed: request.cors?.allowed }
})

// coded errors keep their literal types
const error = new CorsInvalidOptionsError('detail')
expectType<'FST_CORS_INVALID_OPTIONS'>(error.code)
expectType<500>(error.statusCode)
expectType<'FST_CORS_INVALID_ROUTE_CONFIG'>(new CorsInvalidRouteConfigError('GET /', 'x').code)

// option errors carry their problems as data, typed once the caught error is narrowed
async function registerTenant (options: unknown): Promise<void> {
  const tenant = Fastify()
  try {
    await tenant.register(corsPolicy, options as FastifyCorsOptions)
  } catch (err) {
    expectType<unknown>(err)
    if (err instanceof CorsInvalidOptionsError || err instanceof CorsUnsafeOptionsError) {
      expectType<'FST_CORS_INVALID_OPTIONS' | 'FST_CORS_UNSAFE_OPTIONS'>(err.code)
      expectType<readonly OptionProblem[]>(err.problems)
      expectType<string | undefined>(err.problems[0]?.fix)
      for (const problem of err.problems) {
        expectType<string>(problem.path)
        expectType<unknown>(problem.value)
        expectType<string>(problem.message)
        expectType<string>(problem.fix)
        expectType<boolean>(problem.unsafe)
      }
      expectError(err.problems.push({ path: '', value: 1, message: 'm', fix: 'f', unsafe: false }))
      if (err.code === 'FST_CORS_UNSAFE_OPTIONS') expectType<string[]>(err.problems.map((problem) => problem.fix))
    }
    if (err instanceof CorsInvalidRouteConfigError) {
      expectType<string>(err.route)
      expectType<string[]>(err.problems.map((problem) => problem.fix))
    }
  }
}
expectType<(options: unknown) => Promise<void>>(registerTenant)
expectType<OptionProblem[]>(validateCorsOptions({ origin: 'https://a.com/' }))
expectType<string[]>(validateCorsOptions({}).map((problem) => problem.fix))
expectType<readonly OptionProblem[]>(new CorsInvalidOptionsError('detail').problems)
expectType<string>(new CorsInvalidRouteConfigError('GET /', 'x').route)

// enforce: a refusal goes through the app's error handler as a typed, coded error
app.register(corsPolicy, { hook: 'preHandler', enforce: 'report-only' })
expectError(app.register(corsPolicy, { enforce: 'report' }))
app.register(corsPolicy, { origin: 'http://app.example.com', credentials: true, dangerouslyAllowInsecureOrigins: true })
app.setErrorHandler((error, _request, reply) => {
  if (error instanceof CorsForbiddenError) {
    expectType<'FST_CORS_FORBIDDEN'>(error.code)
    expectType<403>(error.statusCode)
    expectType<CorsReason>(error.reason)
    expectType<string>(error.origin)
    return reply.code(403).send({ reason: error.reason })
  }
  return reply.send(error)
})
expectAssignable<CorsRefusal>({ reason: 'origin-not-allowed', origin: 'https://evil.test' })

// app.corsPolicy: a registration's allow-list changed at run time; each change resolves once in force
app.corsPolicy.setOrigins(['https://a.com', 'https://*.tenants.example.com', /^https:\/\/b\.com$/])
app.corsPolicy.addOrigins(['https://c.com'])
app.corsPolicy.removeOrigins([/^https:\/\/b\.com$/])
app.corsPolicy.setOrigins([])
const fromDatabase: readonly string[] = Object.freeze(['https://d.com'])
app.corsPolicy.setOrigins(fromDatabase)
expectType<Promise<void>>(app.corsPolicy.addOrigins(fromDatabase))
expectType<Promise<void>>(app.corsPolicy.setOrigins(fromDatabase))
expectType<Promise<void>>(app.corsPolicy.removeOrigins(fromDatabase))
expectType<FastifyCorsOriginList | undefined>(app.corsPolicy.origins)
expectType<readonly (string | RegExp)[] | undefined>(app.corsPolicy.origins)
expectAssignable<FastifyCorsPolicyHandle>(app.corsPolicy)
expectError(app.corsPolicy.setOrigins('https://a.com'))
expectError(app.corsPolicy.addOrigins('https://a.com', 'https://b.com'))
expectError(app.corsPolicy.setOrigins([5]))
expectError(app.corsPolicy.setOrigins('*'))
expectError(app.corsPolicy.origins?.push('https://e.com'))
expectError((app.corsPolicy.origins = []))
app.register(async (child) => { await child.corsPolicy.addOrigins(['https://child.example.com']) })
// tiers: both replaced together, or entries of the tiers named
app.corsPolicy.setOrigins({ credentialed: ['https://a.com'], public: '*' })
app.corsPolicy.setOrigins({ credentialed: fromDatabase, public: ['https://p.com', /^https:\/\/q\.com$/] })
app.corsPolicy.addOrigins({ public: ['https://p.com'] })
app.corsPolicy.removeOrigins({ credentialed: ['https://a.com'] })
expectType<FastifyCorsOriginTiers | undefined>(app.corsPolicy.originTiers)
expectType<FastifyCorsOriginList | '*' | undefined>(app.corsPolicy.originTiers?.public)
expectAssignable<FastifyCorsOriginTiersChange>({ credentialed: ['https://a.com'] })
expectAssignable<FastifyCorsOriginTiers>({ credentialed: ['https://a.com'], public: '*' })
expectError(app.corsPolicy.setOrigins({ credentialed: ['https://a.com'] }))
expectError(app.corsPolicy.addOrigins({ credentials: ['https://a.com'] }))
expectError(app.corsPolicy.addOrigins({ public: '*' }))
const notChangeable = new CorsOriginNotChangeableError('/', 'its origin is \'*\'')
expectType<'FST_CORS_ORIGIN_NOT_CHANGEABLE'>(notChangeable.code)
expectType<500>(notChangeable.statusCode)

// origin functions: the signal (4th argument), { allow, data } answers, originCache; the delegator's signal
declare module 'fastify-cors-policy' {
  interface FastifyCorsOriginData {
    tenantId: string
  }
}
app.register(corsPolicy, {
  origin: async (origin, _cb, request, signal) => {
    expectType<AbortSignal>(signal)
    expectType<FastifyRequest>(request)
    return { allow: origin === 'https://a.com', data: { tenantId: 'acme' } }
  },
  originCache: { max: 500, ttl: 30_000, negativeTtl: 5_000, key: (origin, request) => `${request.headers.host ?? ''} ${origin}` }
})
app.register(corsPolicy, { origin: (origin, cb) => { cb(null, { allow: [origin], data: { tenantId: 'acme' } }) }, originCache: true })
app.register(corsPolicy, { origin: () => ({ allow: true }), originCache: false })
app.register(corsPolicy, { delegator: (_request, cb, signal) => { expectType<AbortSignal>(signal); cb(null, { origin: '*' }) } })
expectError(app.register(corsPolicy, { origin: async () => ({ allow: true, data: { tenantId: 5 } }) }))
expectError(app.register(corsPolicy, { origin: async () => ({ allow: 5 }) }))
expectError(app.register(corsPolicy, { origin: async () => true, originCache: 'yes' }))
expectError(app.register(corsPolicy, { origin: async () => true, originCache: { max: '10' } }))
expectError(app.register(corsPolicy, { origin: async () => true, originCache: { maxSize: 10 } }))
expectError(app.register(corsPolicy, { origin: async () => true, originCache: { key: (origin: string) => origin.length } }))
expectAssignable<FastifyContextConfig>({ cors: { originCache: { ttl: 5000 } } })
app.get('/tenant', async (request) => {
  const data = request.cors?.originData
  expectType<FastifyCorsOriginData | undefined>(data)
  expectType<string | undefined>(data?.tenantId)
  return { tenant: data?.tenantId }
})
expectAssignable<OriginAnswerWithData>({ allow: 'https://*.example.com', data: { tenantId: 'acme' } })
expectAssignable<FastifyCorsOriginCacheSettings>({ ttl: 1000 })
expectType<FastifyCorsOriginCacheKey | undefined>(({} as FastifyCorsOriginCacheSettings).key)

// tiered origins: credentials for one list, public answers for other sites; request.cors.credentialed says which
app.register(corsPolicy, { origin: { credentialed: ['https://app.example.com', 'https://*.tenant.example', /^https:\/\/a\.com$/], public: '*' } })
app.register(corsPolicy, { origin: { credentialed: ['https://app.example.com'], public: ['https://partner.example', /^https:\/\/b\.com$/] }, credentials: true, exposedHeaders: ['X-Total'] })
app.get('/feed', { config: { cors: { origin: { credentialed: ['https://app.example.com'], public: '*' } } } }, async (request) => {
  expectType<boolean | undefined>(request.cors?.credentialed)
  return request.cors?.credentialed === true ? 'private' : 'public'
})
expectAssignable<FastifyCorsTieredOrigin>({ credentialed: ['https://app.example.com'], public: '*' })
expectType<Array<string | RegExp>>(({} as FastifyCorsTieredOrigin).credentialed)
expectType<'*' | Array<string | RegExp>>(({} as FastifyCorsTieredOrigin).public)
expectAssignable<FastifyContextConfig>({ cors: { origin: { credentialed: ['https://app.example.com'], public: ['https://partner.example'] } } })
expectError(app.register(corsPolicy, { origin: { credentialed: ['https://app.example.com'] } }))
expectError(app.register(corsPolicy, { origin: { public: '*' } }))
expectError(app.register(corsPolicy, { origin: { credentialed: 'https://app.example.com', public: '*' } }))
expectError(app.register(corsPolicy, { origin: { credentialed: ['https://app.example.com'], public: 'https://partner.example' } }))
expectError(app.register(corsPolicy, { origin: { credentialed: ['https://app.example.com'], public: true } }))
expectError(app.register(corsPolicy, { origin: { credentialed: [5], public: '*' } }))
expectNotAssignable<FastifyCorsTieredOrigin>({ credentialed: ['https://app.example.com'], public: '*', private: ['https://b.com'] })
