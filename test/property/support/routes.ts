/**
 * The routes every property-test app serves, and which policy each (method, path) runs under, as
 * the plugin must pick it: the route the actual request hits, selected by method, with its own config.cors.
 */
import type { FastifyInstance } from 'fastify'
import { mergeSpecs, toOptions, type AppSpec, type PolicySpec } from './policies.js'

type RoutePolicy = 'plugin' | 'override' | 'items' | 'off'

interface RouteDef { readonly path: string, readonly pattern: RegExp, readonly methods: Readonly<Record<string, RoutePolicy>> }

const ROUTES: readonly RouteDef[] = [
  { path: '/r/default', pattern: /^\/r\/default$/, methods: { GET: 'plugin', POST: 'plugin', PUT: 'plugin', DELETE: 'plugin', PATCH: 'plugin' } },
  { path: '/r/override', pattern: /^\/r\/override$/, methods: { GET: 'override', PUT: 'override' } },
  { path: '/r/items/:id', pattern: /^\/r\/items\/[^/]+$/, methods: { GET: 'items', DELETE: 'items', PATCH: 'items' } },
  { path: '/r/off', pattern: /^\/r\/off$/, methods: { GET: 'off', POST: 'off' } },
  { path: '/r/mixed', pattern: /^\/r\/mixed$/, methods: { GET: 'plugin', PUT: 'off' } }
]

/** Paths a page may fetch: every route, plus one no route serves. */
export const PATHS = ['/r/default', '/r/override', '/r/items/42', '/r/off', '/r/mixed', '/r/nowhere'] as const

/** Registers the routes (after the plugin), each with the `config.cors` its policy needs. */
export function addRoutes (app: FastifyInstance, spec: AppSpec): void {
  for (const route of ROUTES) {
    for (const [method, policy] of Object.entries(route.methods)) {
      const cors = policy === 'plugin' ? undefined : policy === 'off' ? false : spec[policy] === false ? false : toOptions(spec[policy] as PolicySpec)
      app.route({
        method,
        url: route.path,
        ...(cors === undefined ? {} : { config: { cors } }),
        handler: async (_request, reply) => {
          reply.header('cache-control', 'no-store')
          if (method === 'DELETE' && route.path === '/r/items/:id') {
            // an error status: CORS headers must still be there (Fetch#http-responses, koajs/cors#21)
            throw Object.assign(new Error('conflict'), { statusCode: 409 })
          }
          return `${method} ${route.path}`
        }
      })
    }
  }
  // an auth check registered after the plugin: preflights never carry credentials, so they must be
  // answered before it (aspnet/CORS#45)
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/r/items/') && request.headers.authorization === undefined) {
      reply.code(401).send({ error: 'Unauthorized' })
      return
    }
    done()
  })
}

/**
 * The policy a request runs under: null for `cors: false`. `method` is the method as the router
 * sees it (ACRM for a preflight, exactly as sent; the request method for an actual request).
 */
export function effectivePolicy (spec: AppSpec, method: string, path: string): PolicySpec | null {
  const route = ROUTES.find((r) => r.pattern.test(path))
  // Fastify serves HEAD wherever it serves GET (exposeHeadRoutes), with the same route config
  const lookup = method === 'HEAD' ? 'GET' : method
  const policy = route?.methods[lookup]
  if (policy === undefined || policy === 'plugin') return spec.plugin
  if (policy === 'off') return null
  const override = spec[policy]
  return override === false ? null : mergeSpecs(spec.plugin, override)
}
