// `app.register(corsPolicy, opts)` without `await`, then routes (the @fastify/cors README's own
// style): every route with `config.cors` answered 500 FST_CORS_ROUTE_NOT_COMPILED and their
// preflights got the default policy. Routes declared before the plugin were found by parsing
// `printRoutes()` text, which read `/files/*` as `*`, dropped `/uploads/*`, and let that phantom `*`
// shadow a later `cors: false` catch-all (issue 10, case 7). A route's policy is its own
// `config.cors`, whatever the order of declaration.
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, loggedFastify, preflightHeaders } from '../helpers/build-app.js'
import { CachingPage, allowedHeadersOf, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const PARTNER = 'https://partner.example.net'
const EVIL = 'https://evil.example'

async function notAwaitedApp (t: Test) {
  const app = Fastify()
  t.teardown(() => app.close())
  const runs = { public: 0, account: 0, internal: 0, plain: 0 }
  // not awaited on purpose: the style of the @fastify/cors README
  app.register(corsPolicy, { origin: [FRONT, PARTNER], credentials: true })
  app.get('/public', { config: { cors: { origin: '*', credentials: false } } }, async () => { runs.public++; return { public: true } })
  app.put('/account', { config: { cors: { origin: [FRONT] } } }, async () => { runs.account++; return { updated: true } })
  app.post('/internal', { config: { cors: false } }, async () => { runs.internal++; return { done: true } })
  app.get('/plain', async () => { runs.plain++; return { plain: true } })
  await app.ready()
  return { app, runs }
}

test('actual requests to routes declared after a non-awaited register use their own config.cors', async (t) => {
  const { app, runs } = await notAwaitedApp(t)
  const pub = await app.inject({ method: 'GET', url: '/public', headers: { origin: EVIL } })
  t.equal(pub.statusCode, 200)
  t.same(corsHeadersOf(pub), { 'access-control-allow-origin': '*' })

  const front = await app.inject({ method: 'PUT', url: '/account', headers: { origin: FRONT } })
  t.equal(front.statusCode, 200)
  t.same(corsHeadersOf(front), { 'access-control-allow-origin': FRONT, 'access-control-allow-credentials': 'true' })
  t.equal(front.headers.vary, 'Origin')

  const partner = await app.inject({ method: 'PUT', url: '/account', headers: { origin: PARTNER } })
  t.equal(partner.statusCode, 200, 'CORS hides the response, it does not fail the request')
  t.same(corsHeadersOf(partner), {})

  const internal = await app.inject({ method: 'POST', url: '/internal', headers: { origin: FRONT } })
  t.equal(internal.statusCode, 200)
  t.same(corsHeadersOf(internal), {})

  const plain = await app.inject({ method: 'GET', url: '/plain', headers: { origin: PARTNER } })
  t.equal(plain.statusCode, 200)
  t.same(corsHeadersOf(plain), { 'access-control-allow-origin': PARTNER, 'access-control-allow-credentials': 'true' })
  t.same(runs, { public: 1, account: 2, internal: 1, plain: 1 })
})

test('preflights of routes declared after a non-awaited register use their own config.cors', async (t) => {
  const { app, runs } = await notAwaitedApp(t)
  const partner = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(PARTNER, 'PUT', 'content-type') })
  t.equal(partner.statusCode, 403)
  t.same(corsHeadersOf(partner), {})
  const front = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(FRONT, 'PUT', 'content-type') })
  t.equal(front.statusCode, 204)
  t.same(corsHeadersOf(front), {
    'access-control-allow-origin': FRONT,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'content-type'
  })
  const internal = await app.inject({ method: 'OPTIONS', url: '/internal', headers: preflightHeaders(FRONT, 'POST', 'content-type') })
  t.equal(internal.statusCode, 403)
  t.same(corsHeadersOf(internal), {})
  const pub = await app.inject({ method: 'OPTIONS', url: '/public', headers: preflightHeaders(EVIL, 'GET', 'x-custom') })
  t.equal(pub.statusCode, 204)
  t.equal(pub.headers['access-control-allow-origin'], '*')
  t.equal(pub.headers['access-control-allow-credentials'], undefined)
  t.same(allowedMethodsOf(pub), ['GET', 'HEAD'])
  t.same(allowedHeadersOf(pub), ['x-custom'])

  const page = new CachingPage(app)
  const write = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/account', headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
  t.equal(write.sent, false, "the partner's PUT is never sent")
  const post = await page.fetch({ origin: PARTNER, method: 'POST', url: '/internal', headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
  t.equal(post.sent, false, 'the JSON POST to a cors: false route is never sent')
  t.same(runs, { public: 0, account: 0, internal: 0, plain: 0 })
})

test('an invalid config.cors declared after a non-awaited register still fails start-up, naming the route', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [FRONT], credentials: true })
  app.get('/fine', async () => ({}))
  app.put('/items/:id', { config: { cors: { origin: 'https://app.example.com/' } } }, async () => ({}))
  await t.rejects(async () => { await app.ready() }, { code: 'FST_CORS_INVALID_ROUTE_CONFIG', message: /PUT \/items\/:id/ })
})

test('an invalid config.cors (a trailing slash) after a non-awaited register fails start-up', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [FRONT], credentials: true })
  app.delete('/things/:id', { config: { cors: { origin: 'https://partner.example.com/' } } }, async () => ({}))
  await t.rejects(async () => { await app.ready() }, { code: 'FST_CORS_INVALID_ROUTE_CONFIG', message: /DELETE \/things\/:id: \/origin 'https:\/\/partner.example.com\/' has a trailing slash/ })
})

test("config.cors origin '*' under an inherited credentials: true starts: the inherited value yields, with a warning", async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  app.register(corsPolicy, { origin: [FRONT], credentials: true })
  app.delete('/things/:id', { config: { cors: { origin: '*' } } }, async () => ({}))
  await app.ready()
  t.same(log.messages(), ["fastify-cors-policy: route DELETE /things/:id: the inherited credentials: true does not apply here, because it conflicts with this route's own options"])
  const res = await app.inject({ method: 'DELETE', url: '/things/1', headers: { origin: PARTNER } })
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.equal(res.headers['access-control-allow-credentials'], undefined)
})

async function earlyWildcardsApp (t: Test, after?: (app: FastifyInstance, runs: { catchAll: number }) => void) {
  const app = Fastify()
  t.teardown(() => app.close())
  const runs = { files: 0, uploads: 0, catchAll: 0 }
  app.get('/files/*', { config: { cors: { origin: [FRONT] } } }, async () => { runs.files++; return 'file' })
  app.put('/uploads/*', { config: { cors: { origin: [FRONT] } } }, async () => { runs.uploads++; return { stored: true } })
  await app.register(corsPolicy, { origin: [FRONT, PARTNER], credentials: true })
  after?.(app, runs)
  await app.ready()
  return { app, runs }
}

test('wildcard routes declared before the plugin keep their own config.cors', async (t) => {
  const { app, runs } = await earlyWildcardsApp(t)
  const read = await app.inject({ method: 'GET', url: '/files/a.txt', headers: { origin: FRONT } })
  t.equal(read.statusCode, 200, 'not FST_CORS_ROUTE_NOT_COMPILED')
  t.same(corsHeadersOf(read), { 'access-control-allow-origin': FRONT, 'access-control-allow-credentials': 'true' })
  const refused = await app.inject({ method: 'GET', url: '/files/a.txt', headers: { origin: PARTNER } })
  t.equal(refused.statusCode, 200)
  t.same(corsHeadersOf(refused), {})

  for (const [method, url] of [['GET', '/files/a.txt'], ['PUT', '/uploads/b.bin']] as const) {
    const partner = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(PARTNER, method, 'x-custom') })
    t.equal(partner.statusCode, 403, `${method} ${url} for the partner`)
    t.same(corsHeadersOf(partner), {}, `${method} ${url} for the partner`)
    const front = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(FRONT, method, 'x-custom') })
    t.equal(front.statusCode, 204, `${method} ${url} for the front end`)
    t.equal(front.headers['access-control-allow-origin'], FRONT)
    t.equal(front.headers['access-control-allow-credentials'], 'true')
    t.same(allowedMethodsOf(front), method === 'GET' ? ['GET', 'HEAD'] : ['PUT'], `${method} ${url}`)
    t.same(allowedHeadersOf(front), ['x-custom'])
  }
  const page = new CachingPage(app)
  const upload = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/uploads/b.bin', credentials: true })
  t.equal(upload.sent, false, "the partner's upload is never sent")
  const file = await page.fetch({ origin: PARTNER, method: 'GET', url: '/files/a.txt', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(file.sent, false, "the partner's GET with a custom header is never sent")
  t.same(runs, { files: 2, uploads: 0, catchAll: 0 })
})

test('a wildcard route declared before the plugin does not shadow a later cors: false catch-all', async (t) => {
  const { app, runs } = await earlyWildcardsApp(t, (app, runs) => {
    app.route({ method: ['GET', 'PUT'], url: '*', config: { cors: false }, handler: async () => { runs.catchAll++; return 'page' } })
  })
  const page = new CachingPage(app)
  for (const method of ['GET', 'PUT']) {
    const res = await app.inject({ method: 'OPTIONS', url: '/dashboard', headers: preflightHeaders(FRONT, method, 'x-custom') })
    t.equal(res.statusCode, 403, method)
    t.same(corsHeadersOf(res), {}, method)
    const result = await page.fetch({ origin: FRONT, method, url: '/dashboard', headers: { 'x-custom': '1' }, credentials: true })
    t.equal(result.sent, false, `the ${method} is never sent`)
  }
  const file = await app.inject({ method: 'OPTIONS', url: '/files/a.txt', headers: preflightHeaders(FRONT, 'GET', 'x-custom') })
  t.equal(file.statusCode, 204, 'the wildcard route keeps its own policy')
  t.equal(file.headers['access-control-allow-origin'], FRONT)
  t.same(runs, { files: 0, uploads: 0, catchAll: 0 })
})
