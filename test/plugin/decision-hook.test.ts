// The `hook` option: actual requests are decided in the configured hook ('onRequest' by default,
// 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend'); request.cors is null
// before it; preflights are always answered in onRequest, before auth hooks registered after the
// plugin (preflights carry no credentials: Fetch#cors-protocol-and-credentials); preSerialization
// does not run for string/stream payloads, so those are decided in onSend; `enforce` needs a hook
// that runs before the handler (a registration error otherwise).
import { test } from 'tap'
import { Readable } from 'node:stream'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import corsPolicy, { type FastifyCorsHook } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example.org'
const GRANT = { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Trace' }

const HOOKS: FastifyCorsHook[] = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend']
/** the route-level phases observed, in lifecycle order ('handler' between preHandler and preSerialization) */
const PHASES = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'handler', 'preSerialization', 'onSend'] as const
type Phase = typeof PHASES[number]

function reasonOf (request: FastifyRequest): string | null {
  return request.cors === null || request.cors === undefined ? null : request.cors.reason
}

/** Route-level hooks of every phase recording request.cors (they run after the app-level hooks of their phase). */
function observedRoutes (seen: Array<[Phase, string | null]>) {
  return (app: FastifyInstance): void => {
    app.post('/observed', {
      onRequest: async (request) => { seen.push(['onRequest', reasonOf(request)]) },
      preParsing: async (request, _reply, payload) => { seen.push(['preParsing', reasonOf(request)]); return payload },
      preValidation: async (request) => { seen.push(['preValidation', reasonOf(request)]) },
      preHandler: async (request) => { seen.push(['preHandler', reasonOf(request)]) },
      preSerialization: async (request, _reply, payload) => { seen.push(['preSerialization', reasonOf(request)]); return payload },
      onSend: async (request, _reply, payload) => { seen.push(['onSend', reasonOf(request)]); return payload }
    }, async (request) => {
      seen.push(['handler', reasonOf(request)])
      return { echo: request.body }
    })
    app.get('/text', async () => 'plain text')
    app.get('/stream', async (_request, reply) => reply.type('text/plain').send(Readable.from(['chunk-1 ', 'chunk-2'])))
    app.get('/buffer', async (_request, reply) => reply.type('application/octet-stream').send(Buffer.from('bytes')))
  }
}

for (const hook of HOOKS) {
  test(`hook: '${hook}': request.cors is null before the hook and set from it on; the response carries the headers`, async (t) => {
    const seen: Array<[Phase, string | null]> = []
    const { app, decisions } = await buildApp(t, {
      cors: { origin: [APP], credentials: true, exposedHeaders: ['X-Trace'], hook },
      routes: observedRoutes(seen)
    })
    const res = await app.inject({ method: 'POST', url: '/observed', headers: { origin: APP }, payload: { name: 'x' } })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { echo: { name: 'x' } }, 'the body and the payload went through the hook untouched')
    t.same(corsHeadersOf(res), GRANT)
    t.equal(res.headers.vary, 'Origin')
    const decidedAt = PHASES.indexOf(hook)
    t.same(seen, PHASES.map((phase, index) => [phase, index >= decidedAt ? 'allowed' : null]), `decided in ${hook}`)
    seen.length = 0

    const denied = await app.inject({ method: 'POST', url: '/observed', headers: { origin: EVIL }, payload: { name: 'y' } })
    t.equal(denied.statusCode, 200)
    t.same(denied.json(), { echo: { name: 'y' } })
    t.same(corsHeadersOf(denied), {})
    t.equal(denied.headers.vary, 'Origin')
    t.same(seen, PHASES.map((phase, index) => [phase, index >= decidedAt ? 'origin-not-allowed' : null]))
    seen.length = 0

    const noOrigin = await app.inject({ method: 'POST', url: '/observed', payload: { name: 'z' } })
    t.same(corsHeadersOf(noOrigin), {})
    t.equal(noOrigin.headers.vary, 'Origin')
    t.same(seen, PHASES.map((phase, index) => [phase, index >= decidedAt ? 'no-origin' : null]))

    for (const url of ['/text', '/stream', '/buffer', '/missing']) {
      const other = await app.inject({ method: 'GET', url, headers: { origin: APP } })
      t.equal(other.statusCode, url === '/missing' ? 404 : 200, url)
      t.same(corsHeadersOf(other), GRANT, `${url}: decided even when ${hook} does not run for this payload`)
      t.equal(other.headers.vary, 'Origin', url)
      const refused = await app.inject({ method: 'GET', url, headers: { origin: EVIL } })
      t.same(corsHeadersOf(refused), {}, url)
    }
    t.equal((await app.inject({ method: 'GET', url: '/stream', headers: { origin: APP } })).body, 'chunk-1 chunk-2')
    t.same(decisions.map((d) => d.reason), [
      'allowed', 'origin-not-allowed', 'no-origin',
      'allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed',
      'allowed'
    ], 'every request decided exactly once')
  })

  test(`hook: '${hook}': preflights are answered in onRequest, before an auth hook registered after the plugin`, async (t) => {
    let authCalls = 0
    const handled: string[] = []
    const { app, decisions } = await buildApp(t, {
      cors: { origin: [APP], credentials: true, hook },
      routes: (instance) => {
        instance.addHook('onRequest', async (request, reply) => {
          authCalls++
          if (request.headers.authorization === undefined) return reply.code(401).send({ error: 'unauthorised' })
        })
        instance.put('/items/:id', async () => { handled.push('put'); return { updated: true } })
      }
    })
    const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'authorization') })
    t.equal(preflight.statusCode, 204)
    t.same(corsHeadersOf(preflight), {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'authorization'
    })
    const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(EVIL, 'PUT') })
    t.equal(refused.statusCode, 403)
    t.same(corsHeadersOf(refused), {})
    t.equal(authCalls, 0, 'the auth hook never saw a preflight')
    // the auth hook's own 401 is readable by the allowed origin whatever the hook (decided in onSend at the latest)
    const unauthorised = await app.inject({ method: 'PUT', url: '/items/1', headers: { origin: APP } })
    t.equal(unauthorised.statusCode, 401)
    t.same(corsHeadersOf(unauthorised), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
    t.equal(unauthorised.headers.vary, 'Origin')
    const unauthorisedEvil = await app.inject({ method: 'PUT', url: '/items/1', headers: { origin: EVIL } })
    t.equal(unauthorisedEvil.statusCode, 401)
    t.same(corsHeadersOf(unauthorisedEvil), {})
    t.same(handled, [])
    t.same(decisions.map((d) => [d.preflight, d.reason]), [[true, 'allowed'], [true, 'origin-not-allowed'], [false, 'allowed'], [false, 'origin-not-allowed']])
  })
}

for (const hook of ['preSerialization', 'onSend'] as const) {
  test(`enforce with hook: '${hook}' is a registration error`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    app.register(corsPolicy, { origin: [APP], enforce: true, hook })
    await t.rejects(async () => { await app.ready() }, {
      code: 'FST_CORS_INVALID_OPTIONS',
      message: `Invalid fastify-cors-policy options: /enforce needs a hook that runs before the handler, but hook is '${hook}'; use hook: 'preHandler' (or 'onRequest', 'preParsing', 'preValidation'), or remove enforce`
    })
  })

  test(`a route enabling enforce under hook: '${hook}' fails start-up naming the route`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(corsPolicy, { origin: [APP], hook })
    await t.rejects(async () => {
      app.put('/items/:id', { config: { cors: { enforce: true } } }, async () => 'x')
      await app.ready()
    }, {
      code: 'FST_CORS_INVALID_ROUTE_CONFIG',
      message: `Invalid config.cors on route PUT /items/:id: /enforce needs a hook that runs before the handler, but the plugin decides in '${hook}'; register the plugin with hook: 'preHandler' (or 'onRequest', 'preParsing', 'preValidation'), or remove enforce`
    })
  })
}

for (const hook of ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const) {
  test(`enforce with hook: '${hook}' refuses a denied origin with 403 before the handler`, async (t) => {
    const state = await buildApp(t, { cors: { origin: [APP], enforce: true, hook } })
    const denied = await state.app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL } })
    t.equal(denied.statusCode, 403)
    t.same(corsHeadersOf(denied), {})
    t.same(denied.json(), {
      statusCode: 403,
      code: 'FST_CORS_FORBIDDEN',
      error: 'Forbidden',
      message: "Cross-origin request refused: origin 'https://evil.example.org' is not in the allow-list for POST /items; add it to `origin`"
    })
    t.equal(denied.headers.vary, 'Origin')
    t.equal(state.handlerCalls, 0, 'the handler never ran')
    const allowed = await state.app.inject({ method: 'POST', url: '/items', headers: { origin: APP } })
    t.equal(allowed.statusCode, 201)
    t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': APP })
    t.equal(state.handlerCalls, 1)
  })
}

test("hook: 'preHandler' with an asynchronous origin function: decided in preHandler, body parsed", async (t) => {
  const seen: Array<[Phase, string | null]> = []
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      hook: 'preHandler',
      credentials: true,
      exposedHeaders: ['X-Trace'],
      origin: (origin: string, cb: (error: Error | null, allow?: boolean) => void) => { setTimeout(() => { cb(null, origin === APP) }, 5) }
    },
    routes: observedRoutes(seen)
  })
  const res = await app.inject({ method: 'POST', url: '/observed', headers: { origin: APP }, payload: { n: 1 } })
  t.same(res.json(), { echo: { n: 1 } })
  t.same(corsHeadersOf(res), GRANT)
  t.same(seen.map(([phase, reason]) => `${phase}:${String(reason)}`), [
    'onRequest:null', 'preParsing:null', 'preValidation:null', 'preHandler:allowed', 'handler:allowed', 'preSerialization:allowed', 'onSend:allowed'
  ])
  t.same(logs.filter((line) => line.level >= LOG_LEVEL.warn), [])
})

test("hook: 'preSerialization': a JSON payload is decided in preSerialization, a string one in onSend", async (t) => {
  const order: string[] = []
  const { app } = await buildApp(t, {
    cors: { origin: [APP], hook: 'preSerialization' },
    routes: (instance) => {
      instance.addHook('onSend', async (request, _reply, payload) => { order.push(`onSend:${String(reasonOf(request))}`); return payload })
      instance.addHook('preSerialization', async (request, _reply, payload) => { order.push(`preSerialization:${String(reasonOf(request))}`); return payload })
      instance.get('/json', async (request) => { order.push(`handler:${String(reasonOf(request))}`); return { ok: true } })
      instance.get('/string', async (request) => { order.push(`handler:${String(reasonOf(request))}`); return 'ok' })
    }
  })
  const json = await app.inject({ method: 'GET', url: '/json', headers: { origin: APP } })
  t.same(corsHeadersOf(json), { 'access-control-allow-origin': APP })
  t.same(order, ['handler:null', 'preSerialization:allowed', 'onSend:allowed'])
  order.length = 0
  const text = await app.inject({ method: 'GET', url: '/string', headers: { origin: APP } })
  t.equal(text.body, 'ok')
  t.same(corsHeadersOf(text), { 'access-control-allow-origin': APP })
  t.same(order, ['handler:null', 'onSend:allowed'], 'no preSerialization for a string: decided by the plugin in onSend')
})

test('an unknown hook name is a registration error', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [APP], hook: 'onResponse' as FastifyCorsHook })
  await t.rejects(async () => { await app.ready() }, { code: 'FST_CORS_INVALID_OPTIONS', message: /\/hook expected one of 'onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', received 'onResponse'/ })
})
