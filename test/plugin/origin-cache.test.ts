// originCache: an origin function's answers kept per key (LRU with an expiry per answer), one call
// per key in flight, failures never kept; counted with a store that answers only when released.
import { test, type Test } from 'tap'
import type { FastifyInstance, FastifyRequest, LightMyRequestResponse } from 'fastify'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders, type LogLine } from '../helpers/build-app.js'
import type { FastifyCorsOptions, OriginCallback } from '../../lib/index.js'

const TENANT = 'https://tenant.example.net'
const OTHER = 'https://other.example.net'
const THIRD = 'https://third.example.net'

/** A tenant store that answers when released (or at once when `immediate`), counting its lookups. */
function slowStore (allowed: readonly string[], immediate = false) {
  const lookups: string[] = []
  const pending: Array<() => void> = []
  return {
    lookups,
    origin: async (origin: string): Promise<boolean> => {
      lookups.push(origin)
      if (!immediate) await new Promise<void>((resolve) => { pending.push(resolve) })
      return allowed.includes(origin)
    },
    /** answers every lookup waiting */
    release: () => { for (const resolve of pending.splice(0)) resolve() },
    get waiting () { return pending.length }
  }
}

/** Date.now() as the tests set it: expiry without waiting. */
function fakeClock (t: Test): { advance: (ms: number) => void } {
  let now = Date.now()
  t.capture(Date, 'now', () => now)
  return { advance: (ms) => { now += ms } }
}

const nextTurn = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

async function get (app: FastifyInstance, origin: string, url = '/items', host?: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: host === undefined ? { origin } : { origin, host } })
}

function errorLines (logs: LogLine[]): string[] {
  return logs.filter((line) => line.level >= LOG_LEVEL.error).map((line) => line.msg)
}

test('20 concurrent requests from a cold origin: one lookup, the same headers for all', async (t) => {
  const store = slowStore([TENANT])
  let arrived = 0
  const { app } = await buildApp(t, {
    cors: { origin: store.origin, credentials: true, exposedHeaders: ['X-Total'], originCache: true },
    before: (instance) => { instance.addHook('onRequest', (_request, _reply, done) => { arrived++; done() }) }
  })
  const responses = Array.from({ length: 20 }, async () => get(app, TENANT))
  // eslint-disable-next-line no-unmodified-loop-condition -- the requests' hooks count them
  while (arrived < 20 || store.waiting === 0) await nextTurn()
  await nextTurn()
  store.release()
  const answered = await Promise.all(responses)
  t.equal(store.lookups.length, 1, 'one lookup for the 20 requests')
  for (const response of answered) {
    t.equal(response.statusCode, 200)
    t.same(corsHeadersOf(response), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Total' })
    t.equal(response.headers.vary, 'Origin')
  }
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], TENANT)
  t.equal(store.lookups.length, 1, 'the preflight is answered from the cache too')
})

test('concurrent requests from a cold origin that is refused: one lookup, no CORS header for any', async (t) => {
  const store = slowStore([])
  const { app, decisions } = await buildApp(t, { cors: { origin: store.origin, originCache: true } })
  const responses = Array.from({ length: 5 }, async () => get(app, OTHER))
  while (store.waiting === 0) await nextTurn()
  await nextTurn()
  store.release()
  for (const response of await Promise.all(responses)) t.same(corsHeadersOf(response), {})
  t.equal(store.lookups.length, 1)
  t.same(decisions.map((d) => d.reason), Array(5).fill('origin-not-allowed'))
})

test('an allowed answer is kept for ttl: exactly one more lookup once it expired', async (t) => {
  const clock = fakeClock(t)
  const store = slowStore([TENANT], true)
  const { app } = await buildApp(t, { cors: { origin: store.origin, originCache: { ttl: 1000 } } })
  t.equal((await get(app, TENANT)).headers['access-control-allow-origin'], TENANT)
  clock.advance(999)
  t.equal((await get(app, TENANT)).headers['access-control-allow-origin'], TENANT)
  t.equal(store.lookups.length, 1, 'kept for its ttl')
  clock.advance(1)
  t.equal((await get(app, TENANT)).headers['access-control-allow-origin'], TENANT)
  t.equal((await get(app, TENANT)).headers['access-control-allow-origin'], TENANT)
  t.equal(store.lookups.length, 2, 'expired: one more lookup, kept again')
})

test('negativeTtl applies to answers that do not allow the origin (default 10 s, 60 s for the others)', async (t) => {
  const clock = fakeClock(t)
  const store = slowStore([TENANT], true)
  const { app } = await buildApp(t, { cors: { origin: store.origin, originCache: true } })
  await get(app, TENANT)
  await get(app, OTHER)
  t.same(store.lookups, [TENANT, OTHER])
  clock.advance(9_999)
  await get(app, TENANT)
  t.same(corsHeadersOf(await get(app, OTHER)), {})
  t.same(store.lookups, [TENANT, OTHER], 'both kept')
  clock.advance(1)
  t.same(corsHeadersOf(await get(app, OTHER)), {})
  await get(app, TENANT)
  t.same(store.lookups, [TENANT, OTHER, OTHER], 'the refusal expired after negativeTtl; the allowance is still kept')
  clock.advance(50_000)
  await get(app, TENANT)
  t.same(store.lookups, [TENANT, OTHER, OTHER, TENANT], 'the allowance expired after ttl')
})

test('ttl or negativeTtl 0: that kind of answer is not kept, concurrent lookups still share one call', async (t) => {
  const store = slowStore([TENANT], true)
  const { app } = await buildApp(t, { cors: { origin: store.origin, originCache: { negativeTtl: 0 } } })
  await get(app, OTHER)
  await get(app, OTHER)
  await get(app, TENANT)
  await get(app, TENANT)
  t.same(store.lookups, [OTHER, OTHER, TENANT])

  const slow = slowStore([TENANT])
  const { app: noneKept } = await buildApp(t, { cors: { origin: slow.origin, originCache: { ttl: 0, negativeTtl: 0 } } })
  const responses = [get(noneKept, TENANT), get(noneKept, TENANT), get(noneKept, TENANT)]
  while (slow.waiting === 0) await nextTurn()
  await nextTurn()
  slow.release()
  for (const response of await Promise.all(responses)) t.equal(response.headers['access-control-allow-origin'], TENANT)
  t.equal(slow.lookups.length, 1, 'one call in flight for the three')
  const again = get(noneKept, TENANT)
  while (slow.waiting === 0) await nextTurn()
  slow.release()
  await again
  t.equal(slow.lookups.length, 2, 'nothing kept')
})

test('a failed lookup is never kept: the next request asks again', async (t) => {
  const failures: Array<{ desc: string, origin: (origin: string, cb: OriginCallback) => unknown, message: string }> = [
    { desc: 'throws', origin: () => { throw new Error('store down') }, message: 'threw' },
    { desc: 'rejects', origin: async () => { throw new Error('store down') }, message: 'rejected' },
    { desc: 'calls back with an error', origin: (_origin, cb) => { setImmediate(() => { cb(new Error('store down')) }) }, message: 'called back with an error' },
    { desc: 'answers something unusable', origin: () => 42, message: 'answered 42' },
    { desc: 'never answers', origin: () => new Promise(() => {}), message: 'did not settle within 20 ms' }
  ]
  for (const failure of failures) {
    t.test(failure.desc, async (t) => {
      let calls = 0
      const { app, logs, decisions } = await buildApp(t, {
        logLevel: 'warn',
        cors: { originCheckTimeout: 20, originCache: true, origin: (origin: string, cb: OriginCallback) => { calls++; return failure.origin(origin, cb) as boolean } }
      })
      for (let i = 0; i < 3; i++) {
        const response = await get(app, TENANT)
        t.equal(response.statusCode, 200)
        t.same(corsHeadersOf(response), {})
      }
      t.equal(calls, 3, 'asked again each time')
      t.same(decisions.map((d) => d.reason), ['origin-check-failed', 'origin-check-failed', 'origin-check-failed'])
      t.equal(errorLines(logs).length, 3)
      t.match(errorLines(logs)[0], `fastify-cors-policy: the origin function ${failure.message}`)
    })
  }
})

test('a failure while several requests wait: one error line for all of them, none kept', async (t) => {
  let calls = 0
  let arrived = 0
  let fail: (error: Error) => void = () => {}
  const { app, logs, decisions } = await buildApp(t, {
    logLevel: 'warn',
    cors: { originCache: true, origin: async () => { calls++; return await new Promise<boolean>((_resolve, reject) => { fail = reject }) } },
    // a callback hook that calls done() at once: the plugin's hook runs right after it
    before: (instance) => { instance.addHook('onRequest', (_request, _reply, done) => { arrived++; done() }) }
  })
  const responses = [get(app, TENANT), get(app, TENANT), get(app, TENANT)]
  // eslint-disable-next-line no-unmodified-loop-condition -- the requests' hooks count them
  while (arrived < 3) await nextTurn()
  fail(new Error('store down'))
  for (const response of await Promise.all(responses)) t.same(corsHeadersOf(response), {})
  t.equal(calls, 1)
  t.same(errorLines(logs), [`fastify-cors-policy: the origin function rejected for origin '${TENANT}'; the 3 requests waiting for it are denied`])
  t.same(decisions.map((d) => d.reason), Array(3).fill('origin-check-failed'))
})

test('key: one answer per tenant, from the Host header', async (t) => {
  const tenants: Record<string, string[]> = { 'a.example.com': [TENANT], 'b.example.com': [] }
  const lookups: Array<[string, string]> = []
  const { app } = await buildApp(t, {
    cors: {
      origin: async (origin: string, _cb: unknown, request: FastifyRequest) => {
        lookups.push([request.headers.host as string, origin])
        return tenants[request.headers.host as string]?.includes(origin) === true
      },
      originCache: { key: (origin, request) => `${request.headers.host ?? ''} ${origin}` }
    }
  })
  t.equal((await get(app, TENANT, '/items', 'a.example.com')).headers['access-control-allow-origin'], TENANT)
  t.same(corsHeadersOf(await get(app, TENANT, '/items', 'b.example.com')), {}, 'the other tenant refuses the same origin')
  t.equal((await get(app, TENANT, '/items', 'a.example.com')).headers['access-control-allow-origin'], TENANT)
  t.same(corsHeadersOf(await get(app, TENANT, '/items', 'b.example.com')), {})
  t.same(lookups, [['a.example.com', TENANT], ['b.example.com', TENANT]], 'one lookup per tenant and origin')
})

test('a key function that throws or returns no string denies the request (logged), never a 500', async (t) => {
  const keys: Array<{ desc: string, key: (origin: string, request: FastifyRequest) => string, message: string }> = [
    { desc: 'throws', key: () => { throw new Error('no tenant') }, message: `fastify-cors-policy: originCache.key threw for origin '${TENANT}'; the request is denied` },
    { desc: 'returns a number', key: () => 7 as unknown as string, message: `fastify-cors-policy: originCache.key returned 7 for origin '${TENANT}', expected a string; the request is denied` },
    { desc: 'returns undefined', key: () => undefined as unknown as string, message: `fastify-cors-policy: originCache.key returned undefined for origin '${TENANT}', expected a string; the request is denied` }
  ]
  for (const c of keys) {
    t.test(c.desc, async (t) => {
      let calls = 0
      const { app, logs, lastDecision } = await buildApp(t, { logLevel: 'warn', cors: { origin: () => { calls++; return true }, originCache: { key: c.key } } })
      const response = await get(app, TENANT)
      t.equal(response.statusCode, 200)
      t.same(corsHeadersOf(response), {})
      t.equal(lastDecision().reason, 'origin-check-failed')
      t.same(errorLines(logs), [c.message])
      t.equal(calls, 0, 'the origin function is not asked')
      const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
      t.equal(preflight.statusCode, 403)
    })
  }
})

test('LRU: at max answers, the least recently used one goes first', async (t) => {
  const store = slowStore([TENANT, OTHER, THIRD], true)
  const { app } = await buildApp(t, { cors: { origin: store.origin, originCache: { max: 2 } } })
  for (const origin of [TENANT, OTHER, THIRD]) await get(app, origin)
  t.same(store.lookups, [TENANT, OTHER, THIRD])
  await get(app, TENANT)
  t.same(store.lookups, [TENANT, OTHER, THIRD, TENANT], 'the first origin was evicted by the third')
  await get(app, THIRD)
  t.same(store.lookups.length, 4, 'the third is still kept')
  await get(app, OTHER)
  t.same(store.lookups, [TENANT, OTHER, THIRD, TENANT, OTHER], 'the second was the least recently used when the first came back')
})

test('routes that inherit the function and originCache share the plugin\'s cache; other settings get their own', async (t) => {
  const store = slowStore([TENANT], true)
  const { app } = await buildApp(t, {
    cors: { origin: store.origin, originCache: true },
    routes: (instance) => {
      instance.get('/items', async () => ({ items: [] }))
      instance.get('/exposing', { config: { cors: { exposedHeaders: ['X-Total'] } } }, async () => 'ok')
      instance.get('/own-cache', { config: { cors: { originCache: { ttl: 5000 } } } }, async () => 'ok')
      instance.get('/uncached', { config: { cors: { originCache: false } } }, async () => 'ok')
    }
  })
  await get(app, TENANT, '/items')
  const exposing = await get(app, TENANT, '/exposing')
  t.same(corsHeadersOf(exposing), { 'access-control-allow-origin': TENANT, 'access-control-expose-headers': 'X-Total' })
  t.equal(store.lookups.length, 1, 'the route that inherits both shares the answer')
  await get(app, TENANT, '/own-cache')
  await get(app, TENANT, '/own-cache')
  t.equal(store.lookups.length, 2, 'its own settings: its own cache')
  await get(app, TENANT, '/uncached')
  await get(app, TENANT, '/uncached')
  t.equal(store.lookups.length, 4, 'originCache: false asks every time')
})

test('each policy sharing a cached answer applies its own rules: \'*\' is refused where credentials are on', async (t) => {
  let calls = 0
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: () => { calls++; return '*' }, originCache: true },
    routes: (instance) => {
      instance.get('/public', async () => 'ok')
      instance.get('/account', { config: { cors: { credentials: true } } }, async () => 'ok')
    }
  })
  t.same(corsHeadersOf(await get(app, TENANT, '/public')), { 'access-control-allow-origin': '*' })
  t.same(corsHeadersOf(await get(app, TENANT, '/account')), {})
  t.same(corsHeadersOf(await get(app, TENANT, '/public')), { 'access-control-allow-origin': '*' })
  t.equal(calls, 1)
  t.same(errorLines(logs), [`fastify-cors-policy: the origin function answered '*' for origin '${TENANT}', which browsers refuse with credentials: true; answer true to allow this origin; the request is denied`])
})

test('a preflight whose routes differ asks each function once, through its cache', async (t) => {
  const store = slowStore([TENANT], true)
  let partnerCalls = 0
  const { app } = await buildApp(t, {
    cors: { origin: store.origin, originCache: true },
    routes: (instance) => {
      instance.get('/account', async () => 'ok')
      instance.put('/account', { config: { cors: { origin: () => { partnerCalls++; return false }, originCache: true } } }, async () => 'ok')
    }
  })
  for (let i = 0; i < 2; i++) {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(TENANT, 'PUT') })
    t.equal(preflight.statusCode, 403, 'PUT refuses the origin')
    const granted = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(TENANT, 'GET', 'x-a') })
    t.equal(granted.statusCode, 204)
    t.equal(granted.headers['access-control-allow-origin'], TENANT)
  }
  t.equal(store.lookups.length, 1)
  t.equal(partnerCalls, 1)
})

test('a delegator may answer an origin function, whose answers the plugin\'s originCache keeps', async (t) => {
  const store = slowStore([TENANT], true)
  const answer = Object.freeze({ origin: store.origin })
  const { app } = await buildApp(t, { cors: { delegator: () => answer, originCache: true } })
  t.equal((await get(app, TENANT)).headers['access-control-allow-origin'], TENANT)
  t.equal((await get(app, TENANT)).headers['access-control-allow-origin'], TENANT)
  t.equal(store.lookups.length, 1)
})

test('a route with its own origin list does not inherit originCache, without a warning', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: async () => true, originCache: true },
    routes: (instance) => {
      instance.get('/listed', { config: { cors: { origin: [TENANT] } } }, async () => 'ok')
    }
  })
  await app.ready()
  t.same(logs.filter((line) => line.level === LOG_LEVEL.warn).map((line) => line.msg), [])
  t.equal((await get(app, TENANT, '/listed')).headers['access-control-allow-origin'], TENANT)
  t.same(corsHeadersOf(await get(app, OTHER, '/listed')), {})
})

test('the start-up line says the answers are kept', async (t) => {
  const cases: Array<{ cors: FastifyCorsOptions, words: string }> = [
    { cors: { origin: async () => true, originCache: true }, words: 'origin: decided by a function, answers kept (up to 1000, 60000 ms, refusals 10000 ms), ' },
    { cors: { origin: async () => true, originCache: { max: 50, ttl: 1000, negativeTtl: 0, key: (origin) => origin } }, words: 'origin: decided by a function, answers kept (up to 50, 1000 ms, refusals 0 ms, by originCache.key), ' },
    { cors: { origin: async () => true, originCache: false }, words: 'origin: decided by a function, ' }
  ]
  for (const c of cases) {
    const { logs } = await buildApp(t, { logLevel: 'debug', cors: c.cors })
    const line = logs.find((entry) => entry.level === LOG_LEVEL.info && entry.msg.includes(' policy: '))
    t.match(line?.msg, c.words)
  }
})
