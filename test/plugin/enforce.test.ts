import { test } from 'tap'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

test('enforce: a denied cross-origin request gets FST_CORS_FORBIDDEN (403) from the error handler before the handler runs', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], credentials: true, enforce: true } })
  const res = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL, 'content-type': 'text/plain' }, payload: 'csrf' })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.same(res.json(), {
    statusCode: 403,
    code: 'FST_CORS_FORBIDDEN',
    error: 'Forbidden',
    message: `Cross-origin request refused: origin '${EVIL}' is not in the allow-list for POST /items; add it to \`origin\``
  })
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  t.equal(built.handlerCalls, 0)
  t.same(built.lastDecision(), {
    origin: EVIL,
    preflight: false,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: `origin '${EVIL}' is not in the allow-list for POST /items; add it to \`origin\``
  })
})

test('enforce answers before the body is parsed: an invalid JSON body gets 403, not 400', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], enforce: true } })
  const res = await built.app.inject({ method: 'POST', url: '/echo', headers: { origin: EVIL, 'content-type': 'application/json' }, payload: '{"broken' })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'FST_CORS_FORBIDDEN')
  t.equal(built.lastDecision().reason, 'origin-not-allowed')
  t.equal(built.handlerCalls, 0)
  const allowed = await built.app.inject({ method: 'POST', url: '/echo', headers: { origin: APP, 'content-type': 'application/json' }, payload: '{"broken' })
  t.equal(allowed.statusCode, 400, 'an allowed origin reaches body parsing')
  t.equal(allowed.headers['access-control-allow-origin'], APP)
})

test('enforce lets allowed origins, same-origin requests and requests without Origin through', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], enforce: true } })
  const cases: Array<[string, Record<string, string>, string]> = [
    ['allowed origin', { origin: APP }, 'allowed'],
    ['no Origin', {}, 'no-origin'],
    ['Sec-Fetch-Site: same-origin', { origin: 'https://api.example.com', host: 'internal:8080', 'sec-fetch-site': 'same-origin' }, 'same-origin'],
    ['Origin equal to http://<host>', { origin: 'http://api.example.com:8080', host: 'api.example.com:8080' }, 'same-origin']
  ]
  for (const [desc, headers, reason] of cases) {
    const res = await built.app.inject({ method: 'POST', url: '/items', headers })
    t.equal(res.statusCode, 201, desc)
    t.equal(built.lastDecision().reason, reason, desc)
    t.equal(built.lastDecision().allowed, true, desc)
    t.same(corsHeadersOf(res), reason === 'allowed' ? { 'access-control-allow-origin': APP } : {}, desc)
  }
  t.equal(built.handlerCalls, 4)
})

test('enforce refuses invalid origins and failed origin checks as well', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], enforce: true } })
  const invalid = await built.app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.com/' } })
  t.equal(invalid.statusCode, 403)
  t.equal(invalid.json().code, 'FST_CORS_FORBIDDEN')
  t.equal(built.lastDecision().reason, 'invalid-origin')
  const failing = await buildApp(t, { cors: { origin: () => { throw new Error('down') }, enforce: true } })
  const failed = await failing.app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.equal(failed.statusCode, 403)
  t.equal(failed.json().code, 'FST_CORS_FORBIDDEN')
  t.equal(failing.lastDecision().reason, 'origin-check-failed')
  t.equal(built.handlerCalls + failing.handlerCalls, 0)
})

test('cors: false routes are not enforced', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], enforce: true },
    routes: (instance, handled) => {
      instance.post('/webhook', { config: { cors: false } }, async () => { handled(); return 'received' })
    }
  })
  const res = await built.app.inject({ method: 'POST', url: '/webhook', headers: { origin: EVIL } })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'received')
  t.same(corsHeadersOf(res), {})
  t.equal(built.handlerCalls, 1)
})

test('enforce can be turned on for a single route', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance, handled) => {
      instance.post('/transfer', { config: { cors: { enforce: true } } }, async () => { handled(); return 'sent' })
      instance.post('/search', async () => { handled(); return 'results' })
    }
  })
  const enforced = await built.app.inject({ method: 'POST', url: '/transfer', headers: { origin: EVIL } })
  t.equal(enforced.statusCode, 403)
  const open = await built.app.inject({ method: 'POST', url: '/search', headers: { origin: EVIL } })
  t.equal(open.statusCode, 200)
  t.same(corsHeadersOf(open), {})
  t.equal(built.handlerCalls, 1)
})

test('without enforce the handler runs for denied origins (CORS only hides the response)', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP] } })
  const res = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL, 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(res.statusCode, 201)
  t.same(corsHeadersOf(res), {})
  t.equal(built.handlerCalls, 1)
})

test('a reply sent by a hook before the plugin is not replaced by the enforcement 403', async (t) => {
  const built = await buildApp(t, {
    cors: { origin: [APP], enforce: true },
    before: (instance) => {
      instance.addHook('onRequest', async (_request, reply) => reply.code(429).send({ error: 'Too Many Requests' }))
    }
  })
  const res = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL } })
  t.equal(res.statusCode, 429)
  t.same(corsHeadersOf(res), {})
  t.equal(built.lastDecision().reason, 'origin-not-allowed')
})

test('enforce does not change preflight answers', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], enforce: true } })
  const allowed = await built.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT') })
  t.equal(allowed.statusCode, 204)
  const denied = await built.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(EVIL, 'PUT') })
  t.equal(denied.statusCode, 403)
  t.equal(denied.body, '')
})

test('enforce: a Host header with the default port still counts as same-origin', async (t) => {
  const built = await buildApp(t, { cors: { origin: [APP], enforce: true } })
  const res = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: 'http://api.internal', host: 'api.internal:80', 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(res.statusCode, 201, 'the handler ran')
  t.equal(built.lastDecision().reason, 'same-origin')
  const otherPort = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: 'http://api.internal', host: 'api.internal:8080', 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(otherPort.statusCode, 403, 'a different port is another origin')
})
