// Every OPTIONS treated as a preflight, hijacking the application's own OPTIONS routes:
// fastify/fastify-cors#88, which led to strictPreflight (PR #96). Fetch#http-requests:
// only OPTIONS with Origin and Access-Control-Request-Method is a preflight; any other OPTIONS
// belongs to the application.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'

function routes (app: FastifyInstance, handled: () => void): void {
  app.get('/files', async () => ({ files: [] }))
  app.options('/files', async (_request, reply) => { handled(); return reply.header('allow', 'GET, OPTIONS').send({ methods: ['GET', 'OPTIONS'] }) })
  app.get('/plain', async () => 'plain')
}

test("the application's OPTIONS route answers every OPTIONS that is not a preflight", async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  const bare = await api.app.inject({ method: 'OPTIONS', url: '/files' })
  t.equal(bare.statusCode, 200)
  t.equal(bare.headers.allow, 'GET, OPTIONS')
  const withOrigin = await api.app.inject({ method: 'OPTIONS', url: '/files', headers: { origin: ORIGIN } })
  t.equal(withOrigin.statusCode, 200, 'Origin without Access-Control-Request-Method is not a preflight')
  t.equal(withOrigin.headers['access-control-allow-origin'], ORIGIN, 'a cross-origin OPTIONS request is an actual CORS request')
  t.equal(api.handlerCalls, 2)
})

test('a real preflight to that URL is answered by the plugin, not the route', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  const preflight = await api.app.inject({ method: 'OPTIONS', url: '/files', headers: preflightHeaders(ORIGIN, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, OPTIONS' })
  t.equal(api.handlerCalls, 0)
})

test('strictPreflight decides for OPTIONS requests no route owns', async (t) => {
  const strict = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  for (const headers of [{}, { origin: ORIGIN }, { 'access-control-request-method': 'GET' }]) {
    const res = await strict.app.inject({ method: 'OPTIONS', url: '/plain', headers })
    t.equal(res.statusCode, 400, JSON.stringify(headers))
    t.equal(res.body, 'Invalid Preflight Request')
  }
  const lenient = await buildApp(t, { cors: { origin: [ORIGIN], strictPreflight: false }, routes })
  const res = await lenient.app.inject({ method: 'OPTIONS', url: '/plain' })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['content-length'], '0')
})
