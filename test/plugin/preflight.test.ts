import { test } from 'tap'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const DEFAULT_PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

test('an allowed preflight is answered 204 with Content-Length 0 and the methods the URL serves', async (t) => {
  const { app, lastDecision, ...built } = await buildApp(t, { cors: { origin: [APP] } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/42', headers: preflightHeaders(APP, 'PUT') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['content-length'], '0')
  t.equal(res.body, '')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' })
  t.equal(res.headers.vary, DEFAULT_PREFLIGHT_VARY)
  t.same(lastDecision(), { origin: APP, preflight: true, allowed: true, reason: 'allowed' })
  t.equal(built.decisions.length, 1)
  const collection = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'POST') })
  t.equal(collection.headers['access-control-allow-methods'], 'GET, HEAD, POST')
})

test('the route is found as Fastify finds it: query strings and parameters do not matter', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/42?expand=all', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-methods'], 'GET, HEAD, PUT, DELETE')
})

test('credentials, maxAge and cacheControl are sent on allowed preflights', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP], credentials: true, maxAge: 600, cacheControl: 300, methods: ['GET', 'PUT'], allowedHeaders: ['X-Request-Id'] } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'x-request-id') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-allow-headers': 'X-Request-Id',
    'access-control-max-age': '600'
  })
  t.equal(res.headers['cache-control'], 'max-age=300')
  t.equal(res.headers['content-length'], '0')
  t.equal(res.headers.vary, 'Origin', 'nothing depends on ACRM/ACRH when both lists are configured')
})

test('cacheControl as a string, maxAge 0 and optionsSuccessStatus 200', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP], maxAge: 0, cacheControl: 'no-store', optionsSuccessStatus: 200 } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-max-age'], '0')
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers['content-length'], '0')
  t.equal(res.body, '')
})

test("an origin '*' preflight answers ACAO * and varies only on what the answer depends on", async (t) => {
  const { app } = await buildApp(t, { cors: { origin: '*' } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders('https://anyone.test', 'PUT', 'x-trace') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE', 'access-control-allow-headers': 'x-trace' })
  t.equal(res.headers.vary, 'Access-Control-Request-Method, Access-Control-Request-Headers')
  const fixed = await buildApp(t, { cors: { origin: '*', methods: '*', allowedHeaders: '*' } })
  const fixedRes = await fixed.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders('https://anyone.test', 'PATCH', 'x-trace') })
  t.same(corsHeadersOf(fixedRes), { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-allow-headers': '*' })
  t.equal(fixedRes.headers.vary, undefined)
})

test('a denied origin gets 403 with no CORS header, and Content-Length 0', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP], credentials: true, maxAge: 600 } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders('https://evil.example', 'PUT', 'x-request-id') })
  t.equal(res.statusCode, 403)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers['content-length'], '0')
  t.equal(res.headers['cache-control'], undefined)
  t.same(lastDecision(), {
    origin: 'https://evil.example',
    preflight: true,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: "origin 'https://evil.example' is not in the allow-list for PUT /items/:id; add it to `origin`"
  })
})

test('a preflight for a cors: false route gets 403 with no CORS header', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/internal', async () => 'internal')
      instance.post('/internal', { config: { cors: false } }, async () => 'internal')
    }
  })
  const res = await app.inject({ method: 'OPTIONS', url: '/internal', headers: preflightHeaders(APP, 'POST', 'content-type') })
  t.equal(res.statusCode, 403)
  t.same(corsHeadersOf(res), {})
  t.same(lastDecision(), { origin: APP, preflight: true, allowed: false, reason: 'disabled', detail: 'CORS is disabled for POST /internal (config.cors: false)' })
  const sibling = await app.inject({ method: 'OPTIONS', url: '/internal', headers: preflightHeaders(APP, 'GET', 'x-a') })
  t.equal(sibling.statusCode, 204)
  // a cached x-a entry would let a POST with x-a reach the cors: false route without a preflight
  t.equal(sibling.headers['access-control-allow-methods'], 'GET', 'answered for this request alone')
  t.equal(sibling.headers['access-control-allow-headers'], 'x-a')
  t.equal(sibling.headers['access-control-max-age'], '0', 'and never cached')
  const plain = await app.inject({ method: 'OPTIONS', url: '/internal', headers: preflightHeaders(APP, 'GET') })
  t.equal(plain.headers['access-control-allow-methods'], 'GET, HEAD', 'the cors: false method is not advertised')
  t.equal(plain.headers['access-control-max-age'], undefined)
})

test('a route override with other origins and methods is honoured by the preflight', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/partners/:id', async () => 'partner')
      instance.patch('/partners/:id', { config: { cors: { origin: ['https://partner.test'], methods: ['PATCH'], credentials: true, maxAge: 60 } } }, async () => 'patched')
    }
  })
  const partner = await app.inject({ method: 'OPTIONS', url: '/partners/7', headers: preflightHeaders('https://partner.test', 'PATCH') })
  t.equal(partner.statusCode, 204)
  t.same(corsHeadersOf(partner), {
    'access-control-allow-origin': 'https://partner.test',
    'access-control-allow-credentials': 'true',
    // the GET route refuses the partner, so only PATCH is in the URL's grant for it
    'access-control-allow-methods': 'PATCH',
    'access-control-max-age': '60'
  })
  const app2 = await app.inject({ method: 'OPTIONS', url: '/partners/7', headers: preflightHeaders(APP, 'PATCH') })
  t.equal(app2.statusCode, 403, 'the plugin-wide origin is replaced on this route')
  t.same(corsHeadersOf(app2), {})
  t.equal(lastDecision().detail, `origin '${APP}' is not in the allow-list for PATCH /partners/:id; add it to \`origin\``)
  const getPreflight = await app.inject({ method: 'OPTIONS', url: '/partners/7', headers: preflightHeaders(APP, 'GET', 'x-a') })
  t.equal(getPreflight.statusCode, 204, 'the GET route keeps the plugin policy')
  t.equal(getPreflight.headers['access-control-allow-origin'], APP)
})

test('with no route for the URL and method the scope policy answers, with ACAM = the requested method', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] } })
  const nowhere = await app.inject({ method: 'OPTIONS', url: '/nowhere', headers: preflightHeaders(APP, 'PATCH') })
  t.equal(nowhere.statusCode, 204)
  t.same(corsHeadersOf(nowhere), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'PATCH' })
  const unserved = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(unserved.statusCode, 204, 'so the page can read the 404 the actual request gets')
  t.equal(unserved.headers['access-control-allow-methods'], 'DELETE')
  const actual = await app.inject({ method: 'DELETE', url: '/items', headers: { origin: APP } })
  t.equal(actual.statusCode, 404)
  t.equal(actual.headers['access-control-allow-origin'], APP)
  const configured = await buildApp(t, { cors: { origin: [APP], methods: 'GET, PUT' } })
  const res = await configured.app.inject({ method: 'OPTIONS', url: '/nowhere', headers: preflightHeaders(APP, 'PUT') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-methods'], 'GET, PUT')
})

test('a refused method keeps optionsSuccessStatus and sends ACAO, ACAC and the allowed methods; requested headers are not reflected', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP], credentials: true, methods: ['GET', 'PUT'], maxAge: 600, cacheControl: 60, allowPrivateNetwork: true } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { ...preflightHeaders(APP, 'DELETE', 'x-a'), 'access-control-request-private-network': 'true' } })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT'
  })
  t.equal(res.headers['cache-control'], undefined)
  t.same(lastDecision(), {
    origin: APP,
    preflight: true,
    allowed: false,
    reason: 'method-not-allowed',
    detail: 'method DELETE is not allowed for DELETE /items/:id; add it to `methods` (allowed: GET, PUT)'
  })
})

test('a refused request header keeps optionsSuccessStatus and sends ACAO, ACAC, ACAM and the allowed headers', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP], credentials: true, allowedHeaders: ['X-Request-Id', 'Content-Type'], maxAge: 600 } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'content-type,x-other') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD, PUT, DELETE',
    'access-control-allow-headers': 'X-Request-Id, Content-Type'
  })
  t.same(lastDecision(), {
    origin: APP,
    preflight: true,
    allowed: false,
    reason: 'header-not-allowed',
    detail: "request header 'x-other' is not allowed for PUT /items/:id; add it to `allowedHeaders`"
  })
  const mixedCase = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'Content-Type, X-REQUEST-ID') })
  t.equal(mixedCase.statusCode, 204)
  t.equal(lastDecision().reason, 'allowed', 'header names compare case-insensitively')
  t.equal(mixedCase.headers['access-control-max-age'], '600')
})

test('by default the validated request headers are reflected, lower-cased', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] } })
  const browserStyle = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'authorization,content-type,x-request-id') })
  t.equal(browserStyle.headers['access-control-allow-headers'], 'authorization,content-type,x-request-id')
  const proxySplit = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'X-Request-Id, Content-Type ,,\tAuthorization') })
  t.equal(proxySplit.statusCode, 204)
  t.equal(proxySplit.headers['access-control-allow-headers'], 'x-request-id,content-type,authorization')
  const none = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT') })
  t.equal(none.headers['access-control-allow-headers'], undefined)
  const empty = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', '') })
  t.equal(empty.statusCode, 204)
  t.equal(empty.headers['access-control-allow-headers'], undefined)
})

test("allowedHeaders '*' never covers Authorization; ['*', 'Authorization'] does", async (t) => {
  const wildcard = await buildApp(t, { cors: { origin: [APP], allowedHeaders: '*' } })
  const custom = await wildcard.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'x-anything,x-else') })
  t.equal(custom.statusCode, 204)
  t.equal(custom.headers['access-control-allow-headers'], '*')
  t.equal(wildcard.lastDecision().reason, 'allowed')
  const auth = await wildcard.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'authorization,x-anything') })
  t.equal(auth.statusCode, 204)
  t.equal(auth.headers['access-control-allow-headers'], '*')
  t.same(wildcard.lastDecision(), {
    origin: APP,
    preflight: true,
    allowed: false,
    reason: 'header-not-allowed',
    detail: "request header 'authorization' is not allowed for PUT /items/:id; add it to `allowedHeaders` ('*' does not cover Authorization; list it explicitly)"
  })
  const listed = await buildApp(t, { cors: { origin: [APP], allowedHeaders: ['*', 'Authorization'] } })
  const ok = await listed.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'authorization,x-anything') })
  t.equal(ok.statusCode, 204)
  t.equal(ok.headers['access-control-allow-headers'], '*, Authorization')
  t.equal(listed.lastDecision().reason, 'allowed')
})

test('a malformed Access-Control-Request-Method is refused and never echoed', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP] } })
  for (const method of ['GET, DELETE', 'PUT,DELETE', 'P UT', 'X'.repeat(100), 'PÜT', '']) {
    const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, method) })
    const label = JSON.stringify(method.slice(0, 20))
    t.equal(res.statusCode, 204, label)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP }, label)
    t.equal(lastDecision().reason, 'method-not-allowed', label)
    t.equal(lastDecision().detail, `Access-Control-Request-Method is not a single method token, so nothing is echoed for ${method} /items/1`, label)
  }
})

test('a malformed Access-Control-Request-Headers is refused and never echoed', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP] } })
  const hostile = [
    'x-a;x-b',
    'x-a, x b',
    'x-ä',
    'x-a\u0000',
    ','.repeat(10_000),
    `x-${'a'.repeat(200)}`,
    Array.from({ length: 65 }, (_, i) => `x-h${i}`).join(',')
  ]
  for (const requested of hostile) {
    const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', requested) })
    const label = `${JSON.stringify(requested.slice(0, 20))} (${requested.length} chars)`
    t.equal(res.statusCode, 204, label)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' }, label)
    t.equal(lastDecision().reason, 'header-not-allowed', label)
    t.equal(lastDecision().detail, 'Access-Control-Request-Headers is not a bounded list of header names, so nothing is echoed for PUT /items/:id', label)
  }
})

test('safelisted methods always pass, even when methods does not list them', async (t) => {
  const { app, decisions } = await buildApp(t, { cors: { origin: [APP], methods: ['PUT'] } })
  for (const method of ['GET', 'HEAD', 'POST']) {
    const res = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, method) })
    t.equal(res.statusCode, 204, method)
    t.equal(res.headers['access-control-allow-methods'], 'PUT', method)
  }
  t.same(decisions.map((d) => d.reason), ['allowed', 'allowed', 'allowed'])
})

test('private network access: ACAPN only when requested and allowPrivateNetwork is on', async (t) => {
  const pna = { 'access-control-request-private-network': 'true' }
  const on = await buildApp(t, { cors: { origin: [APP], allowPrivateNetwork: true } })
  const granted = await on.app.inject({ method: 'OPTIONS', url: '/items', headers: { ...preflightHeaders(APP, 'GET'), ...pna } })
  t.equal(granted.statusCode, 204)
  t.equal(granted.headers['access-control-allow-private-network'], 'true')
  const notRequested = await on.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(notRequested.headers['access-control-allow-private-network'], undefined)
  const off = await buildApp(t, { cors: { origin: [APP] } })
  const refused = await off.app.inject({ method: 'OPTIONS', url: '/items', headers: { ...preflightHeaders(APP, 'GET'), ...pna } })
  t.equal(refused.statusCode, 204)
  // browsers that only warn about private network access accept this answer: it is marked never to be cached
  t.same(corsHeadersOf(refused), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, POST', 'access-control-max-age': '0' })
  t.same(off.lastDecision(), {
    origin: APP,
    preflight: true,
    allowed: false,
    reason: 'private-network-not-allowed',
    detail: 'private network access was requested for GET /items; set `allowPrivateNetwork: true` to grant it'
  })
})

test('preflightContinue: the application OPTIONS route answers, with the preflight headers already set', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], preflightContinue: true, maxAge: 120 },
    routes: (instance, handled) => {
      instance.get('/items', async () => 'items')
      instance.options('/items', async (_request, reply) => { handled(); return reply.code(200).send('custom options') })
      instance.get('/other', async () => 'other')
    }
  })
  const res = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'custom options')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '120' })
  t.equal(built.handlerCalls, 1)
  const pluginAnswers = await built.app.inject({ method: 'OPTIONS', url: '/other', headers: preflightHeaders(APP, 'GET') })
  t.equal(pluginAnswers.statusCode, 204, 'without an application OPTIONS route the plugin finishes the preflight')
  t.equal(pluginAnswers.headers['content-length'], '0')
  t.same(corsHeadersOf(pluginAnswers), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD', 'access-control-max-age': '120' })
  const denied = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders('https://evil.example', 'GET') })
  t.equal(denied.statusCode, 403, 'a denied origin is still refused by the plugin')
  t.same(corsHeadersOf(denied), {})
  t.equal(built.handlerCalls, 1)
})

test('without preflightContinue the plugin answers before the application OPTIONS route', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance, handled) => {
      instance.get('/items', async () => 'items')
      instance.options('/items', async () => { handled(); return 'custom options' })
    }
  })
  const preflight = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.equal(built.handlerCalls, 0)
  const ownOptions = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: { origin: APP } })
  t.equal(ownOptions.statusCode, 200, 'a non-preflight OPTIONS belongs to the application')
  t.equal(ownOptions.body, 'custom options')
  t.equal(ownOptions.headers['access-control-allow-origin'], APP)
  const noOrigin = await built.app.inject({ method: 'OPTIONS', url: '/items' })
  t.equal(noOrigin.statusCode, 200)
  t.equal(built.handlerCalls, 2)
})

test('preflight: false leaves preflights to the application', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], preflight: false },
    routes: (instance, handled) => {
      instance.get('/items', async () => 'items')
      instance.options('/items', async () => { handled(); return 'custom options' })
      instance.get('/other', async () => 'other')
    }
  })
  const own = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(own.statusCode, 200)
  t.equal(own.body, 'custom options')
  // the application answers; the plugin treats the OPTIONS like any CORS request (as @fastify/cors does)
  t.same(corsHeadersOf(own), { 'access-control-allow-origin': APP })
  t.equal(own.headers.vary, 'Origin')
  t.equal(built.handlerCalls, 1)
  t.same(built.lastDecision(), { origin: APP, preflight: true, allowed: true, reason: 'allowed' })
  const none = await built.app.inject({ method: 'OPTIONS', url: '/other', headers: preflightHeaders(APP, 'GET') })
  t.equal(none.statusCode, 404, 'no catch-all OPTIONS route without preflight answering')
  t.same(corsHeadersOf(none), { 'access-control-allow-origin': APP })
  const denied = await built.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders('https://evil.example', 'GET') })
  t.equal(denied.statusCode, 200)
  t.same(corsHeadersOf(denied), {})
  t.same(built.lastDecision().reason, 'origin-not-allowed')
  const actual = await built.app.inject({ method: 'GET', url: '/other', headers: { origin: APP } })
  t.equal(actual.headers['access-control-allow-origin'], APP, 'actual requests are still handled')
})

test('strictPreflight (default): an OPTIONS without Origin or without ACRM and no route of its own gets 400', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] } })
  const noMethod = await app.inject({ method: 'OPTIONS', url: '/items', headers: { origin: APP } })
  t.equal(noMethod.statusCode, 400)
  t.equal(noMethod.body, 'Invalid Preflight Request')
  t.equal(noMethod.headers['content-type'], 'text/plain; charset=utf-8')
  const noOrigin = await app.inject({ method: 'OPTIONS', url: '/items', headers: { 'access-control-request-method': 'GET' } })
  t.equal(noOrigin.statusCode, 400)
  t.equal(noOrigin.body, 'Invalid Preflight Request')
  const bare = await app.inject({ method: 'OPTIONS', url: '/nowhere' })
  t.equal(bare.statusCode, 400)
})

test('strictPreflight: false answers such OPTIONS requests with an empty 204', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP], strictPreflight: false } })
  for (const headers of [{ origin: APP }, { 'access-control-request-method': 'GET' }, {}]) {
    const res = await app.inject({ method: 'OPTIONS', url: '/items', headers })
    t.equal(res.statusCode, 204, JSON.stringify(headers))
    t.equal(res.headers['content-length'], '0')
    t.equal(res.body, '')
  }
})

test('preflights are answered before an auth onRequest hook registered after the plugin', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], credentials: true },
    routes: (instance, handled) => {
      instance.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization === undefined) return reply.code(401).send({ error: 'Unauthorized' })
      })
      instance.put('/items/:id', async () => { handled(); return { updated: true } })
    }
  })
  const preflight = await built.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'authorization,content-type') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'authorization,content-type'
  })
  const actual = await built.app.inject({ method: 'PUT', url: '/items/1', headers: { origin: APP } })
  t.equal(actual.statusCode, 401)
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(built.handlerCalls, 0)
})

test('preflights find routes with the router settings given in Fastify 5 routerOptions', async (t) => {
  const settings = [
    { routerOptions: { ignoreTrailingSlash: true, caseSensitive: false } },
    { routerOptions: { ignoreDuplicateSlashes: true } }
  ]
  const urls = [['/items/', '/ITEMS'], ['//items']]
  for (const [index, server] of settings.entries()) {
    const built = await buildApp(t, {
      cors: { origin: [APP] },
      server,
      routes: (instance) => {
        instance.get('/items', async () => 'items')
        instance.post('/items', async () => 'created')
        instance.delete('/items', { config: { cors: false } }, async () => 'gone')
      }
    })
    for (const url of urls[index] ?? []) {
      const allowed = await built.app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(APP, 'POST') })
      t.equal(allowed.statusCode, 204, `${url} POST`)
      t.equal(allowed.headers['access-control-allow-methods'], 'GET, HEAD, POST', `${url} POST`)
      const disabled = await built.app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(APP, 'DELETE') })
      t.equal(disabled.statusCode, 403, `${url} DELETE is cors: false`)
      t.same(corsHeadersOf(disabled), {}, `${url} DELETE`)
    }
  }
})
