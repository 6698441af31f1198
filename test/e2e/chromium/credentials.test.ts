import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../../lib/index.js'
import { apiForCase, blockedByFetch, chromiumSuite, pageForCase } from './support/suite.js'

// Credentialed requests in Chromium: a cookie set by the API through a cross-origin response and
// sent back on the next request, and the opt-in that reflecting any origin with credentials needs.

const caseOptions = { timeout: 30_000 }

/** A login that sets a session cookie, and a route that reads it back. */
function sessionRoutes (app: FastifyInstance): void {
  app.post('/login', async (_request, reply) => {
    reply.header('set-cookie', 'sid=s3cr3t; Path=/; HttpOnly; SameSite=Lax')
    return { loggedIn: true }
  })
  app.get('/me', async (request, reply) => {
    const sid = /(?:^|;\s*)sid=([^;]*)/.exec(request.headers.cookie ?? '')?.[1]
    if (sid !== 's3cr3t') return reply.code(401).send({ user: null })
    return { user: 'ada' }
  })
}

chromiumSuite('test/browser/credentials.test.ts', 'in Chromium: credentials', async (suite, { browser, pages }) => {
  const { web, other } = pages.origins

  suite.test('a cookie set by the API through a credentialed response is sent back and read', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [web], credentials: true })
      sessionRoutes(app)
    })
    const page = await pageForCase(t, browser, web)

    t.match(await page.probe({ url: `${api.origin}/me`, credentials: 'include' }), { ok: true, status: 401, body: '{"user":null}' })
    t.match(await page.probe({ url: `${api.origin}/login`, method: 'POST', credentials: 'include' }), {
      ok: true, status: 200, body: '{"loggedIn":true}'
    })
    const cookies = await page.context.cookies(api.origin)
    t.same(cookies.map((c) => [c.name, c.value, c.httpOnly]), [['sid', 's3cr3t', true]], 'Chromium stored the cookie')
    t.match(await page.probe({ url: `${api.origin}/me`, credentials: 'include' }), { ok: true, status: 200, body: '{"user":"ada"}' })
    t.match(await page.probe({ url: `${api.origin}/me`, credentials: 'include', via: 'xhr' }), { ok: true, status: 200, body: '{"user":"ada"}' })

    const reads = api.recorder.actual('GET', '/me')
    t.same(reads.map((r) => r.headers.cookie), [undefined, 'sid=s3cr3t', 'sid=s3cr3t'])
    for (const r of [...reads, ...api.recorder.actual('POST', '/login')]) {
      t.match(r.cors, { origin: web, allowed: true, reason: 'allowed' })
      t.equal(r.responseHeaders['access-control-allow-origin'], web)
      t.equal(r.responseHeaders['access-control-allow-credentials'], 'true')
    }
    t.same(await page.corsErrors(0), [])
  })

  suite.test('without `credentials`, Chromium refuses the credentialed response the policy allowed', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [web] })
      sessionRoutes(app)
    })
    const page = await pageForCase(t, browser, web)
    const url = `${api.origin}/login`

    t.same(await page.probe({ url, method: 'POST', credentials: 'include' }), blockedByFetch)
    const [login] = api.recorder.actual('POST', '/login')
    t.equal(login?.responseHeaders['access-control-allow-credentials'], undefined)
    // The server cannot see the request's credentials mode (Fetch#cors-protocol-and-credentials): it
    // allowed the origin; the browser refused the response for the missing ACAC.
    t.match(login?.cors, { origin: web, allowed: true, reason: 'allowed' })
    t.same(await page.corsErrors(1), [
      `Access to fetch at '${url}' from origin '${web}' has been blocked by CORS policy: The value of the ` +
      "'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."
    ])
    t.match(await page.probe({ url, method: 'POST' }), { ok: true, status: 200 }, 'the same request without credentials is readable')
  })

  suite.test('reflecting any origin with credentials is refused at registration', caseOptions, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => {
      await app.register(corsPolicy, { origin: true, credentials: true })
      await app.ready()
    }, { code: 'FST_CORS_UNSAFE_OPTIONS' })
  })

  suite.test('dangerouslyAllowAnyOriginWithCredentials reflects any origin, cookie included', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true })
      sessionRoutes(app)
    })
    for (const origin of [web, other]) {
      const page = await pageForCase(t, browser, origin)
      t.match(await page.probe({ url: `${api.origin}/login`, method: 'POST', credentials: 'include' }), { ok: true, status: 200 })
      t.match(await page.probe({ url: `${api.origin}/me`, credentials: 'include' }), { ok: true, status: 200, body: '{"user":"ada"}' }, `${origin} reads its session`)
    }
    for (const r of api.recorder.actual('GET', '/me')) {
      t.equal(r.responseHeaders['access-control-allow-origin'], r.headers.origin, 'the origin is reflected, never *')
      t.equal(r.responseHeaders['access-control-allow-credentials'], 'true')
      t.match(r.cors, { origin: r.headers.origin, allowed: true, reason: 'allowed' })
    }
  })
}, { pageServers: true })
