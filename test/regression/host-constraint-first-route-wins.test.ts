// Two routes for one method and URL told apart by `constraints: { host }`, with different policies:
// the preflight was answered by whichever was declared first, whatever the Host. Declared in one
// order, the admin host's PUT passed for the partner and its handler ran; in the other, the
// partner's legitimate preflight was refused (issue 10, case 4). Where a preflight cannot tell
// routes apart (a `version` constraint: browsers send no Accept-Version on a preflight), only what
// every candidate grants may be granted.
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { CachingPage, allowedMethodsOf } from '../helpers/page-fetch.js'

const ADMIN_UI = 'https://admin-ui.example.com'
const PARTNER = 'https://partner.example.net'
const ADMIN_HOST = 'admin.example.com'
const API_HOST = 'api.example.com'

async function hostApp (t: Test, adminFirst: boolean) {
  const app = Fastify()
  t.teardown(() => app.close())
  const runs = { admin: 0, api: 0 }
  await app.register(corsPolicy, { origin: [ADMIN_UI, PARTNER], credentials: true })
  const admin = (): void => {
    app.put('/data', { constraints: { host: ADMIN_HOST }, config: { cors: { origin: [ADMIN_UI] } } }, async () => { runs.admin++; return { host: 'admin' } })
  }
  const api = (): void => {
    app.put('/data', { constraints: { host: API_HOST }, config: { cors: { origin: [PARTNER] } } }, async () => { runs.api++; return { host: 'api' } })
  }
  if (adminFirst) { admin(); api() } else { api(); admin() }
  await app.ready()
  return { app, runs }
}

function preflight (app: FastifyInstance, host: string, origin: string) {
  return app.inject({ method: 'OPTIONS', url: '/data', headers: { host, ...preflightHeaders(origin, 'PUT', 'content-type') } })
}

for (const adminFirst of [true, false]) {
  const order = adminFirst ? 'admin host declared first' : 'api host declared first'

  test(`${order}: each host's preflight is answered by that host's route`, async (t) => {
    const { app } = await hostApp(t, adminFirst)
    for (const [host, origin] of [[ADMIN_HOST, ADMIN_UI], [API_HOST, PARTNER]] as const) {
      const res = await preflight(app, host, origin)
      t.equal(res.statusCode, 204, `${origin} on ${host}`)
      t.same(corsHeadersOf(res), {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'PUT',
        'access-control-allow-headers': 'content-type'
      }, `${origin} on ${host}`)
    }
    for (const [host, origin] of [[ADMIN_HOST, PARTNER], [API_HOST, ADMIN_UI]] as const) {
      const res = await preflight(app, host, origin)
      t.equal(res.statusCode, 403, `${origin} on ${host}`)
      t.same(corsHeadersOf(res), {}, `${origin} on ${host}`)
    }
  })

  test(`${order}: the partner page's PUT never reaches the admin host's handler`, async (t) => {
    const { app, runs } = await hostApp(t, adminFirst)
    const page = new CachingPage(app)
    const own = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/data', host: API_HOST, headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
    t.equal(own.actual?.statusCode, 200, 'its own host serves it')
    const other = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/data', host: ADMIN_HOST, headers: { 'content-type': 'application/json' }, body: '{}', credentials: true })
    t.equal(other.preflight?.statusCode, 403)
    t.equal(other.sent, false, 'the PUT to the admin host is never sent')
    t.same(runs, { admin: 0, api: 1 })
  })
}

test('routes a preflight cannot tell apart (version constraint) grant only what every one grants', async (t) => {
  for (const strictFirst of [true, false]) {
    const app = Fastify()
    t.teardown(() => app.close())
    const runs = { v1: 0, v2: 0 }
    await app.register(corsPolicy, { origin: [ADMIN_UI, PARTNER], credentials: true })
    const v1 = (): void => { app.put('/doc', { constraints: { version: '1.0.0' } }, async () => { runs.v1++; return { v: 1 } }) }
    const v2 = (): void => { app.put('/doc', { constraints: { version: '2.0.0' }, config: { cors: { origin: [ADMIN_UI] } } }, async () => { runs.v2++; return { v: 2 } }) }
    if (strictFirst) { v2(); v1() } else { v1(); v2() }
    await app.ready()
    const order = strictFirst ? 'strict version first' : 'open version first'

    const partner = await app.inject({ method: 'OPTIONS', url: '/doc', headers: preflightHeaders(PARTNER, 'PUT', 'accept-version') })
    t.equal(partner.statusCode, 403, order)
    t.same(corsHeadersOf(partner), {}, order)
    const page = new CachingPage(app)
    const sent = await page.fetch({ origin: PARTNER, method: 'PUT', url: '/doc', headers: { 'accept-version': '2.0.0' }, credentials: true })
    t.equal(sent.sent, false, `${order}: the PUT to version 2 is never sent`)
    t.same(runs, { v1: 0, v2: 0 }, order)

    const admin = await app.inject({ method: 'OPTIONS', url: '/doc', headers: preflightHeaders(ADMIN_UI, 'PUT', 'accept-version') })
    t.equal(admin.statusCode, 204, order)
    t.equal(admin.headers['access-control-allow-origin'], ADMIN_UI, order)
    t.same(allowedMethodsOf(admin), ['PUT'], order)
  }
})
