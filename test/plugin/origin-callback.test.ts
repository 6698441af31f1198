// Origin functions called as @fastify/cors calls them, `origin.call(instance, origin,
// cb, request)`, answering through `cb(err, allow)`, a returned value or a promise; `allow` may be a
// boolean or any static origin value. Every way a function can fail (throw, cb(err), rejection, a
// broken thenable, two answers, none) denies with reason origin-check-failed and one error-level log
// line, never a 500 (expressjs/cors#92), never a crash, never two replies.
import { test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import corsPolicy, { type OriginAnswer, type OriginCallback } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders, type LogLine } from '../helpers/build-app.js'

const TENANT = 'https://tenant.example.net'
const OTHER = 'https://other.example.org'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function errorLines (logs: LogLine[]): string[] {
  return logs.filter((line) => line.level >= LOG_LEVEL.error).map((line) => line.msg)
}

function warnOrWorse (logs: LogLine[]): LogLine[] {
  return logs.filter((line) => line.level >= LOG_LEVEL.warn)
}

test('cb(null, allow) called synchronously allows or denies, for actual requests and preflights', async (t) => {
  const seen: Array<[string, string, string]> = []
  const { app, decisions } = await buildApp(t, {
    cors: {
      origin: (origin: string, cb: OriginCallback, request: FastifyRequest) => {
        seen.push([origin, request.method, request.url])
        cb(null, origin === TENANT)
      }
    }
  })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(allowed.statusCode, 200)
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT })
  t.equal(allowed.headers.vary, 'Origin')
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: OTHER } })
  t.equal(denied.statusCode, 200)
  t.same(corsHeadersOf(denied), {})
  t.equal(denied.headers.vary, 'Origin')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': TENANT, 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' })
  const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(OTHER, 'PUT') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
  t.same(decisions.map((d) => [d.preflight, d.allowed, d.reason]), [
    [false, true, 'allowed'], [false, false, 'origin-not-allowed'], [true, true, 'allowed'], [true, false, 'origin-not-allowed']
  ])
  t.same(seen, [[TENANT, 'GET', '/items'], [OTHER, 'GET', '/items'], [TENANT, 'OPTIONS', '/items/1'], [OTHER, 'OPTIONS', '/items/1']])
})

test('cb(null, allow) after an asynchronous lookup (setTimeout) decides the request', async (t) => {
  const tenants = new Set([TENANT])
  const { app, decisions, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      credentials: true,
      origin: (origin: string, cb: OriginCallback) => {
        setTimeout(() => { cb(null, tenants.has(origin)) }, 5)
      }
    }
  })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(allowed.statusCode, 200)
  t.same(allowed.json(), { items: [] })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true' })
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: OTHER } })
  t.same(corsHeadersOf(denied), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(TENANT, 'POST', 'x-tenant-token') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': TENANT,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD, POST',
    'access-control-allow-headers': 'x-tenant-token'
  })
  t.same(decisions.map((d) => d.reason), ['allowed', 'origin-not-allowed', 'allowed'])
  t.same(warnOrWorse(logs), [])
})

test('a function declaring the callback that returns undefined waits for the callback', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: {
      // length 2: returning undefined means "the callback will answer"
      origin: function (origin: string, cb: OriginCallback): void {
        setImmediate(() => { cb(null, origin === TENANT) })
        return undefined
      }
    }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': TENANT })
  t.equal(lastDecision().reason, 'allowed')
})

test('an async function declaring the callback that resolves to undefined waits for the callback', async (t) => {
  const { app, lastDecision } = await buildApp(t, {
    cors: {
      origin: async (origin: string, cb: OriginCallback): Promise<undefined> => {
        await sleep(1)
        setTimeout(() => { cb(null, origin === TENANT) }, 5)
        return undefined
      }
    }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': TENANT })
  t.equal(lastDecision().reason, 'allowed')
})

test('a function without the callback parameter that returns undefined denies at once (no timeout wait)', async (t) => {
  const { app, lastDecision, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { originCheckTimeout: 60000, origin: (_origin: string) => undefined as unknown as boolean }
  })
  const started = Date.now()
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.ok(Date.now() - started < 1000, 'answered without waiting for originCheckTimeout')
  t.same(corsHeadersOf(res), {})
  t.match(lastDecision(), { allowed: false, reason: 'origin-not-allowed' })
  t.same(warnOrWorse(logs), [])
})

// `allow` may be any static origin value, matched against the request's origin as if configured
const staticAnswers: Array<[string, OriginAnswer, string[], string[]]> = [
  ['an exact origin string', TENANT, [TENANT], [OTHER, 'https://tenant.example.net:8443']],
  ['a pattern', 'https://*.example.net', [TENANT, 'https://a.b.example.net'], ['https://example.net', 'http://tenant.example.net']],
  ['an anchored RegExp', /^https:\/\/tenant\.example\.net$/, [TENANT], [OTHER, 'https://tenant.example.net.evil.com']],
  ['an array', [OTHER, /^https:\/\/tenant\.example\.net$/], [TENANT, OTHER], ['https://third.example.com']]
]

for (const [name, answer, allowedOrigins, deniedOrigins] of staticAnswers) {
  for (const style of ['callback', 'return', 'promise'] as const) {
    test(`answering ${name} (${style}) is matched against the request's origin`, async (t) => {
      const origin = style === 'callback'
        ? (_origin: string, cb: OriginCallback) => { cb(null, answer) }
        : style === 'return'
          ? (_origin: string) => answer
          : async (_origin: string) => { await sleep(1); return answer }
      const { app, lastDecision, logs } = await buildApp(t, { logLevel: 'warn', cors: { origin } })
      for (const allowed of allowedOrigins) {
        const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: allowed } })
        t.same(corsHeadersOf(res), { 'access-control-allow-origin': allowed }, allowed)
        t.equal(res.headers.vary, 'Origin', allowed)
        t.match(lastDecision(), { allowed: true, reason: 'allowed' }, allowed)
        const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(allowed, 'DELETE') })
        t.equal(preflight.statusCode, 204, `preflight ${allowed}`)
        t.equal(preflight.headers['access-control-allow-origin'], allowed, `preflight ${allowed}`)
      }
      for (const denied of deniedOrigins) {
        const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: denied } })
        t.same(corsHeadersOf(res), {}, denied)
        t.match(lastDecision(), { allowed: false, reason: 'origin-not-allowed' }, denied)
        const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(denied, 'DELETE') })
        t.equal(preflight.statusCode, 403, `preflight ${denied}`)
        t.same(corsHeadersOf(preflight), {}, `preflight ${denied}`)
      }
      t.same(warnOrWorse(logs), [], 'no warning, no error')
    })
  }
}

for (const style of ['callback', 'return', 'promise'] as const) {
  test(`answering '*' (${style}) allows any origin with ACAO *, still varying by Origin`, async (t) => {
    const origin = style === 'callback'
      ? (_origin: string, cb: OriginCallback) => { cb(null, '*') }
      : style === 'return'
        ? (_origin: string) => '*'
        : async (_origin: string) => { await sleep(1); return '*' }
    const { app, decisions, logs } = await buildApp(t, { logLevel: 'warn', cors: { origin, exposedHeaders: ['X-Total'] } })
    for (const requestOrigin of [TENANT, OTHER]) {
      const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: requestOrigin } })
      t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total' }, requestOrigin)
      t.equal(res.headers.vary, 'Origin', 'the function may answer another origin differently')
      const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(requestOrigin, 'DELETE') })
      t.equal(preflight.statusCode, 204)
      t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' })
    }
    t.same(decisions.map((d) => [d.preflight, d.allowed, d.reason]), [[false, true, 'allowed'], [true, true, 'allowed'], [false, true, 'allowed'], [true, true, 'allowed']])
    t.same(warnOrWorse(logs), [])
  })
}

test("answering '*' with credentials: true denies (browsers refuse '*' on credentialed requests) with one error line", async (t) => {
  const { app, decisions, logs } = await buildApp(t, { logLevel: 'warn', cors: { credentials: true, origin: (_origin: string, cb: OriginCallback) => { cb(null, '*') } } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  t.same(decisions.map((d) => [d.preflight, d.allowed, d.reason]), [[false, false, 'origin-check-failed'], [true, false, 'origin-check-failed']])
  const line = `fastify-cors-policy: the origin function answered '*' for origin '${TENANT}', which browsers refuse with credentials: true; answer true to allow this origin; the request is denied`
  t.same(warnOrWorse(logs).map((l) => [l.level, l.msg]), [[LOG_LEVEL.error, line], [LOG_LEVEL.error, line]])
})

test('an answer that cannot be used (malformed origin, unanchored RegExp, object) denies with origin-check-failed and one error line', async (t) => {
  const answers: Array<[unknown, string]> = [
    ['https://tenant.example.net/', "the origin function answered 'https://tenant.example.net/' for origin 'https://tenant.example.net', which cannot be used: /origin 'https://tenant.example.net/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://tenant.example.net'?; the request is denied"],
    [/tenant\.example\.net/, 'the origin function answered /tenant\\.example\\.net/ for origin '],
    [{ origin: TENANT }, 'the origin function answered ']
  ]
  for (const [answer, message] of answers) {
    const { app, lastDecision, logs } = await buildApp(t, { logLevel: 'error', cors: { origin: (_origin: string, cb: OriginCallback) => { cb(null, answer as OriginAnswer) } } })
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.equal(res.statusCode, 200)
    t.same(corsHeadersOf(res), {})
    t.match(lastDecision(), { allowed: false, reason: 'origin-check-failed' })
    const lines = errorLines(logs)
    t.equal(lines.length, 1, String(answer))
    t.ok(lines[0]?.startsWith(`fastify-cors-policy: ${message}`), String(lines[0]))
    t.ok(lines[0]?.endsWith('; the request is denied'), String(lines[0]))
  }
})

interface FailureCase {
  name: string
  origin: (origin: string, cb: OriginCallback) => unknown
  message: string
  err?: string
}

const failures: FailureCase[] = [
  { name: 'throws', origin: () => { throw new Error('tenant db down') }, message: 'threw', err: 'tenant db down' },
  { name: 'throws after calling back', origin: (_origin, cb) => { cb(null, true); throw new Error('after cb') }, message: 'threw', err: 'after cb' },
  { name: 'calls back with an error synchronously', origin: (_origin, cb) => { cb(new Error('lookup refused')) }, message: 'called back with an error', err: 'lookup refused' },
  { name: 'calls back with an error after a timer', origin: (_origin, cb) => { setTimeout(() => { cb(new Error('late refusal')) }, 5) }, message: 'called back with an error', err: 'late refusal' },
  { name: 'rejects', origin: async () => { await sleep(1); throw new Error('rejected lookup') }, message: 'rejected', err: 'rejected lookup' },
  { name: 'returns a thenable whose then() throws', origin: () => ({ then () { throw new Error('broken then') } }), message: 'returned a thenable whose then() threw', err: 'broken then' },
  { name: 'calls back twice synchronously', origin: (_origin, cb) => { cb(null, true); cb(null, true) }, message: 'answered more than once' },
  { name: 'calls back and returns a value synchronously', origin: (_origin, cb) => { cb(null, true); return false }, message: 'answered more than once' },
  { name: 'never calls back', origin: (_origin, _cb) => undefined, message: 'did not settle within 20 ms' },
  { name: 'never settles its promise', origin: () => new Promise(() => {}), message: 'did not settle within 20 ms' }
]

for (const failure of failures) {
  test(`an origin function that ${failure.name} denies with origin-check-failed, one error line, no 500`, async (t) => {
    const { app, decisions, logs } = await buildApp(t, {
      logLevel: 'warn',
      cors: { originCheckTimeout: 20, origin: failure.origin as (origin: string, cb: OriginCallback) => void }
    })
    const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.equal(actual.statusCode, 200, 'the handler answers; the browser cannot read it')
    t.same(actual.json(), { items: [] })
    t.same(corsHeadersOf(actual), {})
    t.equal(actual.headers.vary, 'Origin')
    let lines = warnOrWorse(logs)
    t.same(lines.map((line) => [line.level, line.msg]), [[LOG_LEVEL.error, `fastify-cors-policy: the origin function ${failure.message} for origin '${TENANT}'; the request is denied`]])
    if (failure.err !== undefined) t.match(lines[0]?.err, { message: failure.err })
    logs.length = 0

    const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
    t.equal(preflight.statusCode, 403, 'the preflight is refused, never a 500')
    t.same(corsHeadersOf(preflight), {})
    lines = warnOrWorse(logs)
    t.same(lines.map((line) => [line.level, line.msg]), [[LOG_LEVEL.error, `fastify-cors-policy: the origin function ${failure.message} for origin '${TENANT}'; the request is denied`]])
    t.same(decisions.map((d) => [d.preflight, d.allowed, d.reason]), [[false, false, 'origin-check-failed'], [true, false, 'origin-check-failed']])

    // a late answer (a timer still pending) must not reach the finished requests
    await sleep(40)
    t.same(warnOrWorse(logs).length, 1, 'nothing more was logged')
    t.equal(decisions.length, 2, 'one reply per request')

    // and the server keeps serving
    const after = await app.inject({ method: 'GET', url: '/items' })
    t.equal(after.statusCode, 200)
    t.match(decisions[2], { allowed: true, reason: 'no-origin' })
  })
}

test('a second answer arriving later: the first stands, one error line, no second reply', async (t) => {
  let handler = 0
  const { app, decisions, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      origin: (origin: string, cb: OriginCallback) => {
        setTimeout(() => {
          cb(null, origin === TENANT)
          setTimeout(() => { cb(null, origin !== TENANT) }, 10)
        }, 5)
      }
    },
    routes: (instance) => {
      instance.get('/items', async () => { handler++; return { items: [] } })
    }
  })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(allowed.statusCode, 200)
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT })
  await sleep(40)
  t.same(warnOrWorse(logs).map((line) => [line.level, line.msg]), [
    [LOG_LEVEL.error, `fastify-cors-policy: the origin function answered more than once; the first answer stands (origin '${TENANT}')`]
  ])
  logs.length = 0
  const denied = await app.inject({ method: 'GET', url: '/items', headers: { origin: OTHER } })
  t.same(corsHeadersOf(denied), {})
  await sleep(40)
  t.same(warnOrWorse(logs).map((line) => [line.level, line.msg]), [
    [LOG_LEVEL.error, `fastify-cors-policy: the origin function answered more than once; the first answer stands (origin '${OTHER}')`]
  ])
  t.same(decisions.map((d) => [d.allowed, d.reason]), [[true, 'allowed'], [false, 'origin-not-allowed']], 'one decision per request, the first answer')
  t.equal(handler, 2, 'each handler ran once')
})

test('a promise that resolves and then calls back: the first answer stands', async (t) => {
  const { app, logs, lastDecision } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      origin: async (origin: string, cb: OriginCallback) => {
        setTimeout(() => { cb(null, false) }, 10)
        return origin === TENANT
      }
    }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': TENANT })
  t.equal(lastDecision().reason, 'allowed')
  await sleep(30)
  t.same(errorLines(logs), [`fastify-cors-policy: the origin function answered more than once; the first answer stands (origin '${TENANT}')`])
})

test('a callback arriving after originCheckTimeout is ignored with one error line', async (t) => {
  const { app, logs, decisions } = await buildApp(t, {
    logLevel: 'warn',
    cors: { originCheckTimeout: 20, origin: (_origin: string, cb: OriginCallback) => { setTimeout(() => { cb(null, true) }, 50) } }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  await sleep(80)
  t.same(errorLines(logs), [
    `fastify-cors-policy: the origin function did not settle within 20 ms for origin '${TENANT}'; the request is denied`,
    `fastify-cors-policy: the origin function answered after the deadline; the answer is ignored (origin '${TENANT}')`
  ])
  t.same(decisions.map((d) => [d.allowed, d.reason]), [[false, 'origin-check-failed']])
})

test('`this` is the instance the plugin was registered in, for the plugin, a route override and preflights', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: FastifyInstance[] = []
  let child: FastifyInstance | undefined
  app.decorate('tenantsOf', 'root')
  await app.register(async (scope) => {
    child = scope
    scope.decorate('tenants', new Set([TENANT]))
    await scope.register(corsPolicy, {
      origin: function (this: FastifyInstance, origin: string, cb: OriginCallback) {
        seen.push(this)
        cb(null, (this as FastifyInstance & { tenants: Set<string> }).tenants.has(origin))
      }
    })
    scope.get('/items', async () => 'items')
    scope.get('/override', {
      config: {
        cors: {
          origin: function (this: FastifyInstance, origin: string) {
            seen.push(this)
            return (this as FastifyInstance & { tenants: Set<string> }).tenants.has(origin)
          }
        }
      }
    }, async () => 'override')
  })
  for (const url of ['/items', '/override']) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: TENANT } })
    t.equal(res.headers['access-control-allow-origin'], TENANT, url)
    const refused = await app.inject({ method: 'GET', url, headers: { origin: OTHER } })
    t.equal(refused.headers['access-control-allow-origin'], undefined, url)
    const preflight = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(TENANT, 'GET', 'x-a') })
    t.equal(preflight.statusCode, 204, url)
    t.equal(preflight.headers['access-control-allow-origin'], TENANT, url)
  }
  t.equal(seen.length, 6)
  t.ok(seen.every((instance) => instance === child), 'this === the registering (child) instance every time')
  t.ok(seen.every((instance) => instance !== app))
})
