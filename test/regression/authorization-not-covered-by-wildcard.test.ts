// `Access-Control-Allow-Headers: *` does not cover Authorization in the Fetch standard
// (Fetch#cors-non-wildcard-request-header-name), though browsers have not enforced it yet:
// whatwg/fetch#1919, mdn/browser-compat-data#20092, pyrates/roll#79.
// The rule here: Authorization is never covered by '*'; it must be listed.
import { test } from 'tap'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'

test("allowedHeaders '*' refuses a preflight that asks for Authorization, and names the fix", async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN], allowedHeaders: '*' } })
  for (const requested of ['authorization', 'content-type,authorization', 'Authorization']) {
    const res = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', requested) })
    t.equal(res.statusCode, 204)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST', 'access-control-allow-headers': '*' }, requested)
    t.match(api.lastDecision(), { allowed: false, reason: 'header-not-allowed', detail: /'\*' does not cover Authorization; list it explicitly/ })
  }
  const other = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', 'content-type,x-custom') })
  t.match(api.lastDecision(), { allowed: true, reason: 'allowed' })
  t.equal(other.headers['access-control-allow-headers'], '*')
})

test("listing Authorization next to '*' allows it", async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN], allowedHeaders: ['*', 'Authorization'] } })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', 'authorization,x-custom') })
  t.equal(res.headers['access-control-allow-headers'], '*, Authorization')
  t.match(api.lastDecision(), { allowed: true, reason: 'allowed' })
})

test('the default (reflect the validated request headers) names Authorization explicitly', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN], credentials: true } })
  const res = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', 'authorization') })
  t.equal(res.headers['access-control-allow-headers'], 'authorization')
  t.match(api.lastDecision(), { allowed: true })
})
