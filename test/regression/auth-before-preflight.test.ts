// Preflights got 401/403 because authentication ran before CORS: aspnet/CORS#45,
// auth0/node-oauth2-jwt-bearer#44; @fastify/cors PR #103 moved the preflight answer into the hook
// Preflights never carry credentials (Fetch#cors-protocol-and-credentials), so
// the plugin answers them in onRequest, before any auth hook registered after the plugin.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'

async function withAuth (app: FastifyInstance, handled: () => void): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== 'Bearer good') return reply.code(401).send({ error: 'Unauthorized' })
  })
  app.put('/account', async () => { handled(); return { saved: true } })
}

test('a preflight is answered before an auth hook registered after the plugin', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN], credentials: true }, routes: withAuth })
  const preflight = await api.app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(ORIGIN, 'PUT', 'authorization,content-type') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': ORIGIN,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'authorization,content-type'
  })
  t.equal(api.handlerCalls, 0)
})

test('the 401 of the actual request carries CORS headers, so the page can read it', async (t) => {
  const api = await buildApp(t, { cors: { origin: [ORIGIN], credentials: true }, routes: withAuth })
  const denied = await api.app.inject({ method: 'PUT', url: '/account', headers: { origin: ORIGIN } })
  t.equal(denied.statusCode, 401)
  t.same(corsHeadersOf(denied), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true' })
  const allowed = await api.app.inject({ method: 'PUT', url: '/account', headers: { origin: ORIGIN, authorization: 'Bearer good' } })
  t.equal(allowed.statusCode, 200)
  t.equal(api.handlerCalls, 1)
})
