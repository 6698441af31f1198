// Behaviours of @fastify/cors that its README documents or its own test suite pins (v11.4.3), run
// against this plugin with only the import changed. Each title names the behaviour it
// asserts; a `DIFFERENCE` comment names what @fastify/cors does instead where this plugin
// deliberately differs (checked against node_modules/@fastify/cors/index.js).
import { createReadStream, readFileSync, statSync } from 'node:fs'
import type { OutgoingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import cors, { type FastifyCorsOptions } from '../../lib/index.js'
import { corsHeadersOf, LOG_LEVEL, preflightHeaders } from '../helpers/build-app.js'
import { corsHeadersOfFetch, errorLines, listenLocal, newFastify, startupError } from './compat-app.js'

const CLIENT = 'https://client.example'
const APP = 'https://app.example.com'
const ADMIN = 'https://admin.example.com'

// ---------------------------------------------------------------------------------------------
// Safety refusals at start-up
// ---------------------------------------------------------------------------------------------

type Refusal = [desc: string, options: Record<string, unknown>, code: 'FST_CORS_INVALID_OPTIONS' | 'FST_CORS_UNSAFE_OPTIONS', message: RegExp, fastifyCors: string]

const refusals: Refusal[] = [
  ["origin '*' with credentials", { origin: '*', credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /credentials/,
    "sends ACAO '*' and ACAC 'true', which browsers refuse for credentialed requests"],
  ['credentials with the default origin', { credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /explicit `origin`/, "the same: ACAO '*' + ACAC 'true'"],
  ['origin true with credentials', { origin: true, credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /dangerouslyAllowAnyOriginWithCredentials/,
    'reflects every origin with credentials'],
  ["'null' with credentials", { origin: ['null'], credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /'null'/, 'reflects null with credentials'],
  ['an unanchored RegExp (the one of @fastify/cors\'s own test)', { origin: /(?:example|other)\.com\/?$/giu }, 'FST_CORS_UNSAFE_OPTIONS', /not anchored.*\^/,
    'also matches https://example.com.attacker.net-style origins'],
  ['an origin with a trailing slash', { origin: 'https://example.com/' }, 'FST_CORS_INVALID_OPTIONS', /did you mean 'https:\/\/example\.com'\?/,
    "sends ACAO 'https://example.com/', which matches no browser origin"],
  ['an origin without a scheme', { origin: 'example.com' }, 'FST_CORS_INVALID_OPTIONS', /\/origin/, "sends ACAO 'example.com', which matches no browser origin"],
  ['an empty origin', { origin: '' }, 'FST_CORS_INVALID_OPTIONS', /\/origin/, "answers 500 'Invalid CORS origin option' to every request"],
  ["'*' mixed with origins", { origin: ['*', 'https://a.example.com'] }, 'FST_CORS_INVALID_OPTIONS', /'\*' cannot be mixed with other origins/,
    "treats the whole list as '*'"],
  ['an unknown hook', { hook: 'invalid' }, 'FST_CORS_INVALID_OPTIONS', /\/hook/, "throws TypeError '@fastify/cors: Invalid hook option provided.'"],
  ['enforce with a hook that runs after the handler (preSerialization)', { origin: [APP], enforce: true, hook: 'preSerialization' }, 'FST_CORS_INVALID_OPTIONS', /enforce/,
    'has no enforce option'],
  ['enforce with a hook that runs after the handler (onSend)', { origin: [APP], enforce: true, hook: 'onSend' }, 'FST_CORS_INVALID_OPTIONS', /enforce/,
    'has no enforce option and refuses onSend']
]

test('safety refusals at start-up: every foot-gun fails registration, naming the option and the fix', async (t) => {
  for (const [desc, options, code, message, fastifyCors] of refusals) {
    // DIFFERENCE: @fastify/cors starts, and then `fastifyCors` (see each case)
    const error = await startupError(t, (fastify) => { fastify.register(cors, options as FastifyCorsOptions) })
    t.ok(error, `${desc} is refused (@fastify/cors ${fastifyCors})`)
    t.equal(error?.code, code, desc)
    t.match(error?.message, message, desc)
  }
})

test('dangerouslyAllowAnyOriginWithCredentials: the only way to reflect any origin with credentials, with a warning at start-up (extra option)', async (t) => {
  const { fastify, logs } = newFastify(t, 'warn')
  await fastify.register(cors, { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true })
  fastify.get('/', async () => 'ok')
  await fastify.ready()
  t.equal(logs.filter((line) => line.level === LOG_LEVEL.warn).length, 1, 'one warning at start-up')
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': CLIENT, 'access-control-allow-credentials': 'true' })
})

test('harmless contradictions start: preflightContinue with preflight: false (at most a warning)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { preflight: false, preflightContinue: true })
  fastify.get('/', async () => 'ok')
  await fastify.ready()
  // as @fastify/cors: nothing answers the preflight, which is treated as an actual CORS request
  const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(res.statusCode, 404)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
})

test('undefined means "not set" for every option', async (t) => {
  const { fastify } = newFastify(t)
  // DIFFERENCE: @fastify/cors spreads the options over its defaults, so origin: undefined replaces
  // '*' and every request gets 500 'Invalid CORS origin option'
  await fastify.register(cors, { origin: undefined, methods: undefined, credentials: undefined, maxAge: undefined, hook: undefined, delegator: undefined })
  fastify.get('/', async () => 'ok')
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD' })
})

// ---------------------------------------------------------------------------------------------
// Origins
// ---------------------------------------------------------------------------------------------

test("origin ['*'] is origin '*': ACAO * and no Vary (a static ACAO: Fetch#cors-protocol-and-http-caches)", async (t) => {
  const { fastify } = newFastify(t)
  fastify.register(cors, { origin: ['*'] })
  fastify.get('/', (_req, reply) => {
    reply.send('ok')
  })
  for (const headers of [{}, { origin: CLIENT }]) {
    const res = await fastify.inject({ method: 'GET', url: '/', headers })
    t.equal(res.statusCode, 200)
    t.equal(res.body, 'ok')
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' }, JSON.stringify(headers))
    t.equal(res.headers.vary, undefined, JSON.stringify(headers))
  }
})

test("an invalid Origin is never reflected outside '*' (reason invalid-origin)", async (t) => {
  const invalidOrigins = ['example.com', 'https://client.example/', 'https://client.example/path', 'HTTPS://CLIENT.EXAMPLE']
  for (const origin of [true, [CLIENT, /^https:\/\/client\.example\/?$/]] as const) {
    const { fastify, decisions } = newFastify(t)
    await fastify.register(cors, { origin: origin as FastifyCorsOptions['origin'] })
    fastify.get('/', async () => 'ok')
    for (const requestOrigin of invalidOrigins) {
      // DIFFERENCE: @fastify/cors reflects any value its origin option accepts ('example.com' under true;
      // 'https://client.example/' through a RegExp that allows a trailing slash)
      const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: requestOrigin } })
      t.equal(res.statusCode, 200, requestOrigin)
      t.same(corsHeadersOf(res), {}, `${String(origin)}: ${requestOrigin}`)
      t.equal(res.headers.vary, 'Origin', requestOrigin)
      const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(requestOrigin, 'GET') })
      t.equal(preflight.statusCode, 403, `preflight ${requestOrigin}`)
      t.same(corsHeadersOf(preflight), {}, `preflight ${requestOrigin}`)
    }
    t.same(new Set(decisions.map((d) => d.reason)), new Set(['invalid-origin']))
  }
  const any = newFastify(t)
  await any.fastify.register(cors, { origin: '*' })
  any.fastify.get('/', async () => 'ok')
  for (const requestOrigin of invalidOrigins) {
    const res = await any.fastify.inject({ method: 'GET', url: '/', headers: { origin: requestOrigin } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' }, `'*': ${requestOrigin}`)
  }
})

test("'null' is matched only when listed literally; true never reflects it; a function receives it ('null' is any sandboxed page or redirected request: Fetch#serializing-a-request-origin)", async (t) => {
  const reflect = newFastify(t)
  await reflect.fastify.register(cors, { origin: true })
  reflect.fastify.get('/', async () => 'ok')
  // DIFFERENCE: @fastify/cors reflects 'null' under origin: true
  const res = await reflect.fastify.inject({ method: 'GET', url: '/', headers: { origin: 'null' } })
  t.same(corsHeadersOf(res), {})
  const listed = newFastify(t)
  await listed.fastify.register(cors, { origin: ['null'] })
  listed.fastify.get('/', async () => 'ok')
  t.same(corsHeadersOf(await listed.fastify.inject({ method: 'GET', url: '/', headers: { origin: 'null' } })), { 'access-control-allow-origin': 'null' })
  const seen: string[] = []
  const fn = newFastify(t)
  await fn.fastify.register(cors, { origin: (origin: string, cb) => { seen.push(origin); cb(null, true) } })
  fn.fastify.get('/', async () => 'ok')
  t.same(corsHeadersOf(await fn.fastify.inject({ method: 'GET', url: '/', headers: { origin: 'null' } })), { 'access-control-allow-origin': 'null' })
  t.same(seen, ['null'])
})

type FailingCheck = [desc: string, origin: NonNullable<FastifyCorsOptions['origin']>, reason: 'origin-check-failed' | 'origin-not-allowed', fastifyCors: string]

const failingChecks: FailingCheck[] = [
  ["cb(new Error('ouch'))", (_origin: string, cb) => { cb(new Error('ouch')) }, 'origin-check-failed', "500 'ouch'"],
  ['a synchronous throw', () => { throw new Error('ouch') }, 'origin-check-failed', '500'],
  ['a rejected promise', async () => { throw new Error('ouch') }, 'origin-check-failed', "500 'ouch'"],
  ['cb(null, undefined)', (_origin: string, cb) => { cb(null, undefined) }, 'origin-not-allowed', "500 'Invalid CORS origin option'"],
  ['cb(null, false)', (_origin: string, cb) => { cb(null, false) }, 'origin-not-allowed', 'no CORS headers (the same)']
]

test('an origin function that fails denies the request, never a 500: actual request answered without CORS headers, preflight 403 (expressjs/cors#92)', async (t) => {
  for (const [desc, origin, reason, fastifyCors] of failingChecks) {
    const { fastify, decisions, logs } = newFastify(t, 'error')
    await fastify.register(cors, { origin })
    fastify.get('/', async () => 'ok')
    // DIFFERENCE: @fastify/cors answers `fastifyCors` (see each case)
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
    t.equal(res.statusCode, 200, `${desc} (@fastify/cors: ${fastifyCors})`)
    t.equal(res.body, 'ok', desc)
    t.same(corsHeadersOf(res), {}, desc)
    t.equal(res.headers.vary, 'Origin', desc)
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
    t.equal(preflight.statusCode, 403, `${desc}: preflight`)
    t.same(corsHeadersOf(preflight), {}, `${desc}: preflight`)
    t.same(decisions.map((d) => [d.allowed, d.reason]), [[false, reason], [false, reason]], desc)
    t.equal(errorLines(logs).length, reason === 'origin-check-failed' ? 2 : 0, `${desc}: logged at error level when the check failed`)
  }
})

test('an origin function that never answers denies after originCheckTimeout (extra option originCheckTimeout)', async (t) => {
  const { fastify, decisions } = newFastify(t)
  // DIFFERENCE: with @fastify/cors the request hangs for ever
  await fastify.register(cors, { origin: (_origin: string, _cb) => {}, originCheckTimeout: 20 })
  fastify.get('/', async () => 'ok')
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(decisions[0]?.reason, 'origin-check-failed')
})

test('an origin function may answer a static origin value, matched as such, never sent as a fixed ACAO', async (t) => {
  const answers: Array<[string, NonNullable<FastifyCorsOptions['origin']>]> = [
    ['a string', async () => CLIENT],
    ['an anchored RegExp', (_origin: string, cb) => { cb(null, /^https:\/\/client\.example$/) }],
    ['an array', (_origin: string, cb) => { cb(null, ['https://other.example', CLIENT]) }]
  ]
  for (const [desc, origin] of answers) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { origin })
    fastify.get('/', async () => 'ok')
    const allowed = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
    t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': CLIENT }, desc)
    t.equal(allowed.headers.vary, 'Origin', desc)
    // DIFFERENCE: @fastify/cors sends a returned string as ACAO to whatever origin asked
    const other = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'https://evil.example' } })
    t.same(corsHeadersOf(other), {}, `${desc}: another origin`)
  }
})

test('an origin function answering an unanchored RegExp is denied, never matched (RegExps must be anchored: expressjs/cors#408)', async (t) => {
  const { fastify, logs } = newFastify(t, 'error')
  // DIFFERENCE: @fastify/cors tests the returned RegExp as is, so https://example.com.evil.net is reflected
  await fastify.register(cors, { origin: async () => /example\.com/ })
  fastify.get('/', async () => 'ok')
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'https://example.com.evil.net' } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(errorLines(logs).length, 1, 'the unusable answer is logged at error level')
})

test('an origin function receives the request as third argument (extra argument)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: (_origin: string, cb, request: FastifyRequest) => { cb(null, request.url.startsWith('/public')) } })
  fastify.get('/public/data', async () => 'public')
  fastify.get('/private/data', async () => 'private')
  t.same(corsHeadersOf(await fastify.inject({ method: 'GET', url: '/public/data', headers: { origin: CLIENT } })), { 'access-control-allow-origin': CLIENT })
  t.same(corsHeadersOf(await fastify.inject({ method: 'GET', url: '/private/data', headers: { origin: CLIENT } })), {})
})

test('the origin function is not run and no Vary is added for a cors: false route (@fastify/cors test of the same name)', async (t) => {
  for (const kind of ['callback', 'promise'] as const) {
    let originCalled = false
    const { fastify } = newFastify(t)
    fastify.register(cors, {
      origin: kind === 'callback'
        ? (_origin: string, cb) => { originCalled = true; cb(new Error('Not allowed'), false) }
        : async () => { originCalled = true; throw new Error('Not allowed') }
    })
    fastify.get('/cors-disabled', { config: { cors: false } }, (_req, reply) => {
      reply.send('ok')
    })
    fastify.get('/cors-enabled', (_req, reply) => {
      reply.send('ok')
    })
    const disabled = await fastify.inject({ method: 'GET', url: '/cors-disabled', headers: { origin: 'https://example.com' } })
    t.equal(disabled.statusCode, 200, kind)
    t.equal(disabled.body, 'ok')
    t.equal(disabled.headers.vary, undefined)
    t.same(corsHeadersOf(disabled), {})
    t.equal(originCalled, false, kind)
    // DIFFERENCE: @fastify/cors answers 500 once the rejecting function runs
    const enabled = await fastify.inject({ method: 'GET', url: '/cors-enabled', headers: { origin: 'https://example.com' } })
    t.equal(enabled.statusCode, 200, kind)
    t.same(corsHeadersOf(enabled), {})
    t.equal(originCalled, true, kind)
  }
})

// ---------------------------------------------------------------------------------------------
// Actual responses: payload kinds, errors, Vary
// ---------------------------------------------------------------------------------------------

test('a stream payload carries the headers (@fastify/cors test "payload is a stream")', async (t) => {
  const filePath = fileURLToPath(import.meta.url)
  const { fastify } = newFastify(t)
  fastify.register(cors)
  fastify.get('/', (_req, reply) => {
    const stream = createReadStream(filePath)
    reply
      .type('application/json')
      .header('Content-Length', statSync(filePath).size)
      .send(stream)
  })
  const res = await fastify.inject({ method: 'GET', url: '/' })
  t.equal(res.statusCode, 200)
  t.equal(res.payload, readFileSync(filePath, 'utf-8'))
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
  t.equal(res.headers['content-length'], statSync(filePath).size.toString())
})

test('error responses carry the headers of an allowed origin: a thrown error and a 404 (an actual response may have any status: Fetch#http-responses)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: [APP], credentials: true })
  fastify.get('/boom', async () => { throw new Error('boom') })
  for (const [url, status] of [['/boom', 500], ['/nowhere', 404]] as const) {
    const res = await fastify.inject({ method: 'GET', url, headers: { origin: APP } })
    t.equal(res.statusCode, status, url)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }, url)
    t.equal(res.headers.vary, 'Origin', url)
  }
})

test("Vary: Origin is merged into the handler's own Vary, no duplicates, '*' kept (Fetch#cors-protocol-and-http-caches)", async (t) => {
  const { fastify } = newFastify(t)
  fastify.addHook('onRequest', async (request, reply) => {
    const vary = (request.query as { early?: string }).early
    if (vary !== undefined) reply.header('Vary', vary)
  })
  fastify.register(cors, { origin: true })
  fastify.get('/', (request, reply) => {
    const vary = (request.query as { late?: string | string[] }).late
    if (vary !== undefined) reply.header('Vary', vary)
    reply.send('ok')
  })
  const cases: Array<[Record<string, string | string[]>, string, string]> = [
    [{}, 'Origin', 'nothing set'],
    [{ late: 'Accept-Encoding' }, 'Accept-Encoding, Origin', 'handler entry kept'],
    [{ late: ['foo', 'bar'] }, 'foo, bar, Origin', 'several field lines (the @fastify/cors "vary is array" test)'],
    [{ late: 'accept, ORIGIN' }, 'accept, ORIGIN', 'no duplicate, case-insensitive'],
    [{ late: '*' }, '*', "'*' stays '*'"],
    // DIFFERENCE: @fastify/cors collapses '* , foo' to '*'; the handler's entries are never dropped here
    [{ early: '* , foo' }, '* , foo', "set before the plugin: '*' kept, nothing dropped"]
  ]
  for (const [query, expected, desc] of cases) {
    const res = await fastify.inject({ method: 'GET', url: '/', query, headers: { origin: CLIENT } })
    t.equal(res.headers.vary, expected, desc)
  }
})

test('hijacked SSE stream: reply.raw.writeHead(200, reply.getHeaders()) carries ACAO, ACAC, ACEH and Vary (the headers are on the reply from the deciding hook on)', async (t) => {
  for (const hook of [undefined, 'preHandler'] as const) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { origin: [APP], credentials: true, exposedHeaders: ['X-Stream-Id'], hook })
    fastify.get('/events', (_request, reply) => {
      reply.hijack()
      reply.raw.writeHead(200, { ...reply.getHeaders() as OutgoingHttpHeaders, 'content-type': 'text/event-stream', 'x-stream-id': '1' })
      reply.raw.write('data: hello\n\n')
      reply.raw.end()
    })
    const base = await listenLocal(fastify)
    const res = await fetch(`${base}/events`, { headers: { origin: APP } })
    t.equal(res.status, 200, String(hook))
    t.equal(await res.text(), 'data: hello\n\n')
    t.same(corsHeadersOfFetch(res), {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Stream-Id'
    }, `hook ${String(hook)}`)
    t.equal(res.headers.get('vary'), 'Origin', `hook ${String(hook)}`)
    const denied = await fetch(`${base}/events`, { headers: { origin: 'https://evil.example' } })
    await denied.text()
    t.same(corsHeadersOfFetch(denied), {}, `hook ${String(hook)}: denied origin`)
  }
  const any = newFastify(t)
  await any.fastify.register(cors)
  any.fastify.get('/events', (_request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, reply.getHeaders() as OutgoingHttpHeaders)
    reply.raw.end('data: hello\n\n')
  })
  const base = await listenLocal(any.fastify)
  const res = await fetch(`${base}/events`)
  await res.text()
  t.same(corsHeadersOfFetch(res), { 'access-control-allow-origin': '*' }, "'*' policy, no Origin")
  t.equal(res.headers.get('vary'), null)
})

// ---------------------------------------------------------------------------------------------
// hook
// ---------------------------------------------------------------------------------------------

test("a plain OPTIONS request reaches the application's own OPTIONS route, whatever strictPreflight says (a non-preflight OPTIONS belongs to the application: Fetch#http-requests, fastify/fastify-cors#88)", async (t) => {
  for (const strictPreflight of [true, false]) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { strictPreflight })
    fastify.options('/mine', async () => 'mine')
    for (const headers of [{}, { origin: CLIENT }]) {
      // DIFFERENCE: @fastify/cors answers every OPTIONS request in its hook, before the route:
      // 400 'Invalid Preflight Request' with strictPreflight, else an empty 204 with preflight headers
      const res = await fastify.inject({ method: 'OPTIONS', url: '/mine', headers })
      t.equal(res.statusCode, 200, `strictPreflight ${String(strictPreflight)} ${JSON.stringify(headers)}`)
      t.equal(res.body, 'mine')
      t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
    }
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/mine', headers: preflightHeaders(CLIENT, 'OPTIONS') })
    t.equal(preflight.statusCode, 204, 'a real preflight is still answered by the plugin')
  }
})

test("hook 'preSerialization' with string, Buffer and stream payloads: decided in onSend, the headers are sent", async (t) => {
  const { fastify, decisions } = newFastify(t)
  await fastify.register(cors, { hook: 'preSerialization', origin: [APP] })
  fastify.get('/object', async () => ({ nonString: true }))
  fastify.get('/string', async (_req, reply) => reply.type('text/plain').send('text'))
  fastify.get('/buffer', async (_req, reply) => reply.type('application/octet-stream').send(Buffer.from('bytes')))
  fastify.get('/stream', async (_req, reply) => reply.type('text/plain').send(Readable.from(['str', 'eam'])))
  for (const url of ['/object', '/string', '/buffer', '/stream']) {
    // DIFFERENCE: @fastify/cors sends no CORS header at all for string, Buffer and stream payloads
    // (Fastify skips preSerialization for them)
    const res = await fastify.inject({ method: 'GET', url, headers: { origin: APP } })
    t.equal(res.statusCode, 200, url)
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP }, url)
    t.equal(res.headers.vary, 'Origin', url)
    const denied = await fastify.inject({ method: 'GET', url, headers: { origin: CLIENT } })
    t.same(corsHeadersOf(denied), {}, `${url}: denied`)
  }
  t.same(decisions.map((d) => d.reason), ['allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed', 'allowed', 'origin-not-allowed'])
})

test("hook 'onSend' is accepted (extra value)", async (t) => {
  const { fastify } = newFastify(t)
  // DIFFERENCE: @fastify/cors refuses it with TypeError '@fastify/cors: Invalid hook option provided.'
  await fastify.register(cors, { hook: 'onSend', origin: [APP] })
  fastify.get('/', async () => 'ok')
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: APP } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP })
  t.equal(res.headers.vary, 'Origin')
})

test("hook 'preHandler': preflights are still answered in onRequest, before an auth hook, and the auth hook's 401 carries the headers (preflights carry no credentials: Fetch#cors-protocol-and-credentials)", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { hook: 'preHandler', origin: [APP], credentials: true })
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization === undefined) return reply.code(401).send({ error: 'Unauthorized' })
  })
  fastify.put('/items/:id', async () => ({ updated: true }))
  // DIFFERENCE: with hook 'preHandler' @fastify/cors answers the preflight in preHandler, after the
  // auth hook, so a browser's preflight (which never carries credentials) gets that 401
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'authorization') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'authorization'
  })
  // DIFFERENCE: @fastify/cors's preHandler never runs for this 401, which carries no CORS header
  const unauthorised = await fastify.inject({ method: 'PUT', url: '/items/1', headers: { origin: APP } })
  t.equal(unauthorised.statusCode, 401)
  t.same(corsHeadersOf(unauthorised), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(unauthorised.headers.vary, 'Origin')
})

test("enforce with hook 'preHandler': a denied cross-origin request gets 403 before the handler (extra option)", async (t) => {
  let handled = 0
  const { fastify } = newFastify(t)
  await fastify.register(cors, { hook: 'preHandler', origin: [APP], enforce: true })
  fastify.post('/transfer', async () => { handled++; return { done: true } })
  const denied = await fastify.inject({ method: 'POST', url: '/transfer', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(denied.statusCode, 403)
  t.same(corsHeadersOf(denied), {})
  t.equal(handled, 0)
  const allowed = await fastify.inject({ method: 'POST', url: '/transfer', headers: { origin: APP, 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(allowed.statusCode, 200)
  t.equal(handled, 1)
})

// ---------------------------------------------------------------------------------------------
// delegator
// ---------------------------------------------------------------------------------------------

test('a delegator may return the options directly (options or a promise of them)', async (t) => {
  const { fastify } = newFastify(t)
  // DIFFERENCE: @fastify/cors requires a promise from a one-argument delegator and answers 500
  // 'Invalid CORS origin option' to every request otherwise (its own logLevel test uses this form)
  await fastify.register(cors, { delegator: () => ({ origin: '*' }) })
  fastify.get('/', async () => 'ok')
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
})

type FailingDelegator = [desc: string, delegator: NonNullable<FastifyCorsOptions['delegator']>, fastifyCors: string]

const failingDelegators: FailingDelegator[] = [
  ["cb(new Error('ouch'))", (_req, cb) => { cb(new Error('ouch')) }, "500 'ouch'"],
  ['a synchronous throw', () => { throw new Error('ouch') }, '500'],
  ['a rejected promise', async () => { throw new Error('ouch') }, "500 'ouch'"],
  ['false', () => false as unknown as undefined, "500 'Invalid CORS origin option'"],
  ["options a registration would refuse ('https://a.example/')", async () => ({ origin: 'https://a.example/' }), "ACAO 'https://a.example/' on every response"],
  ["options a registration would refuse ('*' with credentials)", (_req, cb) => { cb(null, { origin: '*', credentials: true }) }, "ACAO '*' + ACAC 'true'"]
]

test('a delegator that fails or returns invalid options denies the request, never a 500 (user callbacks deny, logged at error level)', async (t) => {
  for (const [desc, delegator, fastifyCors] of failingDelegators) {
    const { fastify, logs, decisions } = newFastify(t, 'error')
    await fastify.register(cors, { delegator })
    fastify.get('/', async () => 'ok')
    // DIFFERENCE: @fastify/cors answers `fastifyCors` (see each case)
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
    t.equal(res.statusCode, 200, `${desc} (@fastify/cors: ${fastifyCors})`)
    t.equal(res.body, 'ok', desc)
    t.same(corsHeadersOf(res), {}, desc)
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
    t.equal(preflight.statusCode, 403, `${desc}: preflight`)
    t.same(corsHeadersOf(preflight), {}, `${desc}: preflight`)
    t.same(decisions.map((d) => d.allowed), [false, false], desc)
    t.ok(errorLines(logs).length >= 1, `${desc}: logged at error level`)
  }
})

test('a route\'s config.cors: false wins over a delegator', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { delegator: (_req, cb) => { cb(null, { origin: true }) } })
  fastify.get('/off', { config: { cors: false } }, async () => 'off')
  const res = await fastify.inject({ method: 'GET', url: '/off', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, undefined)
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/off', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
})

test('a route\'s config.cors is merged over the delegated options, as with @fastify/cors', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { delegator: (_req, cb) => { cb(null, { origin: [APP] }) } })
  fastify.get('/public', { config: { cors: { origin: '*' } } }, async () => 'public')
  fastify.get('/private', async () => 'private')
  const pub = await fastify.inject({ method: 'GET', url: '/public', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(pub), { 'access-control-allow-origin': '*' })
  const priv = await fastify.inject({ method: 'GET', url: '/private', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(priv), {})
  t.same(corsHeadersOf(await fastify.inject({ method: 'GET', url: '/private', headers: { origin: APP } })), { 'access-control-allow-origin': APP })
})

// ---------------------------------------------------------------------------------------------
// Route config
// ---------------------------------------------------------------------------------------------

test('route config.cors is merged over the plugin options (the @fastify/cors README "override … on a per-route basis")', async (t) => {
  const { fastify } = newFastify(t)
  fastify.register(cors, { origin: 'https://example.com', exposedHeaders: ['X-Total-Count'] })
  fastify.get('/public', { config: { cors: { origin: '*' } } }, async () => 'public')
  const res = await fastify.inject({ method: 'GET', url: '/public', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total-Count' })
})

test("a route config.cors { origin: '*' } under a plugin with credentials starts: an inherited value never makes a route invalid", async (t) => {
  const { fastify } = newFastify(t)
  fastify.register(cors, { origin: [APP], credentials: true })
  fastify.get('/public', { config: { cors: { origin: '*' } } }, async () => 'public')
  fastify.get('/private', async () => 'private')
  await t.resolves(async () => { await fastify.ready() })
  // '*' with ACAC would be refused by browsers for credentialed requests and is refused at
  // registration: the route answers '*' without credentials
  const res = await fastify.inject({ method: 'GET', url: '/public', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
  const priv = await fastify.inject({ method: 'GET', url: '/private', headers: { origin: APP } })
  t.same(corsHeadersOf(priv), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
})

// ---------------------------------------------------------------------------------------------
// Registration in scopes and prefixes
// ---------------------------------------------------------------------------------------------

async function nestedApp (fastify: FastifyInstance): Promise<void> {
  await fastify.register(cors, { origin: [APP] })
  fastify.get('/items', async () => 'items')
  await fastify.register(async (admin) => {
    await admin.register(cors, { origin: [ADMIN], credentials: true })
    admin.get('/users', async () => 'users')
    admin.delete('/users/:id', async () => 'deleted')
  }, { prefix: '/admin' })
}

test('registering the plugin again in a child scope with a prefix gives that prefix its own policy: actual requests', async (t) => {
  const { fastify } = newFastify(t)
  // DIFFERENCE: @fastify/cors cannot be registered twice on one path of scopes: the second
  // registration throws FST_ERR_DEC_ALREADY_PRESENT ('corsPreflightEnabled') out of the plugin callback
  await nestedApp(fastify)
  const admin = await fastify.inject({ method: 'GET', url: '/admin/users', headers: { origin: ADMIN } })
  t.equal(admin.body, 'users')
  t.same(corsHeadersOf(admin), { 'access-control-allow-origin': ADMIN, 'access-control-allow-credentials': 'true' })
  t.equal(admin.headers.vary, 'Origin')
  const parentOrigin = await fastify.inject({ method: 'GET', url: '/admin/users', headers: { origin: APP } })
  t.same(corsHeadersOf(parentOrigin), {}, "the child's policy replaces the parent's under its prefix")
  t.equal(parentOrigin.headers.vary, 'Origin')
  const root = await fastify.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.same(corsHeadersOf(root), { 'access-control-allow-origin': APP })
  const rootAdmin = await fastify.inject({ method: 'GET', url: '/items', headers: { origin: ADMIN } })
  t.same(corsHeadersOf(rootAdmin), {}, "the parent's policy still governs its own routes")
  // a URL under the prefix that no route serves is the child's too: its 404 is readable by the child's origins only
  const missing = await fastify.inject({ method: 'GET', url: '/admin/nowhere', headers: { origin: ADMIN } })
  t.equal(missing.statusCode, 404)
  t.same(corsHeadersOf(missing), { 'access-control-allow-origin': ADMIN, 'access-control-allow-credentials': 'true' })
  const missingParent = await fastify.inject({ method: 'GET', url: '/admin/nowhere', headers: { origin: APP } })
  t.same(corsHeadersOf(missingParent), {})
})

test('registering the plugin again in a child scope with a prefix gives that prefix its own policy: preflights', async (t) => {
  const { fastify } = newFastify(t)
  await nestedApp(fastify)
  const admin = await fastify.inject({ method: 'OPTIONS', url: '/admin/users/7', headers: preflightHeaders(ADMIN, 'DELETE') })
  t.equal(admin.statusCode, 204)
  t.same(corsHeadersOf(admin), { 'access-control-allow-origin': ADMIN, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'DELETE' })
  const parentOrigin = await fastify.inject({ method: 'OPTIONS', url: '/admin/users/7', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(parentOrigin.statusCode, 403)
  t.same(corsHeadersOf(parentOrigin), {})
  const unserved = await fastify.inject({ method: 'OPTIONS', url: '/admin/nowhere', headers: preflightHeaders(ADMIN, 'PATCH') })
  t.equal(unserved.statusCode, 204, "a URL no route serves under the prefix gets the child's scope policy")
  t.same(corsHeadersOf(unserved), { 'access-control-allow-origin': ADMIN, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'PATCH' })
  const unservedParent = await fastify.inject({ method: 'OPTIONS', url: '/admin/nowhere', headers: preflightHeaders(APP, 'PATCH') })
  t.equal(unservedParent.statusCode, 403)
  const root = await fastify.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(root.statusCode, 204)
  t.same(corsHeadersOf(root), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD' })
  const rootAdmin = await fastify.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ADMIN, 'GET') })
  t.equal(rootAdmin.statusCode, 403)
})

test('registered only inside a prefixed scope, the plugin answers preflights for that prefix only (@fastify/cors "prefix" tests)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register((instance, _opts, next) => {
    instance.register(cors)
    next()
  }, { prefix: '/subsystem' })
  const outside = await fastify.inject({ method: 'OPTIONS', url: '/hello' })
  t.equal(outside.statusCode, 404)
  for (const url of ['/subsystem', '/subsystem/hello']) {
    const res = await fastify.inject({ method: 'OPTIONS', url, headers: preflightHeaders('https://example.com', 'GET') })
    t.equal(res.statusCode, 204, url)
    t.equal(res.body, '')
    t.equal(res.headers['content-length'], '0')
    // DIFFERENCE: @fastify/cors answers 'GET,HEAD,POST' and varies on ACRH only
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET' }, url)
    t.equal(res.headers.vary, 'Access-Control-Request-Method, Access-Control-Request-Headers', url)
  }
  // DIFFERENCE: @fastify/cors's 'OPTIONS /subsystem*' route also answers '/subsystemfoo' (its test
  // "Should support ongoing prefix"), a URL outside the scope
  const sibling = await fastify.inject({ method: 'OPTIONS', url: '/subsystemfoo', headers: preflightHeaders('https://example.com', 'GET') })
  t.equal(sibling.statusCode, 404)
  t.same(corsHeadersOf(sibling), {})
})
