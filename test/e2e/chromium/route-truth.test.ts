import type { FastifyInstance } from 'fastify'
import corsPolicy from '../../../lib/index.js'
import type { ApiRecorder } from './support/api-server.js'
import { expectedCorsConsole } from './support/console-expectations.js'
import { apiForCase, blockedByFetch, chromiumSuite, pageForCase } from './support/suite.js'

// Route truth in Chromium: a preflight never grants more than the route the actual request will
// hit, even though the browser caches the answer per (origin, URL, credentials mode) and then sends
// any cached method without asking again (Fetch#cors-preflight-cache). Handler runs are counted
// server-side: a blocked response is not enough, the handler must not have run.

const caseOptions = { timeout: 30_000 }
const jsonRequest = (method: string, body: unknown, extraHeaders: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...extraHeaders },
  body: JSON.stringify(body)
})

/** ACAM/ACAH compared as sets of names: the order is not promised. */
function names (value: unknown): string[] {
  if (typeof value !== 'string') return []
  return value.split(',').map((name) => name.trim().toUpperCase()).filter(Boolean).sort()
}

chromiumSuite('test/browser/route-truth.test.ts', 'in Chromium: route truth', async (suite, { browser, pages }) => {
  // `web` plays the app's own front end, `other` a partner site.
  const { web, other: partner } = pages.origins

  /** GET /account is open to the partner with credentials; PUT /account only to the app's own front end. */
  const sharedUrlApi = (t: Parameters<typeof apiForCase>[0]) => apiForCase(t, async (app, recorder) => {
    // maxAge 600 on both policies: whatever a preflight grants is cached for the rest of the case.
    await app.register(corsPolicy, { origin: [partner, web], credentials: true, maxAge: 600 })
    app.get('/account', async () => { recorder.ran('account-get'); return { account: 'read' } })
    app.put('/account', { config: { cors: { origin: [web] } } }, async () => {
      recorder.ran('account-put')
      return { account: 'written' }
    })
  })

  suite.test('shared URL: a GET preflight cached for the partner does not carry the PUT only the app may send', caseOptions, async (t) => {
    const api = await sharedUrlApi(t)
    const page = await pageForCase(t, browser, partner)
    const url = `${api.origin}/account`

    // The custom header makes Chromium preflight the GET (Fetch#cors-unsafe-request-header-names).
    t.match(await page.probe({ url, credentials: 'include', headers: { 'x-partner-key': 'k' } }), {
      ok: true, status: 200, body: '{"account":"read"}'
    }, 'the partner reads the GET its policy allows')
    // Only the method is new to the cache: the header was granted by the GET preflight and a string
    // body is sent as text/plain, a safelisted content type (Fetch#cors-safelisted-request-header).
    t.same(await page.probe({ url, credentials: 'include', method: 'PUT', headers: { 'x-partner-key': 'k' }, body: 'name=mallory' }),
      blockedByFetch, 'the partner page cannot send the PUT')

    t.equal(api.recorder.handlerRuns('account-get'), 1)
    t.equal(api.recorder.handlerRuns('account-put'), 0, 'the PUT handler never ran')
    t.equal(api.recorder.actual('PUT', '/account').length, 0, 'Chromium never sent the PUT')

    const preflights = api.recorder.preflights('/account')
    t.same(preflights.map((p) => p.headers['access-control-request-method']), ['GET', 'PUT'],
      'the GET preflight left nothing in the cache that lets the PUT skip its own preflight')
    const [getPreflight, putPreflight] = preflights
    t.match(getPreflight, {
      statusCode: 204,
      cors: { origin: partner, preflight: true, allowed: true, reason: 'allowed' },
      responseHeaders: {
        'access-control-allow-origin': partner,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'x-partner-key',
        'access-control-max-age': '600'
      }
    })
    const getMethods = names(getPreflight?.responseHeaders['access-control-allow-methods'])
    t.notOk(getMethods.includes('PUT'), `the GET preflight does not advertise PUT (ACAM ${getMethods.join(', ')})`)
    t.same(getMethods, ['GET', 'HEAD'], 'ACAM: the safelisted methods served at the URL, no method the partner is refused')
    t.match(putPreflight, {
      statusCode: 403,
      cors: { origin: partner, preflight: true, allowed: false, reason: 'origin-not-allowed' }
    })
    t.equal(putPreflight?.responseHeaders['access-control-allow-origin'], undefined, 'a refused origin gets no ACAO')
    t.same(await page.corsErrors(1), [
      expectedCorsConsole({ decision: putPreflight?.cors, pageOrigin: partner, url, atPreflight: true })
    ])
  })

  suite.test('shared URL (control): the app\'s own front end sends the PUT, preflighted once', caseOptions, async (t) => {
    const api = await sharedUrlApi(t)
    const page = await pageForCase(t, browser, web)
    const url = `${api.origin}/account`

    t.match(await page.probe({ url, credentials: 'include', ...jsonRequest('PUT', { name: 'ada' }) }), {
      ok: true, status: 200, body: '{"account":"written"}'
    })
    t.equal(api.recorder.handlerRuns('account-put'), 1)
    const preflights = api.recorder.preflights('/account')
    t.equal(preflights.length, 1)
    t.match(preflights[0], {
      statusCode: 204,
      cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' },
      responseHeaders: {
        'access-control-allow-origin': web,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600'
      }
    })
    t.same(names(preflights[0]?.responseHeaders['access-control-allow-methods']), ['GET', 'HEAD', 'PUT'])
    t.match(api.recorder.actual('PUT', '/account')[0]?.cors, { origin: web, preflight: false, allowed: true, reason: 'allowed' })
    t.same(await page.corsErrors(0), [])
  })

  suite.test('prefix root: `cors: false` on an index route holds at /admin/ and at /admin', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], credentials: true })
      await app.register(async (admin) => {
        admin.post('/', { config: { cors: false } }, async (request) => {
          recorder.ran(`admin-post ${request.url}`)
          return { admin: true }
        })
      }, { prefix: '/admin' })
    })
    const page = await pageForCase(t, browser, web)

    // Fastify serves the index route of a prefix at both URLs (prefixTrailingSlash 'both').
    for (const path of ['/admin/', '/admin']) {
      const url = `${api.origin}${path}`
      // A JSON content type is not CORS-safelisted, so the POST is preflighted (Fetch#cors-safelisted-request-header).
      t.same(await page.probe({ url, credentials: 'include', ...jsonRequest('POST', { op: 'drop' }) }), blockedByFetch, `POST ${path} is blocked`)
      t.equal(api.recorder.handlerRuns(`admin-post ${path}`), 0, `the handler did not run for POST ${path}`)
      t.equal(api.recorder.actual('POST', path).length, 0, `Chromium never sent POST ${path}`)
      const [preflight, ...more] = api.recorder.preflights(path)
      t.equal(more.length, 0)
      t.match(preflight, {
        statusCode: 403,
        cors: { origin: web, preflight: true, allowed: false, reason: 'disabled' }
      }, `the preflight of POST ${path} is refused as the route's own policy says`)
      const corsHeaders = Object.keys(preflight?.responseHeaders ?? {}).filter((name) => name.startsWith('access-control-'))
      t.same(corsHeaders, [], `no Access-Control-* header on the preflight of POST ${path}`)
    }
    const errors = await page.corsErrors(2)
    t.same(errors, ['/admin/', '/admin'].map((path) => expectedCorsConsole({
      decision: api.recorder.preflights(path)[0]?.cors, pageOrigin: web, url: `${api.origin}${path}`, atPreflight: true
    })))
  })

  /** An SSR-style app: every method at every URL goes to one handler. */
  const catchAll = (app: FastifyInstance, recorder: ApiRecorder): void => {
    app.all('*', async (request) => {
      recorder.ran(`catch-all ${request.method}`)
      return { method: request.method, url: request.url }
    })
  }

  for (const order of ['before', 'after'] as const) {
    suite.test(`catch-all app: app.all('*') declared ${order} the plugin starts and answers preflights`, caseOptions, async (t) => {
      const api = await apiForCase(t, async (app, recorder) => {
        if (order === 'before') catchAll(app, recorder)
        await app.register(corsPolicy, { origin: [web] })
        if (order === 'after') catchAll(app, recorder)
      })
      const url = `${api.origin}/pages/7`

      const allowed = await pageForCase(t, browser, web)
      t.match(await allowed.probe({ url, ...jsonRequest('PUT', { title: 'x' }) }), {
        ok: true, status: 200, body: '{"method":"PUT","url":"/pages/7"}'
      }, 'the allowed page reads the answer')
      t.equal(api.recorder.handlerRuns('catch-all PUT'), 1)
      t.equal(api.recorder.handlerRuns('catch-all OPTIONS'), 0, 'the preflight was answered by the plugin, not the catch-all')
      const [allowedPreflight] = api.recorder.preflights('/pages/7')
      t.match(allowedPreflight, {
        statusCode: 204,
        cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' },
        responseHeaders: { 'access-control-allow-origin': web, 'access-control-allow-headers': 'content-type' }
      })
      t.ok(names(allowedPreflight?.responseHeaders['access-control-allow-methods']).includes('PUT'), 'ACAM lists PUT')
      t.same(await allowed.corsErrors(0), [])

      const refused = await pageForCase(t, browser, partner)
      t.same(await refused.probe({ url, ...jsonRequest('PUT', { title: 'y' }) }), blockedByFetch, 'the page outside the allow-list is blocked')
      t.equal(api.recorder.handlerRuns('catch-all PUT'), 1, 'the handler did not run for the refused page')
      t.equal(api.recorder.actual('PUT', '/pages/7').length, 1, 'Chromium never sent the refused PUT')
      const refusedPreflight = api.recorder.preflights('/pages/7')[1]
      t.match(refusedPreflight, {
        statusCode: 403,
        cors: { origin: partner, preflight: true, allowed: false, reason: 'origin-not-allowed' }
      })
      t.equal(api.recorder.handlerRuns('catch-all OPTIONS'), 0)
      t.same(await refused.corsErrors(1), [
        expectedCorsConsole({ decision: refusedPreflight?.cors, pageOrigin: partner, url, atPreflight: true })
      ])

      // A plain OPTIONS (no Access-Control-Request-Method) is the application's: the catch-all gets it.
      const plain = await api.app.inject({ method: 'OPTIONS', url: '/pages/7' })
      t.equal(plain.statusCode, 200)
      t.equal(plain.body, '{"method":"OPTIONS","url":"/pages/7"}')
      t.equal(api.recorder.handlerRuns('catch-all OPTIONS'), 1)
    })
  }
}, { pageServers: true })
