// originCache at registration: valid shapes and their defaults, and every problem with its exact
// message, path, value and fix (for the plugin, validateCorsOptions and a route's config.cors).
import { test, type Test } from 'tap'
import Fastify from 'fastify'
import corsPolicy, { CorsInvalidOptionsError, CorsInvalidRouteConfigError, validateCorsOptions, type FastifyCorsOptions, type FastifyCorsRouteOptions } from '../../lib/index.js'
import { resolveOptions } from '../../lib/policy/options.js'
import { compilePolicy } from '../../lib/policy/compile.js'

const APP = 'https://app.example.com'
const lookup = async (origin: string): Promise<boolean> => origin === APP
const byHost = (origin: string): string => origin

async function registrationError (t: Test, options: unknown): Promise<InstanceType<typeof CorsInvalidOptionsError>> {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, options as FastifyCorsOptions)
  let caught: unknown
  await t.rejects(async () => { try { await app.ready() } catch (error) { caught = error; throw error } }, { code: 'FST_CORS_INVALID_OPTIONS' })
  if (!(caught instanceof CorsInvalidOptionsError)) throw new TypeError('expected a CorsInvalidOptionsError')
  return caught
}

test('true is every default; an object sets some; false and unset keep nothing', async (t) => {
  const settings = (originCache: unknown): unknown => resolveOptions({ origin: lookup, originCache }).options.originCache
  t.same(settings(true), { max: 1000, ttl: 60000, negativeTtl: 10000, key: undefined })
  t.same(settings({ ttl: 5000 }), { max: 1000, ttl: 5000, negativeTtl: 10000, key: undefined })
  t.same(settings({ max: 10, ttl: 0, negativeTtl: 0, key: byHost }), { max: 10, ttl: 0, negativeTtl: 0, key: byHost })
  t.same(settings({ max: undefined }), { max: 1000, ttl: 60000, negativeTtl: 10000, key: undefined }, 'undefined means not set')
  t.equal(settings(false), undefined)
  t.equal(settings(undefined), undefined)
  t.ok(Object.isFrozen(settings(true)))
  t.same(validateCorsOptions({ origin: lookup, originCache: true }), [])
  t.same(validateCorsOptions({ origin: [APP], originCache: false }), [], 'false needs no function')
  t.same(validateCorsOptions({ delegator: () => ({}), originCache: true }), [], 'with a delegator it applies to the functions the delegator answers')
  const listPolicy = compilePolicy(resolveOptions({ delegator: () => ({}), originCache: true }).options)
  t.equal(listPolicy.originCache, undefined, 'a policy without an origin function keeps nothing')
})

test('originCache without an origin function fails registration, naming the fix', async (t) => {
  const cases: Array<{ options: FastifyCorsOptions, message: string }> = [
    {
      options: { origin: [APP], originCache: true },
      message: "Invalid fastify-cors-policy options: /originCache only applies to an origin function, but origin is ['https://app.example.com']; remove originCache, or set origin to a function (origin, cb, request, signal) whose answers it keeps"
    },
    {
      options: { originCache: { ttl: 1000 } },
      message: "Invalid fastify-cors-policy options: /originCache only applies to an origin function, but origin is not set (the default '*'); remove originCache, or set origin to a function (origin, cb, request, signal) whose answers it keeps"
    },
    {
      options: { origin: '*', originCache: true, delegator: () => ({}) },
      message: "Invalid fastify-cors-policy options: /originCache only applies to an origin function, but origin is '*'; remove originCache, or set origin to a function (origin, cb, request, signal) whose answers it keeps"
    }
  ]
  for (const c of cases) {
    const error = await registrationError(t, c.options)
    t.equal(error.message, c.message)
    t.same(error.problems, [{
      path: '/originCache',
      value: c.options.originCache,
      message: c.message.slice('Invalid fastify-cors-policy options: /originCache '.length),
      fix: 'remove originCache, or set origin to a function (origin, cb, request, signal) whose answers it keeps',
      unsafe: false
    }])
  }
})

test('bad originCache values fail registration with every problem, each at its own path', async (t) => {
  const settings = { max: 0, ttl: -1, negativeTtl: 1.5, key: 'host' }
  const error = await registrationError(t, { origin: lookup, originCache: settings })
  t.equal(error.message, [
    'Invalid fastify-cors-policy options: 4 problems:',
    '  - /originCache/max expected an integer of at least 1, received 0',
    '  - /originCache/ttl expected an integer of at least 0 (milliseconds), received -1',
    '  - /originCache/negativeTtl expected an integer of at least 0 (milliseconds), received 1.5',
    "  - /originCache/key expected a function (origin, request) that returns a string, received 'host'"
  ].join('\n'))
  t.same(error.problems.map((p) => [p.path, p.value, p.fix]), [
    ['/originCache/max', 0, 'use an integer of at least 1'],
    ['/originCache/ttl', -1, 'use an integer of at least 0 (milliseconds)'],
    ['/originCache/negativeTtl', 1.5, 'use an integer of at least 0 (milliseconds)'],
    ['/originCache/key', 'host', 'use a function (origin, request) that returns a string']
  ])

  const cases: Array<{ originCache: unknown, message: string, fix: string, path: string }> = [
    {
      originCache: 'yes',
      path: '/originCache',
      message: "/originCache expected true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }, received 'yes'",
      fix: 'use true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }'
    },
    {
      originCache: null,
      path: '/originCache',
      message: '/originCache expected true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }, received null',
      fix: 'use true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }'
    },
    {
      originCache: [60000],
      path: '/originCache',
      message: '/originCache expected true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }, received [60000]',
      fix: 'use true, false, or { max?: integer >= 1, ttl?: ms, negativeTtl?: ms, key?: (origin, request) => string }'
    },
    {
      originCache: { negativeTTL: 0 },
      path: '/originCache/negativeTTL',
      message: "/originCache/negativeTTL is not a setting of originCache; did you mean 'negativeTtl'? (settings: max, ttl, negativeTtl, key)",
      fix: "did you mean 'negativeTtl'?"
    },
    {
      originCache: { maxSize: 10 },
      path: '/originCache/maxSize',
      message: '/originCache/maxSize is not a setting of originCache (settings: max, ttl, negativeTtl, key)',
      fix: 'remove it, or use one of the settings: max, ttl, negativeTtl, key'
    }
  ]
  for (const c of cases) {
    const failure = await registrationError(t, { origin: lookup, originCache: c.originCache })
    t.equal(failure.message, `Invalid fastify-cors-policy options: ${c.message}`)
    t.same(failure.problems.map((p) => [p.path, p.fix]), [[c.path, c.fix]])
    t.same(validateCorsOptions({ origin: lookup, originCache: c.originCache }), failure.problems)
  }
})

test("a route's config.cors: bad settings name the route and the path inside config.cors", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: lookup, originCache: true })
  app.register(async (scope) => {
    scope.get('/items', { config: { cors: { originCache: { max: 0 } } as FastifyCorsRouteOptions } }, async () => 'ok')
  })
  let caught: unknown
  await t.rejects(async () => { try { await app.ready() } catch (error) { caught = error; throw error } }, { code: 'FST_CORS_INVALID_ROUTE_CONFIG' })
  if (!(caught instanceof CorsInvalidRouteConfigError)) throw new TypeError('expected a CorsInvalidRouteConfigError')
  t.equal(caught.message, 'Invalid config.cors on route GET /items: /originCache/max expected an integer of at least 1, received 0')
})
