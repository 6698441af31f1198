// Unanchored or half-anchored RegExp origins are bypassed: expressjs/cors#408 and PR #412 (the
// README's own example matched evil-example.com), sanic-cors PR #68 (CVE-2026-37737, re.match
// anchors only the start), quarkusio/quarkus#34718, gotify/server#1052.
// The rule: a RegExp must be anchored ^…$ on every alternative; its lastIndex is never relied on.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

const unanchored: Array<{ desc: string, origin: RegExp }> = [
  { desc: 'no anchors (expressjs/cors#408)', origin: /example\.com$/ },
  { desc: 'start anchor only (re.match semantics)', origin: /^https:\/\/.*example\.com/ },
  { desc: 'end anchor only', origin: /https:\/\/app\.example\.com$/ },
  { desc: 'one alternative unanchored', origin: /^https:\/\/a\.example$|b\.example/ }
]

for (const c of unanchored) {
  test(`refused at registration: ${c.desc}`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(corsPolicy, { origin: c.origin }) }, { code: 'FST_CORS_UNSAFE_OPTIONS' })
  })
}

test('an anchored RegExp matches whole origins only', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: /^https:\/\/([a-z0-9-]+\.)?example\.com$/ } })
  const cases: Array<[string, boolean]> = [
    ['https://example.com', true],
    ['https://app.example.com', true],
    ['https://evil-example.com', false],
    ['https://example.com.evil.test', false],
    ['https://evilexample.com', false],
    ['http://example.com', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin } : {}, origin)
  }
})

test('a global or sticky RegExp answers the same every time (lastIndex is never relied on)', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: /^https:\/\/app\.example\.com$/gy } })
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.com' } })
    t.equal(res.headers['access-control-allow-origin'], 'https://app.example.com', `request ${i + 1}`)
  }
})
