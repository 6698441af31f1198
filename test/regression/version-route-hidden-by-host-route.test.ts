/**
 * A route constrained by host alone beats the routes with no constraint, but not one with a version
 * (or custom) constraint: find-my-way may pick that one when the actual request carries
 * Accept-Version, which the preflight does not. Keeping only the host route granted the partner a
 * PUT that then ran the admin-only v2 route.
 */
import { test } from 'tap'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const ADMIN = 'https://admin-ui.example'
const PARTNER = 'https://partner.example'

test('a version-constrained route stays a candidate next to a matching host-only route', async (t) => {
  const runs: string[] = []
  const { app } = await buildApp(t, {
    cors: { origin: [PARTNER, ADMIN], credentials: true },
    routes: (instance) => {
      instance.put('/data', { constraints: { host: 'api.example.com' } }, async () => { runs.push('host'); return 'host' })
      instance.put('/data', { constraints: { version: '2.0.0' }, config: { cors: { origin: [ADMIN] } } }, async () => { runs.push('v2'); return 'v2' })
      instance.put('/plain', { constraints: { host: 'api.example.com' } }, async () => 'host')
      instance.put('/plain', { config: { cors: { origin: [ADMIN] } } }, async () => 'any host')
    }
  })
  const partner = await app.inject({ method: 'OPTIONS', url: '/data', headers: { ...preflightHeaders(PARTNER, 'PUT', 'accept-version'), host: 'api.example.com' } })
  t.equal(partner.statusCode, 403, 'the v2 route refuses the partner, and the preflight cannot tell which route a PUT hits')
  const admin = await app.inject({ method: 'OPTIONS', url: '/data', headers: { ...preflightHeaders(ADMIN, 'PUT', 'accept-version'), host: 'api.example.com' } })
  t.equal(admin.statusCode, 204, 'both grant the admin front end')
  // with no other constraint in play the host route wins for its host: the unconstrained one is not a candidate
  const plain = await app.inject({ method: 'OPTIONS', url: '/plain', headers: { ...preflightHeaders(PARTNER, 'PUT'), host: 'api.example.com' } })
  t.equal(plain.statusCode, 204)
  const elsewhere = await app.inject({ method: 'OPTIONS', url: '/plain', headers: { ...preflightHeaders(PARTNER, 'PUT'), host: 'www.example.com' } })
  t.equal(elsewhere.statusCode, 403)
  t.same(runs, [])
})
