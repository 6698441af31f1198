// Registering the plugin again in a child scope gives that scope (and its prefix) its own
// policy over the parent's: actual requests, preflights and 404s under the prefix; the parent's routes
// keep the parent's policy. Registering twice in one scope stays FST_CORS_ALREADY_REGISTERED.
import { test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders, type RecordedDecision } from '../helpers/build-app.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const C = 'https://c.example.com'

interface Nested {
  app: FastifyInstance
  decisions: RecordedDecision[]
  /** request.cors as seen by each route-level onRequest hook of the child's routes */
  seenInOnRequest: Array<RecordedDecision | null>
  /** requests the child's auth hook answered with 401 */
  readonly authRefusals: number
}

function record (decision: FastifyRequest['cors']): RecordedDecision | null {
  if (decision === null || decision === undefined) return null
  const copy: RecordedDecision = { origin: decision.origin, preflight: decision.preflight, allowed: decision.allowed, reason: decision.reason }
  return decision.detail === undefined ? copy : { ...copy, detail: decision.detail }
}

/** Parent: origin A. Child at /admin: origin B with credentials (plus `childExtra`), an auth hook after the plugin. */
async function nested (t: { teardown: (fn: () => unknown) => void }, childExtra: FastifyCorsOptions = {}, auth = false): Promise<Nested> {
  const app = Fastify()
  t.teardown(() => app.close())
  const decisions: RecordedDecision[] = []
  const seenInOnRequest: Array<RecordedDecision | null> = []
  let authRefusals = 0
  app.addHook('onResponse', async (request) => {
    const decision = record(request.cors)
    if (decision !== null) decisions.push(decision)
  })
  await app.register(corsPolicy, { origin: [A] })
  app.get('/items', async () => ({ items: [] }))
  app.put('/items/:id', async () => ({ updated: true }))
  app.register(async (child) => {
    await child.register(corsPolicy, { origin: [B], credentials: true, ...childExtra })
    if (auth) {
      // declared after the plugin, as the README says: preflights must still be answered
      child.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization !== 'Bearer ok') {
          authRefusals++
          return reply.code(401).send({ error: 'unauthorised' })
        }
      })
    }
    const onRequest = async (request: FastifyRequest): Promise<void> => { seenInOnRequest.push(record(request.cors)) }
    child.get('/users', { onRequest }, async (request) => ({ cors: record(request.cors) }))
    child.put('/users/:id', { onRequest }, async () => ({ updated: true }))
    child.delete('/users/:id', { onRequest }, async () => ({ deleted: true }))
    child.get('/partners', { config: { cors: { origin: [B, C] } } }, async () => ({ partners: [] }))
    // a grandchild scope without a registration of its own: the child's policy covers it
    child.register(async (grandchild) => {
      grandchild.get('/reports', async () => ({ reports: [] }))
    }, { prefix: '/deep' })
  }, { prefix: '/admin' })
  // a sibling scope without a registration: the parent's policy
  app.register(async (sibling) => {
    sibling.get('/status', async () => ({ ok: true }))
  }, { prefix: '/public' })
  await app.ready()
  return { app, decisions, seenInOnRequest, get authRefusals () { return authRefusals } }
}

const CHILD_GRANT = { 'access-control-allow-origin': B, 'access-control-allow-credentials': 'true' }

test("the child's policy decides actual requests under /admin: A refused, B allowed with ACAC", async (t) => {
  const { app, decisions } = await nested(t)
  const refused = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: A } })
  t.equal(refused.statusCode, 200)
  t.same(corsHeadersOf(refused), {})
  t.equal(refused.headers.vary, 'Origin')
  const allowed = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: B } })
  t.equal(allowed.statusCode, 200)
  t.same(corsHeadersOf(allowed), CHILD_GRANT)
  t.equal(allowed.headers.vary, 'Origin')
  t.same(allowed.json(), { cors: { origin: B, preflight: false, allowed: true, reason: 'allowed' } })
  const put = await app.inject({ method: 'PUT', url: '/admin/users/7', headers: { origin: B } })
  t.same(corsHeadersOf(put), CHILD_GRANT)
  const noOrigin = await app.inject({ method: 'GET', url: '/admin/users' })
  t.same(corsHeadersOf(noOrigin), {})
  t.equal(noOrigin.headers.vary, 'Origin')
  t.same(decisions.map((d) => [d.origin, d.allowed, d.reason]), [
    [A, false, 'origin-not-allowed'], [B, true, 'allowed'], [B, true, 'allowed'], [undefined, true, 'no-origin']
  ])
  t.equal(decisions[0]?.detail, "origin 'https://a.example.com' is not in the allow-list for GET /admin/users; add it to `origin`")
})

test("the child's routes' config.cors merges over the child's options, a grandchild inherits the child's policy", async (t) => {
  const { app } = await nested(t)
  const partner = await app.inject({ method: 'GET', url: '/admin/partners', headers: { origin: C } })
  t.same(corsHeadersOf(partner), { 'access-control-allow-origin': C, 'access-control-allow-credentials': 'true' }, 'credentials come from the child')
  const parentOrigin = await app.inject({ method: 'GET', url: '/admin/partners', headers: { origin: A } })
  t.same(corsHeadersOf(parentOrigin), {})
  const deep = await app.inject({ method: 'GET', url: '/admin/deep/reports', headers: { origin: B } })
  t.same(corsHeadersOf(deep), CHILD_GRANT)
  const deepA = await app.inject({ method: 'GET', url: '/admin/deep/reports', headers: { origin: A } })
  t.same(corsHeadersOf(deepA), {})
  const deepPreflight = await app.inject({ method: 'OPTIONS', url: '/admin/deep/reports', headers: preflightHeaders(B, 'GET', 'x-csrf') })
  t.equal(deepPreflight.statusCode, 204)
  t.same(corsHeadersOf(deepPreflight), { ...CHILD_GRANT, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'x-csrf' })
})

test("preflights to /admin routes are answered by the child's policy", async (t) => {
  const { app, decisions } = await nested(t)
  const allowed = await app.inject({ method: 'OPTIONS', url: '/admin/users/1', headers: preflightHeaders(B, 'PUT', 'x-csrf') })
  t.equal(allowed.statusCode, 204)
  t.equal(allowed.headers['content-length'], '0')
  t.same(corsHeadersOf(allowed), {
    ...CHILD_GRANT,
    'access-control-allow-methods': 'PUT, DELETE',
    'access-control-allow-headers': 'x-csrf'
  })
  t.equal(allowed.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  const refused = await app.inject({ method: 'OPTIONS', url: '/admin/users/1', headers: preflightHeaders(A, 'PUT') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
  // a URL under /admin that no route serves: the child's policy for the requested method
  const unserved = await app.inject({ method: 'OPTIONS', url: '/admin/missing', headers: preflightHeaders(B, 'PATCH') })
  t.equal(unserved.statusCode, 204)
  t.same(corsHeadersOf(unserved), { ...CHILD_GRANT, 'access-control-allow-methods': 'PATCH' })
  const unservedA = await app.inject({ method: 'OPTIONS', url: '/admin/missing', headers: preflightHeaders(A, 'PATCH') })
  t.equal(unservedA.statusCode, 403)
  t.same(corsHeadersOf(unservedA), {})
  t.same(decisions.map((d) => [d.preflight, d.origin, d.reason]), [
    [true, B, 'allowed'], [true, A, 'origin-not-allowed'], [true, B, 'allowed'], [true, A, 'origin-not-allowed']
  ])
})

test('a 404 under /admin is readable by B only; a 404 elsewhere by A only', async (t) => {
  const { app } = await nested(t)
  for (const url of ['/admin/missing', '/admin', '/admin/deep/missing']) {
    const b = await app.inject({ method: 'GET', url, headers: { origin: B } })
    t.equal(b.statusCode, 404, url)
    t.same(corsHeadersOf(b), CHILD_GRANT, url)
    t.equal(b.headers.vary, 'Origin', url)
    const a = await app.inject({ method: 'GET', url, headers: { origin: A } })
    t.equal(a.statusCode, 404, url)
    t.same(corsHeadersOf(a), {}, url)
  }
  // /administrator is not under the /admin prefix
  for (const url of ['/missing', '/administrator']) {
    const a = await app.inject({ method: 'GET', url, headers: { origin: A } })
    t.equal(a.statusCode, 404, url)
    t.same(corsHeadersOf(a), { 'access-control-allow-origin': A }, url)
    const b = await app.inject({ method: 'GET', url, headers: { origin: B } })
    t.same(corsHeadersOf(b), {}, url)
  }
})

test("the parent's routes (and a sibling scope without a registration) are unaffected", async (t) => {
  const { app } = await nested(t)
  for (const url of ['/items', '/public/status']) {
    const a = await app.inject({ method: 'GET', url, headers: { origin: A } })
    t.equal(a.statusCode, 200, url)
    t.same(corsHeadersOf(a), { 'access-control-allow-origin': A }, `${url}: no ACAC from the child`)
    t.equal(a.headers.vary, 'Origin')
    const b = await app.inject({ method: 'GET', url, headers: { origin: B } })
    t.same(corsHeadersOf(b), {}, url)
  }
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': A, 'access-control-allow-methods': 'PUT' })
  const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(B, 'PUT') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
})

test("hook: 'preHandler' in the child while the parent decides in onRequest", async (t) => {
  const { app, seenInOnRequest, decisions } = await nested(t, { hook: 'preHandler' })
  const res = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: B } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), CHILD_GRANT)
  t.same(seenInOnRequest, [null], "request.cors is null in the route's onRequest hook: decided later, in preHandler")
  t.same(res.json(), { cors: { origin: B, preflight: false, allowed: true, reason: 'allowed' } }, 'decided before the handler')
  const refused = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: A } })
  t.same(corsHeadersOf(refused), {})
  t.same(seenInOnRequest, [null, null])
  // the parent's routes are still decided in onRequest
  const parent = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(parent), { 'access-control-allow-origin': A })
  t.same(decisions.map((d) => [d.origin, d.reason]), [[B, 'allowed'], [A, 'origin-not-allowed'], [A, 'allowed']])
})

test("hook: 'preHandler' in the child: preflights are answered in onRequest, before the child's auth hook", async (t) => {
  const state = await nested(t, { hook: 'preHandler' }, true)
  const { app } = state
  const preflight = await app.inject({ method: 'OPTIONS', url: '/admin/users/1', headers: preflightHeaders(B, 'DELETE', 'authorization') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { ...CHILD_GRANT, 'access-control-allow-methods': 'PUT, DELETE', 'access-control-allow-headers': 'authorization' })
  t.equal(state.authRefusals, 0, 'the auth hook never saw the preflight')
  const refused = await app.inject({ method: 'OPTIONS', url: '/admin/users/1', headers: preflightHeaders(A, 'DELETE') })
  t.equal(refused.statusCode, 403)
  t.equal(state.authRefusals, 0)
  // the actual request without credentials: the auth hook's 401 is readable by B (decided in onSend)
  const unauthorised = await app.inject({ method: 'DELETE', url: '/admin/users/1', headers: { origin: B } })
  t.equal(unauthorised.statusCode, 401)
  t.same(corsHeadersOf(unauthorised), CHILD_GRANT)
  t.equal(unauthorised.headers.vary, 'Origin')
  t.same(state.seenInOnRequest, [], 'the route never ran')
  const unauthorisedA = await app.inject({ method: 'DELETE', url: '/admin/users/1', headers: { origin: A } })
  t.equal(unauthorisedA.statusCode, 401)
  t.same(corsHeadersOf(unauthorisedA), {})
  const authorised = await app.inject({ method: 'DELETE', url: '/admin/users/1', headers: { origin: B, authorization: 'Bearer ok' } })
  t.equal(authorised.statusCode, 200)
  t.same(corsHeadersOf(authorised), CHILD_GRANT)
  t.same(state.seenInOnRequest, [null])
  t.equal(state.authRefusals, 2)
})

test('registering twice in the same scope is still FST_CORS_ALREADY_REGISTERED, in a child scope too', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [A] })
  app.register(async (child) => {
    child.register(corsPolicy, { origin: [B] })
    child.register(corsPolicy, { origin: [C] })
  }, { prefix: '/admin' })
  await t.rejects(async () => { await app.ready() }, { code: 'FST_CORS_ALREADY_REGISTERED' })

  // a plugin wrapped with fastify-plugin does not create a scope: registering inside it is the same scope
  const flat = Fastify()
  t.teardown(() => flat.close())
  flat.register(corsPolicy, { origin: [A] })
  flat.register(fp(async (same) => { await same.register(corsPolicy, { origin: [B] }) }))
  await t.rejects(async () => { await flat.ready() }, { code: 'FST_CORS_ALREADY_REGISTERED' })
})

test('a child registration without a prefix owns its own routes; the parent keeps its 404s', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [A] })
  app.get('/items', async () => 'items')
  app.register(async (child) => {
    await child.register(corsPolicy, { origin: [B], credentials: true })
    child.get('/partner', async () => 'partner')
  })
  await app.ready()
  const partner = await app.inject({ method: 'GET', url: '/partner', headers: { origin: B } })
  t.same(corsHeadersOf(partner), CHILD_GRANT)
  const partnerA = await app.inject({ method: 'GET', url: '/partner', headers: { origin: A } })
  t.same(corsHeadersOf(partnerA), {})
  const partnerPreflight = await app.inject({ method: 'OPTIONS', url: '/partner', headers: preflightHeaders(B, 'GET', 'x-a') })
  t.equal(partnerPreflight.statusCode, 204)
  t.same(corsHeadersOf(partnerPreflight), { ...CHILD_GRANT, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'x-a' })
  const items = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(items), { 'access-control-allow-origin': A })
  const missing = await app.inject({ method: 'GET', url: '/missing', headers: { origin: A } })
  t.equal(missing.statusCode, 404)
  t.same(corsHeadersOf(missing), { 'access-control-allow-origin': A })
})
