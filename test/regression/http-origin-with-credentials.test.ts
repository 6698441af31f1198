// http://app.example.com with credentials: true. Anyone on the network path between a user and
// that page (public Wi-Fi, a hostile proxy) can inject script into it, and the script then reads the
// user's credentialed responses from this API. The rule: with credentials, http origins and
// patterns are refused unless the host is loopback (localhost, *.localhost, 127.0.0.0/8, [::1]: a
// page on the user's own machine) or dangerouslyAllowInsecureOrigins is set, which is logged.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL } from '../helpers/build-app.js'

/** Registration as a real promise (register returns the instance, a thenable). */
async function registered (app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  await app.register(corsPolicy, options)
}

const RISK = "anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses"

for (const [origin, message] of [
  ['http://app.example.com', `'http://app.example.com' is an http origin while credentials is true: ${RISK}; serve the site over https and list 'https://app.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that`],
  ['http://*.example.com:8080', `'http://*.example.com:8080' is an http origin while credentials is true: ${RISK}; serve the site over https and list 'https://*.example.com:8080', or set dangerouslyAllowInsecureOrigins: true if you accept that`],
  ['http://10.0.0.5:3000', `'http://10.0.0.5:3000' is an http origin while credentials is true: ${RISK}; serve the site over https and list 'https://10.0.0.5:3000', or set dangerouslyAllowInsecureOrigins: true if you accept that`],
  [/^https?:\/\/app\.example\.com$/, `/^https?:\\/\\/app\\.example\\.com$/ matches http://app.example.com while credentials is true: ${RISK}; match https only, or set dangerouslyAllowInsecureOrigins: true if you accept that`]
] as const) {
  test(`${String(origin)} with credentials is refused`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, { origin: ['https://app.example.com', origin], credentials: true }), {
      code: 'FST_CORS_UNSAFE_OPTIONS',
      message: `Unsafe fastify-cors-policy options: /origin/1 ${message}`
    })
  })
}

test('loopback hosts are no network risk: accepted with credentials', async (t) => {
  const loopback = ['http://localhost:8080', 'http://127.0.0.1:5173', 'http://[::1]:3000', 'http://localhost:*', 'http://*.localhost']
  const { app } = await buildApp(t, { cors: { origin: loopback, credentials: true } })
  for (const origin of ['http://localhost:8080', 'http://127.0.0.1:5173', 'http://[::1]:3000', 'http://localhost:9999', 'http://app.localhost']) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' }, origin)
  }
})

test('without credentials an http origin reads only what any page could fetch: accepted', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'http://app.example.com' } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'http://app.example.com' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'http://app.example.com' })
})

test('dangerouslyAllowInsecureOrigins: accepted, and the start-up log says what it gives away', async (t) => {
  const { app, logs } = await buildApp(t, { logLevel: 'warn', cors: { origin: ['https://app.example.com', 'http://app.example.com', /^http:\/\/[a-z]+\.example\.org$/], credentials: true, dangerouslyAllowInsecureOrigins: true } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'http://app.example.com' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'http://app.example.com', 'access-control-allow-credentials': 'true' })
  t.same(logs.filter((line) => line.level === LOG_LEVEL.warn).map((line) => line.msg), [
    "fastify-cors-policy: dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://app.example.com', /^http:\\/\\/[a-z]+\\.example\\.org$/), which anyone on the network path can inject script into"
  ])
})

test('a route that opts in is warned about by name; one that only inherits the opt-in is not warned twice', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: 'https://app.example.com', credentials: true },
    routes: (app) => {
      app.get('/legacy', { config: { cors: { origin: ['http://legacy.example.com'], dangerouslyAllowInsecureOrigins: true } } }, async () => 'legacy')
      app.get('/plain', { config: { cors: { exposedHeaders: ['X-Total'] } } }, async () => 'plain')
    }
  })
  await app.ready()
  const res = await app.inject({ method: 'GET', url: '/legacy', headers: { origin: 'http://legacy.example.com' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'http://legacy.example.com', 'access-control-allow-credentials': 'true' })
  t.same(logs.filter((line) => line.level === LOG_LEVEL.warn).map((line) => line.msg), [
    "fastify-cors-policy: route GET /legacy: dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://legacy.example.com'), which anyone on the network path can inject script into"
  ])
})
