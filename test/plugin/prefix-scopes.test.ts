/**
 * Which registration answers a request at the edges of its prefix: a route path that extends the
 * prefix without a slash (`/api` + `x` = `/apix`), a prefix given with a trailing slash, a child
 * scope that answers its own preflights under a parent's catch-all, a not-found handler that carries
 * `config.cors`, no Host (or an empty one) with host-constrained routes, and options given as null.
 */
import { test } from 'tap'
import { connect, type AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { dispatcherOf } from '../../lib/plugin/dispatcher.js'
import { corsHeadersOf, preflightHeaders, recordDecision, type RecordedDecision } from '../helpers/build-app.js'
import { captureLogs, type LogCapture } from '../helpers/log-capture.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

interface Recorded { app: FastifyInstance, log: LogCapture, decisions: RecordedDecision[] }

/** An app logging at debug, with every request's decision recorded (null when none was made). */
function recorded (t: { teardown: (fn: () => unknown) => void }): Recorded {
  const log = captureLogs('debug')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  const decisions: RecordedDecision[] = []
  app.addHook('onResponse', async (request) => {
    if (request.cors !== null) decisions.push(recordDecision(request.cors))
  })
  return { app, log, decisions }
}

function denials (log: LogCapture): string[] {
  return log.lines.filter((line) => line.msg.startsWith('CORS denied')).map((line) => line.msg)
}

test('a route path that extends the prefix without a slash is the scope\'s route, but not its URL space', async (t) => {
  const { app, log, decisions } = recorded(t)
  await app.register(async (scope) => {
    await scope.register(corsPolicy, { origin: [APP] })
    // Fastify joins '/api' and 'x' into '/apix'
    scope.get('x', async () => 'x')
  }, { prefix: '/api' })
  await app.ready()

  const served = await app.inject({ method: 'OPTIONS', url: '/apix', headers: preflightHeaders(APP, 'GET') })
  t.equal(served.statusCode, 204, 'the route the scope declared is answered')
  t.same(corsHeadersOf(served), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD' })

  // DELETE /apix: no route serves it, and /apix is not under /api/: the 404 it would get without the plugin
  const unserved = await app.inject({ method: 'OPTIONS', url: '/apix', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(unserved.statusCode, 404)
  t.equal(unserved.json().message, 'Route OPTIONS:/apix not found')
  t.same(corsHeadersOf(unserved), {})
  t.equal(unserved.headers.vary, undefined)
  t.same(decisions[1], { origin: APP, preflight: true, allowed: false, reason: 'disabled' })

  // a plain OPTIONS: the scope's catch-all pattern /api* matches /apix, which it does not cover
  const plain = await app.inject({ method: 'OPTIONS', url: '/apix' })
  t.equal(plain.statusCode, 404, 'not the answer the scope gives its own plain OPTIONS requests')
  t.equal(plain.json().message, 'Route OPTIONS:/apix not found')
  t.equal(plain.headers.vary, 'Origin', "decided by the scope's policy, which varies by Origin")
  t.same(decisions[2], { origin: undefined, preflight: false, allowed: true, reason: 'no-origin' })

  const inside = await app.inject({ method: 'OPTIONS', url: '/api/y' })
  t.equal(inside.statusCode, 400, 'a plain OPTIONS inside the scope: strictPreflight')
  t.equal(inside.body, 'Invalid Preflight Request')
  t.same(denials(log), [], 'nothing was denied for an origin')
})

test('a prefix given with a trailing slash covers the URLs below it', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let prefix = ''
  await app.register(async (scope) => {
    prefix = scope.prefix
    await scope.register(corsPolicy, { origin: [APP] })
    scope.get('/x', async () => 'x')
  }, { prefix: '/web/' })
  await app.ready()
  t.equal(prefix, '/web/', 'Fastify keeps the slash')
  t.same(dispatcherOf(app).registrations.map((registration) => registration.prefix), ['/web'])

  // no route serves PUT /web/unknown: the scope answers with its policy, for the page to read the 404
  const unknown = await app.inject({ method: 'OPTIONS', url: '/web/unknown', headers: preflightHeaders(APP, 'PUT') })
  t.equal(unknown.statusCode, 204)
  t.same(corsHeadersOf(unknown), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'PUT' })
  t.equal(unknown.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  const plain = await app.inject({ method: 'OPTIONS', url: '/web/unknown' })
  t.equal(plain.statusCode, 400)
  t.equal(plain.body, 'Invalid Preflight Request')
})

test('a child scope that answers its own preflights, under a parent\'s catch-all', async (t) => {
  const { app, log, decisions } = recorded(t)
  await app.register(corsPolicy, { origin: [APP] })
  await app.register(async (scope) => {
    await scope.register(corsPolicy, { origin: [APP], preflight: false })
    scope.get('/x', async () => 'x')
  }, { prefix: '/self' })
  await app.ready()
  const dispatcher = dispatcherOf(app)
  t.equal(dispatcher.optionsValue('/self/x', undefined, 'GET'), undefined, 'a served method: routed to the application')
  t.equal(dispatcher.optionsValue('/self/unknown', undefined, 'PUT'), 'preflight', "no route serves it: the parent's catch-all receives it")

  // decided as an actual request of the child scope (preflight: false), then the 404 the application gives
  const allowed = await app.inject({ method: 'OPTIONS', url: '/self/unknown', headers: preflightHeaders(APP, 'PUT') })
  t.equal(allowed.statusCode, 404)
  t.equal(allowed.json().message, 'Route OPTIONS:/self/unknown not found')
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': APP }, 'no preflight grant: no Access-Control-Allow-Methods')
  t.equal(allowed.headers.vary, 'Origin')
  t.same(decisions[0], { origin: APP, preflight: true, allowed: true, reason: 'allowed' })

  const refused = await app.inject({ method: 'OPTIONS', url: '/self/unknown', headers: preflightHeaders(EVIL, 'PUT') })
  t.equal(refused.statusCode, 404)
  t.same(corsHeadersOf(refused), {})
  const detail = "origin 'https://evil.example' is not in the allow-list for OPTIONS /self/unknown; add it to `origin`"
  t.same(decisions[1], { origin: EVIL, preflight: true, allowed: false, reason: 'origin-not-allowed', detail })
  t.same(denials(log), [`CORS denied: ${detail}`])
})

test('config.cors on a not-found handler is refused with 500, never served with its own policy', async (t) => {
  const { app, log, decisions } = recorded(t)
  await app.register(corsPolicy, { origin: [APP] })
  let handled = 0
  // the not-found handler is no route the plugin reads at start-up, so its config.cors is never compiled
  app.setNotFoundHandler({ config: { cors: { origin: '*' } } } as unknown as Parameters<FastifyInstance['setNotFoundHandler']>[0], async (_request, reply) => {
    handled++
    return reply.code(404).send({ missing: true })
  })
  await app.ready()
  const message = 'Route GET /nope has a config.cors that fastify-cors-policy did not compile (it was not among the routes Fastify listed when the app became ready), so the request is refused rather than served with another policy'

  const listed = await app.inject({ method: 'GET', url: '/nope', headers: { origin: APP } })
  t.equal(listed.statusCode, 500)
  t.same(listed.json(), { statusCode: 500, code: 'FST_CORS_ROUTE_NOT_COMPILED', error: 'Internal Server Error', message })
  t.same(corsHeadersOf(listed), { 'access-control-allow-origin': APP }, "the error carries the registration's policy")
  t.equal(listed.headers.vary, 'Origin')

  const other = await app.inject({ method: 'GET', url: '/nope', headers: { origin: EVIL } })
  t.equal(other.statusCode, 500)
  t.same(corsHeadersOf(other), {}, "not the handler's '*'")
  t.equal(handled, 0, 'the handler never ran')
  t.same(decisions, [
    { origin: APP, preflight: false, allowed: true, reason: 'allowed' },
    { origin: EVIL, preflight: false, allowed: false, reason: 'origin-not-allowed', detail: "origin 'https://evil.example' is not in the allow-list for GET /nope; add it to `origin`" }
  ])
  const errors = log.lines.filter((line) => line.level === 50)
  t.same(errors.map((line) => [line.msg, (line.err as { code?: string } | undefined)?.code]), [
    [message, 'FST_CORS_ROUTE_NOT_COMPILED'],
    [message, 'FST_CORS_ROUTE_NOT_COMPILED']
  ])
})

/** Sends raw request bytes over a socket and resolves with the status line and the field lines. */
function sendRaw (port: number, request: string): Promise<{ status: string, fields: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const [status = '', ...fields] = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0]?.split('\r\n') ?? []
      resolve({ status, fields: fields.filter((line) => !line.startsWith('Date:')) })
    })
    socket.end(request)
  })
}

test('without a Host (or with an empty one) a preflight gets the routes without a host constraint', async (t) => {
  const { app, log } = recorded(t)
  await app.register(corsPolicy, { origin: [APP] })
  app.put('/hosted', { constraints: { host: 'api.example' } }, async () => 'api')
  app.put('/hosted', { config: { cors: false } }, async () => 'any')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const preflight = `Origin: ${APP}\r\nAccess-Control-Request-Method: PUT\r\n`

  const hosted = await sendRaw(port, `OPTIONS /hosted HTTP/1.1\r\nHost: api.example\r\n${preflight}Connection: close\r\n\r\n`)
  t.same(hosted, {
    status: 'HTTP/1.1 204 No Content',
    fields: [
      `access-control-allow-origin: ${APP}`,
      'access-control-allow-methods: PUT',
      'vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'content-length: 0',
      'Connection: close'
    ]
  }, 'the host-constrained route')
  // the routes at /hosted differ (another method would be granted), so the refusal varies like the grants
  const refused = { status: 'HTTP/1.1 403 Forbidden', fields: ['vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers', 'content-length: 0', 'Connection: close'] }
  const empty = await sendRaw(port, `OPTIONS /hosted HTTP/1.1\r\nHost: \r\n${preflight}Connection: close\r\n\r\n`)
  t.same(empty, refused, 'an empty Host: the route for any host, which has CORS disabled')
  const none = await sendRaw(port, `OPTIONS /hosted HTTP/1.0\r\n${preflight}\r\n`)
  t.same(none, refused, 'HTTP/1.0 without Host: the same')
  const other = await app.inject({ method: 'OPTIONS', url: '/hosted', headers: { ...preflightHeaders(APP, 'PUT'), host: 'other.example' } })
  t.equal(other.statusCode, 403, 'another host: the same')
  t.same(denials(log), Array(3).fill('CORS denied: CORS is disabled for PUT /hosted (config.cors: false)'))

  const actual = await sendRaw(port, `PUT /hosted HTTP/1.1\r\nHost: \r\nOrigin: ${APP}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
  t.equal(actual.status, 'HTTP/1.1 200 OK')
  t.same(actual.fields.filter((line) => line.toLowerCase().startsWith('access-control-')), [], 'served by the route for any host: no CORS headers')
})

test('options given as null or undefined (or a function of the instance that returns nothing) are the defaults', async (t) => {
  for (const given of [null, undefined, () => undefined]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(corsPolicy, given as unknown as Record<string, never>)
    app.get('/x', async () => 'x')
    const res = await app.inject({ method: 'GET', url: '/x', headers: { origin: EVIL } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' }, `${typeof given === 'function' ? 'a function' : String(given)}: origin '*'`)
    t.equal(res.headers.vary, undefined)
  }
})
