// The examples and the documented options of @fastify/cors's README (v11.4), section by section, run
// against this plugin with only the import changed. Where this plugin deliberately differs, the test
// asserts this plugin's documented behaviour and a `DIFFERENCE` comment names what @fastify/cors does instead
// (checked against node_modules/@fastify/cors/index.js 11.4.3).
import { test } from 'tap'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import cors from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { errorLines, newFastify } from './compat-app.js'

const CLIENT = 'https://client.example'
const APP = 'https://app.example.com'
/** the Vary of a preflight whose answer depends on Origin, ACRM (route-aware methods) and ACRH (reflected headers) */
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'
/** the same under origin '*': the answer does not depend on Origin */
const ANY_ORIGIN_PREFLIGHT_VARY = 'Access-Control-Request-Method, Access-Control-Request-Headers'

function helloWorld (fastify: FastifyInstance): void {
  fastify.get('/', (_req, reply) => {
    reply.send({ hello: 'world' })
  })
}

// ---------------------------------------------------------------------------------------------
// ## Usage
// ---------------------------------------------------------------------------------------------

test("README Usage: no options means origin '*' (ACAO * with or without Origin, no Vary: Fetch#cors-protocol-and-http-caches)", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, {
    // put your options here
  })
  helloWorld(fastify)
  const noOrigin = await fastify.inject({ method: 'GET', url: '/' })
  t.equal(noOrigin.statusCode, 200)
  t.same(noOrigin.json(), { hello: 'world' })
  t.same(corsHeadersOf(noOrigin), { 'access-control-allow-origin': '*' })
  t.equal(noOrigin.headers.vary, undefined)
  const cross = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(cross.statusCode, 200)
  t.same(corsHeadersOf(cross), { 'access-control-allow-origin': '*' })
  t.equal(cross.headers.vary, undefined)
  // under '*' nothing is reflected, so even an invalid Origin gets '*'
  const invalid = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'example.com' } })
  t.same(corsHeadersOf(invalid), { 'access-control-allow-origin': '*' })
})

test('README Usage: the preflight is answered in onRequest with 204 and Content-Length 0 (ACAM lists the methods the URL serves)', async (t) => {
  const { fastify, decisions } = newFastify(t)
  await fastify.register(cors, {})
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.equal(res.headers['content-length'], '0')
  // DIFFERENCE: @fastify/cors answers 'GET,HEAD,POST' whatever the URL serves and varies on ACRH only
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD' })
  t.equal(res.headers.vary, ANY_ORIGIN_PREFLIGHT_VARY)
  t.same(decisions, [{ origin: CLIENT, preflight: true, allowed: true, reason: 'allowed' }])
  const withHeaders = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET', 'x-requested-with') })
  t.equal(withHeaders.statusCode, 204)
  t.equal(withHeaders.headers['access-control-allow-headers'], 'x-requested-with', 'allowedHeaders unset: ACRH reflected')
  // a URL no route serves (the "wildcard options route" of the README): the scope policy for the
  // requested method alone, so the page can read the 404 the actual request gets.
  // DIFFERENCE: @fastify/cors answers 'GET,HEAD,POST'
  const nowhere = await fastify.inject({ method: 'OPTIONS', url: '/hello', headers: preflightHeaders(CLIENT, 'PUT') })
  t.equal(nowhere.statusCode, 204)
  t.same(corsHeadersOf(nowhere), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT' })
  const actual = await fastify.inject({ method: 'PUT', url: '/hello', headers: { origin: CLIENT } })
  t.equal(actual.statusCode, 404)
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': '*' })
})

// ---------------------------------------------------------------------------------------------
// ## Options › origin
// ---------------------------------------------------------------------------------------------

test('README origin Boolean true reflects the request origin (any valid origin except null; Vary: Origin on every response)', async (t) => {
  const { fastify, decisions } = newFastify(t)
  await fastify.register(cors, { origin: true })
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': CLIENT })
  t.equal(res.headers.vary, 'Origin')
  const noOrigin = await fastify.inject({ method: 'GET', url: '/' })
  t.same(corsHeadersOf(noOrigin), {})
  t.equal(noOrigin.headers.vary, 'Origin', 'also on responses to requests without Origin')
  // DIFFERENCE: @fastify/cors reflects any Origin value, 'example.com' and 'null' included
  const invalid = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'example.com' } })
  t.same(corsHeadersOf(invalid), {}, 'an invalid Origin is never reflected')
  t.equal(invalid.headers.vary, 'Origin')
  const opaque = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'null' } })
  t.same(corsHeadersOf(opaque), {}, "true never reflects 'null'")
  t.same(decisions.map((d) => d.reason), ['allowed', 'no-origin', 'invalid-origin', 'origin-not-allowed'])
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': CLIENT, 'access-control-allow-methods': 'GET, HEAD' })
  t.equal(preflight.headers.vary, PREFLIGHT_VARY)
  // @fastify/cors: "Invalid Preflight" 400 with Vary: Origin; the same here (strictPreflight; Vary on every response)
  const invalidPreflight = await fastify.inject({ method: 'OPTIONS', url: '/' })
  t.equal(invalidPreflight.statusCode, 400)
  t.equal(invalidPreflight.body, 'Invalid Preflight Request')
  t.equal(invalidPreflight.headers.vary, 'Access-Control-Request-Method, Origin')
})

test('README origin Boolean false disables CORS (nobody; a denied preflight is 403 with no CORS header: Fetch#http-responses)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: false })
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, undefined, 'false is static: no Vary')
  // DIFFERENCE: @fastify/cors answers 404 (its OPTIONS route calls callNotFound when the origin is false)
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  // DIFFERENCE: @fastify/cors answers 404 here too (strictPreflight is skipped when the origin is false);
  // a non-preflight OPTIONS belongs to the application, and strictPreflight decides (Fetch#http-requests)
  const plain = await fastify.inject({ method: 'OPTIONS', url: '/' })
  t.equal(plain.statusCode, 400)
  t.equal(plain.body, 'Invalid Preflight Request')
})

test('README origin String "http://example.com" (an exact origin: reflected only when the request carries it, with Vary: Origin)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: 'http://example.com' })
  helloWorld(fastify)
  const same = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'http://example.com' } })
  t.same(corsHeadersOf(same), { 'access-control-allow-origin': 'http://example.com' })
  t.equal(same.headers.vary, 'Origin')
  // DIFFERENCE: @fastify/cors sends the configured string as ACAO to every request (any Origin, or none),
  // without Vary; here it is an allow-list of one
  const other = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'https://other.example' } })
  t.equal(other.statusCode, 200)
  t.same(corsHeadersOf(other), {})
  t.equal(other.headers.vary, 'Origin')
  const none = await fastify.inject({ method: 'GET', url: '/' })
  t.same(corsHeadersOf(none), {})
  t.equal(none.headers.vary, 'Origin')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders('https://other.example', 'GET') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
})

test("README origin String '*' (the default) allows any origin (ACAO * on every response, nothing reflected)", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: '*' })
  helloWorld(fastify)
  for (const headers of [{}, { origin: CLIENT }, { origin: 'null' }, { origin: 'https://client.example/' }]) {
    const res = await fastify.inject({ method: 'GET', url: '/', headers })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' }, JSON.stringify(headers))
    t.equal(res.headers.vary, undefined, JSON.stringify(headers))
  }
})

test('README origin RegExp /^https:\\/\\/([a-z0-9-]+\\.)*example\\.com$/ reflects example.com and its subdomains (an anchored RegExp)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: /^https:\/\/([a-z0-9-]+\.)*example\.com$/ })
  helloWorld(fastify)
  for (const origin of ['https://example.com', 'https://api.example.com', 'https://a.b.example.com']) {
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': origin }, origin)
    t.equal(res.headers.vary, 'Origin', origin)
  }
  // the origins the README warns an unanchored pattern would let through
  for (const origin of ['https://example.com.attacker.com', 'https://evilexample.com', 'http://example.com']) {
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin } })
    t.same(corsHeadersOf(res), {}, origin)
    t.equal(res.headers.vary, 'Origin', origin)
  }
})

test('README origin Array ["http://example1.com", /^https:\\/\\/([a-z0-9-]+\\.)+example2\\.com$/] (an array of origins and anchored RegExps)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: ['http://example1.com', /^https:\/\/([a-z0-9-]+\.)+example2\.com$/] })
  helloWorld(fastify)
  for (const origin of ['http://example1.com', 'https://www.example2.com']) {
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': origin }, origin)
    t.equal(res.headers.vary, 'Origin')
  }
  for (const origin of ['https://example1.com', 'https://example2.com', 'http://example1.com.evil.net']) {
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin } })
    t.same(corsHeadersOf(res), {}, origin)
  }
})

/** The origin function of the README, verbatim. */
const readmeOriginFunction = (origin: string, cb: (error: Error | null, allow?: boolean) => void): void => {
  const hostname = new URL(origin).hostname
  if (hostname === 'localhost') {
    //  Request from localhost will pass
    cb(null, true)
    return
  }
  // Generate an error on other origins, disabling access
  cb(new Error('Not allowed'), false)
}

test('README origin Function (origin, cb): cb(null, true) reflects the origin (a function answering through its callback)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: readmeOriginFunction })
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'http://localhost:3000' } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { hello: 'world' })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'http://localhost:3000' })
  t.equal(res.headers.vary, 'Origin')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders('http://localhost:3000', 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': 'http://localhost:3000', 'access-control-allow-methods': 'GET, HEAD' })
  t.equal(preflight.headers.vary, PREFLIGHT_VARY)
})

test("README origin Function: cb(new Error('Not allowed'), false) denies without a 500 (a failing check denies, reason origin-check-failed, logged at error level: expressjs/cors#92)", async (t) => {
  const { fastify, logs, decisions } = newFastify(t, 'error')
  await fastify.register(cors, { origin: readmeOriginFunction })
  helloWorld(fastify)
  // DIFFERENCE: @fastify/cors answers 500 {"message":"Not allowed"} to the actual request and to the preflight
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'https://evil.example' } })
  t.equal(res.statusCode, 200, 'the handler answers; only the CORS headers are withheld')
  t.same(res.json(), { hello: 'world' })
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders('https://evil.example', 'GET') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  t.same(decisions.map((d) => [d.reason, d.allowed]), [['origin-check-failed', false], ['origin-check-failed', false]])
  t.equal(errorLines(logs).length, 2, 'one error line per failed check')
})

test('README origin Function: called only for requests that carry Origin (no Origin is not a CORS request: Fetch#http-requests)', async (t) => {
  const { fastify, decisions } = newFastify(t)
  await fastify.register(cors, { origin: readmeOriginFunction })
  helloWorld(fastify)
  // DIFFERENCE: @fastify/cors calls the function with origin undefined, so the README's own
  // `new URL(origin)` throws and curl-style requests get a 500
  const res = await fastify.inject({ method: 'GET', url: '/' })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  t.same(decisions, [{ origin: undefined, preflight: false, allowed: true, reason: 'no-origin' }])
})

test('README origin Function: `this` is the Fastify instance', async (t) => {
  const { fastify } = newFastify(t)
  const seen: unknown[] = []
  await fastify.register(cors, {
    origin: function (origin, cb) {
      seen.push(this)
      cb(null, origin === CLIENT)
    }
  })
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': CLIENT })
  t.equal(seen.length, 1)
  t.equal(seen[0], fastify)
})

test('README origin Function: async-await and promises are supported (returning a promise of the answer)', async (t) => {
  const asyncApp = newFastify(t)
  await asyncApp.fastify.register(cors, {
    origin: async (origin: string) => {
      await new Promise((resolve) => setImmediate(resolve))
      return origin === CLIENT
    }
  })
  helloWorld(asyncApp.fastify)
  const allowed = await asyncApp.fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': CLIENT })
  t.equal(allowed.headers.vary, 'Origin')
  const denied = await asyncApp.fastify.inject({ method: 'GET', url: '/', headers: { origin: 'https://other.example' } })
  t.equal(denied.statusCode, 200)
  t.same(corsHeadersOf(denied), {})
  t.equal(denied.headers.vary, 'Origin')
  const preflight = await asyncApp.fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], CLIENT)

  const promiseApp = newFastify(t)
  await promiseApp.fastify.register(cors, { origin: (origin: string) => new Promise<boolean>((resolve) => { resolve(origin === CLIENT) }) })
  helloWorld(promiseApp.fastify)
  const viaPromise = await promiseApp.fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(viaPromise), { 'access-control-allow-origin': CLIENT })

  // @fastify/cors test "Should support wildcard arrays from dynamic origin resolvers": the answer is
  // a static origin value, matched as such, and the response still varies on Origin
  const wildcardApp = newFastify(t)
  await wildcardApp.fastify.register(cors, { origin: async () => ['*'] })
  helloWorld(wildcardApp.fastify)
  const wildcard = await wildcardApp.fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(wildcard.statusCode, 200)
  t.same(corsHeadersOf(wildcard), { 'access-control-allow-origin': '*' })
  t.equal(wildcard.headers.vary, 'Origin')
})

test('README warning "DoS attacks": an absurdly long Origin never reaches a RegExp or a function (bounded parsing, reason invalid-origin)', async (t) => {
  let calls = 0
  const { fastify, decisions } = newFastify(t)
  await fastify.register(cors, { origin: (origin: string, cb) => { calls++; cb(null, origin.endsWith('.example.com')) } })
  helloWorld(fastify)
  const hostile = `https://${'a.'.repeat(8000)}example.com`
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: hostile } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.equal(calls, 0)
  t.equal(decisions[0]?.reason, 'invalid-origin')
})

// ---------------------------------------------------------------------------------------------
// ## Options › methods, allowedHeaders, exposedHeaders, credentials, maxAge, cacheControl
// ---------------------------------------------------------------------------------------------

test("README methods: 'GET,HEAD,POST' and ['GET', 'HEAD', 'POST'] set ACAM (lists split and joined with ', ')", async (t) => {
  for (const methods of ['GET,HEAD,POST', ['GET', 'HEAD', 'POST']]) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { methods })
    helloWorld(fastify)
    const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
    t.equal(res.statusCode, 204, JSON.stringify(methods))
    // DIFFERENCE (string form): @fastify/cors sends the configured string as is, 'GET,HEAD,POST'
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, POST' }, JSON.stringify(methods))
    t.equal(res.headers.vary, 'Access-Control-Request-Headers', 'configured methods: the answer no longer depends on ACRM')
  }
})

test("README methods default: the methods the target route serves, not 'GET,HEAD,POST'", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: [APP] })
  fastify.get('/items/:id', async () => ({ id: 1 }))
  fastify.put('/items/:id', async () => ({ updated: true }))
  fastify.delete('/items/:id', async () => ({ deleted: true }))
  // DIFFERENCE: @fastify/cors answers 'GET,HEAD,POST', so a browser refuses the PUT until `methods` is configured
  const res = await fastify.inject({ method: 'OPTIONS', url: '/items/42', headers: preflightHeaders(APP, 'PUT') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' })
  t.equal(res.headers.vary, PREFLIGHT_VARY)
})

test("README allowedHeaders: 'Content-Type,Authorization' and the array form set ACAH", async (t) => {
  for (const allowedHeaders of ['Content-Type,Authorization', ['Content-Type', 'Authorization']]) {
    const { fastify, decisions } = newFastify(t)
    await fastify.register(cors, { allowedHeaders })
    helloWorld(fastify)
    const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET', 'authorization,content-type') })
    t.equal(res.statusCode, 204)
    // DIFFERENCE (string form): @fastify/cors sends 'Content-Type,Authorization' as written
    t.same(corsHeadersOf(res), {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': 'Content-Type, Authorization'
    }, JSON.stringify(allowedHeaders))
    t.equal(res.headers.vary, 'Access-Control-Request-Method', 'configured headers: the answer no longer depends on ACRH')
    t.equal(decisions[0]?.reason, 'allowed')
  }
})

test('README allowedHeaders default: reflects the request\'s Access-Control-Request-Headers (reflected after validation)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors)
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET', 'x-requested-with') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'x-requested-with'
  })
  t.equal(res.headers.vary, ANY_ORIGIN_PREFLIGHT_VARY)
  // DIFFERENCE: @fastify/cors echoes any ACRH value; a value that is not a list of header names is never echoed
  const hostile = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET', 'x-a;\r x-b') })
  t.equal(hostile.headers['access-control-allow-headers'], undefined)
})

test("README exposedHeaders: 'Content-Range,X-Content-Range' sets ACEH on actual responses (browsers read ACEH on actual responses only: Fetch#main-fetch)", async (t) => {
  for (const exposedHeaders of ['Content-Range,X-Content-Range', ['Content-Range', 'X-Content-Range']]) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { exposedHeaders })
    helloWorld(fastify)
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Content-Range, X-Content-Range' }, JSON.stringify(exposedHeaders))
    // DIFFERENCE: @fastify/cors also sends ACEH on preflights, where browsers ignore it
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
    t.equal(preflight.headers['access-control-expose-headers'], undefined)
  }
})

test('README credentials: true sends ACAC on actual responses and preflights (with an explicit origin: Fetch#cors-protocol-and-credentials)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { origin: APP, credentials: true })
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: APP } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(res.headers.vary, 'Origin')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(APP, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD'
  })
  const denied = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.same(corsHeadersOf(denied), {}, 'a denied origin gets no ACAC either')
})

test('README maxAge: an integer sends Access-Control-Max-Age on preflights only', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { maxAge: 123 })
  helloWorld(fastify)
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-max-age'], '123')
  const actual = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(actual.headers['access-control-max-age'], undefined)
})

test("README cacheControl: an integer becomes 'max-age=N', a string is sent as is, on preflights only", async (t) => {
  const cases: Array<[number | string, string]> = [[321, 'max-age=321'], ['public, max-age=3600', 'public, max-age=3600']]
  for (const [cacheControl, expected] of cases) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { cacheControl })
    helloWorld(fastify)
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
    t.equal(preflight.statusCode, 204)
    t.equal(preflight.headers['cache-control'], expected, String(cacheControl))
    const actual = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
    t.equal(actual.headers['cache-control'], undefined, String(cacheControl))
  }
})

// ---------------------------------------------------------------------------------------------
// ## Options › preflightContinue, optionsSuccessStatus, preflight, strictPreflight
// ---------------------------------------------------------------------------------------------

test("README preflightContinue: the route's own OPTIONS handler answers, with the preflight headers set (request.cors replaces corsPreflightEnabled)", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { preflightContinue: true })
  helloWorld(fastify)
  const seen: Array<[boolean | undefined, boolean | undefined]> = []
  fastify.options('/', (req: FastifyRequest, reply) => {
    // @fastify/cors code reads req.corsPreflightEnabled here; this plugin's request.cors says the same
    seen.push([req.cors?.preflight, req.cors?.allowed])
    reply.send('ok')
  })
  const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'ok')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, OPTIONS' })
  t.equal(res.headers.vary, ANY_ORIGIN_PREFLIGHT_VARY)
  t.same(seen, [[true, true]])
})

test('README preflightContinue without an OPTIONS route of the application: the plugin finishes with optionsSuccessStatus (default 204)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { preflightContinue: true })
  // DIFFERENCE: @fastify/cors's own OPTIONS route answers an empty 200
  const res = await fastify.inject({ method: 'OPTIONS', url: '/doesnotexist', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.equal(res.headers['content-length'], '0')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET' })
})

test('README optionsSuccessStatus: 200 for legacy browsers (any ok status, 200..299: Fetch#ok-status; expressjs/cors#120)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { optionsSuccessStatus: 200 })
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '')
  t.equal(res.headers['content-length'], '0')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD' })
})

test('README preflight: false disables preflight answers; OPTIONS requests are treated as actual CORS requests', async (t) => {
  const { fastify, decisions } = newFastify(t)
  fastify.register(cors, { preflight: false })
  fastify.get('/', (_req, reply) => {
    reply.send('ok')
  })
  // as @fastify/cors's test "Disable preflight": 404 with ACAO *
  const plain = await fastify.inject({ method: 'OPTIONS', url: '/hello' })
  t.equal(plain.statusCode, 404)
  t.same(corsHeadersOf(plain), { 'access-control-allow-origin': '*' })
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 404)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': '*' }, 'no preflight headers, only those of an actual response')
  const res = await fastify.inject({ method: 'GET', url: '/' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'ok')
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
  t.same(decisions.map((d) => [d.preflight, d.reason]), [[false, 'no-origin'], [true, 'allowed'], [false, 'no-origin']])
})

test("README strictPreflight (default true): an OPTIONS lacking Origin or ACRM gets 400 'Invalid Preflight Request'", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors)
  for (const headers of [{ 'access-control-request-method': 'GET' }, { origin: CLIENT }]) {
    const res = await fastify.inject({ method: 'OPTIONS', url: '/', headers })
    t.equal(res.statusCode, 400, JSON.stringify(headers))
    t.equal(res.body, 'Invalid Preflight Request')
    // DIFFERENCE (cosmetic): @fastify/cors sends 'text/plain' without a charset
    t.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' }, 'an actual response of a \'*\' policy')
  }
})

test('README strictPreflight: false answers such OPTIONS requests with an empty 204 (a non-preflight OPTIONS gets the actual-request headers)', async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, { strictPreflight: false })
  const res = await fastify.inject({ method: 'OPTIONS', url: '/' })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.equal(res.headers['content-length'], '0')
  // DIFFERENCE: @fastify/cors answers it as a preflight (ACAM 'GET,HEAD,POST', Vary ACRH); here the
  // answer varies by the missing Access-Control-Request-Method (never served to a real preflight)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*' })
  t.equal(res.headers.vary, 'Access-Control-Request-Method')
})

// ---------------------------------------------------------------------------------------------
// ## Options › hideOptionsRoute, logLevel
// ---------------------------------------------------------------------------------------------

test("README hideOptionsRoute: the plugin's OPTIONS * routes are hidden by default, shown with false", async (t) => {
  for (const [options, hidden] of [[{}, true], [{ hideOptionsRoute: false }, false], [{ hideOptionsRoute: false, delegator: () => ({ origin: '*' as const }) }, false]] as const) {
    const { fastify } = newFastify(t)
    const seen: RouteOptions[] = []
    fastify.addHook('onRoute', (route) => {
      if (route.method === 'OPTIONS' && route.url === '*') seen.push(route)
    })
    await fastify.register(cors, options)
    await fastify.ready()
    t.ok(seen.length > 0, JSON.stringify(options))
    for (const route of seen) t.equal((route.schema as { hide?: boolean } | undefined)?.hide, hidden, JSON.stringify(options))
  }
})

test("README logLevel: 'silent' silences the preflight route's logs only", async (t) => {
  for (const options of [{ logLevel: 'silent' as const }, { logLevel: 'silent' as const, delegator: () => ({ origin: '*' as const }) }]) {
    const { fastify, logs } = newFastify(t, 'info')
    await fastify.register(cors, options)
    fastify.get('/', async () => ({ ok: true }))
    await fastify.ready()
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders('https://example.com', 'GET') })
    t.equal(preflight.statusCode, 204)
    await fastify.inject({ method: 'GET', url: '/' })
    const methods = logs.map((line) => (line.req as { method?: string } | undefined)?.method).filter((method) => method !== undefined)
    t.notOk(methods.includes('OPTIONS'), `${Object.keys(options).join('+')}: no OPTIONS log`)
    t.ok(methods.includes('GET'), `${Object.keys(options).join('+')}: GET still logged`)
  }
})

// ---------------------------------------------------------------------------------------------
// ## Configuring CORS Asynchronously: options as (instance) => delegator
// ---------------------------------------------------------------------------------------------

test('README "Configuring CORS Asynchronously": options given as (instance) => (req, callback) => … (options as a function of the instance returning a delegator)', async (t) => {
  const { fastify } = newFastify(t)
  fastify.register(cors, (_instance: FastifyInstance) => {
    return (req: FastifyRequest, callback: (error: Error | null, options?: { origin: boolean }) => void) => {
      const corsOptions = {
        // This is NOT recommended for production as it enables reflection exploits
        origin: true
      }

      // do not include CORS headers for requests from localhost
      if (/^localhost$/m.test(req.headers.origin as string)) {
        corsOptions.origin = false
      }

      // callback expects two parameters: error and options
      callback(null, corsOptions)
    }
  })
  fastify.register(async function (fastify) {
    fastify.get('/', (_req, reply) => {
      reply.send({ hello: 'world' })
    })
  })
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { hello: 'world' })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': CLIENT })
  t.equal(res.headers.vary, 'Origin')
  // 'localhost' is not a serialised origin: never reflected (Fetch#origin-header), whatever the delegator says
  const localhost = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'localhost' } })
  t.equal(localhost.statusCode, 200)
  t.same(corsHeadersOf(localhost), {})
  t.equal(localhost.headers.vary, 'Origin', 'the delegator makes ACAO depend on the request')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': CLIENT, 'access-control-allow-methods': 'GET, HEAD' })
  t.equal(preflight.headers.vary, PREFLIGHT_VARY)
})

test('README "Configuring CORS Asynchronously": (instance) => options object works too', async (t) => {
  const { fastify } = newFastify(t)
  fastify.register(cors, () => ({ origin: [APP], credentials: true }))
  helloWorld(fastify)
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: APP } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
})

// ---------------------------------------------------------------------------------------------
// ## Route-Level CORS Overrides
// ---------------------------------------------------------------------------------------------

function readmeRouteLevelApp (fastify: FastifyInstance): void {
  fastify.register(cors, { origin: 'https://example.com' })

  fastify.get('/cors-enabled', (_req, reply) => {
    reply.send('CORS headers applied')
  })

  fastify.get('/cors-allow-all', {
    config: {
      cors: {
        origin: '*' // Allow all origins for this route
      }
    }
  }, (_req, reply) => {
    reply.send('Custom CORS headers applied')
  })

  fastify.get('/cors-disabled', {
    config: {
      cors: false // Disable CORS for this route
    }
  }, (_req, reply) => {
    reply.send('No CORS headers')
  })
}

test('README "Route-Level CORS Overrides": actual requests use each route\'s config.cors (after a non-awaited register)', async (t) => {
  const { fastify, decisions } = newFastify(t)
  readmeRouteLevelApp(fastify)
  const enabled = await fastify.inject({ method: 'GET', url: '/cors-enabled', headers: { origin: 'https://example.com' } })
  t.equal(enabled.body, 'CORS headers applied')
  t.same(corsHeadersOf(enabled), { 'access-control-allow-origin': 'https://example.com' })
  t.equal(enabled.headers.vary, 'Origin')
  const all = await fastify.inject({ method: 'GET', url: '/cors-allow-all', headers: { origin: 'https://anyone.example' } })
  t.equal(all.body, 'Custom CORS headers applied')
  t.same(corsHeadersOf(all), { 'access-control-allow-origin': '*' })
  t.equal(all.headers.vary, undefined)
  const disabled = await fastify.inject({ method: 'GET', url: '/cors-disabled', headers: { origin: 'https://example.com' } })
  t.equal(disabled.body, 'No CORS headers')
  t.same(corsHeadersOf(disabled), {})
  t.equal(disabled.headers.vary, undefined)
  t.same(decisions.map((d) => d.reason), ['allowed', 'allowed', 'disabled'])
})

test('README "Route-Level CORS Overrides": preflights use the policy of the route the actual request will hit (cors: false → 403)', async (t) => {
  const { fastify } = newFastify(t)
  readmeRouteLevelApp(fastify)
  // DIFFERENCE: @fastify/cors answers every one of these preflights with the plugin-level options
  // (its OPTIONS * route has no config.cors): 204 with ACAO 'https://example.com', ACAM 'GET,HEAD,POST'
  const all = await fastify.inject({ method: 'OPTIONS', url: '/cors-allow-all', headers: preflightHeaders('https://anyone.example', 'GET') })
  t.equal(all.statusCode, 204)
  t.same(corsHeadersOf(all), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD' })
  const disabled = await fastify.inject({ method: 'OPTIONS', url: '/cors-disabled', headers: preflightHeaders('https://example.com', 'GET') })
  t.equal(disabled.statusCode, 403)
  t.same(corsHeadersOf(disabled), {})
  const enabled = await fastify.inject({ method: 'OPTIONS', url: '/cors-enabled', headers: preflightHeaders('https://example.com', 'GET') })
  t.equal(enabled.statusCode, 204)
  t.same(corsHeadersOf(enabled), { 'access-control-allow-origin': 'https://example.com', 'access-control-allow-methods': 'GET, HEAD' })
  const refused = await fastify.inject({ method: 'OPTIONS', url: '/cors-enabled', headers: preflightHeaders('https://anyone.example', 'GET') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
})

// ---------------------------------------------------------------------------------------------
// ## Custom Fastify hook name, and the delegator
// ---------------------------------------------------------------------------------------------

const STAGES = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'handler', 'preSerialization', 'onSend'] as const
type Stage = typeof STAGES[number]

/** Marks, at every lifecycle stage after the plugin's own hooks, whether request.cors is set yet. */
function traceDecision (fastify: FastifyInstance, trace: string[]): void {
  const mark = (stage: Stage, request: FastifyRequest): void => { trace.push(`${stage}:${request.cors === null ? 'undecided' : 'decided'}`) }
  fastify.addHook('onRequest', async (request) => { mark('onRequest', request) })
  fastify.addHook('preParsing', async (request, _reply, payload) => { mark('preParsing', request); return payload })
  fastify.addHook('preValidation', async (request) => { mark('preValidation', request) })
  fastify.addHook('preHandler', async (request) => { mark('preHandler', request) })
  fastify.addHook('preSerialization', async (request, _reply, payload) => { mark('preSerialization', request); return payload })
  fastify.addHook('onSend', async (request, _reply, payload) => { mark('onSend', request); return payload })
  fastify.get('/object', async (request) => { mark('handler', request); return { hello: 'world' } })
}

function expectedTrace (decidedFrom: Stage, stages: readonly Stage[]): string[] {
  const from = STAGES.indexOf(decidedFrom)
  return stages.map((stage) => `${stage}:${STAGES.indexOf(stage) >= from ? 'decided' : 'undecided'}`)
}

test("README hook: 'preHandler' (the README example) decides actual requests in preHandler", async (t) => {
  const { fastify } = newFastify(t)
  await fastify.register(cors, {
    hook: 'preHandler',
    origin: [APP]
  })
  const trace: string[] = []
  traceDecision(fastify, trace)
  fastify.get('/', (_req, reply) => {
    reply.send({ hello: 'world' })
  })
  const res = await fastify.inject({ method: 'GET', url: '/object', headers: { origin: APP } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP })
  t.equal(res.headers.vary, 'Origin')
  t.same(trace, expectedTrace('preHandler', STAGES))
  const readme = await fastify.inject({ method: 'GET', url: '/', headers: { origin: APP } })
  t.same(corsHeadersOf(readme), { 'access-control-allow-origin': APP })
})

test("README hook: each of 'onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization' decides in that hook and sends the same headers", async (t) => {
  for (const hook of ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization'] as const) {
    const { fastify } = newFastify(t)
    await fastify.register(cors, { hook, origin: [APP], credentials: true, exposedHeaders: ['X-Request-Id'] })
    const trace: string[] = []
    traceDecision(fastify, trace)
    const res = await fastify.inject({ method: 'GET', url: '/object', headers: { origin: APP } })
    t.equal(res.statusCode, 200, hook)
    t.same(corsHeadersOf(res), {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Request-Id'
    }, hook)
    t.equal(res.headers.vary, 'Origin', hook)
    t.same(trace, expectedTrace(hook, STAGES), hook)
    const denied = await fastify.inject({ method: 'GET', url: '/object', headers: { origin: CLIENT } })
    t.same(corsHeadersOf(denied), {}, `${hook}: denied`)
    t.equal(denied.headers.vary, 'Origin', `${hook}: denied`)
    // preflights are always answered in onRequest, whatever the hook
    const preflight = await fastify.inject({ method: 'OPTIONS', url: '/object', headers: preflightHeaders(APP, 'GET') })
    t.equal(preflight.statusCode, 204, `${hook}: preflight`)
    t.same(corsHeadersOf(preflight), {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, HEAD'
    }, `${hook}: preflight`)
  }
})

test('README delegator (callback) with hook preHandler: per-request options (preflights answered in onRequest)', async (t) => {
  const { fastify } = newFastify(t)
  fastify.register(cors, {
    hook: 'preHandler',
    delegator: (req, callback) => {
      const corsOptions = {
        // This is NOT recommended for production as it enables reflection exploits
        origin: true
      }

      // do not include CORS headers for requests from localhost
      if (/^localhost$/m.test(req.headers.origin as string)) {
        corsOptions.origin = false
      }

      // callback expects two parameters: error and options
      callback(null, corsOptions)
    }
  })
  fastify.register(async function (fastify) {
    fastify.get('/', (_req, reply) => {
      reply.send({ hello: 'world' })
    })
  })
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: CLIENT } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { hello: 'world' })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': CLIENT })
  t.equal(res.headers.vary, 'Origin')
  const localhost = await fastify.inject({ method: 'GET', url: '/', headers: { origin: 'localhost' } })
  t.same(corsHeadersOf(localhost), {})
  t.equal(localhost.headers.vary, 'Origin', 'the delegator makes ACAO depend on the request')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders(CLIENT, 'GET', 'x-requested-with') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': CLIENT,
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'x-requested-with'
  })
  t.equal(preflight.headers.vary, PREFLIGHT_VARY)
})

test('README delegator returning a promise, with hook preParsing (options or a promise of them)', async (t) => {
  const configs = [
    { origin: [APP], methods: 'GET', credentials: true, exposedHeaders: ['foo', 'bar'], allowedHeaders: ['baz', 'woo'], maxAge: 123 },
    { origin: ['https://sample.example'], methods: 'GET', credentials: true, exposedHeaders: ['zoo', 'bar'], allowedHeaders: ['baz', 'foo'], maxAge: 321 }
  ]
  const { fastify } = newFastify(t)
  const seen: string[] = []
  await fastify.register(cors, {
    hook: 'preParsing',
    delegator: async (req: FastifyRequest) => {
      seen.push(`${req.method} ${String(req.headers.origin)}`)
      return (req.headers.origin === APP ? configs[0] : configs[1]) as typeof configs[number]
    }
  })
  fastify.get('/', (_req, reply) => {
    reply.send('ok')
  })
  const res = await fastify.inject({ method: 'GET', url: '/', headers: { origin: APP } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'foo, bar'
  })
  t.equal(res.headers.vary, 'Origin')
  const preflight = await fastify.inject({ method: 'OPTIONS', url: '/', headers: preflightHeaders('https://sample.example', 'GET', 'baz') })
  t.equal(preflight.statusCode, 204)
  // DIFFERENCE: @fastify/cors also sends ACEH ('zoo, bar') on the preflight
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': 'https://sample.example',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET',
    'access-control-allow-headers': 'baz, foo',
    'access-control-max-age': '321'
  })
  t.equal(preflight.headers.vary, 'Origin')
  t.same(seen, [`GET ${APP}`, 'OPTIONS https://sample.example'], 'called once per request, with the request')
})
