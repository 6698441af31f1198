// An index route of a prefixed scope (`admin.post('/')` under prefix `/admin`) is served at `/admin`
// and at `/admin/`, but Fastify runs `onRoute` for one of them only: the preflight of the other fell
// back to the plugin's default policy (204 with credentials) and the handler of a `cors: false`
// route ran (issue 10, case 2).
import { test, type Test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders, type RecordedDecision } from '../helpers/build-app.js'
import { CachingPage, allowedHeadersOf, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const PARTNER = 'https://partner.example.net'

async function adminApp (t: Test) {
  const app = Fastify()
  t.teardown(() => app.close())
  const runs = { post: 0, put: 0, get: 0 }
  const decisions: RecordedDecision[] = []
  app.addHook('onResponse', async (request) => {
    const cors = request.cors
    if (cors !== null && cors !== undefined) decisions.push({ origin: cors.origin, preflight: cors.preflight, allowed: cors.allowed, reason: cors.reason })
  })
  await app.register(corsPolicy, { origin: [FRONT, PARTNER], credentials: true })
  await app.register(async (admin) => {
    admin.post('/', { config: { cors: false } }, async () => { runs.post++; return { created: true } })
    admin.put('/', { config: { cors: { origin: [FRONT] } } }, async () => { runs.put++; return { updated: true } })
    admin.get('/', async () => { runs.get++; return { admin: true } })
  }, { prefix: '/admin' })
  await app.ready()
  return { app, runs, decisions }
}

for (const url of ['/admin', '/admin/']) {
  test(`${url}: the preflight of a cors: false index route is refused`, async (t) => {
    const { app, runs, decisions } = await adminApp(t)
    const res = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(PARTNER, 'POST', 'content-type') })
    t.equal(res.statusCode, 403)
    t.same(corsHeadersOf(res), {})
    t.match(decisions.at(-1), { preflight: true, allowed: false, reason: 'disabled' })

    const page = new CachingPage(app)
    const result = await page.fetch({ origin: PARTNER, method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
    t.equal(result.preflight?.statusCode, 403)
    t.equal(result.sent, false, 'the JSON POST is never sent')
    t.same(runs, { post: 0, put: 0, get: 0 })
  })

  test(`${url}: the preflight of an index route with its own policy uses that policy`, async (t) => {
    const { app, runs } = await adminApp(t)
    const partner = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(PARTNER, 'PUT') })
    t.equal(partner.statusCode, 403)
    t.same(corsHeadersOf(partner), {})
    const page = new CachingPage(app)
    const result = await page.fetch({ origin: PARTNER, method: 'PUT', url, credentials: true })
    t.equal(result.sent, false, 'the PUT is never sent')
    t.same(runs, { post: 0, put: 0, get: 0 })

    const front = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(FRONT, 'PUT', 'x-custom') })
    t.equal(front.statusCode, 204)
    t.equal(front.headers['access-control-allow-origin'], FRONT)
    t.equal(front.headers['access-control-allow-credentials'], 'true')
    // POST (cors: false) is a safelisted method at this URL and grants no header, so a header granted
    // to the PUT is granted exactly: nothing cached could unlock a POST carrying it
    t.same(allowedMethodsOf(front), ['PUT'])
    t.same(allowedHeadersOf(front), ['x-custom'])
    t.equal(front.headers['access-control-max-age'], '0')
  })

  test(`${url}: the GET index route keeps the plugin's policy`, async (t) => {
    const { app } = await adminApp(t)
    const res = await app.inject({ method: 'GET', url, headers: { origin: PARTNER } })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['access-control-allow-origin'], PARTNER)
    t.equal(res.headers['access-control-allow-credentials'], 'true')
  })
}
