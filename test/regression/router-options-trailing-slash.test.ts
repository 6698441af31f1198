// Fastify 5 takes router options from `routerOptions` and from the deprecated top-level keys, with a
// precedence `initialConfig` does not show: `{ ignoreTrailingSlash: true, routerOptions: {} }`
// ignores trailing slashes, `{ routerOptions: { ignoreTrailingSlash: false } }` does not, and both
// report `routerOptions.ignoreTrailingSlash: false`. The preflight router guessed from
// `initialConfig`, so `/users/1/` passed the preflight for a `cors: false` route that Fastify then
// served (issue 10, case 6). Preflights must match exactly what Fastify's router matches.
import { test, type Test } from 'tap'
import Fastify, { type FastifyServerOptions } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders, type RecordedDecision } from '../helpers/build-app.js'
import { CachingPage, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const PARTNER = 'https://partner.example.net'

async function usersApp (t: Test, server: FastifyServerOptions) {
  const app = Fastify(server)
  t.teardown(() => app.close())
  const runs = { get: 0, put: 0, delete: 0 }
  const decisions: RecordedDecision[] = []
  app.addHook('onResponse', async (request) => {
    const cors = request.cors
    if (cors !== null && cors !== undefined) decisions.push({ origin: cors.origin, preflight: cors.preflight, allowed: cors.allowed, reason: cors.reason })
  })
  await app.register(corsPolicy, { origin: [FRONT, PARTNER], credentials: true })
  app.get('/users/:id', async () => { runs.get++; return { id: 1 } })
  app.put('/users/:id', { config: { cors: { origin: [FRONT] } } }, async () => { runs.put++; return { updated: true } })
  app.delete('/users/:id', { config: { cors: false } }, async (_request, reply) => { runs.delete++; return reply.code(204).send() })
  await app.ready()
  return { app, runs, decisions }
}

const configs: Array<[server: FastifyServerOptions, ignored: boolean]> = [
  [{ ignoreTrailingSlash: true, routerOptions: {} }, true],
  [{ ignoreTrailingSlash: true, routerOptions: { caseSensitive: true } }, true],
  [{ routerOptions: { ignoreTrailingSlash: false } }, false],
  [{ ignoreTrailingSlash: true }, true],
  [{ routerOptions: { ignoreTrailingSlash: true } }, true],
  [{ ignoreTrailingSlash: true, routerOptions: { ignoreTrailingSlash: false } }, false],
  [{ ignoreTrailingSlash: false, routerOptions: { ignoreTrailingSlash: true } }, true],
  [{}, false]
]

for (const [server, ignored] of configs) {
  const name = `${JSON.stringify(server)} (Fastify ${ignored ? 'serves' : 'does not serve'} /users/1/)`

  test(`${name}: the router itself, so the expectations below are Fastify's`, async (t) => {
    const { app, runs } = await usersApp(t, server)
    const res = await app.inject({ method: 'GET', url: '/users/1/' })
    t.equal(res.statusCode, ignored ? 200 : 404)
    t.equal(runs.get, ignored ? 1 : 0)
  })

  test(`${name}: the DELETE preflight of a cors: false route`, async (t) => {
    const { app, runs, decisions } = await usersApp(t, server)
    const slash = await app.inject({ method: 'OPTIONS', url: '/users/1/', headers: preflightHeaders(PARTNER, 'DELETE') })
    if (ignored) {
      t.equal(slash.statusCode, 403)
      t.same(corsHeadersOf(slash), {})
      t.match(decisions.at(-1), { preflight: true, allowed: false, reason: 'disabled' })
    } else {
      // no route serves it: the plugin's policy for the requested method alone, so the page reads the 404
      t.equal(slash.statusCode, 204)
      t.same(corsHeadersOf(slash), {
        'access-control-allow-origin': PARTNER,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'DELETE'
      })
    }
    const bare = await app.inject({ method: 'OPTIONS', url: '/users/1', headers: preflightHeaders(PARTNER, 'DELETE') })
    t.equal(bare.statusCode, 403)
    t.same(corsHeadersOf(bare), {})

    const page = new CachingPage(app)
    const result = await page.fetch({ origin: PARTNER, method: 'DELETE', url: '/users/1/', credentials: true })
    t.equal(result.sent, !ignored, ignored ? 'the DELETE is never sent' : 'the DELETE is sent and gets the 404')
    if (!ignored) t.equal(result.actual?.statusCode, 404)
    t.same(runs, { get: 0, put: 0, delete: 0 })
  })

  test(`${name}: the PUT preflight of a route with its own policy`, async (t) => {
    const { app, runs } = await usersApp(t, server)
    const partner = await app.inject({ method: 'OPTIONS', url: '/users/1/', headers: preflightHeaders(PARTNER, 'PUT') })
    const front = await app.inject({ method: 'OPTIONS', url: '/users/1/', headers: preflightHeaders(FRONT, 'PUT') })
    if (ignored) {
      t.equal(partner.statusCode, 403)
      t.same(corsHeadersOf(partner), {})
      t.equal(front.statusCode, 204)
      t.equal(front.headers['access-control-allow-origin'], FRONT)
      t.same(allowedMethodsOf(front), ['GET', 'HEAD', 'PUT'])
    } else {
      t.equal(partner.statusCode, 204)
      t.same(allowedMethodsOf(partner), ['PUT'], 'unserved: the requested method alone')
    }
    const page = new CachingPage(app)
    const result = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/users/1/', credentials: true })
    t.equal(result.sent, !ignored)
    t.same(runs, { get: 0, put: 0, delete: 0 })
  })
}

test('routerOptions.caseSensitive: false is honoured by the preflight too', async (t) => {
  const { app, runs } = await usersApp(t, { routerOptions: { caseSensitive: false } })
  const get = await app.inject({ method: 'GET', url: '/USERS/1' })
  t.equal(get.statusCode, 200, 'Fastify serves /USERS/1')
  const res = await app.inject({ method: 'OPTIONS', url: '/USERS/1', headers: preflightHeaders(PARTNER, 'DELETE') })
  t.equal(res.statusCode, 403)
  t.same(corsHeadersOf(res), {})
  const page = new CachingPage(app)
  const result = await page.fetch({ origin: PARTNER, method: 'DELETE', url: '/USERS/1', credentials: true })
  t.equal(result.sent, false)
  t.same(runs, { get: 1, put: 0, delete: 0 })
})
