/**
 * `app.corsPolicy`: a registration's allow-list changed while the app serves. After a change, every
 * answer (actual requests, route-aware preflights, `request.cors`) is the one an app started with the
 * new list gives; routes that inherit the plugin's origin follow it, routes with their own keep theirs;
 * each scope's handle changes its own registration's list; an invalid change rejects with the
 * start-up errors and changes nothing.
 */
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, {
  CorsInvalidOptionsError, CorsInvalidRouteConfigError, CorsOriginNotChangeableError, CorsUnsafeOptionsError, type FastifyCorsOptions
} from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { LOG_LEVEL, captureLogs } from '../helpers/log-capture.js'
import { answersTo, policyLines, startRecordingApp, type Answer, type RecordingApp } from '../helpers/swap-oracle.js'

const OLD = 'https://old.example.com'
const NEW = 'https://new.example.com'
const TENANT = 'https://acme.tenants.example.com'
const OWN = 'https://own.example.com'
const EVIL = 'https://evil.example'

/**
 * The routes of one registration: some inherit its origin (one with credentials of its own, one
 * with other options), one has its own origin, one has CORS off.
 */
async function startApp (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions): Promise<RecordingApp> {
  return await startRecordingApp(t, options, (app) => {
    app.get('/items', async () => 'list')
    app.get('/items/:id', async () => 'item')
    app.put('/items/:id', { config: { cors: { maxAge: 60, allowedHeaders: ['x-token'] } } }, async () => 'put')
    app.delete('/items/:id', { config: { cors: { origin: [OWN] } } }, async () => 'deleted')
    app.get('/me', { config: { cors: { credentials: true, exposedHeaders: ['x-total'] } } }, async () => 'me')
    app.post('/off', { config: { cors: false } }, async () => 'off')
  })
}

/** Every kind of request, from each origin: what the app answers, and its decision. */
async function answers (app: RecordingApp): Promise<Answer[]> {
  return await answersTo(app, [OLD, NEW, TENANT, OWN, EVIL],
    [['GET', '/items'], ['GET', '/items/1'], ['PUT', '/items/1'], ['DELETE', '/items/1'], ['GET', '/me'], ['POST', '/off'], ['GET', '/missing']],
    [['PUT', '/items/1', 'x-token'], ['DELETE', '/items/1', undefined], ['GET', '/items/1', 'x-token'], ['PATCH', '/items/1', undefined], ['GET', '/me', undefined], ['PUT', '/missing', undefined]])
}

test('after setOrigins, every answer is the one an app started with the new list gives', async (t) => {
  const swapped = await startApp(t, { origin: [OLD] })
  const before = await answers(swapped)
  t.same(await answers(await startApp(t, { origin: [OLD] })), before, 'the oracle agrees before the change')

  await swapped.app.corsPolicy.setOrigins([NEW, 'https://*.tenants.example.com'])
  const after = await answers(swapped)
  t.same(after, await answers(await startApp(t, { origin: [NEW, 'https://*.tenants.example.com'] })))
  t.notSame(after, before)

  await swapped.app.corsPolicy.setOrigins([OLD])
  t.same(await answers(swapped), before, 'and back')
})

test('a change reaches the registration, the routes that inherit its origin and their preflights; routes with their own origin keep it', async (t) => {
  const { app, decisions } = await startApp(t, { origin: [OLD] })
  await app.corsPolicy.setOrigins([NEW])

  const list = await app.inject({ method: 'GET', url: '/items', headers: { origin: NEW } })
  t.same(corsHeadersOf(list), { 'access-control-allow-origin': NEW })
  t.equal(list.headers.vary, 'Origin')
  t.same(decisions.at(-1), { origin: NEW, preflight: false, allowed: true, reason: 'allowed' }, 'request.cors')

  const old = await app.inject({ method: 'GET', url: '/items', headers: { origin: OLD } })
  t.same(corsHeadersOf(old), {})
  t.equal(old.headers.vary, 'Origin')
  t.same(decisions.at(-1), {
    origin: OLD,
    preflight: false,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: "origin 'https://old.example.com' is not in the allow-list for GET /items; add it to `origin`"
  })

  const me = await app.inject({ method: 'GET', url: '/me', headers: { origin: NEW } })
  t.same(corsHeadersOf(me), { 'access-control-allow-origin': NEW, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-total' }, 'a route that inherits the origin with credentials of its own')

  const put = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(NEW, 'PUT', 'x-token') })
  t.equal(put.statusCode, 204)
  // the routes at /items/:id differ: the grant is what every route that allows NEW grants (DELETE has its own origin)
  t.same(corsHeadersOf(put), { 'access-control-allow-origin': NEW, 'access-control-allow-methods': 'GET, HEAD, PUT', 'access-control-allow-headers': 'x-token', 'access-control-max-age': '5' })
  t.same(decisions.at(-1), { origin: NEW, preflight: true, allowed: true, reason: 'allowed' })

  const putOld = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(OLD, 'PUT', 'x-token') })
  t.equal(putOld.statusCode, 403)
  t.same(corsHeadersOf(putOld), {})

  const deleteOwn = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(OWN, 'DELETE') })
  t.equal(deleteOwn.statusCode, 204, 'the route with its own origin keeps it')
  t.equal(deleteOwn.headers['access-control-allow-origin'], OWN)
  const deleteNew = await app.inject({ method: 'DELETE', url: '/items/1', headers: { origin: NEW } })
  t.same(corsHeadersOf(deleteNew), {}, 'and does not take the new list')
})

test('addOrigins, removeOrigins and origins', async (t) => {
  const { app } = await startApp(t, { origin: [OLD, 'HTTPS://*.Tenants.example.com'] })
  t.same(app.corsPolicy.origins, [OLD, 'https://*.tenants.example.com'], 'normalised')
  t.ok(Object.isFrozen(app.corsPolicy.origins))

  await app.corsPolicy.addOrigins([NEW, OLD, /^https:\/\/r\.example\.com$/])
  t.same(app.corsPolicy.origins, [OLD, NEW, 'https://*.tenants.example.com', /^https:\/\/r\.example\.com$/])
  for (const origin of [OLD, NEW, TENANT, 'https://r.example.com']) {
    const response = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.equal(response.headers['access-control-allow-origin'], origin, `${origin} is allowed`)
  }

  await app.corsPolicy.removeOrigins([OLD, TENANT, /^https:\/\/r\.example\.com$/])
  t.same(app.corsPolicy.origins, [NEW, 'https://*.tenants.example.com'], 'an origin a pattern admits leaves the pattern')
  const removed = await app.inject({ method: 'GET', url: '/items', headers: { origin: OLD } })
  t.same(corsHeadersOf(removed), {})
  const byPattern = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(byPattern.headers['access-control-allow-origin'], TENANT)

  const { setOrigins } = app.corsPolicy
  await setOrigins([OWN])
  t.same(app.corsPolicy.origins, [OWN], 'the methods need no `this`')
})

test('setOrigins([]) allows no origin; responses still vary by Origin, and the list can grow again', async (t) => {
  const { app, decisions } = await startApp(t, { origin: [OLD] })
  await app.corsPolicy.setOrigins([])
  t.same(app.corsPolicy.origins, [])
  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: OLD } })
  t.same(corsHeadersOf(actual), {})
  t.equal(actual.headers.vary, 'Origin', 'a cache must not serve this refusal to an origin added later')
  t.equal(decisions.at(-1)?.reason, 'origin-not-allowed')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(OLD, 'PUT', 'x-token') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})

  await app.corsPolicy.addOrigins([NEW])
  const added = await app.inject({ method: 'GET', url: '/items', headers: { origin: NEW } })
  t.equal(added.headers['access-control-allow-origin'], NEW)
})

test('an invalid change rejects with the start-up error, every problem listed, and leaves the list as it was', async (t) => {
  const { app, log } = await startApp(t, { origin: [OLD] })
  const linesBefore = policyLines(log).length
  await t.rejects(app.corsPolicy.setOrigins(['https://new.example.com/', /new\.example\.com/, 'https://*.com']), {
    code: 'FST_CORS_INVALID_OPTIONS',
    message: 'Invalid fastify-cors-policy options: 3 problems:\n' +
      "  - /origin/0 'https://new.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://new.example.com'?\n" +
      "  - /origin/1 /new\\.example\\.com/ is not anchored, so it also matches origins that merely contain an allowed one (e.g. https://evil-example.com); use /^(?:new\\.example\\.com)$/, or better a pattern such as 'https://*.example.com'\n" +
      "  - /origin/2 'https://*.com' is too broad: '*.com' would match every site under a top-level domain; name the registrable domain (https://*.example.com)"
  })
  const thrown = await app.corsPolicy.addOrigins(['https://*.com']).then(() => undefined, (error: unknown) => error)
  t.ok(thrown instanceof CorsUnsafeOptionsError, 'only foot-guns: the unsafe-options error')
  t.same((thrown as InstanceType<typeof CorsUnsafeOptionsError>).problems, [{
    path: '/origin/0',
    value: 'https://*.com',
    unsafe: true,
    fix: 'name the registrable domain (https://*.example.com)',
    message: "'https://*.com' is too broad: '*.com' would match every site under a top-level domain; name the registrable domain (https://*.example.com)"
  }])
  await t.rejects(app.corsPolicy.removeOrigins(['old.example.com']), CorsInvalidOptionsError)
  await t.rejects(app.corsPolicy.setOrigins('https://new.example.com' as unknown as string[]), {
    code: 'FST_CORS_INVALID_OPTIONS',
    message: "Invalid fastify-cors-policy options: /origin expected an array of origins, patterns or anchored RegExps, received 'https://new.example.com'; pass an array: ['https://new.example.com']"
  })
  await t.rejects(app.corsPolicy.setOrigins(['*']), {
    code: 'FST_CORS_INVALID_OPTIONS',
    message: "Invalid fastify-cors-policy options: /origin '*' is not an origin but another kind of policy (Access-Control-Allow-Origin: * for everyone, without Vary: Origin), so it cannot be part of a list changed at run time; list the allowed origins, or register the plugin with origin: '*' if every site may read the responses"
  })

  t.same(app.corsPolicy.origins, [OLD])
  const still = await app.inject({ method: 'GET', url: '/items', headers: { origin: OLD } })
  t.equal(still.headers['access-control-allow-origin'], OLD)
  t.equal(policyLines(log).length, linesBefore, 'a refused change logs nothing')
})

test('a new list must be valid for every route that inherits the origin: a route with credentials refuses http and null', async (t) => {
  const { app } = await startApp(t, { origin: [OLD] })
  await t.rejects(app.corsPolicy.addOrigins(['http://new.example.com', 'null']), {
    code: 'FST_CORS_UNSAFE_OPTIONS',
    message: 'Unsafe fastify-cors-policy options: 2 problems:\n' +
      "  - /origin/0 'http://new.example.com' is an http origin while credentials is true: anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses; serve the site over https and list 'https://new.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that (route GET /me inherits this origin with credentials: true)\n" +
      "  - /origin 'null' with credentials: true lets sandboxed iframes, data: URLs and file: pages of any site read authenticated responses; remove 'null' or use credentials: false (route GET /me inherits this origin with credentials: true)"
  })
  t.same(app.corsPolicy.origins, [OLD])

  // the same list is fine for a registration whose routes all go without credentials
  const open = Fastify()
  t.teardown(() => open.close())
  await open.register(corsPolicy, { origin: [OLD] })
  open.get('/items', { config: { cors: { maxAge: 5 } } }, async () => 'list')
  await open.ready()
  await open.corsPolicy.addOrigins(['http://new.example.com', 'null'])
  t.same(open.corsPolicy.origins, [OLD, 'http://new.example.com', 'null'])
  const nullOrigin = await open.inject({ method: 'GET', url: '/items', headers: { origin: 'null' } })
  t.equal(nullOrigin.headers['access-control-allow-origin'], 'null')
})

test('a registration with credentials: loopback http origins pass, others need the opt-in, which each change warns about', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [OLD], credentials: true, dangerouslyAllowInsecureOrigins: true })
  app.get('/items', async () => 'list')
  await app.ready()
  const startLines = policyLines(log)
  t.equal(startLines.length, 1, 'the start-up line only: no insecure origin yet')
  t.match(startLines[0]?.[1], /^fastify-cors-policy: \/ policy: origin \['https:\/\/old\.example\.com'\], credentials true, /)

  await app.corsPolicy.addOrigins(['http://localhost:*', 'http://new.example.com'])
  t.same(policyLines(log).slice(1), [
    [LOG_LEVEL.info, "fastify-cors-policy: / origin now ['https://old.example.com', 'http://new.example.com', 'http://localhost:*'] (addOrigins)"],
    [LOG_LEVEL.warn, "fastify-cors-policy: dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://new.example.com'), which anyone on the network path can inject script into"]
  ])
  const insecure = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'http://new.example.com' } })
  t.same(corsHeadersOf(insecure), { 'access-control-allow-origin': 'http://new.example.com', 'access-control-allow-credentials': 'true' })

  await app.corsPolicy.removeOrigins(['http://new.example.com'])
  t.same(policyLines(log).slice(3), [
    [LOG_LEVEL.info, "fastify-cors-policy: / origin now ['https://old.example.com', 'http://localhost:*'] (removeOrigins)"]
  ], 'no warning once no insecure origin is listed')
  await app.corsPolicy.removeOrigins(['https://absent.example.com'])
  await app.corsPolicy.addOrigins([OLD])
  t.equal(policyLines(log).length, 4, 'a change that changes nothing logs nothing')
})

test('the info line of a change: the scope, the list (bounded) and the method', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  let scope: FastifyInstance | undefined
  await app.register(async (api) => {
    scope = api
    await api.register(corsPolicy, { origin: [OLD] })
  }, { prefix: '/api' })
  await app.ready()
  const tenants = Array.from({ length: 7 }, (_, i) => `https://t${i}.example.com`)
  await scope?.corsPolicy.setOrigins(tenants)
  await scope?.corsPolicy.setOrigins([])
  t.same(policyLines(log).slice(1), [
    [LOG_LEVEL.info, "fastify-cors-policy: /api origin now ['https://t0.example.com', 'https://t1.example.com', 'https://t2.example.com', 'https://t3.example.com', 'https://t4.example.com', … (+2 more)] (setOrigins)"],
    [LOG_LEVEL.info, 'fastify-cors-policy: /api origin now [] (setOrigins)']
  ])
})

test('each scope changes the list of the registration that governs it', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let admin: FastifyInstance | undefined
  let open: FastifyInstance | undefined
  await app.register(corsPolicy, { origin: [OLD] })
  app.get('/items', async () => 'list')
  await app.register(async (scope) => {
    admin = scope
    await scope.register(corsPolicy, { origin: [OWN], credentials: true })
    scope.get('/users', async () => 'users')
  }, { prefix: '/admin' })
  await app.register(async (scope) => {
    open = scope
    scope.get('/news', async () => 'news')
  }, { prefix: '/public' })
  await app.ready()
  if (admin === undefined || open === undefined) throw new TypeError('scopes not created')

  t.not(admin.corsPolicy, app.corsPolicy, 'a registration in a child scope has its own handle')
  t.equal(open.corsPolicy, app.corsPolicy, 'a scope without a registration has its parent\'s')
  await admin.corsPolicy.setOrigins([NEW])
  t.same(admin.corsPolicy.origins, [NEW])
  t.same(app.corsPolicy.origins, [OLD], 'the parent keeps its list')

  const allowed = async (url: string, origin: string): Promise<unknown> =>
    (await app.inject({ method: 'GET', url, headers: { origin } })).headers['access-control-allow-origin']
  t.equal(await allowed('/admin/users', NEW), NEW)
  t.equal(await allowed('/admin/users', OWN), undefined)
  t.equal(await allowed('/items', OLD), OLD)
  t.equal(await allowed('/items', NEW), undefined)

  await open.corsPolicy.addOrigins([TENANT])
  t.same(app.corsPolicy.origins, [OLD, TENANT])
  t.equal(await allowed('/public/news', TENANT), TENANT, 'the parent\'s list, changed through the child scope')
  t.equal(await allowed('/items', TENANT), TENANT)
  t.equal(await allowed('/admin/users', TENANT), undefined)

  const preflight = await app.inject({ method: 'OPTIONS', url: '/admin/users', headers: preflightHeaders(NEW, 'GET', 'x-token') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': NEW, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'x-token'
  })
})

test('before the app is ready: routes compiled later read the new list, and must accept it', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  // declared before the plugin: compiled when the app is ready
  app.get('/early', { config: { cors: { maxAge: 5 } } }, async () => 'early')
  await app.register(corsPolicy, { origin: [OLD] })
  await app.corsPolicy.setOrigins([NEW])
  await app.ready()
  const early = await app.inject({ method: 'GET', url: '/early', headers: { origin: NEW } })
  t.equal(early.headers['access-control-allow-origin'], NEW)
  const old = await app.inject({ method: 'GET', url: '/early', headers: { origin: OLD } })
  t.same(corsHeadersOf(old), {})

  const strict = Fastify()
  t.teardown(() => strict.close())
  strict.get('/me', { config: { cors: { credentials: true } } }, async () => 'me')
  await strict.register(corsPolicy, { origin: [OLD] })
  await strict.corsPolicy.setOrigins(['http://new.example.com'])
  const failure = await strict.ready().then(() => undefined, (error: unknown) => error)
  t.ok(failure instanceof CorsInvalidRouteConfigError)
  t.equal((failure as Error).message,
    "Invalid config.cors on route GET /me: /origin/0 'http://new.example.com' is an http origin while credentials is true: anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses; serve the site over https and list 'https://new.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that")
})

test('origin settings that are not a list cannot change; the error names the scope, the setting and the fix', async (t) => {
  const asList = "configure origin as a list (e.g. ['https://app.example.com']) to change it at run time"
  const cases: Array<[string, FastifyCorsOptions, string]> = [
    ["'*'", { origin: '*' }, `its origin is '*'; ${asList}`],
    ['the default', {}, `its origin is '*'; ${asList}`],
    ['true', { origin: true }, `its origin is true (reflect any origin); ${asList}`],
    ['false', { origin: false }, `its origin is false; ${asList} (to start with no origin allowed, register a list and call setOrigins([]) before the app starts)`],
    ['a function', { origin: () => true }, 'its origin is a function, which decides each origin itself; let the function read the list you change, or configure origin as a list to change it at run time'],
    ['a delegator', { origin: [OLD], delegator: () => ({ origin: [OLD] }) },
      'the registration has a delegator, which answers the options per request; answer the new origins from the delegator, or configure origin as a list without a delegator to change it at run time']
  ]
  for (const [name, options, why] of cases) {
    const app = Fastify()
    t.teardown(() => app.close())
    let scope: FastifyInstance | undefined
    await app.register(async (v1) => {
      scope = v1
      await v1.register(corsPolicy, options)
      v1.get('/items', async () => 'list')
    }, { prefix: '/v1' })
    await app.ready()
    if (scope === undefined) throw new TypeError('scope not created')
    t.equal(scope.corsPolicy.origins, undefined, `${name}: no list to read`)
    const message = `The origin of fastify-cors-policy at /v1 cannot be changed at run time: ${why}`
    for (const change of [scope.corsPolicy.setOrigins, scope.corsPolicy.addOrigins, scope.corsPolicy.removeOrigins]) {
      await t.rejects(change([NEW]), { code: 'FST_CORS_ORIGIN_NOT_CHANGEABLE', statusCode: 500, message }, name)
    }
    const thrown = await scope.corsPolicy.setOrigins([]).then(() => undefined, (error: unknown) => error)
    t.ok(thrown instanceof CorsOriginNotChangeableError, `${name}: a CorsOriginNotChangeableError`)
  }
})

test('at the root, the error names the scope /', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: '*' })
  await t.rejects(app.corsPolicy.addOrigins([NEW]), {
    code: 'FST_CORS_ORIGIN_NOT_CHANGEABLE',
    message: "The origin of fastify-cors-policy at / cannot be changed at run time: its origin is '*'; configure origin as a list (e.g. ['https://app.example.com']) to change it at run time"
  })
})

test('the handle exists only where a registration governs the scope', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async (v1) => {
    await v1.register(corsPolicy, { origin: [OLD] })
  }, { prefix: '/v1' })
  await app.ready()
  t.equal((app as { corsPolicy?: unknown }).corsPolicy, undefined)
})
