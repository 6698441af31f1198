// `*` is a valid method token and a valid header name, so `Access-Control-Request-Method: *` and
// `Access-Control-Request-Headers: *` passed validation and were echoed. In a preflight answer `*` is
// a wildcard for requests without credentials (https://fetch.spec.whatwg.org/#cors-preflight-fetch-0
// step 7.5 and 7.6), and the browser caches it as such (#concept-cache-match-method): one page's
// `fetch(url, { method: '*' })` unlocked every method at that URL (issue 10, case 3).
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { CachingPage, allowedHeadersOf, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const PARTNER = 'https://partner.example.net'

function routes (runs: Record<string, number>) {
  return (app: FastifyInstance): void => {
    app.get('/items/:id', async () => { runs.get = (runs.get ?? 0) + 1; return { id: 1 } })
    app.put('/items/:id', { config: { cors: { allowedHeaders: ['content-type'] } } }, async () => { runs.put = (runs.put ?? 0) + 1; return { updated: true } })
    app.delete('/items/:id', { config: { cors: { origin: [FRONT] } } }, async (_request, reply) => { runs.delete = (runs.delete ?? 0) + 1; return reply.code(204).send() })
  }
}

test('ACRM * is never echoed for an unserved URL', async (t) => {
  const api = await buildApp(t, { cors: { origin: [FRONT, PARTNER] } })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/unserved', headers: preflightHeaders(PARTNER, '*') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': PARTNER })
  t.match(api.lastDecision(), { preflight: true, allowed: false, reason: 'method-not-allowed' })
})

test('ACRM * is never echoed for a served URL: the answer lists methods by name', async (t) => {
  const runs: Record<string, number> = {}
  const api = await buildApp(t, { cors: { origin: [FRONT, PARTNER] }, routes: routes(runs) })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(PARTNER, '*') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], PARTNER)
  t.notOk(allowedMethodsOf(res)?.includes('*'), `ACAM ${String(res.headers['access-control-allow-methods'])} has no *`)
  // DELETE refuses the partner, and PUT grants it, so GET, HEAD and PUT are what it may send
  t.same(allowedMethodsOf(res), ['GET', 'HEAD', 'PUT'])
  t.match(api.lastDecision(), { preflight: true, allowed: false, reason: 'method-not-allowed' })
})

test("a page's method * preflight does not unlock a DELETE whose route refuses that page", async (t) => {
  const runs: Record<string, number> = {}
  const api = await buildApp(t, { cors: { origin: [FRONT, PARTNER] }, routes: routes(runs) })
  const page = new CachingPage(api.app)
  const star = await page.fetch({ origin: PARTNER, method: '*', url: '/items/1' })
  t.equal(star.preflight?.statusCode, 204)
  t.equal(star.sent, false, 'the browser refuses the preflight: * is not listed')
  const remove = await page.fetch({ origin: PARTNER, method: 'DELETE', url: '/items/1' })
  t.equal(remove.preflight?.statusCode, 403, 'the DELETE is preflighted (not cached) and refused')
  t.equal(remove.sent, false, 'the DELETE is never sent')
  t.equal(runs.delete ?? 0, 0)
})

for (const requested of ['*', 'x-a,*', '*,x-a']) {
  test(`ACRH ${JSON.stringify(requested)} is refused and * never echoed`, async (t) => {
    const runs: Record<string, number> = {}
    const api = await buildApp(t, { cors: { origin: [FRONT, PARTNER] }, routes: routes(runs) })
    const res = await api.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(PARTNER, 'GET', requested) })
    t.equal(res.statusCode, 204)
    t.equal(res.headers['access-control-allow-origin'], PARTNER)
    t.notOk(allowedHeadersOf(res)?.includes('*'), `ACAH ${String(res.headers['access-control-allow-headers'])} has no *`)
    t.notOk(allowedMethodsOf(res)?.includes('*'))
    t.match(api.lastDecision(), { preflight: true, allowed: false, reason: 'header-not-allowed' })
  })
}

test("a page's header * preflight does not unlock a header the PUT route refuses", async (t) => {
  const runs: Record<string, number> = {}
  const api = await buildApp(t, { cors: { origin: [FRONT, PARTNER] }, routes: routes(runs) })
  const page = new CachingPage(api.app)
  const json = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/items/1', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(json.actual?.statusCode, 200, 'a JSON PUT is allowed')
  const star = await page.fetch({ origin: PARTNER, method: 'GET', url: '/items/1', headers: { '*': '1' } })
  t.equal(star.sent, false, 'the browser refuses the preflight: * is not listed')
  const evil = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/items/1', headers: { 'x-evil': '1' } })
  t.equal(evil.preflight?.statusCode, 204, 'the PUT with x-evil is preflighted (not covered by a cached *)')
  t.same(evil.preflight === undefined ? undefined : allowedHeadersOf(evil.preflight), ['content-type'], 'and told which header is allowed')
  t.equal(evil.sent, false, 'it is never sent')
  t.same(runs, { put: 1 })
})
