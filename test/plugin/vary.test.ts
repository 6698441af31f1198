import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

/** A route that sets the Vary value given in `?vary=` (repeat it for several field lines). */
function varyRoute (app: FastifyInstance): void {
  app.get('/vary', async (request, reply) => {
    const { vary } = request.query as { vary?: string | string[] }
    if (vary !== undefined) reply.header('vary', vary)
    return 'ok'
  })
}

test('every response of a policy whose ACAO depends on the request carries Vary: Origin', async (t) => {
  const policies: Array<[string, FastifyCorsOptions]> = [
    ['list', { origin: [APP] }],
    ['pattern', { origin: 'https://*.example.com' }],
    ['RegExp', { origin: /^https:\/\/app\.example\.com$/ }],
    ['reflect', { origin: true }],
    ['function', { origin: (origin) => origin === APP }]
  ]
  for (const [name, cors] of policies) {
    const { app } = await buildApp(t, { cors })
    const requests = [
      { label: 'allowed', url: '/items', headers: { origin: APP } },
      { label: 'denied', url: '/items', headers: { origin: 'https://evil.test' } },
      { label: 'no Origin', url: '/items', headers: {} },
      { label: 'invalid Origin', url: '/items', headers: { origin: 'not an origin' } },
      { label: '404', url: '/nowhere', headers: { origin: APP } },
      { label: '500', url: '/error', headers: {} }
    ]
    for (const { label, url, headers } of requests) {
      const res = await app.inject({ method: 'GET', url, headers })
      t.equal(res.headers.vary, 'Origin', `${name}: ${label}`)
    }
  }
})

test("no Vary for '*' and for false, with or without Origin", async (t) => {
  for (const origin of ['*', false] as const) {
    const { app } = await buildApp(t, { cors: { origin } })
    for (const headers of [{ origin: APP }, {}]) {
      const res = await app.inject({ method: 'GET', url: '/items', headers })
      t.equal(res.headers.vary, undefined, `${String(origin)} ${JSON.stringify(headers)}`)
    }
  }
})

test("Vary: Origin is merged into the handler's own Vary without duplicates", async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [APP] }, routes: varyRoute })
  const cases: Array<[string, string]> = [
    ['Accept-Encoding', 'Accept-Encoding, Origin'],
    ['Accept-Encoding, Accept-Language', 'Accept-Encoding, Accept-Language, Origin'],
    ['origin', 'origin'],
    ['ORIGIN', 'ORIGIN'],
    ['Accept, Origin', 'Accept, Origin'],
    ['Accept,origin', 'Accept,origin'],
    ['*', '*'],
    ['Accept, *', 'Accept, *']
  ]
  for (const [own, expected] of cases) {
    for (const headers of [{ origin: APP }, { origin: 'https://evil.test' }, {}]) {
      const res = await app.inject({ method: 'GET', url: '/vary', query: { vary: own }, headers })
      t.equal(res.headers.vary, expected, `${own} with ${JSON.stringify(headers)}`)
    }
  }
})

test('a Vary set by the handler as an array of values keeps all of them', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/vary', async (_request, reply) => {
        reply.header('vary', ['Accept-Encoding', 'Cookie'])
        return 'ok'
      })
    }
  })
  const res = await app.inject({ method: 'GET', url: '/vary', headers: { origin: APP } })
  t.equal(res.headers.vary, 'Accept-Encoding, Cookie, Origin')
})

test("a '*' policy leaves the handler's own Vary untouched", async (t) => {
  const { app } = await buildApp(t, { cors: { origin: '*' }, routes: varyRoute })
  const res = await app.inject({ method: 'GET', url: '/vary', query: { vary: 'Accept-Encoding' }, headers: { origin: APP } })
  t.equal(res.headers.vary, 'Accept-Encoding')
})

test('a route with cors: false gets no Vary from the plugin', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => { instance.get('/internal', { config: { cors: false } }, async () => 'internal') }
  })
  const res = await app.inject({ method: 'GET', url: '/internal', headers: { origin: APP } })
  t.equal(res.headers.vary, undefined)
})

test('a route override to * drops Vary on that route only', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.get('/public', { config: { cors: { origin: '*' } } }, async () => 'public')
      instance.get('/private', async () => 'private')
    }
  })
  t.equal((await app.inject({ method: 'GET', url: '/public', headers: { origin: APP } })).headers.vary, undefined)
  t.equal((await app.inject({ method: 'GET', url: '/private', headers: { origin: APP } })).headers.vary, 'Origin')
})

test('preflights vary on Origin, and on ACRM and ACRH only while the answer depends on them', async (t) => {
  const cases: Array<[string, FastifyCorsOptions, string | undefined]> = [
    ['list, defaults', { origin: [APP] }, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'],
    ['list, methods configured', { origin: [APP], methods: ['GET', 'PUT'] }, 'Origin, Access-Control-Request-Headers'],
    ['list, headers configured', { origin: [APP], allowedHeaders: ['X-A'] }, 'Origin, Access-Control-Request-Method'],
    ['list, both configured', { origin: [APP], methods: ['GET', 'PUT'], allowedHeaders: ['X-A'] }, 'Origin'],
    ['*, defaults', { origin: '*' }, 'Access-Control-Request-Method, Access-Control-Request-Headers'],
    ['*, both configured', { origin: '*', methods: '*', allowedHeaders: '*' }, undefined]
  ]
  for (const [name, cors, expected] of cases) {
    const { app } = await buildApp(t, { cors })
    const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'x-a') })
    t.equal(res.statusCode, 204, name)
    t.equal(res.headers.vary, expected, name)
  }
})
