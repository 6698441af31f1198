// The plugin registered inside one encapsulated scope answered preflights for its sibling scopes'
// routes (and the parent's) with its default policy and the requested method echoed, though its
// hooks never run for those routes; and a longer sibling prefix (`/api/admin`) captured a shorter
// scope's route (`/api/admin-tools` got 404). A registration answers for the routes it owns only;
// a route Fastify serves whose policy the plugin does not know gets 403 (issue 10, case 5).
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders, type RecordedDecision } from '../helpers/build-app.js'
import { CachingPage, allowedHeadersOf, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const ADMIN_UI = 'https://admin-ui.example.com'

function recordDecisions (app: FastifyInstance): RecordedDecision[] {
  const decisions: RecordedDecision[] = []
  app.addHook('onResponse', async (request) => {
    const cors = request.cors
    if (cors !== null && cors !== undefined) decisions.push({ origin: cors.origin, preflight: cors.preflight, allowed: cors.allowed, reason: cors.reason })
  })
  return decisions
}

async function siblingsApp (t: Test) {
  const app = Fastify()
  t.teardown(() => app.close())
  const decisions = recordDecisions(app)
  const runs = { public: 0, account: 0, early: 0, root: 0 }
  app.post('/root-route', async () => { runs.root++; return {} })
  await app.register(async (pub) => {
    // a child created before the plugin loaded: Fastify still runs the plugin's hooks for its
    // routes, so the plugin owns them and must know their own config.cors
    await pub.register(async (early) => {
      early.put('/early', { config: { cors: { origin: [ADMIN_UI] } } }, async () => { runs.early++; return {} })
    })
    await pub.register(corsPolicy, { origin: [FRONT], credentials: true })
    pub.get('/public', async () => { runs.public++; return {} })
  })
  await app.register(async (priv) => {
    priv.delete('/account', async () => { runs.account++; return {} })
    priv.put('/account', async () => { runs.account++; return {} })
  })
  await app.ready()
  return { app, runs, decisions }
}

const unknown: Array<[method: string, url: string, owner: string]> = [
  ['DELETE', '/account', "a sibling scope's route"],
  ['PUT', '/account', "a sibling scope's route"],
  ['POST', '/root-route', "the parent scope's route"]
]

for (const [method, url, owner] of unknown) {
  test(`${owner} (${method} ${url}) gets 403, not the default policy`, async (t) => {
    const { app, runs, decisions } = await siblingsApp(t)
    const res = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(FRONT, method, 'content-type') })
    t.equal(res.statusCode, 403)
    t.same(corsHeadersOf(res), {})
    t.match(decisions.at(-1), { preflight: true, allowed: false, reason: 'disabled' })

    const page = new CachingPage(app)
    const result = await page.fetch({ origin: FRONT, method, url, headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
    t.equal(result.sent, false, 'the request is never sent')
    t.same(runs, { public: 0, account: 0, early: 0, root: 0 })
  })
}

test('a route of a child scope created before the plugin keeps its own config.cors', async (t) => {
  const { app, runs } = await siblingsApp(t)
  const refused = await app.inject({ method: 'OPTIONS', url: '/early', headers: preflightHeaders(FRONT, 'PUT', 'content-type') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
  const own = await app.inject({ method: 'OPTIONS', url: '/early', headers: preflightHeaders(ADMIN_UI, 'PUT', 'content-type') })
  t.equal(own.statusCode, 204)
  t.same(corsHeadersOf(own), {
    'access-control-allow-origin': ADMIN_UI,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'content-type'
  })
  const page = new CachingPage(app)
  const front = await page.fetch({ origin: FRONT, method: 'PUT', url: '/early', headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
  t.equal(front.sent, false, "the front end's PUT is never sent")
  const admin = await page.fetch({ origin: ADMIN_UI, method: 'PUT', url: '/early', headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
  t.equal(admin.actual?.statusCode, 200)
  t.same(admin.actual === undefined ? undefined : corsHeadersOf(admin.actual), { 'access-control-allow-origin': ADMIN_UI, 'access-control-allow-credentials': 'true' })
  t.same(runs, { public: 0, account: 0, early: 1, root: 0 })
})

test('the scope that registered the plugin still answers for its own routes', async (t) => {
  const { app, runs } = await siblingsApp(t)
  const res = await app.inject({ method: 'OPTIONS', url: '/public', headers: preflightHeaders(FRONT, 'GET', 'x-custom') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], FRONT)
  t.equal(res.headers['access-control-allow-credentials'], 'true')
  t.same(allowedMethodsOf(res), ['GET', 'HEAD'])
  t.same(allowedHeadersOf(res), ['x-custom'])
  const page = new CachingPage(app)
  const result = await page.fetch({ origin: FRONT, method: 'GET', url: '/public', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(result.actual?.statusCode, 200)
  t.equal(result.actual?.headers['access-control-allow-origin'], FRONT)
  t.same(runs, { public: 1, account: 0, early: 0, root: 0 })
})

async function prefixesApp (t: Test) {
  const app = Fastify()
  t.teardown(() => app.close())
  const runs = { tools: 0, users: 0 }
  await app.register(async (api) => {
    await api.register(corsPolicy, { origin: [FRONT] })
    api.put('/admin-tools', async () => { runs.tools++; return {} })
  }, { prefix: '/api' })
  await app.register(async (admin) => {
    await admin.register(corsPolicy, { origin: [ADMIN_UI] })
    admin.put('/users', async () => { runs.users++; return {} })
  }, { prefix: '/api/admin' })
  await app.ready()
  return { app, runs }
}

test('a longer sibling prefix (/api/admin) does not capture /api/admin-tools', async (t) => {
  const { app, runs } = await prefixesApp(t)
  const own = await app.inject({ method: 'OPTIONS', url: '/api/admin-tools', headers: preflightHeaders(FRONT, 'PUT', 'content-type') })
  t.equal(own.statusCode, 204)
  t.equal(own.headers['access-control-allow-origin'], FRONT)
  t.same(allowedMethodsOf(own), ['PUT'])
  t.same(allowedHeadersOf(own), ['content-type'])
  const other = await app.inject({ method: 'OPTIONS', url: '/api/admin-tools', headers: preflightHeaders(ADMIN_UI, 'PUT', 'content-type') })
  t.equal(other.statusCode, 403)
  t.same(corsHeadersOf(other), {})

  const page = new CachingPage(app)
  const result = await page.fetch({ origin: FRONT, method: 'PUT', url: '/api/admin-tools', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(result.actual?.statusCode, 200)
  t.same(runs, { tools: 1, users: 0 })
})

test('each prefixed registration answers for its own routes with its own policy', async (t) => {
  const { app, runs } = await prefixesApp(t)
  const own = await app.inject({ method: 'OPTIONS', url: '/api/admin/users', headers: preflightHeaders(ADMIN_UI, 'PUT') })
  t.equal(own.statusCode, 204)
  t.equal(own.headers['access-control-allow-origin'], ADMIN_UI)
  t.same(allowedMethodsOf(own), ['PUT'])
  const other = await app.inject({ method: 'OPTIONS', url: '/api/admin/users', headers: preflightHeaders(FRONT, 'PUT') })
  t.equal(other.statusCode, 403)
  t.same(corsHeadersOf(other), {})
  const page = new CachingPage(app)
  const result = await page.fetch({ origin: FRONT, method: 'PUT', url: '/api/admin/users' })
  t.equal(result.sent, false)
  t.same(runs, { tools: 0, users: 0 })
})
