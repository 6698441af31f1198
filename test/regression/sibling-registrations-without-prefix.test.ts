/**
 * Two encapsulated registrations without a prefix both declared the catch-all `OPTIONS *` and the
 * app could not start (FST_ERR_DUPLICATED_ROUTE). They share one catch-all now, and each route's
 * preflight is still answered with its own registration's policy.
 */
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const PARTNER = 'https://partner.example'
const OTHER = 'https://other.example'

test('sibling registrations without a prefix start, and each answers with its own policy', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(async (scope) => { await scope.register(corsPolicy, { origin: [PARTNER] }); scope.put('/a', async () => 'a') })
  app.register(async (scope) => { await scope.register(corsPolicy, { origin: [OTHER], maxAge: 60 }); scope.put('/b', async () => 'b') })
  await app.ready()
  const a = await app.inject({ method: 'OPTIONS', url: '/a', headers: preflightHeaders(PARTNER, 'PUT') })
  t.equal(a.statusCode, 204)
  t.same(corsHeadersOf(a), { 'access-control-allow-origin': PARTNER, 'access-control-allow-methods': 'PUT' })
  const b = await app.inject({ method: 'OPTIONS', url: '/b', headers: preflightHeaders(PARTNER, 'PUT') })
  t.equal(b.statusCode, 403, "the second registration's route keeps its own policy")
  const other = await app.inject({ method: 'OPTIONS', url: '/b', headers: preflightHeaders(OTHER, 'PUT') })
  t.same(corsHeadersOf(other), { 'access-control-allow-origin': OTHER, 'access-control-allow-methods': 'PUT', 'access-control-max-age': '60' })
  const actual = await app.inject({ method: 'PUT', url: '/b', headers: { origin: OTHER } })
  t.equal(actual.headers['access-control-allow-origin'], OTHER)
})
