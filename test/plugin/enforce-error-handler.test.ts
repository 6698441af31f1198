/**
 * `enforce` refuses with a coded error (FST_CORS_FORBIDDEN, 403) sent through the app's error
 * handler: Fastify's default one, a `setErrorHandler` of the app's (problem+json, say) or of the
 * route's own scope. The CORS headers of the decision still hold on that 403, in every hook that
 * runs before the handler.
 */
import { test } from 'tap'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import corsPolicy, { CorsForbiddenError, type FastifyCorsHook } from '../../lib/index.js'
import { buildApp, corsHeadersOf, loggedFastify, LOG_LEVEL } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'
const DETAIL = `origin '${EVIL}' is not in the allow-list for POST /transfer; add it to \`origin\``

/** A problem+json error handler, as an application writes one: it reads the refusal's reason. */
function problemHandler (error: FastifyError, _request: unknown, reply: { code: (n: number) => { type: (t: string) => { send: (b: unknown) => unknown } } }): unknown {
  const refusal = error instanceof CorsForbiddenError ? { reason: error.reason, origin: error.origin } : {}
  return reply.code(error.statusCode ?? 500).type('application/problem+json').send({
    type: `https://errors.example/${error.code}`,
    title: error.message,
    status: error.statusCode,
    ...refusal
  })
}

test('CorsForbiddenError: code, status, message format, reason and origin', async (t) => {
  const error = new CorsForbiddenError('the detail')
  t.equal(error.code, 'FST_CORS_FORBIDDEN')
  t.equal(error.statusCode, 403)
  t.equal(error.message, 'Cross-origin request refused: the detail')
  t.equal(error.name, 'FastifyError')
  t.equal(error.reason, 'origin-not-allowed', 'the default of an error built by hand')
  t.equal(error.origin, '')
  t.ok(error instanceof Error)
})

test("Fastify's default error handler formats the refusal, and the decision's headers hold on it", async (t) => {
  const { app, log } = loggedFastify(t, 'debug')
  let handled = 0
  await app.register(corsPolicy, { origin: [APP], enforce: true })
  app.post('/transfer', async () => { handled++; return 'sent' })
  const res = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: EVIL, 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.same(res.json(), { statusCode: 403, code: 'FST_CORS_FORBIDDEN', error: 'Forbidden', message: `Cross-origin request refused: ${DETAIL}` })
  t.same(corsHeadersOf(res), {}, 'no CORS header for a denied origin')
  t.equal(res.headers.vary, 'Origin', 'the answer depends on the origin')
  t.equal(handled, 0)
  // the plugin's denial line, then Fastify's own line for a 4xx error
  t.same(log.lines.filter((line) => line.reqId !== undefined && line.msg !== 'incoming request' && line.msg !== 'request completed')
    .map((line) => [line.level, line.msg, (line.err as { code?: string } | undefined)?.code]), [
    [LOG_LEVEL.debug, `CORS denied: ${DETAIL}`, undefined],
    [LOG_LEVEL.info, `Cross-origin request refused: ${DETAIL}`, 'FST_CORS_FORBIDDEN']
  ])
})

test('an application error handler formats the refusal as problem+json, reading error.reason', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.setErrorHandler(problemHandler as Parameters<FastifyInstance['setErrorHandler']>[0])
  await app.register(corsPolicy, { origin: [APP], enforce: true })
  app.post('/transfer', async () => 'sent')
  const res = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: EVIL } })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.same(res.json(), {
    type: 'https://errors.example/FST_CORS_FORBIDDEN',
    title: `Cross-origin request refused: ${DETAIL}`,
    status: 403,
    reason: 'origin-not-allowed',
    origin: EVIL
  })
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')

  const invalid = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: 'https://app.example.com/' } })
  t.equal(invalid.statusCode, 403)
  t.same({ reason: invalid.json().reason, origin: invalid.json().origin }, { reason: 'invalid-origin', origin: 'https://app.example.com/' })

  const allowed = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: APP } })
  t.equal(allowed.statusCode, 200)
  t.equal(allowed.body, 'sent')
})

test("the error handler of the route's own scope formats it, the plugin registered at the root", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP], enforce: true })
  app.post('/transfer', async () => 'sent')
  await app.register(async (api) => {
    api.setErrorHandler(problemHandler as Parameters<FastifyInstance['setErrorHandler']>[0])
    api.post('/transfer', async () => 'sent')
  }, { prefix: '/api' })
  const scoped = await app.inject({ method: 'POST', url: '/api/transfer', headers: { origin: EVIL } })
  t.equal(scoped.statusCode, 403)
  t.equal(scoped.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.same(scoped.json(), {
    type: 'https://errors.example/FST_CORS_FORBIDDEN',
    title: `Cross-origin request refused: origin '${EVIL}' is not in the allow-list for POST /api/transfer; add it to \`origin\``,
    status: 403,
    reason: 'origin-not-allowed',
    origin: EVIL
  })
  t.equal(scoped.headers.vary, 'Origin')
  const root = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: EVIL } })
  t.equal(root.headers['content-type'], 'application/json; charset=utf-8', "outside that scope: Fastify's default handler")
  t.equal(root.json().code, 'FST_CORS_FORBIDDEN')
})

for (const hook of ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as FastifyCorsHook[]) {
  test(`hook: '${hook}': the refusal goes through the error handler, with the decision's headers`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    let handled = 0
    app.setErrorHandler(problemHandler as Parameters<FastifyInstance['setErrorHandler']>[0])
    await app.register(corsPolicy, { origin: [APP], credentials: true, exposedHeaders: ['X-Total'], enforce: true, hook })
    app.post('/transfer', async (_request, reply) => { handled++; return reply.header('access-control-allow-origin', '*').send('sent') })
    const denied = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: EVIL, 'content-type': 'application/json' }, payload: '{}' })
    t.equal(denied.statusCode, 403)
    t.equal(denied.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(denied.json().reason, 'origin-not-allowed')
    t.same(corsHeadersOf(denied), {})
    t.equal(denied.headers.vary, 'Origin')
    t.equal(handled, 0)
    const allowed = await app.inject({ method: 'POST', url: '/transfer', headers: { origin: APP, 'content-type': 'application/json' }, payload: '{}' })
    t.equal(allowed.statusCode, 200)
    t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Total' })
    t.equal(handled, 1)
  })
}

test('the refusal under a delegator that failed, with enforce: a FST_CORS_FORBIDDEN naming the failed check', async (t) => {
  const built = await buildApp(t, {
    cors: { enforce: true, delegator: () => { throw new Error('tenant store down') } },
    routes: (instance) => { instance.get('/x', async () => 'x') }
  })
  const res = await built.app.inject({ method: 'GET', url: '/x', headers: { origin: APP } })
  t.equal(res.statusCode, 403)
  t.same(res.json(), {
    statusCode: 403,
    code: 'FST_CORS_FORBIDDEN',
    error: 'Forbidden',
    message: `Cross-origin request refused: the origin function threw, rejected or timed out for origin '${APP}' on GET /x; the request is denied`
  })
  t.equal(res.headers.vary, 'Origin')
})
