/**
 * The methods a preflight grants for a URL: in a fixed order whatever the order of declaration
 * (Fetch's methods first, then others alphabetically), and never a forbidden method such as TRACE,
 * which an `app.all()` route serves but no page can send (Fetch#forbidden-method).
 */
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('methods outside the usual ones are listed alphabetically after them', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  for (const method of ['PROPFIND', 'MKCOL', 'COPY', 'LOCK', 'MOVE']) app.addHttpMethod(method)
  await app.register(corsPolicy, { origin: [APP] })
  // declared out of order: sorting them compares names both ways
  for (const method of ['MOVE', 'COPY', 'PROPFIND', 'LOCK', 'MKCOL']) app.route({ method, url: '/dav', handler: async () => method })
  app.put('/dav', async () => 'PUT')
  app.get('/dav', async () => 'GET')
  await app.ready()
  const res = await app.inject({ method: 'OPTIONS', url: '/dav', headers: preflightHeaders(APP, 'MKCOL') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD, PUT, COPY, LOCK, MKCOL, MOVE, PROPFIND' })
})

test('TRACE, served by app.all(), is never granted, also where the routes at a URL differ', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  app.all('/uniform', async () => 'all')
  app.all('/mixed', async () => 'all')
  // declared after app.all(), so not among its methods: a second policy at /mixed
  app.addHttpMethod('PROPFIND')
  app.route({ method: 'PROPFIND', url: '/mixed', config: { cors: { maxAge: 30 } }, handler: async () => 'propfind' })
  await app.ready()
  t.ok(app.hasRoute({ method: 'TRACE', url: '/mixed' }), 'app.all() serves TRACE')

  const uniform = await app.inject({ method: 'OPTIONS', url: '/uniform', headers: preflightHeaders(APP, 'PUT') })
  t.equal(uniform.statusCode, 204)
  t.equal(uniform.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, QUERY')

  const mixed = await app.inject({ method: 'OPTIONS', url: '/mixed', headers: preflightHeaders(APP, 'PUT') })
  t.equal(mixed.statusCode, 204)
  t.same(corsHeadersOf(mixed), {
    'access-control-allow-origin': APP,
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, PROPFIND, QUERY',
    // the shorter of the browser's 5 seconds for the app.all() routes and the PROPFIND route's 30
    'access-control-max-age': '5'
  })

  // no browser asks (fetch() throws for TRACE); one that did would find TRACE missing from the grant
  const trace = await app.inject({ method: 'OPTIONS', url: '/mixed', headers: preflightHeaders(APP, 'TRACE') })
  t.equal(trace.statusCode, 204)
  t.equal(trace.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, PROPFIND, QUERY')
})
