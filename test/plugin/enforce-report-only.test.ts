/**
 * `enforce: 'report-only'`: every request `enforce: true` would refuse goes on exactly as without
 * enforce (same status, same headers, the handler runs) and logs one warn line saying so, with the
 * fields of the denial line; nothing else is logged at warn.
 */
import { test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import corsPolicy, { type FastifyCorsHook, type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf, loggedFastify, LOG_LEVEL, preflightHeaders, type LogLine } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

function warnLines (logs: LogLine[]): Array<{ msg: string, cors: unknown }> {
  return logs.filter((line) => line.level === LOG_LEVEL.warn).map((line) => ({ msg: line.msg, cors: line.cors }))
}

function reportLine (origin: string, route: string, reason: string, detail: string): { msg: string, cors: unknown } {
  return { msg: `fastify-cors-policy: enforce (report-only) would refuse ${route}: ${detail}`, cors: { origin, route, reason, detail } }
}

/** The response without its Date, to compare two answers. */
function answer (res: LightMyRequestResponse): { status: number, headers: Record<string, unknown>, body: string } {
  const { date: _date, ...headers } = res.headers
  return { status: res.statusCode, headers, body: res.body }
}

test('a denied origin: answered by the handler as without enforce, and one warn line', async (t) => {
  const reporting = await buildApp(t, { logLevel: 'info', cors: { origin: [APP], enforce: 'report-only' } })
  const plain = await buildApp(t, { cors: { origin: [APP] } })
  const request = { method: 'POST' as const, url: '/items', headers: { origin: EVIL, 'content-type': 'text/plain' }, payload: 'csrf' }
  const res = await reporting.app.inject(request)
  t.equal(res.statusCode, 201)
  t.same(res.json(), { created: true })
  t.same(corsHeadersOf(res), {}, 'no Access-Control-Allow-Origin')
  t.equal(res.headers.vary, 'Origin')
  t.same(answer(res), answer(await plain.app.inject(request)), 'the same answer as without enforce')
  t.equal(reporting.handlerCalls, 1, 'the handler ran')
  const detail = `origin '${EVIL}' is not in the allow-list for POST /items; add it to \`origin\``
  t.same(reporting.lastDecision(), { origin: EVIL, preflight: false, allowed: false, reason: 'origin-not-allowed', detail })
  t.same(warnLines(reporting.logs), [reportLine(EVIL, 'POST /items', 'origin-not-allowed', detail)])
  t.equal(reporting.logs.filter((line) => line.level === LOG_LEVEL.warn)[0]?.reqId, 'req-1', "on the request's logger")
})

test('allowed origins, same-origin requests and requests without Origin log nothing', async (t) => {
  const built = await buildApp(t, { logLevel: 'debug', cors: { origin: [APP], enforce: 'report-only' } })
  const cases: Array<[string, Record<string, string>, string]> = [
    ['allowed origin', { origin: APP }, 'allowed'],
    ['no Origin', {}, 'no-origin'],
    ['Sec-Fetch-Site: same-origin', { origin: 'https://api.example.com', host: 'internal:8080', 'sec-fetch-site': 'same-origin' }, 'same-origin'],
    ['Origin equal to http://<host>', { origin: 'http://api.example.com:8080', host: 'api.example.com:8080' }, 'same-origin']
  ]
  for (const [desc, headers, reason] of cases) {
    const res = await built.app.inject({ method: 'POST', url: '/items', headers })
    t.equal(res.statusCode, 201, desc)
    t.equal(built.lastDecision().reason, reason, desc)
  }
  t.same(warnLines(built.logs), [])
  t.same(built.logs.filter((line) => line.cors !== undefined), [], 'not even a debug denial line')
})

test('invalid origins and failed origin checks are reported too; cors: false routes are not', async (t) => {
  const built = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: (origin: string) => { if (origin === APP) throw new Error('down'); return false }, enforce: 'report-only' },
    routes: (instance, handled) => {
      instance.get('/items', async () => { handled(); return 'items' })
      instance.post('/webhook', { config: { cors: false } }, async () => { handled(); return 'received' })
    }
  })
  t.equal((await built.app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.com/' } })).statusCode, 200)
  t.equal((await built.app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })).statusCode, 200)
  t.equal((await built.app.inject({ method: 'POST', url: '/webhook', headers: { origin: EVIL } })).statusCode, 200)
  t.equal(built.handlerCalls, 3)
  const invalid = 'the Origin header "https://app.example.com/" is not a valid serialised origin (scheme://host[:port]) for GET /items; it is never reflected'
  const failed = `the origin function threw, rejected or timed out for origin '${APP}' on GET /items; the request is denied`
  t.same(warnLines(built.logs).filter((line) => line.cors !== undefined), [
    reportLine('https://app.example.com/', 'GET /items', 'invalid-origin', invalid),
    reportLine(APP, 'GET /items', 'origin-check-failed', failed)
  ])
})

test("route config cors: { enforce: 'report-only' } reports that route only, and overrides the plugin's enforce", async (t) => {
  const built = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: [APP], enforce: true },
    routes: (instance, handled) => {
      instance.post('/transfer', { config: { cors: { enforce: 'report-only' } } }, async () => { handled(); return 'sent' })
      instance.post('/search', { config: { cors: { enforce: false } } }, async () => { handled(); return 'results' })
      instance.post('/items', async () => { handled(); return 'created' })
    }
  })
  const reported = await built.app.inject({ method: 'POST', url: '/transfer', headers: { origin: EVIL } })
  t.equal(reported.statusCode, 200)
  t.equal(reported.body, 'sent')
  t.same(corsHeadersOf(reported), {})
  t.equal((await built.app.inject({ method: 'POST', url: '/search', headers: { origin: EVIL } })).statusCode, 200)
  const refused = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL } })
  t.equal(refused.statusCode, 403, "the plugin's enforce: true still refuses the other routes")
  t.equal(built.handlerCalls, 2)
  t.same(warnLines(built.logs), [
    reportLine(EVIL, 'POST /transfer', 'origin-not-allowed', `origin '${EVIL}' is not in the allow-list for POST /transfer; add it to \`origin\``)
  ])
})

test('a route of a plugin without enforce can turn report-only on', async (t) => {
  const built = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: [APP] },
    routes: (instance) => { instance.put('/items/:id', { config: { cors: { enforce: 'report-only' } } }, async () => 'updated') }
  })
  const res = await built.app.inject({ method: 'PUT', url: '/items/7', headers: { origin: EVIL } })
  t.equal(res.statusCode, 200)
  t.same(warnLines(built.logs), [
    reportLine(EVIL, 'PUT /items/:id', 'origin-not-allowed', `origin '${EVIL}' is not in the allow-list for PUT /items/:id; add it to \`origin\``)
  ])
})

for (const hook of ['preParsing', 'preValidation', 'preHandler'] as FastifyCorsHook[]) {
  test(`hook: '${hook}': reported in that hook, the handler runs`, async (t) => {
    const built = await buildApp(t, { logLevel: 'warn', cors: { origin: [APP], enforce: 'report-only', hook } })
    const res = await built.app.inject({ method: 'POST', url: '/echo', headers: { origin: EVIL, 'content-type': 'application/json' }, payload: '{"a":1}' })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { a: 1 })
    t.same(corsHeadersOf(res), {})
    t.equal(res.headers.vary, 'Origin')
    t.same(warnLines(built.logs), [
      reportLine(EVIL, 'POST /echo', 'origin-not-allowed', `origin '${EVIL}' is not in the allow-list for POST /echo; add it to \`origin\``)
    ])
  })
}

test('preflights are never reported, nor replies another hook sent first', async (t) => {
  const built = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: [APP], enforce: 'report-only' },
    before: (instance) => {
      instance.addHook('onRequest', async (request, reply) => {
        if (request.headers['x-limit'] !== undefined) return await reply.code(429).send({ error: 'Too Many Requests' })
      })
    }
  })
  const preflight = await built.app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(EVIL, 'PUT') })
  t.equal(preflight.statusCode, 403, 'a denied preflight is answered as without enforce')
  const limited = await built.app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL, 'x-limit': '1' } })
  t.equal(limited.statusCode, 429)
  t.equal(built.lastDecision().reason, 'origin-not-allowed', 'decided in onSend, after the other hook replied')
  t.same(warnLines(built.logs), [])
})

test('a failing delegator under report-only: the request goes on, reported as enforce: true would refuse it', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  let handled = 0
  const options: FastifyCorsOptions = { enforce: 'report-only', delegator: () => { throw new Error('tenant store down') } }
  await app.register(corsPolicy, options)
  app.get('/x', async () => { handled++; return 'x' })
  const res = await app.inject({ method: 'GET', url: '/x', headers: { origin: APP } })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'x')
  t.same(corsHeadersOf(res), {})
  t.equal(handled, 1)
  const detail = `the origin function threw, rejected or timed out for origin '${APP}' on GET /x; the request is denied`
  t.same(warnLines(log.lines).filter((line) => line.cors !== undefined), [reportLine(APP, 'GET /x', 'origin-check-failed', detail)])
})

test('a decision that settles after another hook already sent the reply is neither refused nor reported', async (t) => {
  for (const enforce of [true, 'report-only'] as const) {
    const { app, log } = loggedFastify(t, 'warn')
    const pending: Array<(allow: boolean) => void> = []
    // an earlier hook answers on its own, a moment after letting the request go on
    app.addHook('onRequest', (_request, reply, done) => {
      setImmediate(() => { reply.code(503).send('busy') })
      done()
    })
    await app.register(corsPolicy, { origin: async () => await new Promise<boolean>((resolve) => { pending.push(resolve) }), enforce })
    app.get('/x', async () => 'handler')
    const answered = app.inject({ method: 'GET', url: '/x', headers: { origin: EVIL } })
    while (pending.length < 2) await new Promise((resolve) => setImmediate(resolve))
    // the check of onSend (for the 503) settles first, then the one onRequest started
    ;(pending[1] as (allow: boolean) => void)(false)
    const res = await answered
    t.equal(res.statusCode, 503, String(enforce))
    t.equal(res.body, 'busy', String(enforce))
    ;(pending[0] as (allow: boolean) => void)(false)
    await new Promise((resolve) => setImmediate(resolve))
    t.same(log.atLeast('warn').map((line) => line.msg), [], `${String(enforce)}: no refusal attempted, nothing reported`)
  }
})

test("an attacker's long Origin and URL: each field of the warn line is clipped", async (t) => {
  const { app, logs } = await buildApp(t, { logLevel: 'warn', cors: { origin: [APP], enforce: 'report-only' } })
  const origin = `https://${'a'.repeat(1000)}.example`
  const url = `/items?${'q'.repeat(4000)}`
  const res = await app.inject({ method: 'GET', url, headers: { origin } })
  t.equal(res.statusCode, 200)
  const [line] = logs.filter((entry) => entry.level === LOG_LEVEL.warn)
  const cors = line?.cors as { origin: string, route: string, detail: string }
  t.equal(cors.origin.length, 200)
  t.ok(cors.origin.endsWith('…'))
  t.ok(cors.route.length <= 200)
  t.equal(cors.detail.length, 400)
  t.ok((line?.msg.length ?? Infinity) < 700, 'the message stays short')
})
