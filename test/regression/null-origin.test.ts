// Requests to allow the `null` origin (file: pages, sandboxed iframes, Android share):
// gin-contrib/cors#62, cyu/rack-cors PR #134. Fetch#serializing-a-request-origin:
// `null` is sent by sandboxed documents, data: and file: URLs and after cross-origin redirects, so
// allowing it allows anyone. The rule: matched only when listed literally; never with credentials.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

const NULL_HEADERS = { origin: 'null' }

test('null is not matched by true, patterns or RegExps', async (t) => {
  for (const origin of [true, 'https://*.example.com', /^[a-z]+$/, [/^null$/]] as const) {
    const api = await buildApp(t, { cors: { origin: origin as true } })
    const res = await api.app.inject({ method: 'GET', url: '/items', headers: NULL_HEADERS })
    t.same(corsHeadersOf(res), {}, String(origin))
    t.match(api.lastDecision(), { origin: 'null', allowed: false, reason: 'origin-not-allowed' })
  }
})

test("'*' answers null with *, which carries no credentials", async (t) => {
  const api = await buildApp(t, { cors: { origin: '*' } })
  const res = await api.app.inject({ method: 'GET', url: '/items', headers: NULL_HEADERS })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
})

test("null is matched when listed literally, and reflected as 'null'", async (t) => {
  const api = await buildApp(t, { cors: { origin: ['https://app.example.com', 'null'] } })
  const res = await api.app.inject({ method: 'GET', url: '/items', headers: NULL_HEADERS })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'null' })
  t.equal(res.headers.vary, 'Origin')
})

test("listing 'null' with credentials is refused at registration", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(corsPolicy, { origin: ['null'], credentials: true }) }, { code: 'FST_CORS_UNSAFE_OPTIONS' })
})

test("a function receives 'null' like any origin, and its answer stands", async (t) => {
  const seen: string[] = []
  const api = await buildApp(t, { cors: { origin: (origin: string) => { seen.push(origin); return origin === 'null' } } })
  const res = await api.app.inject({ method: 'GET', url: '/items', headers: NULL_HEADERS })
  t.same(seen, ['null'])
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'null' })
})
