// Echoing Access-Control-Request-Method verbatim lets `GET, DELETE` grant extra methods:
// google/go-safeweb PR #372. ACRM must be a single method token (Fetch#http-new-header-syntax),
// otherwise the preflight is denied (reason method-not-allowed) and nothing is echoed.
import { test } from 'tap'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'

for (const method of ['GET, DELETE', 'PUT,DELETE', 'PUT DELETE', '', 'X'.repeat(65), 'DEL\u00e9TE', 'PUT;DELETE']) {
  test(`ACRM ${JSON.stringify(method.length > 20 ? method.slice(0, 10) + '…' : method)} is refused and never echoed`, async (t) => {
    const api = await buildApp(t, { cors: { origin: [ORIGIN] } })
    // an unserved URL is where the requested method would otherwise be echoed
    const res = await api.app.inject({ method: 'OPTIONS', url: '/unserved', headers: preflightHeaders(ORIGIN, method) })
    t.equal(res.statusCode, 204)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': ORIGIN })
    t.match(api.lastDecision(), { preflight: true, allowed: false, reason: 'method-not-allowed' })
  })
}

test('a single valid token is echoed for an unserved URL, so the page can read the 404', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN] } })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/unserved', headers: preflightHeaders(ORIGIN, 'PURGE') })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'PURGE' })
})

test('a served URL answers with its own methods, whatever is asked', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN] } })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(ORIGIN, 'DELETE') })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' })
})

test('configured methods are compared case-sensitively, as browsers do (Fetch#concept-method-normalize)', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN], methods: ['PATCH'] } })
  const lower = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'patch') })
  t.match(api.lastDecision(), { allowed: false, reason: 'method-not-allowed' })
  t.same(corsHeadersOf(lower), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'PATCH' })
})
