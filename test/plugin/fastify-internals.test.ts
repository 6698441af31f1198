/**
 * One test per fact about Fastify and find-my-way that lib/fastify-internals.ts, lib/dispatcher.ts,
 * lib/route-index.ts and lib/plugin/not-found.ts rely on beyond Fastify's documented API. scripts/test-newest-fastify.sh runs this
 * file against the newest Fastify 5 too: a failure names the internal that changed.
 */
import { createRequire } from 'node:module'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket, type AddressInfo } from 'node:net'
import { test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteShorthandOptions } from 'fastify'
import fp from 'fastify-plugin'
import { dropsDebug, fastifyFindMyWay, listRouterRoutes, notFoundContextOf, rawHeaderOf, replyHeadersOf, routerMatchOptions, type ContextHook, type RouterMatchOptions, type RouterRoute } from '../../lib/plugin/fastify-internals.js'
import { RouteIndex } from '../../lib/plugin/route-index.js'

const require = createRequire(import.meta.url)
const FASTIFY_VERSION = (require('fastify/package.json') as { version: string }).version

/** An assertion message: the Fastify release and the internal fact the plugin relies on (a failure means it no longer holds). */
function fact (what: string): string {
  return `Fastify ${FASTIFY_VERSION} internal relied on: ${what}`
}

function withConfig (config: Record<PropertyKey, unknown>): RouteShorthandOptions {
  return { config } as RouteShorthandOptions
}

interface RawRequest { method?: string, url?: string, headers: Record<string, string | string[] | undefined> }

/** A custom constraint strategy shaped like the plugin's preflight one: the value of the x-kind header, if any. */
function kindStrategy (onDerive: (req: RawRequest) => void = () => {}): Parameters<FastifyInstance['addConstraintStrategy']>[0] {
  return {
    name: 'kind',
    storage () {
      const stores = new Map<string, unknown>()
      return { get: (value: string) => stores.get(value) ?? null, set: (value: string, store: unknown) => { stores.set(value, store) } }
    },
    deriveConstraint (req: RawRequest) {
      onDerive(req)
      return req.headers['x-kind']
    },
    mustMatchWhenDerived: false
  } as unknown as Parameters<FastifyInstance['addConstraintStrategy']>[0]
}

function routeNamed (routes: readonly RouterRoute[], method: string, path: string, host?: unknown): RouterRoute {
  const found = routes.find((route) => route.method === method && route.path === path && (host === undefined || route.constraints.host === host))
  if (found === undefined) throw new Error(fact(`listRouterRoutes() lists ${method} ${path}`))
  return found
}

test('(a) listRouterRoutes: every route of the router, with its method, path, pattern, constraints and Fastify context', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const origin = /^https:\/\/app\.example$/
  const check = (): boolean => true
  const regexpCors = { origin, allowedHeaders: ['x-token'] }
  const functionCors = { origin: check }
  const adminHost = /^admin\./
  app.addConstraintStrategy(kindStrategy())
  app.get('/items', withConfig({ cors: regexpCors }), async () => 'items')
  app.post('/items', withConfig({ cors: functionCors }), async () => 'created')
  app.put('/items/:id', withConfig({ cors: false }), async () => 'updated')
  app.get('/hosted', { constraints: { host: 'api.example' } }, async () => 'api')
  app.get('/hosted', { constraints: { host: adminHost } }, async () => 'admin')
  app.get('/versioned', { constraints: { version: '1.2.0' } }, async () => 'v1')
  app.options('/custom', { constraints: { kind: 'special' } }, async () => 'custom')
  let admin: FastifyInstance | undefined
  await app.register(async (scope) => {
    admin = scope
    scope.get('/', async () => 'admin root')
    scope.get('/users', async () => 'users')
  }, { prefix: '/admin' })
  await app.ready()

  const routes = listRouterRoutes(app)
  t.same(routes.map((route) => `${route.method} ${route.path}`).sort(), [
    'GET /admin', 'GET /admin/', 'GET /admin/users', 'GET /hosted', 'GET /hosted', 'GET /items', 'GET /versioned',
    'HEAD /admin', 'HEAD /admin/', 'HEAD /admin/users', 'HEAD /hosted', 'HEAD /hosted', 'HEAD /items', 'HEAD /versioned',
    'OPTIONS /custom', 'POST /items', 'PUT /items/:id'
  ], fact('printRoutes({ includeMeta: true }) passes every route to buildPrettyMeta: one per method, both slash variants of a prefix root, a HEAD route per GET'))

  const getItems = routeNamed(routes, 'GET', '/items')
  t.equal(getItems.pattern, '/items', fact('a find-my-way route object carries its pattern'))
  t.equal(routeNamed(routes, 'PUT', '/items/:id').pattern, '/items/:', fact('a route\'s pattern is its path without parameter names (routes differing only in constraints share it)'))
  t.equal(getItems.context.config.cors, regexpCors, fact('the route object\'s store is Fastify\'s route context, whose config holds the route\'s config.cors value as given'))
  t.equal((getItems.context.config.cors as typeof regexpCors).origin, origin, fact('a RegExp in config.cors survives by identity'))
  t.equal(routeNamed(routes, 'HEAD', '/items').context.config.cors, regexpCors, fact('the HEAD route Fastify adds for a GET has the GET\'s config.cors value'))
  t.equal((routeNamed(routes, 'POST', '/items').context.config.cors as typeof functionCors).origin, check, fact('a function in config.cors survives by identity'))
  t.equal(routeNamed(routes, 'PUT', '/items/:id').context.config.cors, false, fact('config.cors: false reaches the route context'))
  for (const route of routes) {
    t.equal(route.context.server, route.path.startsWith('/admin') ? admin : app, fact(`the route context's server is the instance that declared ${route.method} ${route.path}`))
  }

  t.same(getItems.constraints, {}, fact('an unconstrained route has no constraints'))
  t.equal(routeNamed(routes, 'GET', '/hosted', 'api.example').constraints.host, 'api.example', fact('a host string constraint is on the route object'))
  const regexpHosted = routeNamed(routes, 'GET', '/hosted', adminHost)
  t.ok(regexpHosted.constraints.host instanceof RegExp, fact('a host RegExp constraint is on the route object as a RegExp'))
  t.equal(routeNamed(routes, 'HEAD', '/hosted', adminHost).constraints.host, adminHost, fact('the HEAD route Fastify adds for a host-constrained GET has the same constraint'))
  t.same(routeNamed(routes, 'GET', '/versioned').constraints, { version: '1.2.0' }, fact('a version constraint is on the route object'))
  t.same(routeNamed(routes, 'OPTIONS', '/custom').constraints, { kind: 'special' }, fact('a custom-strategy constraint is on the route object'))
})

test('(a) listRouterRoutes: a prefix root has no slash variant when the router ignores trailing slashes; patterns follow caseSensitive', async (t) => {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true, caseSensitive: false } })
  t.teardown(() => app.close())
  app.get('/Mixed/:Id', async () => 'mixed')
  await app.register(async (scope) => { scope.get('/', async () => 'admin root') }, { prefix: '/admin' })
  await app.ready()
  const routes = listRouterRoutes(app)
  t.same(routes.map((route) => `${route.method} ${route.path}`).sort(), ['GET /Mixed/:Id', 'GET /admin', 'HEAD /Mixed/:Id', 'HEAD /admin'],
    fact('with ignoreTrailingSlash, Fastify adds only the \'\' variant of a prefix root (no \'/admin/\' route)'))
  t.equal(routeNamed(routes, 'GET', '/Mixed/:Id').pattern, '/mixed/:', fact('a case-insensitive router lower-cases the pattern'))
  t.equal((await app.inject({ url: '/admin/' })).statusCode, 200, fact('with ignoreTrailingSlash, /admin/ reaches the prefix root'))
})

interface RoutingCase {
  readonly options: FastifyServerOptions
  readonly expected: Partial<RouterMatchOptions>
}

const DEFAULTS: RouterMatchOptions = { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, caseSensitive: true, maxParamLength: 100, useSemicolonDelimiter: false }

const ROUTING_CASES: readonly RoutingCase[] = [
  { options: {}, expected: {} },
  { options: { ignoreTrailingSlash: true, routerOptions: {} }, expected: { ignoreTrailingSlash: true } },
  { options: { routerOptions: { ignoreTrailingSlash: false } }, expected: { ignoreTrailingSlash: false } },
  { options: { routerOptions: { ignoreTrailingSlash: true } }, expected: { ignoreTrailingSlash: true } },
  { options: { ignoreTrailingSlash: true, routerOptions: { ignoreTrailingSlash: false } }, expected: { ignoreTrailingSlash: false } },
  { options: { caseSensitive: false }, expected: { caseSensitive: false } },
  { options: { routerOptions: { caseSensitive: false } }, expected: { caseSensitive: false } },
  { options: { caseSensitive: false, routerOptions: { caseSensitive: true } }, expected: { caseSensitive: true } },
  { options: { ignoreDuplicateSlashes: true }, expected: { ignoreDuplicateSlashes: true } },
  { options: { routerOptions: { ignoreDuplicateSlashes: true } }, expected: { ignoreDuplicateSlashes: true } },
  { options: { maxParamLength: 5 }, expected: { maxParamLength: 5 } },
  { options: { maxParamLength: 5, routerOptions: { maxParamLength: 8 } }, expected: { maxParamLength: 8 } },
  { options: { useSemicolonDelimiter: true }, expected: { useSemicolonDelimiter: true } },
  // missing from Fastify's FastifyRouterOptions type, honoured at run time
  { options: { routerOptions: { useSemicolonDelimiter: true } } as FastifyServerOptions, expected: { useSemicolonDelimiter: true } }
]

/** A URL and the route it reaches under given router options (null: no route, the handler is not run). */
interface Probe {
  readonly url: string
  readonly reaches: (options: RouterMatchOptions) => string | null
}

const PROBES: readonly Probe[] = [
  { url: '/a', reaches: () => '/a' },
  { url: '/a?x=1', reaches: () => '/a' },
  { url: '/a/', reaches: (o) => o.ignoreTrailingSlash ? '/a' : null },
  { url: '/A', reaches: (o) => o.caseSensitive ? null : '/a' },
  { url: '/x//a', reaches: (o) => o.ignoreDuplicateSlashes ? '/x/a' : null },
  { url: '/a;jsessionid=1', reaches: (o) => o.useSemicolonDelimiter ? '/a' : null },
  { url: `/p/${'1'.repeat(5)}`, reaches: () => '/p/:id' },
  { url: `/p/${'1'.repeat(8)}`, reaches: (o) => o.maxParamLength >= 8 ? '/p/:id' : null },
  { url: `/p/${'1'.repeat(101)}`, reaches: () => null },
  { url: '/admin', reaches: () => '/admin' },
  { url: '/admin/', reaches: () => '/admin' }
]

/** A route path without its trailing slash: '/admin/' is the prefix root's slash variant. */
function routeId (path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

test('(b) routerMatchOptions: Fastify\'s precedence of router options, and a find-my-way mirror routes as Fastify does', async (t) => {
  for (const { options, expected } of ROUTING_CASES) {
    const label = JSON.stringify(options)
    const app = Fastify(options)
    app.get('/a', async (request) => routeId(request.routeOptions.url as string))
    app.get('/x/a', async (request) => routeId(request.routeOptions.url as string))
    app.get('/p/:id', async (request) => routeId(request.routeOptions.url as string))
    await app.register(async (scope) => { scope.get('/', async (request) => routeId(request.routeOptions.url as string)) }, { prefix: '/admin' })
    await app.ready()

    const matchOptions = routerMatchOptions(app)
    const wanted = { ...DEFAULTS, ...expected }
    t.same(matchOptions, wanted, fact(`Fastify(${label}) merges its router options into Symbol('fastify.options').routerOptions, where routerMatchOptions() reads them`))

    const mirror = new RouteIndex(fastifyFindMyWay(), matchOptions, listRouterRoutes(app).map((route) => ({
      method: route.method, path: route.path, pattern: route.pattern, constraints: route.constraints, route: { policy: undefined, name: routeId(route.path) }
    })))
    for (const probe of PROBES) {
      const response = await app.inject({ url: probe.url })
      const fastifyReached = response.statusCode === 200 ? response.body : null
      t.equal(fastifyReached, probe.reaches(wanted), fact(`Fastify(${label}) routes GET ${probe.url} as these router options say (got ${fastifyReached ?? 'no route'}, status ${response.statusCode})`))
      const mirrorReached = mirror.routesAt(probe.url, undefined).get('GET')?.[0]?.name ?? null
      t.equal(mirrorReached, fastifyReached, fact(`Fastify(${label}) and the find-my-way mirror route GET ${probe.url} alike (Fastify: ${fastifyReached ?? 'no route'}, mirror: ${mirrorReached ?? 'no route'})`))
    }
    await app.close()
  }
})

test('(c) encapsulated instances inherit from their parent, and lifecycle hooks reach child scopes loaded earlier', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let child: FastifyInstance | undefined
  let grandchild: FastifyInstance | undefined
  let pluginScope: FastifyInstance | undefined
  await app.register(async (scope) => {
    child = scope
    scope.get('/child', async () => 'child')
    await scope.register(async (inner) => {
      grandchild = inner
      inner.get('/grandchild', async () => 'grandchild')
    })
  })
  await app.register(async (scope) => { scope.get('/sibling', async () => 'sibling') })
  t.equal(Object.getPrototypeOf(child), app, fact('an encapsulated instance is created with Object.create(parent)'))
  t.equal(Object.getPrototypeOf(grandchild), child, fact('a nested encapsulated instance is created with Object.create(parent)'))
  t.equal(child?.server, app.server, fact('encapsulated instances share their app\'s server (the plugin keys its per-app state by it)'))

  // loaded after the scopes above, as a plugin registered late would add its hooks
  const seen: string[] = []
  app.addHook('onRequest', async (request) => { seen.push(`root ${request.url}`) })
  await app.register(fp(async (scope) => {
    pluginScope = scope
    scope.addHook('onRequest', async (request) => { seen.push(`plugin ${request.url}`) })
  }))
  ;(child as FastifyInstance).addHook('onRequest', async (request) => { seen.push(`child ${request.url}`) })
  await app.ready()
  t.equal(pluginScope, app, fact('a fastify-plugin (skip-override) plugin receives the instance it was registered in'))

  for (const url of ['/child', '/grandchild', '/sibling']) {
    t.equal((await app.inject({ url })).statusCode, 200, `GET ${url} is served`)
  }
  t.same(seen, [
    'root /child', 'plugin /child', 'child /child',
    'root /grandchild', 'plugin /grandchild', 'child /grandchild',
    'root /sibling', 'plugin /sibling'
  ], fact('an onRequest hook added to an instance runs for the routes of its encapsulated instances, including those loaded before it was added, and for no others'))

  const routes = listRouterRoutes(app)
  t.equal(routeNamed(routes, 'GET', '/grandchild').context.server, grandchild, fact('the route context\'s server is the encapsulated instance that declared the route'))
  t.ok(Object.prototype.isPrototypeOf.call(app, routeNamed(routes, 'GET', '/grandchild').context.server), fact('the root is a prototype of a nested scope\'s route context server'))
})

test('(d) fastifyFindMyWay() is the find-my-way module Fastify itself requires', async (t) => {
  const fastifyEntry = require.resolve('fastify')
  const fastifyRoot = fastifyEntry.slice(0, fastifyEntry.lastIndexOf('/') + 1)
  // the CommonJS modules of Fastify's package that required find-my-way, and what they got
  const required = new Set<unknown>()
  for (const module of Object.values(require.cache)) {
    if (module === undefined || !module.filename.startsWith(fastifyRoot) || module.filename.slice(fastifyRoot.length).includes('node_modules/')) continue
    for (const dependency of module.children) {
      if (/[\\/]find-my-way[\\/]index\.js$/.test(dependency.filename)) required.add(dependency.exports)
    }
  }
  t.equal(required.size, 1, fact(`Fastify's own modules (${fastifyRoot}) require one find-my-way module`))
  t.equal(fastifyFindMyWay(), [...required][0], fact('fastifyFindMyWay() is the find-my-way module Fastify requires'))
  t.equal(fastifyFindMyWay(), createRequire(fastifyEntry)('find-my-way'), fact('Fastify\'s find-my-way resolves from Fastify\'s entry point'))
})

test('(e) the route context\'s config takes a symbol key, and request.routeOptions.config is that object', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const declared = Symbol('declared')
  const written = Symbol('written')
  const handled: unknown[] = []
  app.get('/x', withConfig({ [declared]: 'own route' }), async (request) => {
    const config = request.routeOptions.config as unknown as Record<PropertyKey, unknown>
    handled.push(config, config[declared], config[written])
    return 'x'
  })
  await app.ready()
  const route = routeNamed(listRouterRoutes(app), 'GET', '/x')
  t.equal(route.context.config[declared], 'own route', fact('a symbol key of a route\'s config is copied to the route context\'s config'))
  route.context.config[written] = 'entry'
  t.equal(route.context.config[written], 'entry', fact('the route context\'s config takes a new symbol key (not frozen)'))
  t.equal((await app.inject({ url: '/x' })).statusCode, 200, 'GET /x is served')
  t.equal(handled[0], route.context.config, fact('request.routeOptions.config is the route context\'s config object'))
  t.same(handled.slice(1), ['own route', 'entry'], fact('request.routeOptions.config shows what was written to the route context\'s config'))
})

test('(f) a custom constraint strategy with mustMatchWhenDerived false lets a constrained and an unconstrained OPTIONS * coexist', async (t) => {
  const orders = [
    { name: 'constrained first', constrainedFirst: true, catchAll: 'options' },
    { name: 'unconstrained first', constrainedFirst: false, catchAll: 'options' },
    { name: 'app.all(\'*\') first', constrainedFirst: false, catchAll: 'all' },
    { name: 'app.all(\'*\') last', constrainedFirst: true, catchAll: 'all' }
  ] as const
  for (const order of orders) {
    const app = Fastify()
    const derivedFrom: Array<{ method: unknown, url: unknown }> = []
    app.addConstraintStrategy(kindStrategy((req) => { derivedFrom.push({ method: req.method, url: req.url }) }))
    const constrained = (): void => { app.options('*', { constraints: { kind: 'special' } }, async () => 'constrained') }
    const unconstrained = (): void => {
      if (order.catchAll === 'all') app.all('*', async () => 'unconstrained')
      else app.options('*', async () => 'unconstrained')
    }
    if (order.constrainedFirst) { constrained(); unconstrained() } else { unconstrained(); constrained() }
    await app.ready()

    const bodyOf = async (headers: Record<string, string>): Promise<string> => (await app.inject({ method: 'OPTIONS', url: '/any/path?q=1', headers })).body
    t.equal(await bodyOf({ 'x-kind': 'special' }), 'constrained', fact(`${order.name}: a request whose derived value matches reaches the constrained OPTIONS * route`))
    t.equal(await bodyOf({}), 'unconstrained', fact(`${order.name}: a request deriving no value reaches the unconstrained OPTIONS * route`))
    t.equal(await bodyOf({ 'x-kind': 'other' }), 'unconstrained', fact(`${order.name}: with mustMatchWhenDerived false, a derived value matching no route falls back to the unconstrained route`))
    t.match(derivedFrom[0], { method: 'OPTIONS', url: '/any/path?q=1' }, fact('deriveConstraint receives the raw request (method, url with query, headers)'))
    await app.close()
  }
})

test('(g) a prefixed scope without a not-found handler of its own has its 404s answered by its parent\'s context, which runs the hooks in its arrays', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: string[] = []
  app.addHook('onSend', async (request) => { seen.push(`root onSend ${request.url}`) })
  let api: FastifyInstance | undefined
  let own: FastifyInstance | undefined
  let atReady: Array<ReturnType<typeof notFoundContextOf>> = []
  await app.register(async (scope) => {
    api = scope
    scope.addHook('onRequest', async (request) => { seen.push(`api onRequest ${request.url}`) })
    scope.decorateRequest('scoped', null)
    scope.get('/x', async () => 'x')
  }, { prefix: '/api' })
  await app.register(async (scope) => {
    scope.addHook('onSend', async (request) => { seen.push(`own onSend ${request.url}`) })
    scope.setNotFoundHandler(async (_request, reply) => reply.code(404).send('own 404'))
    // a hook added after the not-found handler is among its hooks too: they are read at preReady
    scope.addHook('onRequest', async (request) => { seen.push(`own onRequest ${request.url}`) })
    own = scope
  }, { prefix: '/own' })
  app.addHook('onReady', function (done) {
    atReady = [notFoundContextOf(app), notFoundContextOf(api as FastifyInstance), notFoundContextOf(own as FastifyInstance)]
    done()
  })
  await app.ready()
  const [root, prefixed, owned] = atReady
  t.ok(root !== undefined && root.hooks !== null, fact("the root instance holds its not-found context under Symbol('fastify.404ContextKey')"))
  t.equal(prefixed?.hooks, root?.hooks, fact('a prefixed scope without setNotFoundHandler inherits its parent\'s not-found context'))
  t.equal(prefixed?.server, app, fact("the not-found context's server is the instance that set its handler"))
  t.equal(root?.hooks.onRequest, null, fact('a context hook array is null when the instance has no hook of that kind (filled at preReady, before onReady hooks run)'))
  t.equal(root?.hooks.onSend?.length, 1, fact("the parent's context holds the parent's hooks only: none of the prefixed scope's"))
  t.not(owned?.hooks, root?.hooks, fact('setNotFoundHandler in a prefixed scope gives it a context of its own'))
  t.equal(owned?.server, own, fact("that context's server is the scope"))
  t.equal(owned?.hooks.onRequest?.length, 1, fact('its hooks are the scope\'s, read at preReady'))

  // appended to the parent's context, a hook runs for the prefixed scope's 404s
  const hooks = (root as NonNullable<typeof root>).hooks
  let decorated: boolean | undefined
  hooks.onRequest = [((request: { url: string, scoped?: unknown }, _reply: unknown, done: () => void) => {
    decorated = 'scoped' in request
    seen.push(`appended onRequest ${request.url}`)
    done()
  }) as ContextHook]
  hooks.onSend = [...(hooks.onSend ?? []), ((request: { url: string }, _reply: unknown, payload: unknown, done: (error: null, payload: unknown) => void) => {
    seen.push(`appended onSend ${request.url}`)
    done(null, payload)
  }) as ContextHook]
  const missing = await app.inject({ url: '/api/nope' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().message, 'Route GET:/api/nope not found')
  t.same(seen, ['appended onRequest /api/nope', 'root onSend /api/nope', 'appended onSend /api/nope'],
    fact("Fastify runs the not-found context's onRequest and onSend arrays as they are when the request comes, not the prefixed scope's hooks"))
  t.equal(decorated, false, fact("the request of that 404 is built from the parent's Request class: the scope's request decorators are not on it"))

  seen.length = 0
  const owned404 = await app.inject({ url: '/own/nope' })
  t.equal(owned404.body, 'own 404')
  t.same(seen, ['own onRequest /own/nope', 'root onSend /own/nope', 'own onSend /own/nope'], fact('a scope with its own not-found handler runs its own hooks (the parent\'s included) for its 404s'))
})

test('(h) reply.header() stores a lower-case name\'s value in the object under Symbol(\'fastify.reply.headers\'), which the response is written from', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/x', async (_request, reply) => {
    const headers = replyHeadersOf(reply)
    if (headers === undefined) throw new Error(fact('a reply holds its headers under Symbol(\'fastify.reply.headers\')'))
    reply.header('X-Given', 'a')
    const seen = headers['x-given']
    headers['x-direct'] = 'b'
    return { seen, getHeader: reply.getHeader('x-direct'), names: Object.keys(reply.getHeaders()) }
  })
  const res = await app.inject({ method: 'GET', url: '/x' })
  t.same(res.json(), { seen: 'a', getHeader: 'b', names: ['x-given', 'x-direct'] }, fact('reply.header(name, value) is object[name.toLowerCase()] = value, and the public readers read that object'))
  t.equal(res.headers['x-direct'], 'b', fact('the response carries the headers of that object'))
})

test('(i) with logger: false, every method of request.log is abstract-logging\'s one no-op', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  app.get('/x', async (request) => ({ drops: dropsDebug(request.log), same: request.log.debug === request.log.error }))
  t.same((await app.inject({ method: 'GET', url: '/x' })).json(), { drops: true, same: true }, fact('Fastify\'s null logger is abstract-logging, loaded as Fastify loads it'))
  const logging = Fastify({ logger: { level: 'silent' } })
  t.teardown(() => logging.close())
  logging.get('/x', async (request) => ({ drops: dropsDebug(request.log) }))
  t.same((await logging.inject({ method: 'GET', url: '/x' })).json(), { drops: false }, 'a pino logger is never taken for it')
})

test('(j) Node\'s response keeps the headers set on it under Symbol(kOutHeaders): null until one is set, then { [lower-case name]: [name, value] }', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  app.get('/x', async (_request, reply) => {
    const raw = reply.raw
    const read = (name: string): unknown[] => [rawHeaderOf(raw, name), raw.getHeader(name)]
    const before = read('vary')
    raw.setHeader('Vary', 'Accept-Encoding')
    raw.setHeader('X-List', ['a', 'b'])
    const set = [read('vary'), read('x-list'), read('x-other')]
    raw.removeHeader('vary')
    const removed = read('vary')
    const symbol = Object.getOwnPropertySymbols(raw).find((s) => s.description === 'kOutHeaders')
    return { before, set, removed, symbol: symbol !== undefined }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const served = await fetch(`http://127.0.0.1:${port}/x`)
  t.same(await served.json(), {
    before: [null, null],
    set: [['Accept-Encoding', 'Accept-Encoding'], [['a', 'b'], ['a', 'b']], [null, null]],
    removed: [null, null],
    symbol: true
  }, fact('a server response\'s headers are read as getHeader reads them (undefined is null in JSON)'))
  const injected = await app.inject({ method: 'GET', url: '/x' })
  t.same(injected.json(), (await (await fetch(`http://127.0.0.1:${port}/x`)).json()), 'light-my-request\'s response is read the same way')

  const symbol = Object.getOwnPropertySymbols(new ServerResponse(new IncomingMessage(new Socket()))).find((s) => s.description === 'kOutHeaders') as symbol
  const fallback = (headers: unknown): unknown => rawHeaderOf({ [symbol]: headers, getHeader: (name: string) => `public ${name}` } as unknown as Parameters<typeof rawHeaderOf>[0], 'vary')
  t.equal(fallback({ vary: 'Origin' }), 'public vary', 'an entry of another shape is read through getHeader')
  t.equal(fallback(undefined), 'public vary', 'a response without the symbol (HTTP/2\'s) is read through getHeader')
})
