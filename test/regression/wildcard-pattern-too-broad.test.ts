// Wildcard patterns that allow almost anything (`h*`, `*.com`), especially with credentials:
// rs/cors#197, PR #216. The rule: only a leading `*.` label of a registrable domain
// and a `:*` port; `*.example.com` means one or more labels, never the apex.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

for (const origin of ['https://h*', 'https://*', 'https://*.com', 'https://*.*.example.com', 'https://app.*.example.com', '*.example.com', 'https://*example.com']) {
  test(`refused at registration: ${origin}`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    // '*.com' is well formed but lets every .com site in: unsafe rather than invalid
    const code = origin === 'https://*.com' ? 'FST_CORS_UNSAFE_OPTIONS' : 'FST_CORS_INVALID_OPTIONS'
    await t.rejects(async () => { await app.register(corsPolicy, { origin, credentials: true }) }, { code })
  })
}

test('https://*.example.com with credentials: subdomains only, same scheme and port', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'https://*.example.com', credentials: true } })
  const cases: Array<[string, boolean]> = [
    ['https://app.example.com', true],
    ['https://a.b.example.com', true],
    ['https://example.com', false],
    ['https://evilexample.com', false],
    ['https://app.example.com.evil.test', false],
    ['https://app.example.com:8443', false],
    ['http://app.example.com', false],
    ['https://app-example.com', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' } : {}, origin)
  }
})

test('http://localhost:* allows every port of localhost, and nothing else', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'http://localhost:*' } })
  const cases: Array<[string, boolean]> = [
    ['http://localhost', true],
    ['http://localhost:3000', true],
    ['https://localhost:3000', false],
    ['http://localhost.evil.test:3000', false],
    ['http://127.0.0.1:3000', false],
    ['http://app.localhost:3000', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin } : {}, origin)
  }
})
