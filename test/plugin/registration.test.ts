import { test } from 'tap'
import Fastify, { type RouteOptions } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, loggedFastify, preflightHeaders, type Teardown } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

/** Registers the plugin with raw (possibly ill-typed) options and returns what ready() rejects with. */
async function registrationError (t: Teardown, options: unknown): Promise<Error & { code?: string }> {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, options as FastifyCorsOptions)
  try {
    await app.ready()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new TypeError(`registration succeeded with ${String(options)}`)
}

type InvalidCase = [desc: string, options: Record<string, unknown>, code: 'FST_CORS_INVALID_OPTIONS' | 'FST_CORS_UNSAFE_OPTIONS', message: RegExp]

const invalid: InvalidCase[] = [
  ['origin of a wrong type', { origin: 42 }, 'FST_CORS_INVALID_OPTIONS', /\/origin expected '\*', an origin string.*received 42/],
  ['empty origin list', { origin: [] }, 'FST_CORS_INVALID_OPTIONS', /\/origin expected/],
  ['origin with a trailing slash', { origin: 'https://app.example.com/' }, 'FST_CORS_INVALID_OPTIONS', /\/origin 'https:\/\/app\.example\.com\/' has a trailing slash.*did you mean 'https:\/\/app\.example\.com'\?/],
  ['origin with a path', { origin: ['https://app.example.com/api'] }, 'FST_CORS_INVALID_OPTIONS', /\/origin\/0 'https:\/\/app\.example\.com\/api' has a path.*did you mean 'https:\/\/app\.example\.com'\?/],
  ['origin with a query', { origin: ['https://app.example.com?x=1'] }, 'FST_CORS_INVALID_OPTIONS', /has a query/],
  ['origin with user info', { origin: ['https://user@app.example.com'] }, 'FST_CORS_INVALID_OPTIONS', /contains user info.*did you mean 'https:\/\/app\.example\.com'\?/],
  ['non-ASCII origin', { origin: ['https://bücher.example'] }, 'FST_CORS_INVALID_OPTIONS', /non-ASCII host.*did you mean 'https:\/\/xn--bcher-kva\.example'\?/],
  ['origin with an invalid port', { origin: ['https://app.example.com:99999'] }, 'FST_CORS_INVALID_OPTIONS', /invalid port 99999: ports are 1\.\.65535/],
  ['file: origin', { origin: ['file:///index.html'] }, 'FST_CORS_INVALID_OPTIONS', /file: URLs send the origin 'null'/],
  ['wildcard in the middle', { origin: ['https://api.*.example.com'] }, 'FST_CORS_INVALID_OPTIONS', /wildcard in an unsupported position/],
  ['wildcard under a TLD', { origin: ['https://*.com'] }, 'FST_CORS_UNSAFE_OPTIONS', /too broad/],
  ['wildcard under a public suffix', { origin: ['https://*.github.io'] }, 'FST_CORS_UNSAFE_OPTIONS', /github\.io is a public suffix/],
  ['RegExp with an unescaped dot', { origin: [/^https:\/\/app.example.com$/] }, 'FST_CORS_UNSAFE_OPTIONS', /unescaped '\.'/],
  ['RegExp matching any host', { origin: /^https:\/\/.*$/ }, 'FST_CORS_UNSAFE_OPTIONS', /also matches https:\/\/attacker\.test/],
  ['http origin with credentials', { origin: 'http://app.example.com', credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /is an http origin while credentials is true/],
  ['private network access for any origin', { origin: '*', allowPrivateNetwork: true }, 'FST_CORS_UNSAFE_OPTIONS', /every public website/],
  ["'*' mixed with origins", { origin: ['*', APP] }, 'FST_CORS_INVALID_OPTIONS', /'\*' cannot be mixed with other origins/],
  ['unanchored RegExp', { origin: /example\.com$/ }, 'FST_CORS_UNSAFE_OPTIONS', /\/origin \/example\\\.com\$\/ is not anchored.*use \/\^\(\?:example\\\.com\)\$\//],
  ['credentials of a wrong type', { credentials: 'yes' }, 'FST_CORS_INVALID_OPTIONS', /\/credentials expected a boolean, received 'yes'/],
  ['credentials with the default origin', { credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /\/credentials true needs an explicit `origin`/],
  ["credentials with origin '*'", { origin: '*', credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /\/credentials true cannot be combined with origin '\*'/],
  ['credentials with reflect-any', { origin: true, credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /dangerouslyAllowAnyOriginWithCredentials/],
  ["credentials with 'null'", { origin: ['null'], credentials: true }, 'FST_CORS_UNSAFE_OPTIONS', /'null' with credentials: true/],
  ["credentials with methods '*'", { origin: [APP], credentials: true, methods: '*' }, 'FST_CORS_INVALID_OPTIONS', /\/methods '\*' is not a wildcard when credentials is true/],
  ["credentials with allowedHeaders '*'", { origin: [APP], credentials: true, allowedHeaders: ['*'] }, 'FST_CORS_INVALID_OPTIONS', /\/allowedHeaders '\*' is not a wildcard when credentials is true/],
  ["credentials with exposedHeaders '*'", { origin: [APP], credentials: true, exposedHeaders: '*' }, 'FST_CORS_INVALID_OPTIONS', /\/exposedHeaders '\*' is not a wildcard when credentials is true/],
  ['methods of a wrong type', { methods: 42 }, 'FST_CORS_INVALID_OPTIONS', /\/methods expected a string/],
  ['forbidden method CONNECT', { methods: ['GET', 'CONNECT'] }, 'FST_CORS_INVALID_OPTIONS', /\/methods 'CONNECT' is a forbidden method/],
  ['forbidden method TRACE', { methods: 'trace' }, 'FST_CORS_INVALID_OPTIONS', /\/methods 'trace' is a forbidden method/],
  ['forbidden method TRACK', { methods: ['TRACK'] }, 'FST_CORS_INVALID_OPTIONS', /\/methods 'TRACK' is a forbidden method/],
  ['method that is not a token', { methods: ['GE T'] }, 'FST_CORS_INVALID_OPTIONS', /\/methods 'GE T' is not a valid method name/],
  ["methods '*' with names", { methods: ['*', 'GET'] }, 'FST_CORS_INVALID_OPTIONS', /\/methods '\*' already allows every method/],
  ['forbidden request header', { allowedHeaders: ['Cookie'] }, 'FST_CORS_INVALID_OPTIONS', /\/allowedHeaders 'Cookie' is a forbidden request header/],
  ['proxy-* request header', { allowedHeaders: ['Proxy-Authorization'] }, 'FST_CORS_INVALID_OPTIONS', /'Proxy-Authorization' is a forbidden request header/],
  ['sec-* request header', { allowedHeaders: ['Sec-Fetch-Mode'] }, 'FST_CORS_INVALID_OPTIONS', /'Sec-Fetch-Mode' is a forbidden request header/],
  ['Set-Cookie in allowedHeaders', { allowedHeaders: ['Set-Cookie'] }, 'FST_CORS_INVALID_OPTIONS', /'Set-Cookie' is a response header, never a request header/],
  ['ACAO in allowedHeaders', { allowedHeaders: 'Access-Control-Allow-Origin' }, 'FST_CORS_INVALID_OPTIONS', /'Access-Control-Allow-Origin' is a response header/],
  ['ACMA in allowedHeaders', { allowedHeaders: ['Access-Control-Max-Age'] }, 'FST_CORS_INVALID_OPTIONS', /'Access-Control-Max-Age' is a response header/],
  ['ACEH in allowedHeaders', { allowedHeaders: ['Access-Control-Expose-Headers'] }, 'FST_CORS_INVALID_OPTIONS', /'Access-Control-Expose-Headers' is a response header/],
  ['header name that is not a token', { allowedHeaders: ['X Request'] }, 'FST_CORS_INVALID_OPTIONS', /'X Request' is not a valid header name/],
  ['Set-Cookie in exposedHeaders', { exposedHeaders: ['Set-Cookie'] }, 'FST_CORS_INVALID_OPTIONS', /\/exposedHeaders 'Set-Cookie' can never be exposed/],
  ["exposedHeaders '*' with names", { exposedHeaders: ['*', 'X-A'] }, 'FST_CORS_INVALID_OPTIONS', /\/exposedHeaders '\*' already exposes every header/],
  ['negative maxAge', { maxAge: -1 }, 'FST_CORS_INVALID_OPTIONS', /\/maxAge expected an integer from 0 to 86400 \(seconds\), received -1/],
  ['maxAge above a day', { maxAge: 86401 }, 'FST_CORS_INVALID_OPTIONS', /\/maxAge expected an integer from 0 to 86400/],
  ['fractional maxAge', { maxAge: 1.5 }, 'FST_CORS_INVALID_OPTIONS', /\/maxAge expected/],
  ['maxAge as a string', { maxAge: '600' }, 'FST_CORS_INVALID_OPTIONS', /\/maxAge expected.*received '600'/],
  ['negative cacheControl', { cacheControl: -1 }, 'FST_CORS_INVALID_OPTIONS', /\/cacheControl expected a non-negative integer/],
  ['cacheControl with a line break', { cacheControl: 'max-age=1\r\nx: y' }, 'FST_CORS_INVALID_OPTIONS', /\/cacheControl expected/],
  ['empty cacheControl', { cacheControl: '' }, 'FST_CORS_INVALID_OPTIONS', /\/cacheControl expected/],
  ['preflight of a wrong type', { preflight: 'no' }, 'FST_CORS_INVALID_OPTIONS', /\/preflight expected a boolean/],
  ['strictPreflight of a wrong type', { strictPreflight: 1 }, 'FST_CORS_INVALID_OPTIONS', /\/strictPreflight expected a boolean/],
  ['preflightContinue of a wrong type', { preflightContinue: 'x' }, 'FST_CORS_INVALID_OPTIONS', /\/preflightContinue expected a boolean/],
  ['enforce with a hook after the handler', { enforce: true, hook: 'preSerialization' }, 'FST_CORS_INVALID_OPTIONS', /\/enforce needs a hook that runs before the handler, but hook is 'preSerialization'; use hook: 'preHandler'/],
  ['an unknown hook', { hook: 'onResponse' }, 'FST_CORS_INVALID_OPTIONS', /\/hook expected one of 'onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', received 'onResponse'/],
  ['a delegator that is not a function', { delegator: 'x' }, 'FST_CORS_INVALID_OPTIONS', /\/delegator expected a function \(request, cb\)/],
  ['optionsSuccessStatus below 200', { optionsSuccessStatus: 199 }, 'FST_CORS_INVALID_OPTIONS', /\/optionsSuccessStatus expected an integer from 200 to 299, received 199/],
  ['optionsSuccessStatus above 299', { optionsSuccessStatus: 304 }, 'FST_CORS_INVALID_OPTIONS', /\/optionsSuccessStatus expected an integer from 200 to 299/],
  ['allowPrivateNetwork of a wrong type', { allowPrivateNetwork: 'true' }, 'FST_CORS_INVALID_OPTIONS', /\/allowPrivateNetwork expected a boolean/],
  ['originCheckTimeout of 0', { originCheckTimeout: 0 }, 'FST_CORS_INVALID_OPTIONS', /\/originCheckTimeout expected an integer from 1 to 60000/],
  ['originCheckTimeout above a minute', { originCheckTimeout: 60001 }, 'FST_CORS_INVALID_OPTIONS', /\/originCheckTimeout expected/],
  ['originCache without an origin function', { origin: [APP], originCache: true }, 'FST_CORS_INVALID_OPTIONS', /\/originCache only applies to an origin function, but origin is \['https:\/\/app\.example\.com'\]; remove originCache, or set origin to a function/],
  ['originCache of a wrong type', { origin: async () => true, originCache: 'yes' }, 'FST_CORS_INVALID_OPTIONS', /\/originCache expected true, false, or \{ max\?: integer >= 1, ttl\?: ms, negativeTtl\?: ms, key\?: \(origin, request\) => string \}, received 'yes'/],
  ['originCache.max of 0', { origin: async () => true, originCache: { max: 0 } }, 'FST_CORS_INVALID_OPTIONS', /\/originCache\/max expected an integer of at least 1, received 0/],
  ['originCache.ttl negative', { origin: async () => true, originCache: { ttl: -1 } }, 'FST_CORS_INVALID_OPTIONS', /\/originCache\/ttl expected an integer of at least 0 \(milliseconds\), received -1/],
  ['originCache.key not a function', { origin: async () => true, originCache: { key: 'host' } }, 'FST_CORS_INVALID_OPTIONS', /\/originCache\/key expected a function \(origin, request\) that returns a string, received 'host'/],
  ['enforce of a wrong type', { enforce: 'yes' }, 'FST_CORS_INVALID_OPTIONS', /\/enforce expected true, false or 'report-only'/],
  ['hideOptionsRoute of a wrong type', { hideOptionsRoute: 0 }, 'FST_CORS_INVALID_OPTIONS', /\/hideOptionsRoute expected a boolean/],
  ['unknown logLevel', { logLevel: 'loud' }, 'FST_CORS_INVALID_OPTIONS', /\/logLevel expected one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent', received 'loud'/],
  ['dangerous flag of a wrong type', { dangerouslyAllowAnyOriginWithCredentials: 'yes' }, 'FST_CORS_INVALID_OPTIONS', /\/dangerouslyAllowAnyOriginWithCredentials expected a boolean/],
  ['typo of a known option', { origins: [APP] }, 'FST_CORS_INVALID_OPTIONS', /\/origins is not an option; did you mean 'origin'\?/],
  ['option name of another library', { allowCredentials: true }, 'FST_CORS_INVALID_OPTIONS', /\/allowCredentials is not an option; did you mean 'credentials'\?/],
  ['misspelt option', { maxage: 10 }, 'FST_CORS_INVALID_OPTIONS', /\/maxage is not an option; did you mean 'maxAge'\?/]
]

test('every option is validated at registration', async (t) => {
  for (const [desc, options, code, message] of invalid) {
    const error = await registrationError(t, options)
    t.equal(error.code, code, desc)
    t.match(error.message, message, desc)
  }
})

test('all problems are reported in one error, in a pinned format', async (t) => {
  const error = await registrationError(t, { origin: ['https://app.example.com/', /example\.com/], maxAge: -1, origins: 'x' })
  t.equal(error.code, 'FST_CORS_INVALID_OPTIONS', 'a mix of unsafe and invalid problems is an invalid-options error')
  t.ok(error instanceof TypeError)
  t.equal(error.message, [
    'Invalid fastify-cors-policy options: 4 problems:',
    '  - /maxAge expected an integer from 0 to 86400 (seconds), received -1',
    "  - /origins is not an option; did you mean 'origin'? (options: origin, credentials, methods, allowedHeaders, exposedHeaders, maxAge, cacheControl, preflight, strictPreflight, preflightContinue, optionsSuccessStatus, allowPrivateNetwork, originCheckTimeout, originCache, enforce, hideOptionsRoute, logLevel, dangerouslyAllowAnyOriginWithCredentials, dangerouslyAllowInsecureOrigins, hook, delegator)",
    "  - /origin/0 'https://app.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://app.example.com'?",
    "  - /origin/1 /example\\.com/ is not anchored, so it also matches origins that merely contain an allowed one (e.g. https://evil-example.com); use /^(?:example\\.com)$/, or better a pattern such as 'https://*.example.com'"
  ].join('\n'))
  const single = await registrationError(t, { origin: '*', credentials: true })
  t.equal(single.code, 'FST_CORS_UNSAFE_OPTIONS')
  t.equal(single.message, "Unsafe fastify-cors-policy options: /credentials true cannot be combined with origin '*': browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; list the allowed origins in `origin` (e.g. ['https://app.example.com'])")
})

test('configured origins are normalised: upper case and default ports still match what browsers send', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: ['HTTPS://App.Example.COM:443', 'http://LOCALHOST:80'] } })
  for (const origin of ['https://app.example.com', 'http://localhost']) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.equal(res.headers['access-control-allow-origin'], origin)
  }
})

test('undefined means "not set" for every option', async (t) => {
  const cors: FastifyCorsOptions = {
    origin: undefined,
    credentials: undefined,
    methods: undefined,
    allowedHeaders: undefined,
    exposedHeaders: undefined,
    maxAge: undefined,
    cacheControl: undefined,
    preflight: undefined,
    strictPreflight: undefined,
    preflightContinue: undefined,
    optionsSuccessStatus: undefined,
    allowPrivateNetwork: undefined,
    originCheckTimeout: undefined,
    enforce: undefined,
    hideOptionsRoute: undefined,
    logLevel: undefined,
    dangerouslyAllowAnyOriginWithCredentials: undefined
  }
  const { app } = await buildApp(t, { cors })
  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': '*' })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'x-a') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE', 'access-control-allow-headers': 'x-a' })
  const strict = await app.inject({ method: 'OPTIONS', url: '/items' })
  t.equal(strict.statusCode, 400)
  const withCredentials = await buildApp(t, { cors: { origin: [APP], credentials: true, maxAge: undefined, optionsSuccessStatus: undefined } })
  const res = await withCredentials.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-max-age'], undefined)
})

test('registering the plugin twice is refused with FST_CORS_ALREADY_REGISTERED', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [APP] })
  app.register(corsPolicy, { origin: ['https://other.example'] })
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_CORS_ALREADY_REGISTERED',
    message: 'fastify-cors-policy is already registered in this scope; for a policy of its own, register it again inside an encapsulated plugin (a child scope, e.g. with a prefix), or use route config.cors for one route'
  })
})

test('dangerouslyAllowAnyOriginWithCredentials reflects any origin with credentials and logs a warning at start-up', async (t) => {
  const { app, logs } = await buildApp(t, { logLevel: 'warn', cors: { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true } })
  t.same(logs.filter((line) => line.level === LOG_LEVEL.warn).map((line) => line.msg), [
    'fastify-cors-policy: dangerouslyAllowAnyOriginWithCredentials is on: every website can read credentialed responses from this server'
  ])
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://anyone.test' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'https://anyone.test', 'access-control-allow-credentials': 'true' })
  const nullOrigin = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.same(corsHeadersOf(nullOrigin), {}, 'null is still never reflected')
  const quiet = await buildApp(t, { logLevel: 'warn', cors: { origin: [APP], credentials: true, dangerouslyAllowAnyOriginWithCredentials: true } })
  t.same(quiet.logs, [], 'no warning when the flag changes nothing')
})

test('registered in a child scope, the plugin affects only that scope, including the routes declared there before it', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  app.get('/health', async () => 'ok')
  app.register(async (other) => { other.get('/apix', async () => 'other') })
  await app.register(async (api) => {
    api.get('/early', { config: { cors: { origin: ['https://early.example.com'] } } }, async () => 'early')
    await api.register(corsPolicy, { origin: [APP] })
    api.get('/items', async (request) => ({ reason: request.cors?.reason }))
  }, { prefix: '/api' })
  t.same(log.messages(), [], 'a route of the same scope declared before the plugin is known exactly: no warning')
  const early = await app.inject({ method: 'GET', url: '/api/early', headers: { origin: 'https://early.example.com' } })
  t.same(corsHeadersOf(early), { 'access-control-allow-origin': 'https://early.example.com' }, "the earlier route's own config.cors applies")
  const inside = await app.inject({ method: 'GET', url: '/api/items', headers: { origin: APP } })
  t.same(corsHeadersOf(inside), { 'access-control-allow-origin': APP })
  t.same(inside.json(), { reason: 'allowed' })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/api/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(preflight.statusCode, 204)
  for (const url of ['/health', '/apix']) {
    const outside = await app.inject({ method: 'GET', url, headers: { origin: APP } })
    t.same(corsHeadersOf(outside), {}, url)
    t.equal(outside.headers.vary, undefined, url)
    const outsidePreflight = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(APP, 'GET') })
    // outside the registration's prefix the plugin routes nothing ('/api*' would match '/apix'): the 404 Fastify gives
    t.equal(outsidePreflight.statusCode, 404, url)
    t.same(corsHeadersOf(outsidePreflight), {}, url)
  }
})

test("hideOptionsRoute controls the OPTIONS route's schema.hide", async (t) => {
  for (const [hideOptionsRoute, hidden] of [[undefined, true], [true, true], [false, false]] as const) {
    const seen: RouteOptions[] = []
    await buildApp(t, {
      cors: { hideOptionsRoute },
      before: (instance) => { instance.addHook('onRoute', (route) => { if (route.method === 'OPTIONS') seen.push(route) }) }
    })
    t.equal(seen.length, 2, String(hideOptionsRoute))
    for (const route of seen) {
      t.equal(route.url, '*')
      t.equal((route.schema as { hide?: boolean } | undefined)?.hide, hidden, String(hideOptionsRoute))
    }
  }
})

test("logLevel sets the level of the plugin's OPTIONS route", async (t) => {
  const quiet = await buildApp(t, { logLevel: 'info', cors: { origin: [APP], logLevel: 'warn' } })
  // logLevel is the level of the OPTIONS routes: the start-up line is logged at the app's level
  t.same(quiet.logs.map((line) => line.msg.startsWith('fastify-cors-policy: / policy: ')), [true])
  quiet.logs.length = 0
  await quiet.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.same(quiet.logs, [], 'nothing below warn for the preflight')
  await quiet.app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.same(quiet.logs.map((line) => line.msg), ['incoming request', 'request completed'], 'other routes keep the app level')
  const inherit = await buildApp(t, { logLevel: 'info', cors: { origin: [APP] } })
  inherit.logs.length = 0
  await inherit.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.same(inherit.logs.map((line) => line.msg), ['incoming request', 'request completed'], 'inherited by default')
})
