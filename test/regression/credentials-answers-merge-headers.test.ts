/**
 * The server cannot see a preflight's credentials mode, and a browser may keep answers given with and
 * without credentials under its non-credentialed key, merged. A header granted in a credentialed
 * answer was checked only against routes that allow credentials, so a route that allows the origin
 * without credentials (and refuses that header) received it without a preflight.
 */
import { test } from 'tap'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('a header is cacheable only if every route this origin may reach without credentials allows it', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP], credentials: true },
    routes: (instance) => {
      instance.delete('/x', { config: { cors: { credentials: false, allowedHeaders: ['content-type'] } } }, async () => 'delete')
      instance.put('/y', { config: { cors: { allowedHeaders: ['x-a'] } } }, async () => 'put')
      instance.delete('/y', { config: { cors: { credentials: false, allowedHeaders: ['x-b'] } } }, async () => 'delete')
    }
  })
  const unserved = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'PATCH', 'authorization') })
  t.equal(unserved.statusCode, 204)
  t.equal(unserved.headers['access-control-max-age'], '0', 'authorization would reach the DELETE route, which refuses it: never cached')
  const put = await app.inject({ method: 'OPTIONS', url: '/y', headers: preflightHeaders(APP, 'PUT', 'x-a') })
  t.equal(put.statusCode, 204)
  t.equal(put.headers['access-control-max-age'], '0', 'x-a would reach the DELETE route without credentials, which refuses it')
  const shared = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'PATCH', 'content-type') })
  t.equal(shared.headers['access-control-max-age'], undefined, 'a header every route allows stays cacheable')
})
