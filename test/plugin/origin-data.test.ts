// An origin function's `{ allow, data }` answer: `data` reaches the handler as request.cors.originData,
// on a cache miss and on a hit, on actual requests and preflights; it stays out of serialisers.
import { test } from 'tap'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders } from '../helpers/build-app.js'
import type { OriginCallback } from '../../lib/index.js'

const TENANT = 'https://tenant.example.net'
const OTHER = 'https://other.example.net'
const ACME = Object.freeze({ tenantId: 'acme', plan: 'pro' })

/** Routes whose handler answers what it sees of the decision. */
function echoRoutes (instance: FastifyInstance): void {
  instance.get('/items', async (request) => ({
    originData: request.cors?.originData ?? null,
    enumerable: Object.keys(request.cors ?? {}).includes('originData'),
    serialised: JSON.stringify(request.cors)
  }))
}

test('the data reaches the handler on a miss and on a cache hit (the same object), and stays out of serialisers', async (t) => {
  let calls = 0
  const seen: unknown[] = []
  const { app } = await buildApp(t, {
    cors: { origin: async (origin) => { calls++; return { allow: origin === TENANT, data: ACME } }, originCache: true },
    routes: (instance) => {
      echoRoutes(instance)
      instance.get('/same', async (request) => { seen.push(request.cors?.originData); return 'ok' })
    }
  })
  for (let i = 0; i < 2; i++) {
    const response = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.equal(response.headers['access-control-allow-origin'], TENANT)
    const body = response.json()
    t.same(body.originData, ACME, i === 0 ? 'miss' : 'hit')
    t.equal(body.enumerable, false)
    t.notMatch(body.serialised, 'acme')
  }
  await app.inject({ method: 'GET', url: '/same', headers: { origin: TENANT } })
  t.equal(seen[0], ACME, 'the very object the function answered')
  t.equal(calls, 1)
})

test('without originCache, every answer carries its data; a refusal carries it too', async (t) => {
  const { app, decisions } = await buildApp(t, {
    cors: { origin: (origin: string, cb: OriginCallback) => { setImmediate(() => { cb(null, { allow: origin === TENANT, data: { tenantId: origin } }) }) } },
    routes: echoRoutes
  })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(allowed.json().originData, { tenantId: TENANT })
  const refused = await app.inject({ method: 'GET', url: '/items', headers: { origin: OTHER } })
  t.same(corsHeadersOf(refused), {})
  t.same(refused.json().originData, { tenantId: OTHER }, 'the handler still learns what the lookup found')
  t.same(decisions.map((d) => d.reason), ['allowed', 'origin-not-allowed'])
})

test('allow takes every answer an origin function may give', async (t) => {
  const cases: Array<{ allow: unknown, origin: string, acao: string | undefined }> = [
    { allow: [TENANT, 'https://*.example.org'], origin: TENANT, acao: TENANT },
    { allow: 'https://*.example.net', origin: TENANT, acao: TENANT },
    { allow: /^https:\/\/tenant\.example\.net$/, origin: TENANT, acao: TENANT },
    { allow: '*', origin: TENANT, acao: '*' },
    { allow: [OTHER], origin: TENANT, acao: undefined },
    { allow: null, origin: TENANT, acao: undefined }
  ]
  for (const c of cases) {
    const { app } = await buildApp(t, { cors: { origin: () => ({ allow: c.allow as boolean, data: { n: 1 } }) }, routes: echoRoutes })
    const response = await app.inject({ method: 'GET', url: '/items', headers: { origin: c.origin } })
    t.equal(response.headers['access-control-allow-origin'], c.acao, String(c.allow))
    t.same(response.json().originData, { n: 1 })
  }
})

test('answers without data leave originData unset', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: () => ({ allow: true }) }, routes: echoRoutes })
  const response = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(response.headers['access-control-allow-origin'], TENANT)
  t.equal(response.json().originData, null)
  const plain = await buildApp(t, { cors: { origin: [TENANT] }, routes: echoRoutes })
  t.equal((await plain.app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })).json().originData, null)
})

test('an object that is not { allow, data }, or whose allow cannot be read, denies (logged)', async (t) => {
  const throwingAllow = { get allow (): boolean { throw new Error('getter') }, data: 1 }
  const cases: Array<{ answer: unknown, message: string }> = [
    { answer: { data: ACME }, message: `fastify-cors-policy: the origin function answered {"data":{"tenantId":"acme","plan":"pro"}} for origin '${TENANT}', which cannot be used: expected true, false, an origin, a pattern, an anchored RegExp, an array of these, or { allow, data }; the request is denied` },
    { answer: { allow: { allow: true } }, message: `fastify-cors-policy: the origin function answered {"allow":{"allow":true}} for origin '${TENANT}', which cannot be used: expected true, false, an origin, a pattern, an anchored RegExp, an array of these, or { allow, data }; the request is denied` },
    { answer: { allow: ['https://a.com/'] }, message: `fastify-cors-policy: the origin function answered {"allow":["https://a.com/"]} for origin '${TENANT}', which cannot be used: /origin/0 'https://a.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://a.com'?; the request is denied` },
    { answer: throwingAllow, message: `fastify-cors-policy: the origin function answered a value that could not be read for origin '${TENANT}'; the request is denied` }
  ]
  for (const c of cases) {
    const { app, logs, lastDecision } = await buildApp(t, { logLevel: 'warn', cors: { origin: () => c.answer as boolean }, routes: echoRoutes })
    const response = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.equal(response.statusCode, 200)
    t.same(corsHeadersOf(response), {})
    t.equal(response.json().originData, null, 'no data from an unusable answer')
    t.equal(lastDecision().reason, 'origin-check-failed')
    t.same(logs.filter((line) => line.level >= LOG_LEVEL.error).map((line) => line.msg), [c.message])
  }
})

test('preflights carry the data: a granted one, a refused one, one the route answers itself', async (t) => {
  const seen: unknown[] = []
  const { app } = await buildApp(t, {
    cors: { origin: async (origin) => ({ allow: origin === TENANT, data: { tenantId: origin } }), originCache: true },
    before: (instance) => { instance.addHook('onResponse', async (request) => { seen.push(request.cors?.originData) }) },
    routes: (instance) => {
      instance.put('/items/:id', async () => 'ok')
      instance.options('/own', async (request: FastifyRequest) => ({ originData: request.cors?.originData }))
      instance.put('/own', { config: { cors: { preflightContinue: true } } }, async () => 'ok')
    }
  })
  const granted = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(granted.statusCode, 204)
  const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(OTHER, 'PUT') })
  t.equal(refused.statusCode, 403)
  const continued = await app.inject({ method: 'OPTIONS', url: '/own', headers: preflightHeaders(TENANT, 'PUT') })
  t.same(continued.json(), { originData: { tenantId: TENANT } })
  t.same(seen, [{ tenantId: TENANT }, { tenantId: OTHER }, { tenantId: TENANT }])
})

test('a preflight to a URL whose routes differ carries the data of the policy that judged it', async (t) => {
  const seen: unknown[] = []
  const { app } = await buildApp(t, {
    cors: { origin: async () => ({ allow: true, data: 'plugin' }) },
    before: (instance) => { instance.addHook('onResponse', async (request) => { seen.push(request.cors?.originData) }) },
    routes: (instance) => {
      instance.get('/account', async () => 'ok')
      instance.put('/account', { config: { cors: { origin: async () => ({ allow: false, data: 'account' }) } } }, async () => 'ok')
      instance.delete('/account', { config: { cors: { origin: [OTHER] } } }, async () => 'ok')
    }
  })
  const granted = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(TENANT, 'GET', 'x-a') })
  t.equal(granted.statusCode, 204)
  const refused = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(refused.statusCode, 403)
  const listed = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(TENANT, 'DELETE') })
  t.equal(listed.statusCode, 403)
  t.same(seen, ['plugin', 'account', undefined], 'a list judges the last one: no data')
})
