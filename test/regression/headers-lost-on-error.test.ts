// CORS headers lost on error responses, so the browser hides the real error from the page:
// koajs/cors#21, koajs/koa#411 (keepHeadersOnError). Fetch#http-responses: an actual
// CORS response may have any status; the plugin finalises the headers in onSend, for every reply.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'
const GRANTED = { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Request-Id' }

function routes (app: FastifyInstance): void {
  app.get('/boom', async () => { throw new Error('boom') })
  app.get('/teapot', async () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })
  app.post('/typed', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async () => 'ok')
  app.get('/custom', async (_request, reply) => reply.code(503).send({ retry: true }))
}

test('every error status still carries the CORS headers of an allowed origin', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [ORIGIN], credentials: true, exposedHeaders: ['X-Request-Id'] }, routes })
  const cases: Array<{ method: 'GET' | 'POST', url: string, status: number, payload?: Record<string, unknown> }> = [
    { method: 'GET', url: '/boom', status: 500 },
    { method: 'GET', url: '/teapot', status: 418 },
    { method: 'POST', url: '/typed', status: 400, payload: { nameless: true } },
    { method: 'GET', url: '/custom', status: 503 },
    { method: 'GET', url: '/missing', status: 404 }
  ]
  for (const c of cases) {
    const res = await app.inject({ method: c.method, url: c.url, headers: { origin: ORIGIN }, ...(c.payload === undefined ? {} : { payload: c.payload }) })
    t.equal(res.statusCode, c.status, c.url)
    t.same(corsHeadersOf(res), GRANTED, c.url)
    t.equal(res.headers.vary, 'Origin', c.url)
  }
})

test('a reply sent by a hook that runs before the plugin (rate limiting, say) is readable too', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [ORIGIN], credentials: true, exposedHeaders: ['X-Request-Id'] },
    before: (app) => {
      app.addHook('onRequest', async (request, reply) => {
        if (request.headers['x-over-limit'] === '1') return reply.code(429).send({ error: 'Too Many Requests' })
      })
    },
    routes: (app) => { app.get('/items', async () => 'items') }
  })
  const limited = await app.inject({ method: 'GET', url: '/items', headers: { origin: ORIGIN, 'x-over-limit': '1' } })
  t.equal(limited.statusCode, 429)
  t.same(corsHeadersOf(limited), GRANTED)
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://evil.example', 'x-over-limit': '1' } })
  t.equal(denied.statusCode, 429)
  t.same(corsHeadersOf(denied), {}, 'a denied origin still gets nothing')
})
