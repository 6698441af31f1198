/**
 * A route with `preflight: false` answers its own preflights (the plugin leaves them to the
 * application), so the plugin cannot vouch for what it allows: another route's preflight at the
 * same URL listed its method, the browser cached it, and a credentialed PUT reached a handler whose
 * own preflight is refused.
 */
import { test } from 'tap'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('a preflight: false route is never part of another route\'s grant', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP], credentials: true },
    routes: (instance) => {
      instance.put('/x', { config: { cors: { preflight: false } } }, async () => 'put')
      instance.delete('/x', async () => 'delete')
      instance.get('/x', { config: { cors: { preflight: false } } }, async () => 'get')
    }
  })
  const put = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'PUT') })
  t.equal(put.statusCode, 404, "the PUT route's preflight is left to the application, which has no OPTIONS route")
  const del = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'DELETE', 'x-a') })
  t.equal(del.statusCode, 204)
  t.equal(del.headers['access-control-allow-methods'], 'DELETE', 'PUT (and GET) are not listed')
  t.equal(del.headers['access-control-max-age'], '0', 'x-a would unlock a GET with x-a on the preflight: false route: not cached')
})
