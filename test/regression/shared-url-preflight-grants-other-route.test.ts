// Two routes at one URL with different policies: a preflight for one of them must not grant what the
// other refuses. Browsers cache a preflight answer per origin, URL and credentials mode, one entry per
// listed method and header (https://fetch.spec.whatwg.org/#cors-preflight-cache), and later send any
// cached method or header without asking again: an ACAM listing every method at the URL let a
// partner page's credentialed PUT reach a handler whose own policy refuses the partner (issue 10, case 1).
import { test, type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { CachingPage, allowedHeadersOf, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const PARTNER = 'https://partner.example.net'
const EVIL = 'https://evil.example'
const VARY_ALL = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

/** The invariant itself: a method the answer lists is one the origin may send without asking again. */
function assertDoesNotGrant (t: Test, res: LightMyRequestResponse, forbidden: string, message: string): void {
  const methods = allowedMethodsOf(res) ?? []
  t.notOk(methods.includes(forbidden) || methods.includes('*'), `${message}: ACAM ${String(res.headers['access-control-allow-methods'])} must not grant ${forbidden}`)
  if (res.headers['access-control-max-age'] === '0') t.same(methods, ['GET'], `${message}: an exact answer lists the requested method only`)
}

async function accountApp (t: Test, cors: FastifyCorsOptions = { origin: [FRONT, PARTNER], credentials: true, maxAge: 600 }) {
  const runs = { get: 0, put: 0 }
  const api = await buildApp(t, {
    cors,
    routes: (app) => {
      app.get('/account', async () => { runs.get++; return { name: 'acme' } })
      app.put('/account', { config: { cors: { origin: [FRONT] } } }, async () => { runs.put++; return { updated: true } })
    }
  })
  return { ...api, runs }
}

test("the partner's GET preflight does not advertise PUT, which only the front end may send", async (t) => {
  const api = await accountApp(t)
  const put = await api.app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(PARTNER, 'PUT', 'x-custom') })
  t.equal(put.statusCode, 403)
  t.same(corsHeadersOf(put), {})

  const get = await api.app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(PARTNER, 'GET', 'x-custom') })
  assertDoesNotGrant(t, get, 'PUT', 'GET preflight of the partner')
  t.equal(get.statusCode, 204)
  t.equal(get.headers['access-control-allow-origin'], PARTNER)
  t.equal(get.headers['access-control-allow-credentials'], 'true')
  t.same(allowedMethodsOf(get), ['GET', 'HEAD'], 'the routes every one of which grants the partner, plus the safelisted methods served')
  t.same(allowedHeadersOf(get), ['x-custom'])
  t.equal(get.headers['access-control-max-age'], '600')
  t.equal(get.headers.vary, VARY_ALL)
  t.match(api.lastDecision(), { preflight: true, allowed: true, reason: 'allowed' })
  t.same(api.runs, { get: 0, put: 0 })
})

test("the partner page's credentialed PUT never reaches the PUT handler after its GET was preflighted", async (t) => {
  const api = await accountApp(t)
  const page = new CachingPage(api.app)
  const read = await page.fetch({ origin: PARTNER, method: 'GET', url: '/account', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(read.preflight?.statusCode, 204)
  t.equal(read.actual?.statusCode, 200)
  const write = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/account', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(write.preflight?.statusCode, 403, 'the PUT is preflighted (not cached) and refused')
  t.equal(write.sent, false, 'the actual request is not sent')
  t.same(api.runs, { get: 1, put: 0 })
})

test('the front end still gets PUT, and the answer is cached with the policies\' max-age', async (t) => {
  const api = await accountApp(t)
  const res = await api.app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(FRONT, 'PUT', 'x-custom') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], FRONT)
  t.equal(res.headers['access-control-allow-credentials'], 'true')
  t.same(allowedMethodsOf(res), ['GET', 'HEAD', 'PUT'])
  t.same(allowedHeadersOf(res), ['x-custom'])
  t.equal(res.headers['access-control-max-age'], '600')
  const page = new CachingPage(api.app)
  for (let i = 0; i < 2; i++) {
    const write = await page.fetch({ origin: FRONT, method: 'PUT', url: '/account', headers: { 'x-custom': '1' }, credentials: true })
    t.equal(write.actual?.statusCode, 200)
  }
  t.same(api.runs, { get: 0, put: 2 })
})

test('strict GET next to an open PUT: a header granted to the PUT is answered exactly, with max-age 0', async (t) => {
  // browsers send GET (a safelisted method) without a method entry, so a header cached by the PUT
  // preflight would also unlock a GET carrying it
  const runs = { get: 0, put: 0 }
  const api = await buildApp(t, {
    cors: { origin: [FRONT, PARTNER], credentials: true, maxAge: 600 },
    routes: (app) => {
      app.get('/report', { config: { cors: { origin: [FRONT] } } }, async () => { runs.get++; return { secret: true } })
      app.put('/report', async () => { runs.put++; return { stored: true } })
    }
  })
  const withHeader = await api.app.inject({ method: 'OPTIONS', url: '/report', headers: preflightHeaders(PARTNER, 'PUT', 'x-custom') })
  t.equal(withHeader.statusCode, 204)
  t.equal(withHeader.headers['access-control-allow-origin'], PARTNER)
  t.equal(withHeader.headers['access-control-allow-credentials'], 'true')
  t.same(allowedMethodsOf(withHeader), ['PUT'])
  t.same(allowedHeadersOf(withHeader), ['x-custom'])
  t.equal(withHeader.headers['access-control-max-age'], '0')
  t.match(api.lastDecision(), { preflight: true, allowed: true, reason: 'allowed' })

  const plain = await api.app.inject({ method: 'OPTIONS', url: '/report', headers: preflightHeaders(PARTNER, 'PUT') })
  t.equal(plain.statusCode, 204)
  // GET and HEAD refuse the partner: not listed either (an XHR with upload listeners preflights even a GET)
  t.same(allowedMethodsOf(plain), ['PUT'], 'only what every route of each listed method grants')
  t.equal(plain.headers['access-control-allow-headers'], undefined)
  t.equal(plain.headers['access-control-max-age'], '600')

  const page = new CachingPage(api.app)
  const write = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/report', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(write.actual?.statusCode, 200)
  const read = await page.fetch({ origin: PARTNER, method: 'GET', url: '/report', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(read.preflight?.statusCode, 403, 'the GET with the custom header is preflighted and refused')
  t.equal(read.sent, false, 'the actual request is not sent')
  t.same(runs, { get: 0, put: 1 })
})

test("a public origin '*' GET next to a private DELETE: no site gets DELETE advertised", async (t) => {
  const runs = { get: 0, delete: 0 }
  const api = await buildApp(t, {
    cors: { origin: [FRONT], credentials: true, maxAge: 600 },
    routes: (app) => {
      app.get('/doc', { config: { cors: { origin: '*', credentials: false } } }, async () => { runs.get++; return { doc: 1 } })
      app.delete('/doc', async (_request, reply) => { runs.delete++; return reply.code(204).send() })
    }
  })
  const get = await api.app.inject({ method: 'OPTIONS', url: '/doc', headers: preflightHeaders(EVIL, 'GET', 'x-custom') })
  assertDoesNotGrant(t, get, 'DELETE', 'GET preflight of any site')
  t.equal(get.statusCode, 204)
  // either is right for a public route; what matters is what the answer grants
  t.ok(['*', EVIL].includes(get.headers['access-control-allow-origin'] as string), `ACAO ${String(get.headers['access-control-allow-origin'])}`)
  t.equal(get.headers['access-control-allow-credentials'], undefined)
  t.same(allowedMethodsOf(get), ['GET', 'HEAD'])
  t.same(allowedHeadersOf(get), ['x-custom'])

  const del = await api.app.inject({ method: 'OPTIONS', url: '/doc', headers: preflightHeaders(EVIL, 'DELETE') })
  t.equal(del.statusCode, 403)
  t.same(corsHeadersOf(del), {})

  const page = new CachingPage(api.app)
  const read = await page.fetch({ origin: EVIL, method: 'GET', url: '/doc', headers: { 'x-custom': '1' } })
  t.equal(read.actual?.statusCode, 200)
  const remove = await page.fetch({ origin: EVIL, method: 'DELETE', url: '/doc' })
  t.equal(remove.preflight?.statusCode, 403, 'the DELETE is preflighted (not cached) and refused')
  t.equal(remove.sent, false, 'the actual request is not sent')
  t.same(runs, { get: 1, delete: 0 })

  const front = await api.app.inject({ method: 'OPTIONS', url: '/doc', headers: preflightHeaders(FRONT, 'DELETE') })
  t.equal(front.statusCode, 204)
  t.equal(front.headers['access-control-allow-origin'], FRONT)
  t.equal(front.headers['access-control-allow-credentials'], 'true')
  // the '*' GET grants no credentials, so the front end's credentialed grant lists DELETE alone
  t.same(allowedMethodsOf(front), ['DELETE'])
  t.equal(front.headers['access-control-max-age'], '600')
})

test('a configured `methods` list is not advertised to an origin a route at the URL refuses', async (t) => {
  const api = await accountApp(t, { origin: [FRONT, PARTNER], credentials: true, maxAge: 600, methods: ['GET', 'HEAD', 'PUT'] })
  const get = await api.app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(PARTNER, 'GET', 'x-custom') })
  assertDoesNotGrant(t, get, 'PUT', 'GET preflight of the partner')
  t.equal(get.statusCode, 204)
  t.equal(get.headers['access-control-allow-origin'], PARTNER)
  t.equal(get.headers['access-control-allow-credentials'], 'true')
  t.same(allowedMethodsOf(get), ['GET', 'HEAD'])
  t.same(allowedHeadersOf(get), ['x-custom'])

  const page = new CachingPage(api.app)
  await page.fetch({ origin: PARTNER, method: 'GET', url: '/account', headers: { 'x-custom': '1' }, credentials: true })
  const write = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/account', headers: { 'x-custom': '1' }, credentials: true })
  t.equal(write.preflight?.statusCode, 403)
  t.equal(write.sent, false, 'the actual request is not sent')
  t.same(api.runs, { get: 1, put: 0 })
})

test('a URL whose routes share one policy keeps its answer: configured methods and max-age', async (t) => {
  const runs = { n: 0 }
  const api = await buildApp(t, {
    cors: { origin: [FRONT, PARTNER], credentials: true, maxAge: 600, methods: ['GET', 'HEAD', 'PUT'] },
    routes: (app) => {
      app.get('/items', async () => { runs.n++; return [] })
      app.put('/items', async () => { runs.n++; return {} })
    }
  })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(PARTNER, 'GET', 'x-custom') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), {
    'access-control-allow-origin': PARTNER,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD, PUT',
    'access-control-allow-headers': 'x-custom',
    'access-control-max-age': '600'
  })
})
