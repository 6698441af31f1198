// The origin function used to be called as a plain function, so `this` was undefined: an origin
// function written for @fastify/cors (`function (origin, cb) { this.tenants.lookup(origin, cb) }`,
// reading a decorator of the instance) threw a TypeError on every request, and every cross-origin
// request was denied (origin-check-failed). Now the function is called with `this` = the Fastify
// instance the plugin was registered in, as @fastify/cors does (`origin.call(fastify, origin, cb, request)`).
import { test } from 'tap'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import corsPolicy, { type OriginCallback } from '../../lib/index.js'
import { corsHeadersOf, loggedFastify, preflightHeaders } from '../helpers/build-app.js'

const TENANT = 'https://tenant.example.net'
const OTHER = 'https://other.example.org'

interface WithTenants { tenants: { has: (origin: string) => boolean } }

test('registered at the root: `this` is the root instance and its decorators are readable', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  app.decorate('tenants', new Set([TENANT]))
  const thisValues: unknown[] = []
  const decisions: Array<[string, boolean, string] | null> = []
  await app.register(corsPolicy, {
    credentials: true,
    origin: function (this: FastifyInstance, origin: string, cb: OriginCallback) {
      thisValues.push(this)
      cb(null, (this as unknown as WithTenants).tenants.has(origin))
    }
  })
  app.addHook('onResponse', async (request: FastifyRequest) => {
    decisions.push(request.cors === null ? null : [request.cors.reason, request.cors.allowed, String(request.cors.preflight)])
  })
  app.get('/me', async () => ({ me: true }))
  const allowed = await app.inject({ method: 'GET', url: '/me', headers: { origin: TENANT } })
  t.equal(allowed.statusCode, 200)
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true' })
  const denied = await app.inject({ method: 'GET', url: '/me', headers: { origin: OTHER } })
  t.same(corsHeadersOf(denied), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/me', headers: preflightHeaders(TENANT, 'GET', 'authorization') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': TENANT,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'authorization'
  })
  t.same(decisions, [['allowed', true, 'false'], ['origin-not-allowed', false, 'false'], ['allowed', true, 'true']])
  t.equal(thisValues.length, 3)
  t.ok(thisValues.every((value) => value === app), 'this === app every time')
  t.same(log.atLeast('warn'), [], 'no origin-check-failed error line')
})

test('registered in a child scope: `this` is that child, with the child\'s own decorator', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  let child: FastifyInstance | undefined
  const thisValues: unknown[] = []
  app.register(async (scope) => {
    child = scope
    // a decorator only the child has: the root instance would not see it
    scope.decorate('tenants', new Set([TENANT]))
    await scope.register(corsPolicy, {
      origin: async function (this: FastifyInstance, origin: string) {
        thisValues.push(this)
        return (this as unknown as WithTenants).tenants.has(origin)
      }
    })
    scope.get('/tenant', async () => 'tenant')
  }, { prefix: '/t' })
  await app.ready()
  t.equal(app.hasDecorator('tenants'), false)
  const allowed = await app.inject({ method: 'GET', url: '/t/tenant', headers: { origin: TENANT } })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT })
  const denied = await app.inject({ method: 'GET', url: '/t/tenant', headers: { origin: OTHER } })
  t.same(corsHeadersOf(denied), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/t/tenant', headers: preflightHeaders(TENANT, 'GET', 'x-a') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], TENANT)
  t.equal(thisValues.length, 3)
  t.ok(thisValues.every((value) => value === child), 'this === the child instance')
  t.same(log.atLeast('warn'), [])
})
