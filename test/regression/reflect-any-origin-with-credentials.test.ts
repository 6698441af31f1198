// Wanting `*` with cookies, and libraries that "help" by reflecting any Origin with credentials:
// rs/cors#55, koajs/cors GHSA-qxrj-hx23-xp82, honojs/hono PR #4813 and its reverting security fix.
// Reflecting any origin with credentials lets every website read a user's authenticated responses
// (Fetch#cors-protocol-and-credentials), so it is refused unless explicitly and loudly opted into
// (`dangerouslyAllowAnyOriginWithCredentials`).
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL } from '../helpers/build-app.js'

test('origin: true with credentials is refused at registration', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(corsPolicy, { origin: true, credentials: true }) }, { code: 'FST_CORS_UNSAFE_OPTIONS' })
})

test("credentials without an explicit origin (the default '*') is refused, and so is '*' itself", async (t) => {
  for (const options of [{ credentials: true }, { origin: '*' as const, credentials: true }]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(corsPolicy, options) }, { code: 'FST_CORS_UNSAFE_OPTIONS' }, JSON.stringify(options))
  }
})

test('origin: true without credentials reflects valid origins only, never null, and never sends credentials', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: true } })
  const valid = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://anyone.example' } })
  t.same(corsHeadersOf(valid), { 'access-control-allow-origin': 'https://anyone.example' })
  const nullOrigin = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.same(corsHeadersOf(nullOrigin), {})
  const invalid = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://a.example, https://b.example' } })
  t.same(corsHeadersOf(invalid), {})
})

test('dangerouslyAllowAnyOriginWithCredentials is the only way, and it logs a warning at start-up', async (t) => {
  const { app, logs } = await buildApp(t, { cors: { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true }, logLevel: 'warn' })
  await app.ready()
  t.equal(logs.filter((line) => line.level === 40 && line.msg.includes('dangerouslyAllowAnyOriginWithCredentials')).length, 1, 'one warning')
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://anyone.example' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'https://anyone.example', 'access-control-allow-credentials': 'true' })
  t.equal(res.headers.vary, 'Origin')
})

test('a route that opts in is warned about by name at start-up, as the plugin-level opt-in is', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: 'https://app.example.com' },
    routes: (app) => {
      app.get('/embed', { config: { cors: { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true } } }, async () => 'embed')
      app.get('/items', async () => 'items')
    }
  })
  await app.ready()
  t.same(logs.filter((line) => line.level === LOG_LEVEL.warn).map((line) => line.msg), [
    'fastify-cors-policy: route GET /embed: dangerouslyAllowAnyOriginWithCredentials is on: every website can read credentialed responses from this server'
  ])
  const res = await app.inject({ method: 'GET', url: '/embed', headers: { origin: 'https://anyone.test' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'https://anyone.test', 'access-control-allow-credentials': 'true' })
})
