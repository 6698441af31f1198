/**
 * What the plugin does when Fastify's internals are not what lib/plugin/fastify-internals.ts reads
 * (test/plugin/fastify-internals.test.ts pins the facts themselves): each reader fails loudly, and
 * start-up is refused rather than preflights answered by guesswork. The Fastify instances here are
 * stand-ins shaped like a Fastify release that changed.
 */
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { FastifyInternalsError, listRouterRoutes, routerMatchOptions, routeConfigOf } from '../../lib/plugin/fastify-internals.js'
import { captureLogs } from '../helpers/log-capture.js'
import { preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

function internalsMessage (what: string): string {
  return `fastify-cors-policy cannot read ${what} from this Fastify version, so it cannot tell which route a preflight targets; ` +
    'it refuses to start rather than guess. Use a Fastify 5 release this plugin supports and report the version.'
}

/** An instance whose printRoutes walks the given route objects as find-my-way does. */
function walking (...routes: unknown[]): FastifyInstance {
  return {
    printRoutes (options: { buildPrettyMeta: (route: unknown) => unknown }) {
      for (const route of routes) options.buildPrettyMeta(route)
      return ''
    }
  } as unknown as FastifyInstance
}

test('FastifyInternalsError names what could not be read', async (t) => {
  const error = new FastifyInternalsError('the routes')
  t.ok(error instanceof Error)
  t.equal(error.name, 'FastifyInternalsError')
  t.equal(error.message, internalsMessage('the routes'))
})

test('listRouterRoutes: a route without its Fastify context is refused', async (t) => {
  const config = { cors: false }
  const server = {}
  const missing = internalsMessage('a route (find-my-way passed no method, path or Fastify context to buildPrettyMeta)')
  const cases: Array<[string, unknown]> = [
    ['no store', { method: 'GET', path: '/x' }],
    ['a null store', { method: 'GET', path: '/x', store: null }],
    ['a store that is not an object', { method: 'GET', path: '/x', store: 'context' }],
    ['no config', { method: 'GET', path: '/x', store: { server } }],
    ['a null config', { method: 'GET', path: '/x', store: { config: null, server } }],
    ['a config that is not an object', { method: 'GET', path: '/x', store: { config: 'x', server } }],
    ['no server', { method: 'GET', path: '/x', store: { config } }],
    ['no method', { path: '/x', store: { config, server } }],
    ['no path', { method: 'GET', store: { config, server } }]
  ]
  for (const [desc, route] of cases) {
    t.throws(() => listRouterRoutes(walking(route)), { name: 'FastifyInternalsError', message: missing }, desc)
  }
})

test('listRouterRoutes: the path stands for a missing pattern, and no constraints for missing options', async (t) => {
  const config = { cors: false }
  const server = {}
  const routes = listRouterRoutes(walking(
    { method: 'GET', path: '/a', store: { config, server } },
    { method: 'PUT', path: '/b', pattern: '/B', opts: {}, store: { config, server } },
    { method: 'GET', path: '/c', pattern: 7, opts: { constraints: { host: 'c.example' } }, store: { config, server } }
  ))
  t.same(routes.map(({ method, path, pattern, constraints }) => ({ method, path, pattern, constraints })), [
    { method: 'GET', path: '/a', pattern: '/a', constraints: {} },
    { method: 'PUT', path: '/b', pattern: '/B', constraints: {} },
    { method: 'GET', path: '/c', pattern: '/c', constraints: { host: 'c.example' } }
  ])
  t.equal(routes[0]?.context.config, config, 'the context is passed on as it is')
})

test('routerMatchOptions: no options symbol, or no router options under it, is refused', async (t) => {
  const message = internalsMessage("the router's options")
  t.throws(() => routerMatchOptions({} as FastifyInstance), { name: 'FastifyInternalsError', message }, 'no fastify.options symbol')
  for (const routerOptions of [undefined, null, 'options']) {
    const instance = { [Symbol('fastify.options')]: { routerOptions } } as unknown as FastifyInstance
    t.throws(() => routerMatchOptions(instance), { name: 'FastifyInternalsError', message }, `routerOptions ${String(routerOptions)}`)
  }
  const noOptions = { [Symbol('fastify.options')]: undefined } as unknown as FastifyInstance
  t.throws(() => routerMatchOptions(noOptions), { name: 'FastifyInternalsError', message }, 'the symbol holds nothing')
})

test("routerMatchOptions: find-my-way's defaults for the keys Fastify left unset, and the symbol found on a parent", async (t) => {
  const parent = { [Symbol('fastify.options')]: { routerOptions: { caseSensitive: 'yes', maxParamLength: '500' } } }
  const child = Object.create(Object.create(parent)) as FastifyInstance
  t.same(routerMatchOptions(child), {
    ignoreTrailingSlash: false,
    ignoreDuplicateSlashes: false,
    caseSensitive: true,
    maxParamLength: 100,
    useSemicolonDelimiter: false
  })
})

test('routeConfigOf: the public routeOptions.config when the request holds no route context', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const config = { cors: false, name: 'route' }
  app.get('/x', { config }, async (request) => {
    const viaSymbol = routeConfigOf(request)
    // the request as another Fastify release might build it: no 'fastify.context' symbol, only the public getter
    const stripped = Object.create(Object.getPrototypeOf(request), { routeOptions: { value: { config: { name: 'getter' } } } })
    return { symbol: viaSymbol.name, same: viaSymbol === (request.routeOptions.config as unknown), stripped: routeConfigOf(stripped).name }
  })
  const res = await app.inject({ method: 'GET', url: '/x' })
  t.same(res.json(), { symbol: 'route', same: true, stripped: 'getter' })

  // a release without the symbol at all: the first request shows none, and the getter is used from then on.
  // A fresh copy of the module (its own first request): the file URL with a query (t.mockImport's
  // tapmock: URLs would break c8's report)
  const fresh = await import(new URL('../../lib/plugin/fastify-internals.ts?first-request-without-context', import.meta.url).href) as typeof import('../../lib/plugin/fastify-internals.js')
  const first = { routeOptions: { config: { name: 'first' } } }
  const second = { routeOptions: { config: { name: 'second' } } }
  t.equal(fresh.routeConfigOf(first as never).name, 'first')
  t.equal(fresh.routeConfigOf(second as never).name, 'second')
})

test('start-up is refused when the route walk misses the plugin\'s own OPTIONS route', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  app.get('/x', async () => 'x')
  // a Fastify whose printRoutes no longer passes the routes to buildPrettyMeta
  app.printRoutes = () => ''
  await t.rejects(async () => { await app.ready() }, { name: 'FastifyInternalsError', message: internalsMessage("the routes (the plugin's own OPTIONS route was not among those listed)") })
})

test('without preflight handling the plugin adds no OPTIONS route, so an empty walk is not a failure', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP], preflight: false })
  app.get('/x', async () => 'x')
  app.printRoutes = () => ''
  await app.ready()
  const res = await app.inject({ method: 'GET', url: '/x', headers: { origin: APP } })
  t.equal(res.headers['access-control-allow-origin'], APP)
})

test('a preflight for a method Fastify may serve but the route index did not see is refused', async (t) => {
  const log = captureLogs('debug')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  app.get('/x', async () => 'x')
  await app.ready()
  // a Fastify whose findRoute throws: whether DELETE /x is served is unknown, so no policy is guessed
  app.findRoute = () => { throw new TypeError('findRoute changed') }
  const res = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'DELETE') })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['access-control-allow-origin'], undefined)
  t.equal(res.headers['content-length'], '0')
  const detail = 'DELETE /x is not covered by any registration of fastify-cors-policy (it is declared in a scope without the plugin, or in a child scope registered before the plugin), so its CORS policy is unknown and the preflight is refused; register the plugin in that scope, or before that scope\'s plugins'
  const denial = log.lines.find((line) => line.msg.startsWith('CORS denied'))
  t.same(denial?.cors, { origin: APP, route: 'DELETE /x', reason: 'disabled', detail })
  t.equal(denial?.msg, `CORS denied: ${detail}`)
  // a served method is found by the index itself and never asks findRoute
  const served = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'GET') })
  t.equal(served.statusCode, 204)
  t.equal(served.headers['access-control-allow-methods'], 'GET, HEAD')
})

test('replyHeadersOf: undefined for a Fastify release without the reply header symbol', async (t) => {
  // a fresh copy of the module, whose first reply shows no 'fastify.reply.headers' symbol (see above)
  const fresh = await import(new URL('../../lib/plugin/fastify-internals.ts?first-reply-without-headers', import.meta.url).href) as typeof import('../../lib/plugin/fastify-internals.js')
  t.equal(fresh.replyHeadersOf({} as never), undefined)
  t.equal(fresh.replyHeadersOf({ [Symbol('fastify.reply.headers')]: {} } as never), undefined, 'the symbol is looked for once')
})
