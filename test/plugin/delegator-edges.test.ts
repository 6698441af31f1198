/**
 * The delegator at its edges: a failure under `enforce`, options whose reading throws something
 * that is not an Error, route overrides merged over its answer in preflights (and an override that
 * makes the answer invalid), two delegating registrations answering one preflight, and an answer of
 * origin '*' whose preflight still varies by Origin.
 */
import { test } from 'tap'
import type { FastifyRequest } from 'fastify'
import type { FastifyCorsDelegatedOptions, FastifyCorsDelegator } from '../../lib/index.js'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, loggedFastify, preflightHeaders, recordDecision, type RecordedDecision } from '../helpers/build-app.js'
import type { LogCapture } from '../helpers/log-capture.js'

const APP = 'https://app.example.com'
const PARTNER = 'https://partner.example'

function delegator (answer: (request: FastifyRequest) => unknown): FastifyCorsDelegator {
  return ((request: FastifyRequest) => answer(request)) as unknown as FastifyCorsDelegator
}

function errorLines (log: LogCapture): Array<[string, string | undefined]> {
  return log.atLeast('error').map((line) => [line.msg, (line.err as { code?: string } | undefined)?.code])
}

function denialLines (log: LogCapture): string[] {
  return log.lines.filter((line) => line.msg.startsWith('CORS denied')).map((line) => line.msg)
}

test('a failing delegator under enforce: cross-origin requests are refused with 403 before the handler', async (t) => {
  const { app, log } = loggedFastify(t, 'debug')
  let handled = 0
  await app.register(corsPolicy, { enforce: true, delegator: delegator(() => { throw new Error('tenant store down') }) })
  app.get('/x', async () => { handled++; return 'x' })
  await app.ready()

  const refused = await app.inject({ method: 'GET', url: '/x', headers: { origin: APP } })
  t.equal(refused.statusCode, 403)
  const detail = "the origin function threw, rejected or timed out for origin 'https://app.example.com' on GET /x; the request is denied"
  t.same(refused.json(), { statusCode: 403, code: 'FST_CORS_FORBIDDEN', error: 'Forbidden', message: `Cross-origin request refused: ${detail}` })
  t.same(corsHeadersOf(refused), {})
  t.equal(refused.headers.vary, 'Origin')
  t.equal(handled, 0)

  // without Origin CORS does not apply: served, though the delegator failed again
  const sameSite = await app.inject({ method: 'GET', url: '/x' })
  t.equal(sameSite.statusCode, 200)
  t.equal(handled, 1)
  const failed = 'The fastify-cors-policy delegator threw for GET /x, so the request is denied'
  t.same(errorLines(log), [[failed, 'FST_CORS_DELEGATOR_FAILED'], [failed, 'FST_CORS_DELEGATOR_FAILED']])
  // pino's error serialiser appends the cause's message: the delegator's own error
  t.equal((log.atLeast('error')[0]?.err as { message?: string }).message, `${failed}: tenant store down`, 'the thrown error is the cause')
  t.same(denialLines(log), [`CORS denied: ${detail}`])
})

test('options whose reading throws a value that is not an Error deny, named in the log', async (t) => {
  const { app, log } = loggedFastify(t, 'debug')
  const answer = { get origin (): string { throw 'tenant revoked' } } // eslint-disable-line no-throw-literal
  await app.register(corsPolicy, { delegator: delegator(() => answer) })
  app.get('/x', async (request) => recordDecision(request.cors!))
  await app.ready()
  const res = await app.inject({ method: 'GET', url: '/x', headers: { origin: APP } })
  t.equal(res.statusCode, 200, 'CORS hides the response, it does not fail the request')
  t.same(corsHeadersOf(res), {})
  t.same(res.json(), {
    origin: APP,
    preflight: false,
    allowed: false,
    reason: 'origin-check-failed',
    detail: "the origin function threw, rejected or timed out for origin 'https://app.example.com' on GET /x; the request is denied"
  })
  t.same(errorLines(log), [[
    'The fastify-cors-policy delegator answered invalid options for GET /x, so the request is denied: the options could not be read (tenant revoked)',
    'FST_CORS_INVALID_DELEGATED_OPTIONS'
  ]])
})

test("a preflight merges each route's own config.cors over the delegator's answer", async (t) => {
  const { app, log } = loggedFastify(t, 'debug')
  const decisions: RecordedDecision[] = []
  app.addHook('onResponse', async (request) => { if (request.cors !== null) decisions.push(recordDecision(request.cors)) })
  await app.register(corsPolicy, {
    delegator: delegator((request) => ({ origin: [APP], credentials: request.headers['x-credentials'] === 'yes' }) as FastifyCorsDelegatedOptions)
  })
  app.get('/items', async () => 'list')
  app.put('/items', { config: { cors: { methods: ['PUT'], maxAge: 60 } } }, async () => 'replaced')
  app.put('/public', { config: { cors: { origin: '*' } } }, async () => 'public')
  await app.ready()

  // GET (the delegator's answer) and PUT (the answer with the route's methods and maxAge) share the URL
  const items = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'PUT') })
  t.equal(items.statusCode, 204)
  t.same(corsHeadersOf(items), {
    'access-control-allow-origin': APP,
    'access-control-allow-methods': 'GET, HEAD, PUT',
    // the grant covers GET, whose answer configures no max-age (a browser keeps it 5 seconds): the shorter one
    'access-control-max-age': '5'
  })
  t.equal(items.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  const credentialed = await app.inject({ method: 'OPTIONS', url: '/items', headers: { ...preflightHeaders(APP, 'PUT'), 'x-credentials': 'yes' } })
  t.equal(credentialed.headers['access-control-allow-credentials'], 'true', "the answer's credentials under the route's override")

  const open = await app.inject({ method: 'OPTIONS', url: '/public', headers: preflightHeaders(PARTNER, 'PUT') })
  t.equal(open.statusCode, 204)
  t.same(corsHeadersOf(open), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT' })

  // the answer's credentials with the route's origin '*' are invalid options: no policy, refused
  const conflict = await app.inject({ method: 'OPTIONS', url: '/public', headers: { ...preflightHeaders(APP, 'PUT'), 'x-credentials': 'yes' } })
  t.equal(conflict.statusCode, 403)
  t.same(corsHeadersOf(conflict), {})
  t.equal(conflict.headers['content-length'], '0')
  const refusal = decisions.at(-1)
  t.same({ ...refusal, detail: undefined }, { origin: APP, preflight: true, allowed: false, reason: 'disabled', detail: undefined }, 'refused as a route whose policy is unknown')
  // the detail names the route (its wording, "not covered by any registration", does not name the conflict)
  t.match(refusal?.detail, /^PUT \/public /)
  const actual = await app.inject({ method: 'PUT', url: '/public', headers: { origin: APP, 'x-credentials': 'yes' } })
  t.equal(actual.statusCode, 200)
  t.same(corsHeadersOf(actual), {})
  t.same(errorLines(log), [[
    "The fastify-cors-policy delegator answered invalid options for PUT /public, so the request is denied: /credentials true cannot be combined with origin '*': browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; list the allowed origins in `origin` (e.g. ['https://app.example.com'])",
    'FST_CORS_INVALID_DELEGATED_OPTIONS'
  ]], 'the actual request names the conflict')
})

test('two delegating registrations whose routes share a URL both answer its preflight', async (t) => {
  const { app } = loggedFastify(t, 'warn')
  const calls = { root: 0, api: 0 }
  await app.register(corsPolicy, { delegator: delegator(() => { calls.root++; return { origin: [APP], methods: ['GET', 'PUT'] } }) })
  app.get('/api/x', async () => 'root route')
  await app.register(async (api) => {
    await api.register(corsPolicy, {
      delegator: ((async () => { calls.api++; await new Promise((resolve) => setTimeout(resolve, 5)); return { origin: [APP, PARTNER], methods: ['PUT'] } }) as unknown as FastifyCorsDelegator)
    })
    api.put('/x', async () => 'api route')
  }, { prefix: '/api' })
  await app.ready()

  const app1 = await app.inject({ method: 'OPTIONS', url: '/api/x', headers: preflightHeaders(APP, 'PUT') })
  t.equal(app1.statusCode, 204)
  t.same(corsHeadersOf(app1), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, PUT' })
  t.same(calls, { root: 1, api: 1 }, 'each delegator once')

  // only the /api registration's answer allows PARTNER: the grant is its PUT alone
  const partner = await app.inject({ method: 'OPTIONS', url: '/api/x', headers: preflightHeaders(PARTNER, 'PUT') })
  t.equal(partner.statusCode, 204)
  t.same(corsHeadersOf(partner), { 'access-control-allow-origin': PARTNER, 'access-control-allow-methods': 'PUT' })
  const read = await app.inject({ method: 'OPTIONS', url: '/api/x', headers: preflightHeaders(PARTNER, 'GET') })
  t.equal(read.statusCode, 403, "the root registration's answer refuses PARTNER for GET")
  t.same(calls, { root: 3, api: 3 })
})

test("a delegator's answer of origin '*' with configured lists: the preflight varies by Origin alone", async (t) => {
  const { app } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, { delegator: delegator(() => ({ origin: '*', methods: ['PUT'], allowedHeaders: ['x-a'] })) })
  app.put('/x', async () => 'x')
  await app.ready()
  const preflight = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'PUT', 'x-a') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-a' })
  t.equal(preflight.headers.vary, 'Origin', 'another request may get another answer from the delegator')
  const actual = await app.inject({ method: 'PUT', url: '/x', headers: { origin: APP } })
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': '*' })
  t.equal(actual.headers.vary, 'Origin')
})
