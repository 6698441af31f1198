import { test } from 'tap'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('an allowed exact origin gets its origin back, Vary: Origin, and request.cors says allowed', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP] } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP })
  t.equal(res.headers.vary, 'Origin')
  t.same(lastDecision(), { origin: APP, preflight: false, allowed: true, reason: 'allowed' })
})

test('credentials and exposedHeaders add ACAC and ACEH to allowed actual responses', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP], credentials: true, exposedHeaders: ['X-Total-Count', 'X-Request-Id'] } })
  for (const method of ['GET', 'HEAD', 'PUT', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/items/1', headers: { origin: APP } })
    t.same(corsHeadersOf(res), {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Total-Count, X-Request-Id'
    }, method)
    t.equal(res.headers.vary, 'Origin', method)
  }
})

test('a denied origin gets no access-control-* header at all, and the handler still runs', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], credentials: true, exposedHeaders: 'X-Total-Count' } })
  const res = await built.app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://evil.example' } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  t.same(built.lastDecision(), {
    origin: 'https://evil.example',
    preflight: false,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: "origin 'https://evil.example' is not in the allow-list for GET /items; add it to `origin`"
  })
  t.equal(built.handlerCalls, 1, 'CORS does not stop the handler unless enforce is on')
})

test('pattern https://*.example.com: any subdomain depth, never the apex, other schemes or ports', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'https://*.example.com' } })
  const cases: Array<[string, boolean]> = [
    ['https://api.example.com', true],
    ['https://a.b.example.com', true],
    ['https://example.com', false],
    ['http://api.example.com', false],
    ['https://api.example.com:8443', false],
    ['https://evilexample.com', false],
    ['https://api.example.com.evil.net', false],
    ['https://.example.com', false],
    ['null', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin } : {}, origin)
    t.equal(res.headers.vary, 'Origin', origin)
  }
})

test('pattern http://localhost:* matches any port and no port, only for that scheme and host', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'http://localhost:*' } })
  const cases: Array<[string, boolean]> = [
    ['http://localhost:3000', true],
    ['http://localhost', true],
    ['http://localhost:65535', true],
    ['https://localhost:3000', false],
    ['http://localhost.evil.net:3000', false],
    ['http://127.0.0.1:3000', false],
    ['http://localhost:0', false],
    ['http://localhost:80', false],
    ['null', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin } : {}, origin)
  }
})

test('an anchored RegExp matches whole origins only, and a g flag does not make matching alternate', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [/^https:\/\/(app|admin)\.example\.net$/g] } })
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.net' } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'https://app.example.net' }, `request ${i + 1}`)
  }
  for (const origin of ['https://app.example.net.evil.com', 'https://evil.example.net', 'null']) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), {}, origin)
  }
})

test("origin '*' answers ACAO * (with ACEH) with and without Origin, and never sends Vary", async (t) => {
  const { app, decisions } = await buildApp(t, { cors: { origin: '*', exposedHeaders: 'X-Total-Count' } })
  const withOrigin = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://anyone.test' } })
  t.same(corsHeadersOf(withOrigin), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total-Count' })
  t.equal(withOrigin.headers.vary, undefined)
  const withoutOrigin = await app.inject({ method: 'GET', url: '/items' })
  t.same(corsHeadersOf(withoutOrigin), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total-Count' })
  t.equal(withoutOrigin.headers.vary, undefined)
  const nullOrigin = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.same(corsHeadersOf(nullOrigin), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total-Count' })
  t.same(decisions.map((d) => d.reason), ['allowed', 'no-origin', 'allowed'])
})

test('the default origin is *', async (t) => {
  const { app } = await buildApp(t)
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://anyone.test' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
  t.equal(res.headers.vary, undefined)
})

test('origin true reflects any valid origin but never null', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: true } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://anyone.test:8080' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'https://anyone.test:8080' })
  t.equal(res.headers.vary, 'Origin')
  const nullRes = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.same(corsHeadersOf(nullRes), {})
  t.equal(nullRes.headers.vary, 'Origin')
  t.same(lastDecision(), {
    origin: 'null',
    preflight: false,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: "origin 'null' is refused for GET /items; it is only allowed when 'null' is listed in `origin` (anyone can send it)"
  })
})

test('origin false allows nobody and needs no Vary', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: false } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, undefined)
  t.same(lastDecision(), {
    origin: APP,
    preflight: false,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: `origin '${APP}' is refused for GET /items because \`origin\` is false`
  })
})

test("'null' is matched when listed literally", async (t) => {
  const { app } = await buildApp(t, { cors: { origin: ['null', APP] } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'null' })
  t.equal(res.headers.vary, 'Origin')
})

test('without Origin a list policy sends no ACAO, still Vary: Origin, and request.cors says no-origin', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP], credentials: true } })
  const res = await app.inject({ method: 'GET', url: '/items' })
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  t.same(lastDecision(), { origin: undefined, preflight: false, allowed: true, reason: 'no-origin' })
})

test('error responses carry the headers when allowed: 500 from a handler, 404, 400 from body parsing', async (t) => {
  const { app, decisions } = await buildApp(t, { cors: { origin: [APP], credentials: true } })
  const expected = { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }
  const thrown = await app.inject({ method: 'GET', url: '/error', headers: { origin: APP } })
  t.equal(thrown.statusCode, 500)
  t.same(corsHeadersOf(thrown), expected)
  t.equal(thrown.headers.vary, 'Origin')
  const missing = await app.inject({ method: 'GET', url: '/nowhere', headers: { origin: APP } })
  t.equal(missing.statusCode, 404)
  t.same(corsHeadersOf(missing), expected)
  t.equal(missing.headers.vary, 'Origin')
  const badBody = await app.inject({ method: 'POST', url: '/echo', headers: { origin: APP, 'content-type': 'application/json' }, payload: '{"unterminated' })
  t.equal(badBody.statusCode, 400)
  t.same(corsHeadersOf(badBody), expected)
  t.equal(badBody.headers.vary, 'Origin')
  t.same(decisions.map((d) => d.reason), ['allowed', 'allowed', 'allowed'])
})

test('a denied origin gets no headers on error responses either', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] } })
  for (const url of ['/error', '/nowhere']) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: 'https://evil.example' } })
    t.same(corsHeadersOf(res), {}, url)
    t.equal(res.headers.vary, 'Origin', url)
  }
})

test('a reply sent by an onRequest hook registered before the plugin still gets the headers in onSend', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], credentials: true, exposedHeaders: 'Retry-After' },
    before: (instance) => {
      instance.addHook('onRequest', async (_request, reply) => reply.code(429).header('retry-after', '1').send({ error: 'Too Many Requests' }))
    }
  })
  const { app, lastDecision } = built
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.equal(allowed.statusCode, 429)
  t.same(corsHeadersOf(allowed), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'Retry-After'
  })
  t.equal(allowed.headers.vary, 'Origin')
  t.same(lastDecision(), { origin: APP, preflight: false, allowed: true, reason: 'allowed' })
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://evil.example' } })
  t.equal(denied.statusCode, 429)
  t.same(corsHeadersOf(denied), {})
  t.equal(denied.headers.vary, 'Origin')
  t.equal(lastDecision().reason, 'origin-not-allowed')
  const noOrigin = await app.inject({ method: 'GET', url: '/items' })
  t.same(corsHeadersOf(noOrigin), {})
  t.equal(noOrigin.headers.vary, 'Origin')
  t.equal(built.handlerCalls, 0)
})

test("a reply sent before the plugin's hook gets ACAO * under a '*' policy, even without Origin", async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: '*' },
    before: (instance) => {
      instance.addHook('onRequest', async (_request, reply) => reply.code(503).send({ error: 'Service Unavailable' }))
    }
  })
  for (const headers of [{ origin: APP }, {}]) {
    const res = await app.inject({ method: 'GET', url: '/items', headers })
    t.equal(res.statusCode, 503)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
    t.equal(res.headers.vary, undefined)
  }
})

test('a 401 from an auth preHandler carries the headers when the origin is allowed', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], credentials: true },
    routes: (instance, handled) => {
      instance.addHook('preHandler', async (request, reply) => {
        if (request.headers.authorization === undefined) return reply.code(401).send({ error: 'Unauthorized' })
      })
      instance.get('/me', async () => { handled(); return { me: true } })
    }
  })
  const res = await built.app.inject({ method: 'GET', url: '/me', headers: { origin: APP } })
  t.equal(res.statusCode, 401)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(res.headers.vary, 'Origin')
  t.equal(built.handlerCalls, 0)
  const authorised = await built.app.inject({ method: 'GET', url: '/me', headers: { origin: APP, authorization: 'Bearer x' } })
  t.equal(authorised.statusCode, 200)
  t.equal(built.handlerCalls, 1)
})

test('request.cors can be read by the handler', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/me', async (request) => ({ allowed: request.cors?.allowed, reason: request.cors?.reason, origin: request.cors?.origin }))
    }
  })
  const allowed = await app.inject({ method: 'GET', url: '/me', headers: { origin: APP } })
  t.same(allowed.json(), { allowed: true, reason: 'allowed', origin: APP })
  const denied = await app.inject({ method: 'GET', url: '/me', headers: { origin: 'https://evil.example' } })
  t.same(denied.json(), { allowed: false, reason: 'origin-not-allowed', origin: 'https://evil.example' })
  const none = await app.inject({ method: 'GET', url: '/me' })
  t.same(none.json(), { allowed: true, reason: 'no-origin' })
})

test('request.cors serialises without the compiled policy', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => { instance.get('/me', async (request) => request.cors) }
  })
  const res = await app.inject({ method: 'GET', url: '/me', headers: { origin: APP } })
  t.same(res.json(), { origin: APP, preflight: false, allowed: true, credentialed: false, reason: 'allowed' })
})

test('bad Origin input is never reflected and never answered with 500', async (t) => {
  const { app, decisions } = await buildApp(t, { cors: { origin: true } })
  const hostile = [
    'https://app.example.com, https://evil.example',
    `https://${'a'.repeat(16 * 1024)}.com`,
    'https://bücher.example',
    'HTTPS://APP.EXAMPLE.COM',
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://app.example.com:443',
    'https://app.example.com:0',
    'https://app.example.com:99999',
    'https://user@app.example.com',
    'https://app.example.com\tx',
    '',
    '*',
    'app.example.com'
  ]
  for (const origin of hostile) {
    const label = origin.length > 60 ? `${origin.slice(0, 20)}… (${origin.length} chars)` : JSON.stringify(origin)
    for (const method of ['GET', 'OPTIONS'] as const) {
      const headers: Record<string, string> = method === 'OPTIONS' ? { origin, 'access-control-request-method': 'PUT' } : { origin }
      const res = await app.inject({ method, url: '/items/1', headers })
      t.equal(res.statusCode, method === 'GET' ? 200 : 403, `${method} ${label}`)
      t.same(corsHeadersOf(res), {}, `${method} ${label}`)
      t.same(decisions.at(-1), {
        origin,
        preflight: method === 'OPTIONS',
        allowed: false,
        reason: 'invalid-origin',
        detail: `the Origin header ${JSON.stringify(origin.length > 80 ? origin.slice(0, 77) + '...' : origin)} is not a valid serialised origin (scheme://host[:port]) for ${method === 'GET' ? 'GET' : 'PUT'} /items/:id; it is never reflected`
      }, `${method} ${label}`)
    }
  }
})

test('a repeated Origin header is never reflected, even when every copy is allowed', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: [APP] } })
  // light-my-request passes an array through as a repeated header; its types only admit strings
  const repeated = { origin: [APP, APP] } as unknown as Record<string, string>
  const res = await app.inject({ method: 'GET', url: '/items', headers: repeated })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(lastDecision().reason, 'invalid-origin')
  t.equal(lastDecision().origin, `${APP}, ${APP}`)
  // what Node's HTTP parser makes of two Origin lines
  const raw = await app.inject({ method: 'GET', url: '/items', headers: { origin: `${APP}, ${APP}` } })
  t.same(corsHeadersOf(raw), {})
  t.equal(lastDecision().reason, 'invalid-origin')
})
