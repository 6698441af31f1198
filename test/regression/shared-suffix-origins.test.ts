// Origins whose hosts share a suffix (https://foo.com and https://bar.com) must not combine into
// one that neither names: a radix-tree matcher once let https://barfoo.com in (jub0bs/cors
// GHSA-vhxv-fg4m-p2w8). Exact origins here live in a Set, patterns are probed per whole label.
import { test } from 'tap'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

test('exact origins and patterns sharing a host suffix admit only what they name', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: ['https://foo.com', 'https://bar.com', 'https://*.foo.net', 'https://*.bar.net'], credentials: true } })
  const cases: Array<[string, boolean]> = [
    ['https://foo.com', true],
    ['https://bar.com', true],
    ['https://a.foo.net', true],
    ['https://a.bar.net', true],
    ['https://barfoo.com', false],
    ['https://foobar.com', false],
    ['https://a.barfoo.net', false],
    ['https://barfoo.net', false],
    ['https://oo.com', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' } : {}, origin)
  }
})
