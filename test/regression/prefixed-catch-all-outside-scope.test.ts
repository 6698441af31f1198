/**
 * A registration's catch-all for prefix `/api` is the route pattern `/api*`, which also matches
 * `/apix`, and it won over the application's own OPTIONS routes for plain OPTIONS requests inside
 * the scope. The plugin now routes OPTIONS requests only inside its registrations' prefixes, and
 * leaves plain OPTIONS requests to an application OPTIONS route that serves the URL; a route with
 * `preflight: false` leaves its preflights to the application's OPTIONS route too.
 */
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test("the application's root OPTIONS route keeps OPTIONS requests the plugin does not own", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let mine = 0
  app.options('*', async () => { mine++; return 'mine' })
  app.register(async (api) => {
    await api.register(corsPolicy, { origin: [APP] })
    api.put('/x', async () => 'put')
    api.put('/legacy', { config: { cors: { preflight: false } } }, async () => 'legacy')
  }, { prefix: '/api' })
  await app.ready()
  const plainInside = await app.inject({ method: 'OPTIONS', url: '/api/x' })
  t.equal(plainInside.body, 'mine', 'a plain OPTIONS request an application route serves is the application\'s')
  const plainOutside = await app.inject({ method: 'OPTIONS', url: '/apix' })
  t.equal(plainOutside.body, 'mine', '/apix is not in the /api scope')
  const preflightOutside = await app.inject({ method: 'OPTIONS', url: '/apix', headers: preflightHeaders(APP, 'PUT') })
  t.equal(preflightOutside.body, 'mine', 'neither is its preflight')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/api/x', headers: preflightHeaders(APP, 'PUT') })
  t.equal(preflight.statusCode, 204, 'the plugin answers preflights in its scope')
  // the root OPTIONS route is outside the registration: its policy is unknown, so OPTIONS is not granted
  t.equal(preflight.headers['access-control-allow-methods'], 'PUT')
  const legacy = await app.inject({ method: 'OPTIONS', url: '/api/legacy', headers: preflightHeaders(APP, 'PUT') })
  t.equal(legacy.body, 'mine', 'preflight: false leaves the preflight to the application\'s OPTIONS route')
  t.equal(mine, 4)
})
