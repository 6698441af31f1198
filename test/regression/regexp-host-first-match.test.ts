/**
 * find-my-way's host strategy picks an exact host first, else the first RegExp host (in declaration
 * order) that matches; taking every matching RegExp route as a candidate refused preflights the
 * chosen route grants.
 */
import { test } from 'tap'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('the first matching RegExp host decides, as in the router', async (t) => {
  const { app } = await buildApp(t, {
    cors: { origin: [APP] },
    routes: (instance) => {
      instance.put('/x', { constraints: { host: /^a\./ } }, async () => 'a')
      instance.put('/x', { constraints: { host: /\.example$/ }, config: { cors: { origin: ['https://z.example'] } } }, async () => 'example')
      instance.put('/x', { constraints: { host: 'b.example' }, config: { cors: { origin: ['https://z.example'] } } }, async () => 'b')
    }
  })
  const first = await app.inject({ method: 'OPTIONS', url: '/x', headers: { ...preflightHeaders(APP, 'PUT'), host: 'a.example' } })
  t.equal(first.statusCode, 204, 'a.example: /^a\\./ is the first match; it grants the app')
  const second = await app.inject({ method: 'OPTIONS', url: '/x', headers: { ...preflightHeaders(APP, 'PUT'), host: 'c.example' } })
  t.equal(second.statusCode, 403, 'c.example: /\\.example$/ answers, which refuses the app')
  const exact = await app.inject({ method: 'OPTIONS', url: '/x', headers: { ...preflightHeaders(APP, 'PUT'), host: 'b.example' } })
  t.equal(exact.statusCode, 403, 'b.example: the exact host wins over the RegExps')
  const actual = await app.inject({ method: 'PUT', url: '/x', headers: { host: 'c.example' } })
  t.equal(actual.body, 'example', 'the router agrees')
})
