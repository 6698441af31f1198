import { test } from 'tap'
import type { FastifyRequest } from 'fastify'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders } from '../helpers/build-app.js'

const TENANT = 'https://tenant.example.net'

test('a synchronous function: true reflects the origin, false denies', async (t) => {
  const calls: Array<[string, string]> = []
  const { app, lastDecision } = await buildApp(t, {
    cors: {
      origin: (origin: string, _callback: unknown, request: FastifyRequest) => {
        calls.push([origin, request.url])
        return origin === TENANT
      }
    }
  })
  const allowed = await app.inject({ method: 'GET', url: '/items?page=2', headers: { origin: TENANT } })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT })
  t.equal(allowed.headers.vary, 'Origin')
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://other.example.net' } })
  t.same(corsHeadersOf(denied), {})
  t.equal(lastDecision().reason, 'origin-not-allowed')
  t.same(calls, [[TENANT, '/items?page=2'], ['https://other.example.net', '/items']], 'called once per request, with the request')
})

test('an async function decides the same way', async (t) => {
  const { app, decisions } = await buildApp(t, { cors: { origin: async (origin) => { await new Promise((resolve) => setImmediate(resolve)); return origin === TENANT } } })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT })
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://other.example.net' } })
  t.same(corsHeadersOf(denied), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], TENANT)
  const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders('https://other.example.net', 'PUT') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
  t.same(decisions.map((d) => d.reason), ['allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed'])
})

test('only a literal true allows', async (t) => {
  for (const answer of [1, 'yes', {}, null, undefined]) {
    const { app } = await buildApp(t, { cors: { origin: () => answer as unknown as boolean } })
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.same(corsHeadersOf(res), {}, JSON.stringify(answer) ?? 'undefined')
    const asyncApp = await buildApp(t, { cors: { origin: async () => answer as unknown as boolean } })
    const asyncRes = await asyncApp.app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.same(corsHeadersOf(asyncRes), {}, `async ${JSON.stringify(answer) ?? 'undefined'}`)
  }
})

test('a throwing function denies with origin-check-failed, logged at error level, never a 500', async (t) => {
  const { app, logs, decisions } = await buildApp(t, { logLevel: 'error', cors: { origin: () => { throw new Error('tenant database unavailable') } } })
  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(actual.statusCode, 200)
  t.same(corsHeadersOf(actual), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  t.same(decisions.map((d) => [d.reason, d.allowed]), [['origin-check-failed', false], ['origin-check-failed', false]])
  const errors = logs.filter((line) => line.level === LOG_LEVEL.error)
  t.equal(errors.length, 2)
  t.equal(errors[0]?.msg, `fastify-cors-policy: the origin function threw for origin '${TENANT}'; the request is denied`)
  t.match(errors[0]?.err, { message: 'tenant database unavailable' })
})

test('a rejecting function denies with origin-check-failed, logged at error level', async (t) => {
  const { app, logs, lastDecision } = await buildApp(t, { logLevel: 'error', cors: { origin: async () => { throw new Error('lookup failed') } } })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  t.equal(lastDecision().reason, 'origin-check-failed')
  const actual = await app.inject({ method: 'POST', url: '/items', headers: { origin: TENANT } })
  t.equal(actual.statusCode, 201)
  t.same(corsHeadersOf(actual), {})
  const errors = logs.filter((line) => line.level === LOG_LEVEL.error)
  t.same(errors.map((line) => line.msg), [
    `fastify-cors-policy: the origin function rejected for origin '${TENANT}'; the request is denied`,
    `fastify-cors-policy: the origin function rejected for origin '${TENANT}'; the request is denied`
  ])
  t.match(errors[0]?.err, { message: 'lookup failed' })
})

test('a function that never settles denies after originCheckTimeout', async (t) => {
  const { app, logs, lastDecision } = await buildApp(t, {
    logLevel: 'error',
    cors: { origin: () => new Promise<boolean>(() => {}), originCheckTimeout: 20 }
  })
  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(actual.statusCode, 200)
  t.same(corsHeadersOf(actual), {})
  t.equal(lastDecision().reason, 'origin-check-failed')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 403)
  t.same(logs.filter((line) => line.level === LOG_LEVEL.error).map((line) => line.msg), [
    `fastify-cors-policy: the origin function did not settle within 20 ms for origin '${TENANT}'; the request is denied`,
    `fastify-cors-policy: the origin function did not settle within 20 ms for origin '${TENANT}'; the request is denied`
  ])
})

test('an answer arriving after the timeout is ignored', async (t) => {
  let settle: ((value: boolean) => void) | undefined
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: () => new Promise<boolean>((resolve) => { settle = resolve }), originCheckTimeout: 20 }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(res), {})
  settle?.(true)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(lastDecision().reason, 'origin-check-failed')
})

test("the function receives 'null' like any other origin and its answer stands", async (t) => {
  const seen: string[] = []
  const { app } = await buildApp(t, { cors: { origin: (origin) => { seen.push(origin); return origin === 'null' } } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'null' })
  t.same(seen, ['null'])
})

test('an invalid Origin never reaches the function', async (t) => {
  const seen: string[] = []
  const { app, lastDecision } = await buildApp(t, { cors: { origin: (origin) => { seen.push(origin); return true } } })
  for (const origin of ['https://tenant.example.net/', 'tenant.example.net', `https://${'a'.repeat(5000)}.net`]) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), {})
    t.equal(lastDecision().reason, 'invalid-origin')
  }
  t.same(seen, [])
})

test('a function combined with credentials reflects the origin with ACAC', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: async (origin) => origin.endsWith('.example.net') && origin.startsWith('https://'), credentials: true, exposedHeaders: ['X-Tenant'] } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Tenant' })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT', 'x-tenant-token') })
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': TENANT,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD, PUT, DELETE',
    'access-control-allow-headers': 'x-tenant-token'
  })
})

test('a function in a route override replaces the plugin origin on that route', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: ['https://app.example.com'] },
    routes: (instance) => {
      instance.get('/tenant', { config: { cors: { origin: (origin) => origin === TENANT } } }, async () => 'tenant')
    }
  })
  const tenant = await app.inject({ method: 'GET', url: '/tenant', headers: { origin: TENANT } })
  t.equal(tenant.headers['access-control-allow-origin'], TENANT)
  const appOrigin = await app.inject({ method: 'GET', url: '/tenant', headers: { origin: 'https://app.example.com' } })
  t.equal(appOrigin.headers['access-control-allow-origin'], undefined)
})
