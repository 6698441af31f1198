// Anchored, so the anchoring check passes, yet the RegExp matches hosts anyone can register:
// /^https:\/\/.*$/ (every https site), /^(?=https:\/\/partner\.com).*$/ (a lookahead that checks a
// prefix: https://partner.com.attacker.test passes), /^https:\/\/.*example\.com$/ (attackerexample.com),
// /^https:\/\/[a-z]+\.github\.io$/ (every GitHub Pages site). The rule: the RegExp is tried on an
// attacker's origins built from the host names written in it, and refused when one matches.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

/** Registration as a real promise (register returns the instance, a thenable). */
async function registered (app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  await app.register(corsPolicy, options)
}

const FIX = "match whole host names only (no '.*', '.+' or lookahead across the host, no variable label right under a public suffix or as the top-level domain), or use a pattern such as 'https://*.example.com'"

const permissive: Array<[RegExp, string]> = [
  [/^https:\/\/.*$/, 'https://attacker.test'],
  [/^.+$/, 'https://attacker.test'],
  [/^https?:\/\/[^/]+$/, 'https://attacker.test'],
  [/^(?=https:\/\/partner\.com).*$/, 'https://partner.com.attacker.test'],
  [/^https:\/\/partner\.com.*$/, 'https://partner.com.attacker.test'],
  [/^https:\/\/.*example\.com$/, 'https://attackerexample.com'],
  [/^https:\/\/[a-z0-9-]*example\.com$/, 'https://attackerexample.com'],
  [/^https:\/\/[a-z]+\.github\.io$/, 'https://attacker.github.io'],
  [/^https:\/\/[a-z0-9-]+\.vercel\.app$/, 'https://attacker.vercel.app'],
  // the dot written as a class hides nothing
  [/^https:\/\/.*example[.]com$/, 'https://attackerexample.com'],
  [/^https:\/\/[a-z0-9-]+[.]vercel[.]app$/, 'https://attacker.vercel.app'],
  // a variable part in the label right under a public suffix
  [/^https:\/\/myapp-[a-z0-9-]+\.vercel\.app$/, 'https://myapp-attacker.vercel.app'],
  [/^https:\/\/myapp.*\.vercel\.app$/, 'https://myappattacker.vercel.app'],
  // upper case under the i flag
  [/^https:\/\/[a-z]+\.GITHUB\.IO$/i, 'https://attacker.github.io'],
  // any top-level domain, any IP address
  [/^https:\/\/mycompany\.[a-z]+$/, 'https://mycompany.attacker'],
  [/^https:\/\/\d+\.\d+\.\d+\.\d+(:\d+)?$/, 'https://7.7.7.7']
]

for (const [origin, attacker] of permissive) {
  test(`${String(origin)} is refused: it matches ${attacker}`, async (t) => {
    t.ok(origin.test(attacker), 'the attacker origin really matches')
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, { origin: ['https://app.example.com', origin] }), {
      code: 'FST_CORS_UNSAFE_OPTIONS',
      message: `Unsafe fastify-cors-policy options: /origin/1 ${String(origin)} also matches ${attacker}, a site anyone can register; ${FIX}`
    })
  })
}

test('RegExps that name whole hosts are accepted, and keep the attacker out', async (t) => {
  const origin = [/^https:\/\/([a-z0-9-]+\.)*example\.com$/, /^https:\/\/(alpha|beta)\.partner\.com(:\d{2,5})?$/, /^https:\/\/[a-z]+\.myapp\.github\.io$/]
  const { app } = await buildApp(t, { cors: { origin } })
  const cases: Array<[string, boolean]> = [
    ['https://app.example.com', true],
    ['https://beta.partner.com:8443', true],
    ['https://preview.myapp.github.io', true],
    ['https://attacker.test', false],
    ['https://attackerexample.com', false],
    ['https://partner.com.attacker.test', false],
    ['https://attacker.github.io', false]
  ]
  for (const [requestOrigin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: requestOrigin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': requestOrigin } : {}, requestOrigin)
  }
})

test('an origin function answering a permissive RegExp is denied, never trusted', async (t) => {
  const { app, lastDecision, logs } = await buildApp(t, { logLevel: 'error', cors: { origin: (_origin: string, cb: (error: Error | null, allow?: RegExp) => void) => { cb(null, /^https:\/\/.*$/) } } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://attacker.test' } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.match(lastDecision(), { allowed: false, reason: 'origin-check-failed' })
  t.match(logs.map((line) => line.msg), [/the origin function answered \/\^https:\\\/\\\/\.\*\$\/ for origin 'https:\/\/attacker\.test', which cannot be used: .*also matches https:\/\/attacker\.test, a site anyone can register/])
})

test('with credentials, a RegExp that matches an http origin on a network host is refused', async (t) => {
  for (const [origin, insecure] of [
    [/^http:\/\/example\.com:3000$/, 'http://example.com:3000'],
    [/^http:\/\/(www\.)?example\.(com|org)$/, 'http://example.com'],
    [/^http:\/\/192\.168\.\d+\.\d+(:\d+)?$/, 'http://192.168.7.7'],
    [/^http:\/\/intranet(:\d+)?$/, 'http://intranet']
  ] as const) {
    t.ok(origin.test(insecure), `${String(origin)} matches ${insecure}`)
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, { origin, credentials: true }), {
      code: 'FST_CORS_UNSAFE_OPTIONS',
      message: new RegExp(`matches ${insecure.replace(/\./g, '\\.')} while credentials is true`)
    }, String(origin))
    const withoutCredentials = Fastify()
    t.teardown(() => withoutCredentials.close())
    await t.resolves(registered(withoutCredentials, { origin }), `${String(origin)} without credentials`)
  }
})

test('variable labels under the owner\'s own domain, private IP ranges and loopback are not a stranger\'s host', async (t) => {
  for (const origin of [
    /^https:\/\/[a-z0-9-]+-staging\.example\.com$/, /^https:\/\/(?:[a-z0-9-]+-)?api\.example\.com$/, /^https:\/\/[a-z0-9]+preview\.example\.com$/,
    /^https:\/\/(?<tenant>[a-z]+)\.example\.com$/u, /^https:\/\/\w+\.example\.com$/, /^https:\/\/[^.]+\.example\.com$/,
    /^https:\/\/10\.0\.\d+\.\d+$/, /^https:\/\/203\.0\.113\.7$/, /^https?:\/\/localhost(:\d+)?$/, /^https:\/\/[a-z]+\.localhost$/
  ]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.resolves(registered(app, { origin, credentials: true }), String(origin))
  }
})
