import { test } from 'tap'
import type { CorsReason, FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, LOG_LEVEL, preflightHeaders, type LogLine } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

function corsDebugLines (logs: LogLine[]): Array<{ msg: string, cors: unknown }> {
  return logs.filter((line) => line.level === LOG_LEVEL.debug && line.cors !== undefined).map((line) => ({ msg: line.msg, cors: line.cors }))
}

test('the debug line of a denial names origin, route, reason and the fix', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'debug',
    cors: { origin: ['http://localhost:3000'] },
    routes: (instance) => { instance.get('/api/data', async () => 'data') }
  })
  await app.inject({ method: 'GET', url: '/api/data', headers: { origin: 'http://localhost:8080' } })
  const detail = "origin 'http://localhost:8080' is not in the allow-list for GET /api/data; add it to `origin`"
  t.same(corsDebugLines(logs), [{ msg: `CORS denied: ${detail}`, cors: { origin: 'http://localhost:8080', route: 'GET /api/data', reason: 'origin-not-allowed', detail } }])
})

interface DenialCase {
  desc: string
  cors: FastifyCorsOptions
  method: 'GET' | 'OPTIONS' | 'POST'
  url?: string
  headers: Record<string, string>
  route: string
  reason: CorsReason
  detail: string
}

const denials: DenialCase[] = [
  { desc: 'origin not listed', cors: { origin: [APP] }, method: 'GET', headers: { origin: 'https://evil.test' }, route: 'GET /items', reason: 'origin-not-allowed', detail: "origin 'https://evil.test' is not in the allow-list for GET /items; add it to `origin`" },
  { desc: 'origin not listed, preflight', cors: { origin: [APP] }, method: 'OPTIONS', headers: preflightHeaders('https://evil.test', 'PUT'), url: '/items/1', route: 'PUT /items/:id', reason: 'origin-not-allowed', detail: "origin 'https://evil.test' is not in the allow-list for PUT /items/:id; add it to `origin`" },
  { desc: 'origin false', cors: { origin: false }, method: 'GET', headers: { origin: APP }, route: 'GET /items', reason: 'origin-not-allowed', detail: `origin '${APP}' is refused for GET /items because \`origin\` is false` },
  { desc: 'null not listed', cors: { origin: [APP] }, method: 'GET', headers: { origin: 'null' }, route: 'GET /items', reason: 'origin-not-allowed', detail: "origin 'null' is refused for GET /items; it is only allowed when 'null' is listed in `origin` (anyone can send it)" },
  { desc: 'invalid origin', cors: { origin: [APP] }, method: 'GET', headers: { origin: 'https://app.example.com/' }, route: 'GET /items', reason: 'invalid-origin', detail: 'the Origin header "https://app.example.com/" is not a valid serialised origin (scheme://host[:port]) for GET /items; it is never reflected' },
  { desc: 'function says no', cors: { origin: () => false }, method: 'GET', headers: { origin: APP }, route: 'GET /items', reason: 'origin-not-allowed', detail: `the origin function returned false for '${APP}' on GET /items` },
  { desc: 'function throws', cors: { origin: () => { throw new Error('db down') } }, method: 'GET', headers: { origin: APP }, route: 'GET /items', reason: 'origin-check-failed', detail: `the origin function threw, rejected or timed out for origin '${APP}' on GET /items; the request is denied` },
  { desc: 'method refused', cors: { origin: [APP], methods: ['GET'] }, method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'DELETE'), route: 'DELETE /items/:id', reason: 'method-not-allowed', detail: 'method DELETE is not allowed for DELETE /items/:id; add it to `methods` (allowed: GET)' },
  { desc: 'header refused', cors: { origin: [APP], allowedHeaders: ['X-A'] }, method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'x-b'), route: 'PUT /items/:id', reason: 'header-not-allowed', detail: "request header 'x-b' is not allowed for PUT /items/:id; add it to `allowedHeaders`" },
  { desc: 'private network refused', cors: { origin: [APP] }, method: 'OPTIONS', url: '/items', headers: { ...preflightHeaders(APP, 'GET'), 'access-control-request-private-network': 'true' }, route: 'GET /items', reason: 'private-network-not-allowed', detail: 'private network access was requested for GET /items; set `allowPrivateNetwork: true` to grant it' }
]

test('every denied CORS request logs exactly one debug line whose detail names the fix', async (t) => {
  for (const c of denials) {
    const { app, logs, lastDecision } = await buildApp(t, { logLevel: 'debug', cors: c.cors })
    await app.inject({ method: c.method, url: c.url ?? '/items', headers: c.headers })
    t.same(lastDecision(), { origin: c.headers.origin, preflight: c.method === 'OPTIONS', allowed: false, reason: c.reason, detail: c.detail }, c.desc)
    t.same(corsDebugLines(logs), [{ msg: `CORS denied: ${c.detail}`, cors: { origin: c.headers.origin, route: c.route, reason: c.reason, detail: c.detail } }], c.desc)
  }
})

test('a cross-origin request to a cors: false route logs its denial too', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'debug',
    cors: { origin: [APP] },
    routes: (instance) => { instance.post('/internal', { config: { cors: false } }, async () => 'internal') }
  })
  await app.inject({ method: 'POST', url: '/internal', headers: { origin: APP } })
  await app.inject({ method: 'OPTIONS', url: '/internal', headers: preflightHeaders(APP, 'POST') })
  const detail = 'CORS is disabled for POST /internal (config.cors: false)'
  t.same(corsDebugLines(logs), [
    { msg: `CORS denied: ${detail}`, cors: { origin: APP, route: 'POST /internal', reason: 'disabled', detail } },
    { msg: `CORS denied: ${detail}`, cors: { origin: APP, route: 'POST /internal', reason: 'disabled', detail } }
  ])
})

test('allowed, same-origin and origin-less requests log nothing', async (t) => {
  const { app, logs } = await buildApp(t, { logLevel: 'debug', cors: { origin: [APP] } })
  await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  await app.inject({ method: 'GET', url: '/items' })
  await app.inject({ method: 'POST', url: '/items', headers: { origin: 'http://api.example.com', host: 'api.example.com' } })
  t.same(corsDebugLines(logs), [])
})

test('denials are not logged above debug level', async (t) => {
  const { app, logs } = await buildApp(t, { logLevel: 'info', cors: { origin: [APP] } })
  await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://evil.test' } })
  t.same(logs.filter((line) => line.cors !== undefined), [])
})

test('reason precedence: disabled, no-origin, invalid-origin, allowed, same-origin, then the denial', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: [APP, 'http://api.example.com'] },
    routes: (instance) => {
      instance.get('/internal', { config: { cors: false } }, async () => 'internal')
      instance.post('/items', async () => 'created')
    }
  })
  const cases: Array<[string, string, Record<string, string>, CorsReason, boolean]> = [
    ['disabled beats invalid-origin', '/internal', { origin: 'not an origin' }, 'disabled', false],
    ['disabled without Origin is readable', '/internal', {}, 'disabled', true],
    ['no-origin', '/items', { 'sec-fetch-site': 'cross-site' }, 'no-origin', true],
    ['invalid-origin beats same-origin', '/items', { origin: 'http://API.example.com', host: 'API.example.com', 'sec-fetch-site': 'same-origin' }, 'invalid-origin', false],
    ['allowed beats same-origin', '/items', { origin: 'http://api.example.com', host: 'api.example.com' }, 'allowed', true],
    ['same-origin by Origin = own origin', '/items', { origin: 'http://other.example.com', host: 'other.example.com' }, 'same-origin', true],
    ['same-origin by Sec-Fetch-Site', '/items', { origin: 'https://front.example.com', host: 'api.internal', 'sec-fetch-site': 'same-origin' }, 'same-origin', true],
    ['same-site is not same-origin', '/items', { origin: 'https://front.example.com', host: 'api.internal', 'sec-fetch-site': 'same-site' }, 'origin-not-allowed', false],
    ['Sec-Fetch-Site: cross-site outweighs an Origin equal to the Host', '/items', { origin: 'http://other.example.com', host: 'other.example.com', 'sec-fetch-site': 'cross-site' }, 'origin-not-allowed', false],
    ['a longer Origin that ends with the Host is not same-origin', '/items', { origin: 'http://evil.other.example.com', host: 'other.example.com' }, 'origin-not-allowed', false],
    ['an Origin with another scheme is not same-origin', '/items', { origin: 'https://other.example.com', host: 'other.example.com' }, 'origin-not-allowed', false],
    ['the default port in Host is tolerated', '/items', { origin: 'http://other.example.com', host: 'other.example.com:80' }, 'same-origin', true]
  ]
  for (const [desc, url, headers, reason, allowed] of cases) {
    const res = await app.inject({ method: url === '/items' ? 'POST' : 'GET', url, headers })
    t.equal(lastDecision().reason, reason, desc)
    t.equal(lastDecision().allowed, allowed, desc)
    t.equal(res.headers['access-control-allow-origin'], reason === 'allowed' ? headers.origin : undefined, desc)
  }
})
