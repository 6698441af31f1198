/**
 * The plugin registered in a prefixed scope answered the preflight of a URL no route serves (so the
 * page may read the 404 it gets), but the 404 itself came without Access-Control-Allow-Origin: the
 * browser reported a CORS error instead of the 404. A prefixed scope without a not-found handler of
 * its own has its 404s answered by its parent's not-found context, whose hooks are the parent's, so
 * the plugin's hooks never ran for them. They do now, without the plugin calling
 * `setNotFoundHandler` (which would make the application's own call in that scope throw).
 */
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { fetchFromPage } from '../../lib/browser/index.js'
import { notFoundContextOf } from '../../lib/plugin/fastify-internals.js'
import { corsHeadersOf, preflightHeaders, recordDecision, type RecordedDecision } from '../helpers/build-app.js'
import { captureLogs, type LogCapture } from '../helpers/log-capture.js'

const A = 'https://a.com'
const B = 'https://b.com'
const EVIL = 'https://evil.example'
const API = 'https://api.example.com'

interface Built { app: FastifyInstance, decisions: Array<RecordedDecision | undefined>, log: LogCapture }

/** The app of the report: the plugin and a route in a scope prefixed /api, nothing at the root. */
async function prefixedApp (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions = { origin: A, methods: ['GET', 'PUT'] }): Promise<Built> {
  const log = captureLogs('debug')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  const decisions: Array<RecordedDecision | undefined> = []
  // the root's Request class has no `cors` decorator: the 404's request is built from it
  app.addHook('onResponse', async (request) => { decisions.push(request.cors === undefined || request.cors === null ? undefined : recordDecision(request.cors)) })
  await app.register(async (api) => {
    await api.register(corsPolicy, options)
    api.get('/x', async () => 'x')
  }, { prefix: '/api' })
  await app.ready()
  return { app, decisions, log }
}

const NOT_FOUND = { message: 'Route GET:/api/nope not found', error: 'Not Found', statusCode: 404 }

test('the 404 under the prefix carries the headers its preflight promised', async (t) => {
  const { app, decisions } = await prefixedApp(t)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/api/nope', headers: preflightHeaders(A, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': A, 'access-control-allow-methods': 'GET, PUT' })

  const res = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: A } })
  t.equal(res.statusCode, 404)
  t.same(res.json(), NOT_FOUND)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': A })
  t.equal(res.headers.vary, 'Origin')
  t.same(decisions[1], { origin: A, preflight: false, allowed: true, reason: 'allowed' })

  const put = await app.inject({ method: 'PUT', url: '/api/x', headers: { origin: A } })
  t.equal(put.statusCode, 404, "a method the route does not serve: the parent's 404 as well")
  t.same(corsHeadersOf(put), { 'access-control-allow-origin': A })
})

test("a denied origin's 404 carries no CORS header, only Vary, and its denial is logged", async (t) => {
  const { app, decisions, log } = await prefixedApp(t)
  const res = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: EVIL } })
  t.equal(res.statusCode, 404)
  t.same(res.json(), NOT_FOUND)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  const detail = `origin '${EVIL}' is not in the allow-list for GET /api/nope; add it to \`origin\``
  t.same(decisions[0], { origin: EVIL, preflight: false, allowed: false, reason: 'origin-not-allowed', detail })
  t.same(log.lines.filter((line) => line.cors !== undefined).map((line) => [line.msg, line.cors]), [
    [`CORS denied: ${detail}`, { origin: EVIL, route: 'GET /api/nope', reason: 'origin-not-allowed', detail }]
  ])

  const none = await app.inject({ method: 'GET', url: '/api/nope' })
  t.same(corsHeadersOf(none), {})
  t.equal(none.headers.vary, 'Origin', 'the answer depends on the origin, also without one')
})

test("URLs outside the prefix keep the parent's 404 as it was", async (t) => {
  const { app, decisions } = await prefixedApp(t)
  for (const url of ['/nope', '/apix', '/other/api/nope']) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: A } })
    t.equal(res.statusCode, 404, url)
    t.same(corsHeadersOf(res), {}, url)
    t.equal(res.headers.vary, undefined, url)
  }
  t.same(decisions, [undefined, undefined, undefined], 'nothing decided')
})

test('under enforce, a denied origin gets the refusal instead of the 404; under report-only, the 404 and a warn line', async (t) => {
  const enforced = await prefixedApp(t, { origin: A, enforce: true })
  const refused = await enforced.app.inject({ method: 'POST', url: '/api/nope', headers: { origin: EVIL } })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'FST_CORS_FORBIDDEN')
  t.same(corsHeadersOf(refused), {})
  t.equal(refused.headers.vary, 'Origin')

  const reported = await prefixedApp(t, { origin: A, enforce: 'report-only' })
  const res = await reported.app.inject({ method: 'POST', url: '/api/nope', headers: { origin: EVIL } })
  t.equal(res.statusCode, 404)
  t.same(reported.log.lines.filter((line) => line.level === 40).map((line) => line.msg), [
    `fastify-cors-policy: enforce (report-only) would refuse POST /api/nope: origin '${EVIL}' is not in the allow-list for POST /api/nope; add it to \`origin\``
  ])
})

test("the application's own not-found handler in the scope, set before or after the plugin, runs and carries the headers", async (t) => {
  for (const order of ['before', 'after'] as const) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(async (api) => {
      const notFound = (): void => { api.setNotFoundHandler(async (request, reply) => reply.code(404).send({ missing: request.url })) }
      if (order === 'before') notFound()
      await api.register(corsPolicy, { origin: A })
      if (order === 'after') notFound()
      api.get('/x', async () => 'x')
    }, { prefix: '/api' })
    await app.ready()
    const res = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: A } })
    t.equal(res.statusCode, 404, order)
    t.same(res.json(), { missing: '/api/nope' }, order)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': A }, order)
    t.equal(res.headers.vary, 'Origin', order)
    const denied = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: EVIL } })
    t.same(corsHeadersOf(denied), {}, order)
    t.equal(notFoundContextOf(app)?.hooks.onRequest, null, `${order}: nothing was added to the root's not-found context`)
  }
})

test("a root-level registration's 404s are unchanged, and nothing is added to its not-found context", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [A] })
  await app.register(async (api) => { api.get('/x', async () => 'x') }, { prefix: '/api' })
  await app.ready()
  for (const url of ['/nope', '/api/nope']) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: A } })
    t.equal(res.statusCode, 404, url)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': A }, url)
    t.equal(res.headers.vary, 'Origin', url)
  }
  t.equal(notFoundContextOf(app)?.hooks.onRequest?.length, 1, "the registration's own onRequest only")
  t.equal(notFoundContextOf(app)?.hooks.onSend?.length, 1, "the registration's own onSend only")
})

test('nested prefixes: each 404 gets the policy of the innermost registration covering it', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async (api) => {
    await api.register(corsPolicy, { origin: [A] })
    api.get('/x', async () => 'x')
    await api.register(async (v1) => {
      await v1.register(corsPolicy, { origin: [B], credentials: true })
      v1.get('/y', async () => 'y')
    }, { prefix: '/v1' })
    await api.register(async (v2) => { v2.get('/z', async () => 'z') }, { prefix: '/v2' })
  }, { prefix: '/api' })
  await app.register(async (admin) => {
    await admin.register(corsPolicy, { origin: [B] })
    admin.get('/x', async () => 'x')
  }, { prefix: '/admin' })
  await app.ready()
  const cases: Array<[string, string, Record<string, string>]> = [
    ['/api/nope', A, { 'access-control-allow-origin': A }],
    ['/api/nope', B, {}],
    ['/api/v1/nope', B, { 'access-control-allow-origin': B, 'access-control-allow-credentials': 'true' }],
    ['/api/v1/nope', A, {}],
    ['/api/v2/nope', A, { 'access-control-allow-origin': A }],
    ['/admin/nope', B, { 'access-control-allow-origin': B }],
    ['/admin/nope', A, {}],
    ['/nope', A, {}]
  ]
  for (const [url, origin, headers] of cases) {
    const res = await app.inject({ method: 'GET', url, headers: { origin } })
    t.equal(res.statusCode, 404, `${url} from ${origin}`)
    t.same(corsHeadersOf(res), headers, `${url} from ${origin}`)
    t.equal(res.headers.vary, url === '/nope' ? undefined : 'Origin', `${url} from ${origin}`)
  }
  const hooks = notFoundContextOf(app)?.hooks
  t.same([hooks?.onRequest?.length, hooks?.onSend?.length], [1, 1], 'the shared not-found context got the hooks once')
})

test('a registration deciding in preHandler, or through a delegator: the 404 is decided in onSend, with the same headers', async (t) => {
  const cases: Array<[string, FastifyCorsOptions]> = [
    ['preHandler', { origin: [A], hook: 'preHandler' }],
    ['delegator', { delegator: async (request) => ({ origin: request.headers['x-tenant'] === 'a' ? [A] : [B] }) }]
  ]
  for (const [desc, options] of cases) {
    const { app } = await prefixedApp(t, options)
    const res = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: A, 'x-tenant': 'a' } })
    t.equal(res.statusCode, 404, desc)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': A }, desc)
    t.equal(res.headers.vary, 'Origin', desc)
  }
})

test('a registration in a child scope without a prefix: the 404s its catch-all answers preflights for carry its headers', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async (scope) => {
    await scope.register(corsPolicy, { origin: [A] })
    scope.get('/x', async () => 'x')
  })
  await app.ready()
  const preflight = await app.inject({ method: 'OPTIONS', url: '/missing', headers: preflightHeaders(A, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], A)
  const res = await app.inject({ method: 'PUT', url: '/missing', headers: { origin: A } })
  t.equal(res.statusCode, 404)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': A })
  t.equal(res.headers.vary, 'Origin')
})

test("in the browser model, the page reads the 404's status instead of a CORS error", async (t) => {
  const { app } = await prefixedApp(t)
  const put = await fetchFromPage(app, { origin: A, url: `${API}/api/nope`, method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(put.preflight?.response.status, 204, 'preflighted')
  t.equal(put.allowed, true)
  t.equal(put.consoleMessage, undefined)
  t.equal(put.response?.status, 404)
  t.same(JSON.parse(put.response?.body ?? ''), { message: 'Route PUT:/api/nope not found', error: 'Not Found', statusCode: 404 })

  const get = await fetchFromPage(app, { origin: A, url: `${API}/api/nope` })
  t.equal(get.allowed, true)
  t.equal(get.response?.status, 404)

  const evil = await fetchFromPage(app, { origin: EVIL, url: `${API}/api/nope` })
  t.equal(evil.allowed, false)
  t.equal(evil.consoleMessage,
    `Access to fetch at '${API}/api/nope' from origin '${EVIL}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`)
})
