import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const PARTNER = 'https://partner.example.com'

test('origin functions on a URL whose routes differ: called once per function, their answers decide the grant', async (t) => {
  const calls: string[] = []
  const { app } = await buildApp(t, {
    cors: {
      origin: async (origin: string) => { calls.push(origin); return origin === APP || origin === PARTNER },
      credentials: true,
      maxAge: 60
    },
    routes: (instance) => {
      instance.get('/orders', async () => 'orders')
      // inherits the plugin's origin function: one call answers for both policies
      instance.put('/orders', { config: { cors: { methods: ['PUT'], maxAge: 10 } } }, async () => 'put')
      instance.delete('/orders', { config: { cors: { origin: [APP] } } }, async () => 'delete')
    }
  })
  const partner = await app.inject({ method: 'OPTIONS', url: '/orders', headers: preflightHeaders(PARTNER, 'PUT', 'x-a') })
  t.equal(partner.statusCode, 204)
  t.same(calls, [PARTNER], 'the shared origin function ran once')
  t.equal(partner.headers['access-control-allow-methods'], 'GET, HEAD, PUT', 'DELETE refuses the partner: not listed')
  t.equal(partner.headers['access-control-max-age'], '10', 'the smallest max-age of the policies involved')
  t.equal(partner.headers['access-control-allow-credentials'], 'true')
  const del = await app.inject({ method: 'OPTIONS', url: '/orders', headers: preflightHeaders(PARTNER, 'DELETE') })
  t.equal(del.statusCode, 403)
  const own = await app.inject({ method: 'OPTIONS', url: '/orders', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(own.statusCode, 204)
  t.equal(own.headers['access-control-allow-methods'], 'GET, HEAD, PUT, DELETE')
})

test('an origin function that throws on a URL whose routes differ denies the preflight, never a 500', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: { origin: () => { throw new Error('store down') } },
    routes: (instance) => {
      instance.get('/orders', async () => 'orders')
      instance.put('/orders', { config: { cors: { maxAge: 5 } } }, async () => 'put')
    }
  })
  const res = await app.inject({ method: 'OPTIONS', url: '/orders', headers: preflightHeaders(APP, 'PUT') })
  t.equal(res.statusCode, 403)
  t.same(corsHeadersOf(res), {})
  t.match(lastDecision(), { preflight: true, allowed: false, reason: 'origin-check-failed' })
})

test('a preflight outside every registration with no route is the 404 it would be without the plugin', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(async (api) => {
    api.register(corsPolicy, { origin: [APP] })
    api.put('/items', async () => 'items')
  }, { prefix: '/api' })
  await app.ready()
  // the plugin's catch-all `/api*` also matches `/apiz`
  const preflight = await app.inject({ method: 'OPTIONS', url: '/apiz', headers: preflightHeaders(APP, 'PUT') })
  t.equal(preflight.statusCode, 404)
  t.same(corsHeadersOf(preflight), {})
  const plain = await app.inject({ method: 'OPTIONS', url: '/apiz' })
  t.equal(plain.statusCode, 404, 'a plain OPTIONS request there is not the strictPreflight answer either')
  const inside = await app.inject({ method: 'OPTIONS', url: '/api/other' })
  t.equal(inside.statusCode, 400, 'inside the scope, strictPreflight answers')
})

test('the answer for a URL is the same from its cache: one URL, several requests, several hosts', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP, PARTNER] },
    routes: (instance) => {
      instance.put('/data', { constraints: { host: 'admin.test' }, config: { cors: { origin: [APP] } } }, async () => 'admin')
      instance.put('/data', async () => 'any host')
    }
  })
  for (let i = 0; i < 3; i++) {
    const admin = await app.inject({ method: 'OPTIONS', url: '/data', headers: { ...preflightHeaders(PARTNER, 'PUT'), host: 'admin.test' } })
    t.equal(admin.statusCode, 403, `admin host, request ${i}`)
    const other = await app.inject({ method: 'OPTIONS', url: '/data', headers: { ...preflightHeaders(PARTNER, 'PUT'), host: 'www.test' } })
    t.equal(other.statusCode, 204, `another host, request ${i}`)
  }
})

test('more URLs than the cache holds are all answered correctly', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.put('/items/:id', async () => 'put')
      instance.delete('/items/:id', { config: { cors: false } }, async () => 'delete')
    }
  })
  let wrong = 0
  for (let i = 0; i < 1100; i++) {
    const put = await app.inject({ method: 'OPTIONS', url: `/items/${i}`, headers: preflightHeaders(APP, 'PUT') })
    if (put.statusCode !== 204) wrong++
    if (i % 50 === 0) {
      const del = await app.inject({ method: 'OPTIONS', url: `/items/${i}`, headers: preflightHeaders(APP, 'DELETE') })
      if (del.statusCode !== 403) wrong++
    }
  }
  t.equal(wrong, 0, '1 100 URLs (the cache keeps 1 000): every answer right')
  const last = await app.inject({ method: 'OPTIONS', url: '/items/1099?x=1', headers: preflightHeaders(APP, 'PUT') })
  t.equal(last.headers['access-control-allow-methods'], 'PUT')
})
