// The `delegator` option: per-request options, as @fastify/cors's delegator: answered through a callback,
// a promise or a returned value; the returned options are route-level options merged over the
// plugin's, validated and compiled once per returned object (by identity); invalid ones deny with
// FST_CORS_INVALID_DELEGATED_OPTIONS logged, a failing delegator denies with FST_CORS_DELEGATOR_FAILED
// logged, and the server keeps serving. Preflights use the delegator's answer too. Options may also be
// a function of the instance that returns the delegator (`register(corsPolicy, (instance) => delegator)`).
import { test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import corsPolicy, { type CorsDelegatorCallback, type FastifyCorsDelegatedOptions, type FastifyCorsDelegator, type OriginCallback } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders, type LogLine } from '../helpers/build-app.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const EVIL = 'https://evil.example.org'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Tenant a: origin A with credentials; tenant b: origin B, no credentials, an exposed header. */
const TENANT_A: FastifyCorsDelegatedOptions = Object.freeze({ origin: [A], credentials: true, methods: ['GET', 'PUT'], allowedHeaders: ['x-tenant'], maxAge: 600 }) as FastifyCorsDelegatedOptions
const TENANT_B: FastifyCorsDelegatedOptions = Object.freeze({ origin: [B], exposedHeaders: ['X-Tenant'] }) as FastifyCorsDelegatedOptions

function optionsFor (request: FastifyRequest): FastifyCorsDelegatedOptions {
  return request.headers['x-tenant'] === 'b' ? TENANT_B : TENANT_A
}

function errors (logs: LogLine[]): LogLine[] {
  return logs.filter((line) => line.level >= LOG_LEVEL.warn)
}

const delegatorStyles: Record<string, FastifyCorsDelegator> = {
  'a callback, synchronously': (request: FastifyRequest, cb: CorsDelegatorCallback) => { cb(null, optionsFor(request)) },
  'a callback, after a timer': (request: FastifyRequest, cb: CorsDelegatorCallback) => { setTimeout(() => { cb(null, optionsFor(request)) }, 5) },
  'a promise': async (request: FastifyRequest) => { await sleep(1); return optionsFor(request) },
  'a returned value': ((request: FastifyRequest) => optionsFor(request)) as FastifyCorsDelegator
}

for (const [style, delegator] of Object.entries(delegatorStyles)) {
  test(`a delegator answering through ${style} decides actual requests and preflights per request`, async (t) => {
    const { app, decisions, logs } = await buildApp(t, { logLevel: 'warn', cors: { delegator } })
    const a = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
    t.equal(a.statusCode, 200)
    t.same(corsHeadersOf(a), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' })
    t.equal(a.headers.vary, 'Origin')
    const bAsA = await app.inject({ method: 'GET', url: '/items', headers: { origin: B } })
    t.same(corsHeadersOf(bAsA), {}, "tenant a's options refuse B")
    const b = await app.inject({ method: 'GET', url: '/items', headers: { origin: B, 'x-tenant': 'b' } })
    t.same(corsHeadersOf(b), { 'access-control-allow-origin': B, 'access-control-expose-headers': 'X-Tenant' })
    const missing = await app.inject({ method: 'GET', url: '/missing', headers: { origin: B, 'x-tenant': 'b' } })
    t.equal(missing.statusCode, 404)
    t.same(corsHeadersOf(missing), { 'access-control-allow-origin': B, 'access-control-expose-headers': 'X-Tenant' })

    // preflights: ACAM/ACAH/ACMA/ACAC from the delegator's answer
    const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'PUT', 'x-tenant') })
    t.equal(preflight.statusCode, 204)
    t.same(corsHeadersOf(preflight), {
      'access-control-allow-origin': A,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'x-tenant',
      'access-control-max-age': '600'
    })
    const refusedHeader = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'PUT', 'x-other') })
    t.equal(refusedHeader.statusCode, 204)
    t.same(corsHeadersOf(refusedHeader), {
      'access-control-allow-origin': A,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'x-tenant'
    }, 'the header is refused, the answer names what is allowed')
    const refusedMethod = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'DELETE') })
    t.equal(refusedMethod.statusCode, 204)
    t.same(corsHeadersOf(refusedMethod), {
      'access-control-allow-origin': A,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'x-tenant'
    })
    const refusedOrigin = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { ...preflightHeaders(A, 'PUT'), 'x-tenant': 'b' } })
    t.equal(refusedOrigin.statusCode, 403)
    t.same(corsHeadersOf(refusedOrigin), {})
    t.same(decisions.map((d) => [d.preflight, d.origin, d.allowed, d.reason]), [
      [false, A, true, 'allowed'],
      [false, B, false, 'origin-not-allowed'],
      [false, B, true, 'allowed'],
      [false, B, true, 'allowed'],
      [true, A, true, 'allowed'],
      [true, A, false, 'header-not-allowed'],
      [true, A, false, 'method-not-allowed'],
      [true, A, false, 'origin-not-allowed']
    ])
    t.same(errors(logs), [])
  })
}

test('the delegator receives the request and is called once per request', async (t) => {
  const calls: Array<[string, string]> = []
  const { app } = await buildApp(t, {
    cors: {
      origin: [A],
      credentials: true,
      delegator: (request: FastifyRequest, cb: CorsDelegatorCallback) => { calls.push([request.method, request.url]); cb(null, { origin: [A] }) }
    },
    routes: (instance) => {
      instance.get('/items', async () => 'items')
    }
  })
  await app.inject({ method: 'GET', url: '/items?x=1', headers: { origin: A } })
  await app.inject({ method: 'GET', url: '/items' })
  await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(A, 'GET', 'x-a') })
  t.same(calls, [['GET', '/items?x=1'], ['GET', '/items'], ['OPTIONS', '/items']])
})

test("a route's own config.cors is merged over the delegator's answer, itself merged over the plugin's options", async (t) => {
  const calls: string[] = []
  const { app } = await buildApp(t, {
    cors: {
      origin: [A],
      credentials: true,
      delegator: (request: FastifyRequest, cb: CorsDelegatorCallback) => { calls.push(request.url); cb(null, { origin: [A], exposedHeaders: ['X-Delegated'] }) }
    },
    routes: (instance) => {
      instance.get('/own', { config: { cors: { origin: [B] } } }, async () => 'own')
    }
  })
  const own = await app.inject({ method: 'GET', url: '/own', headers: { origin: B } })
  t.same(corsHeadersOf(own), {
    'access-control-allow-origin': B,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'X-Delegated'
  }, "origin from the route, credentials from the plugin, exposedHeaders from the delegator's answer")
  const delegated = await app.inject({ method: 'GET', url: '/own', headers: { origin: A } })
  t.same(corsHeadersOf(delegated), {}, "the route's origin replaces the delegator's")
  t.same(calls, ['/own', '/own'], 'the delegator ran for each request')
})

test("the returned options are merged over the plugin's options", async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [B], credentials: true, exposedHeaders: ['X-Trace'], delegator: () => ({ origin: [A] }) }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Trace' })
  const plugin = await app.inject({ method: 'GET', url: '/items', headers: { origin: B } })
  t.same(corsHeadersOf(plugin), {}, "the returned origin replaces the plugin's")
})

test('the same returned object is compiled once: its properties are read once, however many requests', async (t) => {
  let reads = 0
  const shared = {}
  Object.defineProperty(shared, 'origin', { enumerable: true, get () { reads++; return [A] } })
  const { app, decisions } = await buildApp(t, { cors: { delegator: () => shared as FastifyCorsDelegatedOptions } })
  const first = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.equal(first.headers['access-control-allow-origin'], A)
  const readsAfterFirst = reads
  t.ok(readsAfterFirst > 0, 'read when compiled')
  for (let i = 0; i < 100; i++) {
    const origin = i % 2 === 0 ? A : EVIL
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.equal(res.headers['access-control-allow-origin'], i % 2 === 0 ? A : undefined)
  }
  await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'PUT') })
  t.equal(reads, readsAfterFirst, 'never read again: compiled once, cached by identity')
  t.equal(decisions.length, 102)
})

test('two constant objects alternating over 100 requests: each request gets its own object\'s decision', async (t) => {
  const { app, decisions } = await buildApp(t, { cors: { delegator: (request: FastifyRequest) => optionsFor(request) } })
  for (let i = 0; i < 100; i++) {
    const tenant = i % 2 === 0 ? 'a' : 'b'
    const origin = i % 3 === 0 ? A : B
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin, 'x-tenant': tenant } })
    const allowed = (tenant === 'a' && origin === A) || (tenant === 'b' && origin === B)
    const expected = !allowed
      ? {}
      : tenant === 'a'
        ? { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' }
        : { 'access-control-allow-origin': B, 'access-control-expose-headers': 'X-Tenant' }
    t.same(corsHeadersOf(res), expected, `request ${i}: tenant ${tenant}, origin ${origin}`)
    t.equal(decisions[i]?.reason, allowed ? 'allowed' : 'origin-not-allowed', `request ${i}`)
  }
})

test('fresh objects every request are still decided correctly (no identity confusion)', async (t) => {
  const { app } = await buildApp(t, { cors: { delegator: (request: FastifyRequest) => ({ origin: [String(request.headers['x-allow'])] }) } })
  for (const origin of [A, B, A]) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin, 'x-allow': origin } })
    t.equal(res.headers['access-control-allow-origin'], origin)
    const other = await app.inject({ method: 'GET', url: '/items', headers: { origin, 'x-allow': origin === A ? B : A } })
    t.equal(other.headers['access-control-allow-origin'], undefined)
  }
})

test('invalid returned options deny with FST_CORS_INVALID_DELEGATED_OPTIONS logged, and the server keeps serving', async (t) => {
  const { app, logs, decisions } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      origin: [A],
      credentials: true,
      delegator: (request: FastifyRequest) => {
        switch (request.headers['x-case']) {
          case 'trailing-slash': return { origin: 'https://a.com/' }
          case 'plugin-only': return { hook: 'preHandler' } as unknown as FastifyCorsDelegatedOptions
          case 'wildcard-with-credentials': return { origin: '*', credentials: true }
          case 'inherited-credentials': return { origin: '*' }
          case 'not-an-object': return 'https://a.com' as unknown as FastifyCorsDelegatedOptions
          default: return { origin: [A] }
        }
      }
    }
  })
  const cases: Array<[string, string]> = [
    ['trailing-slash', "/origin 'https://a.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://a.com'?"],
    ['plugin-only', '/hook is a plugin-level option and cannot be set per route; set it where the plugin is registered'],
    ['wildcard-with-credentials', "/credentials true cannot be combined with origin '*': browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; list the allowed origins in `origin` (e.g. ['https://app.example.com'])"],
    ['not-an-object', "the delegator answered 'https://a.com'; expected an options object"]
  ]
  for (const [name, detail] of cases) {
    logs.length = 0
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A, 'x-case': name } })
    t.equal(res.statusCode, 200, name)
    t.same(corsHeadersOf(res), {}, name)
    t.equal(res.headers.vary, 'Origin', name)
    t.match(decisions[decisions.length - 1], { allowed: false, reason: 'origin-check-failed' }, name)
    const lines = errors(logs)
    t.equal(lines.length, 1, `${name}: one error line`)
    t.equal(lines[0]?.level, LOG_LEVEL.error)
    t.match(lines[0]?.err, { code: 'FST_CORS_INVALID_DELEGATED_OPTIONS' }, name)
    t.equal(lines[0]?.msg, `The fastify-cors-policy delegator answered invalid options for GET /items, so the request is denied: ${detail}`, name)

    logs.length = 0
    const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { ...preflightHeaders(A, 'PUT'), 'x-case': name } })
    t.equal(preflight.statusCode, 403, `${name}: preflight refused, never a 500`)
    t.same(corsHeadersOf(preflight), {})
    t.match(errors(logs), [{ level: LOG_LEVEL.error, err: { code: 'FST_CORS_INVALID_DELEGATED_OPTIONS' } }], name)
    t.equal(errors(logs).length, 1)
  }
  const ok = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(ok), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' }, 'the next request is served')

  // an inherited value never invalidates a route's options: '*' returned under the plugin's credentials: true is '*' without credentials
  logs.length = 0
  const inherited = await app.inject({ method: 'GET', url: '/items', headers: { origin: EVIL, 'x-case': 'inherited-credentials' } })
  t.same(corsHeadersOf(inherited), { 'access-control-allow-origin': '*' })
  t.match(decisions[decisions.length - 1], { allowed: true, reason: 'allowed' })
  t.same(errors(logs), [])
})

interface DelegatorFailure {
  name: string
  fail: (cb: CorsDelegatorCallback) => unknown
  why: string
  cause?: string
}

const delegatorFailures: DelegatorFailure[] = [
  { name: 'throws', fail: () => { throw new Error('tenant db down') }, why: 'threw', cause: 'tenant db down' },
  { name: 'rejects', fail: async () => { await sleep(1); throw new Error('rejected') }, why: 'rejected', cause: 'rejected' },
  { name: 'calls back with an error', fail: (cb) => { setTimeout(() => { cb(new Error('lookup failed')) }, 2) }, why: 'called back with an error', cause: 'lookup failed' },
  { name: 'returns a thenable whose then() throws', fail: () => ({ then () { throw new Error('broken') } }), why: 'returned a thenable whose then() threw', cause: 'broken' },
  { name: 'calls back twice synchronously', fail: (cb) => { cb(null, { origin: [A] }); cb(null, { origin: [A] }) }, why: 'answered more than once' },
  { name: 'never answers', fail: () => new Promise(() => {}), why: 'did not settle within 20 ms' },
  { name: 'never calls back', fail: (_cb) => undefined, why: 'did not settle within 20 ms' }
]

for (const failure of delegatorFailures) {
  test(`a delegator that ${failure.name} denies with FST_CORS_DELEGATOR_FAILED logged; the next request is served`, async (t) => {
    const { app, logs, decisions } = await buildApp(t, {
      logLevel: 'warn',
      cors: {
        originCheckTimeout: 20,
        delegator: (request: FastifyRequest, cb: CorsDelegatorCallback) => {
          if (request.headers['x-fail'] === '1') return failure.fail(cb) as undefined
          cb(null, { origin: [A], credentials: true })
        }
      }
    })
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A, 'x-fail': '1' } })
    t.equal(res.statusCode, 200, 'never a 500')
    t.same(res.json(), { items: [] })
    t.same(corsHeadersOf(res), {})
    t.equal(res.headers.vary, 'Origin')
    t.same(decisions[0], {
      origin: A,
      preflight: false,
      allowed: false,
      reason: 'origin-check-failed',
      detail: decisions[0]?.detail
    })
    let lines = errors(logs)
    t.equal(lines.length, 1)
    t.equal(lines[0]?.level, LOG_LEVEL.error)
    t.equal(lines[0]?.msg, `The fastify-cors-policy delegator ${failure.why} for GET /items, so the request is denied`)
    t.match(lines[0]?.err, { code: 'FST_CORS_DELEGATOR_FAILED' })
    if (failure.cause !== undefined) t.match(lines[0]?.err, { message: new RegExp(failure.cause) })
    logs.length = 0

    const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { ...preflightHeaders(A, 'PUT'), 'x-fail': '1' } })
    t.equal(preflight.statusCode, 403)
    t.same(corsHeadersOf(preflight), {})
    lines = errors(logs)
    t.equal(lines.length, 1)
    t.equal(lines[0]?.msg, `The fastify-cors-policy delegator ${failure.why} for PUT /items/:id, so the request is denied`)
    logs.length = 0

    const noOrigin = await app.inject({ method: 'GET', url: '/items', headers: { 'x-fail': '1' } })
    t.equal(noOrigin.statusCode, 200)
    t.same(corsHeadersOf(noOrigin), {})
    t.match(decisions[2], { allowed: true, reason: 'no-origin' })

    await sleep(30)
    logs.length = 0
    const next = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
    t.equal(next.statusCode, 200)
    t.same(corsHeadersOf(next), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' }, 'the server keeps serving')
    const nextPreflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'PUT') })
    t.equal(nextPreflight.statusCode, 204)
    t.equal(nextPreflight.headers['access-control-allow-origin'], A)
    t.same(errors(logs), [])
    t.equal(decisions.length, 5, 'one reply per request')
  })
}

test('a delegator answering twice asynchronously: the first answer stands, one error line', async (t) => {
  const { app, logs, decisions } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      delegator: (_request: FastifyRequest, cb: CorsDelegatorCallback) => {
        setTimeout(() => {
          cb(null, { origin: [A] })
          setTimeout(() => { cb(null, { origin: [B] }) }, 5)
        }, 2)
      }
    }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': A })
  await sleep(30)
  t.same(errors(logs).map((line) => [line.level, line.msg]), [
    [LOG_LEVEL.error, 'fastify-cors-policy: the delegator answered more than once; the first answer stands (GET /items)']
  ])
  t.equal(decisions.length, 1)
})

test('an origin function inside the returned options runs with `this` = the registering instance', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let child: FastifyInstance | undefined
  const thisValues: unknown[] = []
  const options: FastifyCorsDelegatedOptions = {
    origin: function (this: FastifyInstance, origin: string, cb: OriginCallback) {
      thisValues.push(this)
      cb(null, origin === A)
    }
  }
  app.register(async (scope) => {
    child = scope
    await scope.register(corsPolicy, { delegator: () => options })
    scope.get('/items', async () => 'items')
  })
  await app.ready()
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.equal(res.headers['access-control-allow-origin'], A)
  const refused = await app.inject({ method: 'GET', url: '/items', headers: { origin: B } })
  t.equal(refused.headers['access-control-allow-origin'], undefined)
  t.equal(thisValues.length, 2)
  t.ok(thisValues.every((value) => value === child))
})

test('register(corsPolicy, (instance) => delegator): the function gets the registering instance, the delegator decides', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const instances: unknown[] = []
  let child: FastifyInstance | undefined
  await app.register(corsPolicy, (instance: FastifyInstance) => {
    instances.push(instance)
    return (request: FastifyRequest, cb: CorsDelegatorCallback) => { cb(null, optionsFor(request)) }
  })
  app.get('/items', async () => 'items')
  app.put('/items/:id', async () => 'updated')
  app.register(async (scope) => {
    child = scope
    await scope.register(corsPolicy, (instance: FastifyInstance) => {
      instances.push(instance)
      return async () => ({ origin: [B], credentials: true })
    })
    scope.get('/users', async () => 'users')
  }, { prefix: '/admin' })
  await app.ready()
  t.equal(instances.length, 2)
  t.equal(instances[0], app, 'the root instance')
  t.equal(instances[1], child, 'the child instance')

  const a = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(a), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' })
  const b = await app.inject({ method: 'GET', url: '/items', headers: { origin: B, 'x-tenant': 'b' } })
  t.same(corsHeadersOf(b), { 'access-control-allow-origin': B, 'access-control-expose-headers': 'X-Tenant' })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(A, 'PUT', 'x-tenant') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': A,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-allow-headers': 'x-tenant',
    'access-control-max-age': '600'
  })
  const admin = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: B } })
  t.same(corsHeadersOf(admin), { 'access-control-allow-origin': B, 'access-control-allow-credentials': 'true' })
  const adminA = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: A } })
  t.same(corsHeadersOf(adminA), {})
  const adminPreflight = await app.inject({ method: 'OPTIONS', url: '/admin/users', headers: preflightHeaders(B, 'GET', 'x-b') })
  t.equal(adminPreflight.statusCode, 204)
  t.same(corsHeadersOf(adminPreflight), {
    'access-control-allow-origin': B,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'x-b'
  })
})

test('register(corsPolicy, (instance) => options) with plain options works too', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let seen: unknown
  await app.register(corsPolicy, (instance: FastifyInstance) => { seen = instance; return { origin: [A], credentials: true } })
  app.get('/items', async () => 'items')
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.equal(seen, app)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': A, 'access-control-allow-credentials': 'true' })
})

test("with hook: 'preHandler' the delegator runs after the body was parsed and can read it", async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: {
      hook: 'preHandler',
      delegator: (request: FastifyRequest) => ({ origin: [(request.body as { tenant?: string } | undefined)?.tenant === 'b' ? B : A] })
    }
  })
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { origin: B }, payload: { tenant: 'b' } })
  t.same(res.json(), { tenant: 'b' })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': B })
  t.equal(lastDecision().reason, 'allowed')
  const other = await app.inject({ method: 'POST', url: '/echo', headers: { origin: B }, payload: { tenant: 'a' } })
  t.same(corsHeadersOf(other), {})
})

test('credentials: true beside a delegator needs no static origin: the answers carry it, and an answer without one gets the inherited credentials dropped', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, {
    credentials: true,
    delegator: (request: FastifyRequest, cb: (error: Error | null, options?: Record<string, unknown>) => void) => {
      cb(null, request.url === '/open' ? {} : { origin: ['https://tenant.example'] })
    }
  })
  app.get('/data', async () => 'data')
  app.get('/open', async () => 'open')
  const tenant = await app.inject({ url: '/data', headers: { origin: 'https://tenant.example' } })
  t.equal(tenant.headers['access-control-allow-origin'], 'https://tenant.example')
  t.equal(tenant.headers['access-control-allow-credentials'], 'true')
  const open = await app.inject({ url: '/open', headers: { origin: 'https://anyone.example' } })
  t.equal(open.headers['access-control-allow-origin'], '*')
  t.equal(open.headers['access-control-allow-credentials'], undefined)
  t.equal(open.headers.vary, 'Origin')
})
