// An origin function that answered twice (a callback called twice, or a callback plus a returned
// value, as `return cb(null, true) || true` style code does) used to be trusted on its first answer
// when both came synchronously, and when the second came later (a retry timer, a cache refresh) the
// second answer ran the request's continuation again: a second reply attempt
// (FST_ERR_REP_ALREADY_SENT) or an exception thrown from a timer. Now a function that calls back
// twice denies (two synchronous answers: which one was meant is unknowable); an answer after the first
// is ignored with one error-level line; never a crash, never two replies.
import { test } from 'tap'
import type { OriginCallback } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders, type LogLine } from '../helpers/build-app.js'
import { watchCrashes } from '../helpers/crash-watch.js'

const TENANT = 'https://tenant.example.net'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function atLeastWarn (logs: LogLine[]): Array<[number, string]> {
  return logs.filter((line) => line.level >= LOG_LEVEL.warn).map((line) => [line.level, line.msg])
}

const synchronousDoubles: Record<string, (origin: string, cb: OriginCallback) => unknown> = {
  'cb(null, true) twice': (_origin, cb) => { cb(null, true); cb(null, true) },
  'cb(null, true) then cb(null, false)': (_origin, cb) => { cb(null, true); cb(null, false) },
  'cb(null, false) then cb(null, true)': (_origin, cb) => { cb(null, false); cb(null, true) },
  'cb(null, true) and a returned false': (_origin, cb) => { cb(null, true); return false },
  'cb(null, true) and a returned true': (_origin, cb) => { cb(null, true); return true }
}

for (const [name, origin] of Object.entries(synchronousDoubles)) {
  test(`two synchronous answers (${name}) deny with origin-check-failed and one error line`, async (t) => {
    const caught = watchCrashes(t)
    const { app, decisions, logs, handlerCalls } = await buildApp(t, { logLevel: 'warn', cors: { origin: origin as (origin: string, cb: OriginCallback) => void } })
    t.equal(handlerCalls, 0)
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.equal(res.statusCode, 200)
    t.same(corsHeadersOf(res), {})
    t.match(decisions[0], { allowed: false, reason: 'origin-check-failed' })
    const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
    t.equal(preflight.statusCode, 403)
    t.same(corsHeadersOf(preflight), {})
    await sleep(10)
    const line: [number, string] = [LOG_LEVEL.error, `fastify-cors-policy: the origin function answered more than once for origin '${TENANT}'; the request is denied`]
    t.same(atLeastWarn(logs), [line, line], 'one error line per request, nothing else')
    t.equal(decisions.length, 2, 'one reply per request')
    t.same(caught, [])
  })
}

test('a late second answer: the first stands, one error line, no crash, no second reply', async (t) => {
  const caught = watchCrashes(t)
  let handlerRuns = 0
  const { app, decisions, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      credentials: true,
      origin: (_origin: string, cb: OriginCallback) => {
        setTimeout(() => { cb(null, true) }, 2)
        setTimeout(() => { cb(null, false) }, 15)
        setTimeout(() => { cb(new Error('third answer')) }, 20)
      }
    },
    routes: (instance) => {
      instance.get('/items', async () => { handlerRuns++; return { items: [] } })
      instance.put('/items/:id', async () => { handlerRuns++; return { ok: true } })
    }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { items: [] })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true' })
  await sleep(50)
  const late: [number, string] = [LOG_LEVEL.error, `fastify-cors-policy: the origin function answered more than once; the first answer stands (origin '${TENANT}')`]
  t.same(atLeastWarn(logs), [late, late], 'the second and third answers are each reported once; no FST_ERR_REP_ALREADY_SENT')
  logs.length = 0

  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], TENANT)
  await sleep(50)
  t.same(atLeastWarn(logs), [late, late])
  t.same(decisions.map((d) => [d.preflight, d.allowed, d.reason]), [[false, true, 'allowed'], [true, true, 'allowed']], 'one reply per request')
  t.equal(handlerRuns, 1, 'the handler ran once')
  t.same(caught, [])
})

test('a promise resolving and a callback: the first of the two stands, the other is reported once', async (t) => {
  const caught = watchCrashes(t)
  const { app, logs, decisions } = await buildApp(t, {
    logLevel: 'warn',
    cors: {
      origin: async (_origin: string, cb: OriginCallback) => {
        setTimeout(() => { cb(null, true) }, 10)
        return false
      }
    }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(res), {})
  t.match(decisions[0], { allowed: false, reason: 'origin-not-allowed' })
  await sleep(30)
  t.same(atLeastWarn(logs), [[LOG_LEVEL.error, `fastify-cors-policy: the origin function answered more than once; the first answer stands (origin '${TENANT}')`]])
  t.equal(decisions.length, 1)
  t.same(caught, [])
})
