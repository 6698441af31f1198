// An onSend hook registered before the plugin (compression, a response signer, a logger) that throws
// turned the response into a 500 that went out without Access-Control-Allow-Origin and without
// Vary: Origin, because the CORS headers were only written by the plugin's own onSend hook, which
// never ran after the earlier one failed: the page saw an opaque CORS error instead of the 500.
// Now the headers of an allowed actual request are on the reply from the deciding hook on (any
// status, 5xx included: Fetch#http-responses); a denied origin never gets an Access-Control-* header.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, corsHeadersOf, LOG_LEVEL } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example.org'

/** An onSend hook, declared before the plugin, that fails (always, or only the first time per request). */
function failingOnSend (mode: 'always' | 'once') {
  return (app: FastifyInstance): void => {
    app.addHook('onSend', async (request, _reply, payload) => {
      const seen = request as unknown as { failedOnce?: boolean }
      if (mode === 'always' || seen.failedOnce !== true) {
        seen.failedOnce = true
        throw new Error('signer unavailable')
      }
      return payload
    })
  }
}

for (const mode of ['always', 'once'] as const) {
  test(`an earlier onSend hook that throws (${mode}): the 500 carries ACAO, ACAC, ACEH and Vary for an allowed origin`, async (t) => {
    const { app, logs, lastDecision } = await buildApp(t, {
      logLevel: 'error',
      before: failingOnSend(mode),
      cors: { origin: [APP], credentials: true, exposedHeaders: ['X-Request-Id'] }
    })
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
    t.equal(res.statusCode, 500)
    t.same(corsHeadersOf(res), {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Request-Id'
    })
    t.equal(res.headers.vary, 'Origin')
    t.match(lastDecision(), { allowed: true, reason: 'allowed' })
    t.ok(logs.some((line) => line.level === LOG_LEVEL.error && (line.err as { message?: string } | undefined)?.message === 'signer unavailable'), 'Fastify logged the hook error')
  })

  test(`an earlier onSend hook that throws (${mode}): a denied origin's 500 has no Access-Control-* header`, async (t) => {
    const { app, lastDecision } = await buildApp(t, {
      logLevel: 'error',
      before: failingOnSend(mode),
      cors: { origin: [APP], credentials: true, exposedHeaders: ['X-Request-Id'] }
    })
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: EVIL } })
    t.equal(res.statusCode, 500)
    t.same(corsHeadersOf(res), {})
    t.equal(res.headers.vary, 'Origin')
    t.match(lastDecision(), { allowed: false, reason: 'origin-not-allowed' })
  })

  test(`an earlier onSend hook that throws (${mode}) with hook: 'preHandler': the 500 still carries the headers`, async (t) => {
    const { app } = await buildApp(t, {
      logLevel: 'error',
      before: failingOnSend(mode),
      cors: { origin: [APP], hook: 'preHandler' }
    })
    const allowed = await app.inject({ method: 'POST', url: '/items', headers: { origin: APP } })
    t.equal(allowed.statusCode, 500)
    t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': APP })
    t.equal(allowed.headers.vary, 'Origin')
    const denied = await app.inject({ method: 'POST', url: '/items', headers: { origin: EVIL } })
    t.equal(denied.statusCode, 500)
    t.same(corsHeadersOf(denied), {})
  })
}

test("an earlier onSend hook that throws: a '*' policy's 500 carries ACAO *", async (t) => {
  const { app } = await buildApp(t, { logLevel: 'error', before: failingOnSend('always'), cors: { origin: '*' } })
  for (const origin of [APP, undefined]) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: origin === undefined ? {} : { origin } })
    t.equal(res.statusCode, 500)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' }, String(origin))
    t.equal(res.headers.vary, undefined)
  }
})
