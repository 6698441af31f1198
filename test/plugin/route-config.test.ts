import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy, { type FastifyCorsRouteOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, loggedFastify, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('a route override is merged over the plugin options', async (t) => {
  const { app, decisions } = await buildApp(t, {
    cors: { origin: [APP], credentials: true, exposedHeaders: ['X-Request-Id'] },
    routes: (instance) => {
      instance.get('/public', { config: { cors: { origin: '*', credentials: false } } }, async () => 'public')
      instance.get('/expose', { config: { cors: { exposedHeaders: ['X-Total-Count'] } } }, async () => 'expose')
      instance.get('/unset', { config: { cors: { origin: undefined, credentials: undefined, exposedHeaders: 'X-Page' } } }, async () => 'unset')
      instance.get('/private', async () => 'private')
    }
  })
  const anyone = 'https://anyone.test'
  const pub = await app.inject({ method: 'GET', url: '/public', headers: { origin: anyone } })
  t.same(corsHeadersOf(pub), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Request-Id' }, 'exposedHeaders inherited')
  t.equal(pub.headers.vary, undefined)
  const expose = await app.inject({ method: 'GET', url: '/expose', headers: { origin: APP } })
  t.same(corsHeadersOf(expose), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Total-Count' }, 'origin and credentials inherited')
  const exposeDenied = await app.inject({ method: 'GET', url: '/expose', headers: { origin: anyone } })
  t.same(corsHeadersOf(exposeDenied), {})
  const unset = await app.inject({ method: 'GET', url: '/unset', headers: { origin: APP } })
  t.same(corsHeadersOf(unset), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Page' }, 'undefined means not set')
  const priv = await app.inject({ method: 'GET', url: '/private', headers: { origin: anyone } })
  t.same(corsHeadersOf(priv), {}, 'other routes keep the plugin policy')
  t.same(decisions.map((d) => d.reason), ['allowed', 'allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed'])
})

test('cors: false turns CORS off for the route: no headers, no Vary, reason disabled', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: [APP], credentials: true },
    routes: (instance) => { instance.post('/internal', { config: { cors: false } }, async () => 'internal') }
  })
  const res = await app.inject({ method: 'POST', url: '/internal', headers: { origin: APP } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, undefined)
  t.equal(lastDecision().reason, 'disabled')
  t.equal(lastDecision().origin, APP)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/internal', headers: preflightHeaders(APP, 'POST') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  const noOrigin = await app.inject({ method: 'POST', url: '/internal' })
  t.same(lastDecision(), { origin: undefined, preflight: false, allowed: true, reason: 'disabled' })
  t.same(corsHeadersOf(noOrigin), {})
})

test('a cross-origin request to a cors: false route is not readable, so request.cors.allowed is false', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => { instance.get('/internal', { config: { cors: false } }, async () => 'internal') }
  })
  await app.inject({ method: 'GET', url: '/internal', headers: { origin: APP } })
  t.same(lastDecision(), { origin: APP, preflight: false, allowed: false, reason: 'disabled', detail: 'CORS is disabled for GET /internal (config.cors: false)' })
})

test('routes in an encapsulated child scope with a prefix get their overrides too', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: async (instance) => {
      await instance.register(async (api) => {
        api.get('/partners', { config: { cors: { origin: ['https://partner.test'] } } }, async () => 'partners')
        api.get('/internal', { config: { cors: false } }, async () => 'internal')
      }, { prefix: '/api' })
    }
  })
  const partner = await app.inject({ method: 'GET', url: '/api/partners', headers: { origin: 'https://partner.test' } })
  t.equal(partner.headers['access-control-allow-origin'], 'https://partner.test')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/api/partners', headers: preflightHeaders('https://partner.test', 'GET', 'x-a') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], 'https://partner.test')
  const internal = await app.inject({ method: 'OPTIONS', url: '/api/internal', headers: preflightHeaders(APP, 'GET') })
  t.equal(internal.statusCode, 403)
})

test('an invalid route policy fails start-up with FST_CORS_INVALID_ROUTE_CONFIG naming the route', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  app.register(async (scope) => {
    scope.put('/items/:id', { config: { cors: { origin: 'https://a.example.com/', maxAge: -1 } } }, async () => 'updated')
  })
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_CORS_INVALID_ROUTE_CONFIG',
    statusCode: 500,
    message: "Invalid config.cors on route PUT /items/:id: 2 problems:\n  - /maxAge expected an integer from 0 to 86400 (seconds), received -1\n  - /origin 'https://a.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://a.example.com'?"
  })
})

test('an invalid route policy on a root route throws where the route is declared', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  t.throws(() => app.get('/x', { config: { cors: { origin: '*', credentials: true } } }, async () => 'x'), {
    code: 'FST_CORS_INVALID_ROUTE_CONFIG',
    message: /^Invalid config\.cors on route GET \/x: .*\/credentials true cannot be combined with origin '\*'/
  })
})

test("config.cors must be false or an options object: 'yes', true and null are refused", async (t) => {
  for (const value of ['yes', true, null, 1, ['https://a.example.com']]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(corsPolicy, { origin: [APP] })
    app.register(async (scope) => {
      scope.get('/items', { config: { cors: value as unknown as FastifyCorsRouteOptions } }, async () => 'items')
    })
    await t.rejects(async () => { await app.ready() }, { code: 'FST_CORS_INVALID_ROUTE_CONFIG', message: /^Invalid config\.cors on route GET,HEAD \/items|^Invalid config\.cors on route GET \/items/ }, JSON.stringify(value))
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  t.throws(() => app.get('/yes', { config: { cors: 'yes' as unknown as false } }, async () => 'yes'), {
    message: "Invalid config.cors on route GET /yes: expected false or an options object, received 'yes'"
  })
})

test('plugin-level options and typos in a route policy are named', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  const error = t.throws(() => app.get('/x', { config: { cors: { strictPreflight: false, orign: APP } as unknown as FastifyCorsRouteOptions } }, async () => 'x'), {
    code: 'FST_CORS_INVALID_ROUTE_CONFIG'
  }) as Error
  t.match(error.message, /^Invalid config\.cors on route GET \/x: 2 problems:/)
  t.match(error.message, /\/strictPreflight is a plugin-level option and cannot be set per route/)
  t.match(error.message, /\/orign is not an option; did you mean 'origin'\?/)
})

test('routes declared before the plugin in its own scope get their own config.cors, for actual requests and preflights', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: [APP] },
    before: (instance) => {
      instance.get('/early', { config: { cors: { origin: ['https://early.example.com'] } } }, async () => 'early')
      instance.post('/early/:id', async () => 'early')
      instance.get('/early-off', { config: { cors: false } }, async () => 'early')
    }
  })
  t.same(logs.filter((line) => line.level === LOG_LEVEL.warn), [], 'known exactly: no warning')
  const own = await app.inject({ method: 'GET', url: '/early', headers: { origin: 'https://early.example.com' } })
  t.equal(own.headers['access-control-allow-origin'], 'https://early.example.com')
  const other = await app.inject({ method: 'GET', url: '/early', headers: { origin: APP } })
  t.equal(other.headers['access-control-allow-origin'], undefined)
  const off = await app.inject({ method: 'GET', url: '/early-off', headers: { origin: APP } })
  t.same(corsHeadersOf(off), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/early/1', headers: preflightHeaders(APP, 'POST', 'content-type') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-methods'], 'POST')
  const refused = await app.inject({ method: 'OPTIONS', url: '/early', headers: preflightHeaders(APP, 'GET', 'x-a') })
  t.equal(refused.statusCode, 403, "the earlier route's own origin list decides its preflight")
})

test('routes of a child scope loaded before the plugin run its hooks too, so their config.cors applies', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  // Fastify adds a hook to the instance and to every encapsulated instance below it, whenever created
  await app.register(async (scope) => {
    scope.put('/early', { config: { cors: { origin: ['https://early.example.com'] } } }, async () => 'early')
    scope.delete('/early', { config: { cors: false } }, async () => 'early')
  })
  app.register(corsPolicy, { origin: [APP] })
  await app.ready()
  const own = await app.inject({ method: 'OPTIONS', url: '/early', headers: preflightHeaders('https://early.example.com', 'PUT') })
  t.equal(own.statusCode, 204)
  t.equal(own.headers['access-control-allow-origin'], 'https://early.example.com')
  const other = await app.inject({ method: 'OPTIONS', url: '/early', headers: preflightHeaders(APP, 'PUT') })
  t.equal(other.statusCode, 403)
  const off = await app.inject({ method: 'OPTIONS', url: '/early', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(off.statusCode, 403)
  t.same(corsHeadersOf(off), {})
  const actual = await app.inject({ method: 'PUT', url: '/early', headers: { origin: 'https://early.example.com' } })
  t.equal(actual.headers['access-control-allow-origin'], 'https://early.example.com')
})

test('config.cors on a route no registration covers is reported at start-up, and its preflights are refused', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  app.register(async (api) => { api.register(corsPolicy, { origin: [APP] }) }, { prefix: '/api' })
  app.register(async (web) => { web.put('/page', { config: { cors: { origin: [APP] } } }, async () => 'page') }, { prefix: '/web' })
  await app.ready()
  t.same(log.messages(), [
    'fastify-cors-policy: route PUT /web/page has config.cors, but no registration of the plugin covers its scope, so it gets no CORS headers and its preflights are refused; register fastify-cors-policy in that scope or a parent of it'
  ])
  const actual = await app.inject({ method: 'PUT', url: '/web/page', headers: { origin: APP } })
  t.same(corsHeadersOf(actual), {})
})
