// Apps migrating from @fastify/cors with per-request options could not start: `delegator` was refused
// as an unknown option (FST_CORS_INVALID_OPTIONS "/delegator is not an option") and
// `register(corsPolicy, (instance) => delegator)` was refused as "expected an options object". Once
// accepted, two further failures had to be ruled out: a delegator that failed (threw, rejected, never
// answered) must deny that request without a 500 and without stopping the server, and its answer must
// also decide preflights (a preflight answered from the static options would grant what the actual
// request is then refused). Now `delegator` works as in @fastify/cors, each returned options object
// validated and compiled once; invalid ones and failures deny with a coded error logged.
import { test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import corsPolicy, { type CorsDelegatorCallback } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders } from '../helpers/build-app.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'

test('the @fastify/cors README delegator starts and decides per request, preflights included', async (t) => {
  const { app, decisions } = await buildApp(t, {
    cors: {
      delegator: (request: FastifyRequest, cb: CorsDelegatorCallback) => {
        const corsOptions = request.headers['x-partner'] === 'b'
          ? { origin: [B], methods: ['PUT'], allowedHeaders: ['x-partner'] }
          : { origin: [A], credentials: true }
        cb(null, corsOptions)
      }
    }
  })
  const b = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { ...preflightHeaders(B, 'PUT', 'x-partner'), 'x-partner': 'b' } })
  t.equal(b.statusCode, 204)
  t.same(corsHeadersOf(b), { 'access-control-allow-origin': B, 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-partner' })
  const bAsA = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(B, 'PUT') })
  t.equal(bAsA.statusCode, 403, 'without the header the delegator answers A only')
  t.same(corsHeadersOf(bAsA), {})
  const a = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(a), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' })
  t.same(decisions.map((d) => [d.preflight, d.reason]), [[true, 'allowed'], [true, 'origin-not-allowed'], [false, 'allowed']])
})

test('register(corsPolicy, (instance) => delegator) starts, with the registering instance', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let received: FastifyInstance | undefined
  app.register(corsPolicy, (instance: FastifyInstance) => {
    received = instance
    return async (request: FastifyRequest) => ({ origin: request.url.startsWith('/b') ? [B] : [A] })
  })
  app.get('/a', async () => 'a')
  app.get('/b', async () => 'b')
  await t.resolves(async () => { await app.ready() })
  t.equal(received, app)
  t.equal((await app.inject({ method: 'GET', url: '/a', headers: { origin: A } })).headers['access-control-allow-origin'], A)
  t.equal((await app.inject({ method: 'GET', url: '/b', headers: { origin: A } })).headers['access-control-allow-origin'], undefined)
  t.equal((await app.inject({ method: 'GET', url: '/b', headers: { origin: B } })).headers['access-control-allow-origin'], B)
})

test('a delegator that throws, rejects or never answers denies that request, never a 500; the server keeps serving', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      originCheckTimeout: 20,
      delegator: (request: FastifyRequest) => {
        switch (request.headers['x-mode']) {
          case 'throw': throw new Error('boom')
          case 'reject': return Promise.reject(new Error('nope'))
          case 'hang': return new Promise(() => {})
          default: return { origin: [A] }
        }
      }
    }
  })
  for (const [mode, why] of [['throw', 'threw'], ['reject', 'rejected'], ['hang', 'did not settle within 20 ms']] as const) {
    logs.length = 0
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A, 'x-mode': mode } })
    t.equal(res.statusCode, 200, mode)
    t.same(corsHeadersOf(res), {}, mode)
    const preflight = await app.inject({ method: 'OPTIONS', url: '/items', headers: { ...preflightHeaders(A, 'POST'), 'x-mode': mode } })
    t.equal(preflight.statusCode, 403, mode)
    const lines = logs.filter((line) => line.level >= LOG_LEVEL.warn)
    t.same(lines.map((line) => [line.level, line.msg, (line.err as { code?: string } | undefined)?.code]), [
      [LOG_LEVEL.error, `The fastify-cors-policy delegator ${why} for GET /items, so the request is denied`, 'FST_CORS_DELEGATOR_FAILED'],
      [LOG_LEVEL.error, `The fastify-cors-policy delegator ${why} for POST /items, so the request is denied`, 'FST_CORS_DELEGATOR_FAILED']
    ], mode)
    const next = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
    t.equal(next.headers['access-control-allow-origin'], A, `${mode}: next request served`)
  }
})
