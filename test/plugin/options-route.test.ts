import { test } from 'tap'
import type { RouteOptions } from 'fastify'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('the plugin adds two catch-all OPTIONS routes, told apart by a constraint, and none when preflight is false', async (t) => {
  for (const [preflight, expected] of [[undefined, ['OPTIONS * preflight', 'OPTIONS * plain']], [false, []]] as const) {
    const added: string[] = []
    await buildApp(t, {
      cors: { origin: [APP], preflight },
      before: (instance) => {
        instance.addHook('onRoute', (route: RouteOptions) => {
          added.push(`${String(route.method)} ${route.url} ${Object.values(route.constraints ?? {}).join(',')}`)
        })
      },
      routes: () => {}
    })
    t.same(added, expected, `preflight: ${String(preflight)}`)
  }
})

test('the catch-all route serves only OPTIONS', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] } })
  const res = await app.inject({ method: 'PATCH', url: '/nowhere', headers: { origin: APP } })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['access-control-allow-origin'], APP)
})

test('an application catch-all OPTIONS route coexists with the plugin, declared before or after it', async (t) => {
  for (const order of ['before', 'after'] as const) {
    let plain = 0
    const built = await buildApp(t, {
      cors: { origin: [APP] },
      ...(order === 'before' ? { before: (instance) => { instance.options('*', async () => { plain++; return 'mine' }) } } : {}),
      routes: (instance) => {
        instance.put('/items', async () => 'put')
        if (order === 'after') instance.options('*', async () => { plain++; return 'mine' })
      }
    })
    const own = await built.app.inject({ method: 'OPTIONS', url: '/anything' })
    t.equal(own.body, 'mine', `${order}: a plain OPTIONS request reaches the application's route`)
    const withOrigin = await built.app.inject({ method: 'OPTIONS', url: '/anything', headers: { origin: APP } })
    t.equal(withOrigin.body, 'mine', `${order}: so does one with Origin but no Access-Control-Request-Method`)
    t.equal(plain, 2)
    const preflight = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'PUT') })
    t.equal(preflight.statusCode, 204, `${order}: the plugin answers the preflight`)
    // the application's OPTIONS route serves /items too, under the same policy
    t.equal(preflight.headers['access-control-allow-methods'], 'PUT, OPTIONS')
    t.equal(plain, 2, `${order}: the application's OPTIONS handler did not run for the preflight`)
  }
})

test('application OPTIONS routes, static and wildcard, answer non-preflight OPTIONS; preflights stay with the plugin', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance, handled) => {
      instance.get('/files/*', async () => 'file')
      instance.options('/files/*', async () => { handled(); return 'file options' })
      instance.options('/capabilities', async () => { handled(); return 'capabilities' })
    }
  })
  const own = await built.app.inject({ method: 'OPTIONS', url: '/files/a/b.txt' })
  t.equal(own.body, 'file options')
  const capabilities = await built.app.inject({ method: 'OPTIONS', url: '/capabilities', headers: { origin: APP } })
  t.equal(capabilities.body, 'capabilities')
  t.equal(capabilities.headers['access-control-allow-origin'], APP, 'a cross-origin OPTIONS without ACRM is an actual request')
  t.equal(built.handlerCalls, 2)
  const preflight = await built.app.inject({ method: 'OPTIONS', url: '/files/a/b.txt', headers: preflightHeaders(APP, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-methods'], 'GET, HEAD, OPTIONS')
  t.equal(built.handlerCalls, 2)
})

test('a route override with preflight: false leaves its preflights unanswered (404, handled as an actual CORS request)', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/legacy', { config: { cors: { preflight: false } } }, async () => 'legacy')
      instance.get('/modern', async () => 'modern')
    }
  })
  const legacy = await built.app.inject({ method: 'OPTIONS', url: '/legacy', headers: preflightHeaders(APP, 'GET') })
  t.equal(legacy.statusCode, 404)
  t.same(corsHeadersOf(legacy), { 'access-control-allow-origin': APP }, 'no preflight headers, only those of an actual response')
  t.same(built.lastDecision(), { origin: APP, preflight: true, allowed: true, reason: 'allowed' })
  const modern = await built.app.inject({ method: 'OPTIONS', url: '/modern', headers: preflightHeaders(APP, 'GET') })
  t.equal(modern.statusCode, 204)
  const actual = await built.app.inject({ method: 'GET', url: '/legacy', headers: { origin: APP } })
  t.equal(actual.headers['access-control-allow-origin'], APP, 'actual requests are still answered')
})

test('a route override with preflightContinue and no application OPTIONS route is finished by the plugin with its status', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/report', { config: { cors: { preflightContinue: true, optionsSuccessStatus: 200, maxAge: 30 } } }, async () => 'report')
    }
  })
  const res = await built.app.inject({ method: 'OPTIONS', url: '/report', headers: preflightHeaders(APP, 'GET') })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-length'], '0')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD', 'access-control-max-age': '30' })
})

test('a non-preflight OPTIONS without a route of its own, strictPreflight false: 204 with the actual-request headers', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], strictPreflight: false, exposedHeaders: ['X-A'] } })
  const res = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: { origin: APP } })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-expose-headers': 'X-A' })
  t.equal(built.lastDecision().preflight, false)
})
