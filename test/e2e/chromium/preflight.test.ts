import corsPolicy from '../../../lib/index.js'
import { expectedCorsConsole } from './support/console-expectations.js'
import { apiForCase, blockedByFetch, blockedByXhr, chromiumSuite, pageForCase } from './support/suite.js'

// Preflighted requests made by a page in Chromium: the preflight the plugin answers, the actual
// request that follows (or not), Chromium's console, and `request.cors` on both.

const caseOptions = { timeout: 30_000 }
const jsonPut = (body: unknown, extraHeaders: Record<string, string> = {}) => ({
  method: 'PUT',
  headers: { 'content-type': 'application/json', ...extraHeaders },
  body: JSON.stringify(body)
})

chromiumSuite('test/browser/preflight.test.ts', 'in Chromium: preflights', async (suite, { browser, pages }) => {
  const { web, other } = pages.origins

  suite.test('a PUT with JSON and a custom header is preflighted, then sent and readable', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      // maxAge 0: each request gets its own preflight, so the count below does not depend on Chromium's 5 s default.
      await app.register(corsPolicy, { origin: [web], maxAge: 0 })
      app.put<{ Params: { id: string }, Body: { name: string } }>('/items/:id', async (request) => {
        recorder.ran('put-item')
        return { id: request.params.id, name: request.body.name, requestId: request.headers['x-request-id'] }
      })
    })
    const page = await pageForCase(t, browser, web)

    for (const via of ['fetch', 'xhr'] as const) {
      const result = await page.probe({ url: `${api.origin}/items/7`, via, ...jsonPut({ name: via }, { 'x-request-id': `r-${via}` }) })
      t.match(result, { ok: true, status: 200, body: JSON.stringify({ id: '7', name: via, requestId: `r-${via}` }) }, `${via} reads the answer`)
    }
    t.equal(api.recorder.handlerRuns('put-item'), 2)
    const preflights = api.recorder.preflights('/items/7')
    t.equal(preflights.length, 2, 'one preflight for fetch, one for XMLHttpRequest')
    for (const preflight of preflights) {
      t.equal(preflight.headers['access-control-request-method'], 'PUT')
      t.equal(preflight.headers['access-control-request-headers'], 'content-type,x-request-id')
      t.match(preflight, {
        statusCode: 204,
        cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' },
        responseHeaders: {
          'access-control-allow-origin': web,
          'access-control-allow-methods': /\bPUT\b/,
          'access-control-allow-headers': 'content-type,x-request-id'
        }
      })
    }
    for (const actual of api.recorder.actual('PUT', '/items/7')) {
      t.match(actual.cors, { origin: web, preflight: false, allowed: true, reason: 'allowed' })
    }
    t.same(await page.corsErrors(0), [])
  })

  suite.test('a method outside `methods` is refused at the preflight and never sent', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], methods: ['GET', 'PUT'] })
      app.patch('/items/:id', async () => { recorder.ran('patch-item'); return {} })
    })
    const page = await pageForCase(t, browser, web)
    const url = `${api.origin}/items/7`

    t.same(await page.probe({ url, method: 'PATCH' }), blockedByFetch)
    t.same(await page.probe({ url, method: 'PATCH', via: 'xhr' }), blockedByXhr)
    t.equal(api.recorder.handlerRuns('patch-item'), 0)
    t.equal(api.recorder.actual('PATCH', '/items/7').length, 0, 'Chromium never sent the PATCH')
    const preflights = api.recorder.preflights('/items/7')
    t.equal(preflights.length, 2, 'a refused preflight is not cached')
    t.match(preflights[0], {
      statusCode: 204,
      cors: { origin: web, preflight: true, allowed: false, reason: 'method-not-allowed' },
      responseHeaders: { 'access-control-allow-origin': web, 'access-control-allow-methods': 'GET, PUT' }
    })
    t.same(await page.corsErrors(2), [
      expectedCorsConsole({ decision: preflights[0]?.cors, pageOrigin: web, url, method: 'PATCH' }),
      expectedCorsConsole({ decision: preflights[1]?.cors, pageOrigin: web, url, method: 'PATCH', via: 'xhr' })
    ])
  })

  suite.test('a request header outside `allowedHeaders` is refused at the preflight and never sent', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], allowedHeaders: ['content-type'] })
      app.put('/items/:id', async () => { recorder.ran('put-item'); return {} })
    })
    const page = await pageForCase(t, browser, web)
    const url = `${api.origin}/items/7`

    t.same(await page.probe({ url, ...jsonPut({}, { 'x-custom': '1' }) }), blockedByFetch)
    t.equal(api.recorder.handlerRuns('put-item'), 0)
    const [preflight] = api.recorder.preflights('/items/7')
    t.match(preflight, {
      cors: { origin: web, preflight: true, allowed: false, reason: 'header-not-allowed', detail: /x-custom/ },
      responseHeaders: { 'access-control-allow-origin': web, 'access-control-allow-headers': 'content-type' }
    })
    t.same(await page.corsErrors(1), [expectedCorsConsole({ decision: preflight?.cors, pageOrigin: web, url, header: 'x-custom' })])

    t.match(await page.probe({ url, ...jsonPut({}) }), { ok: true, status: 200 }, 'the allowed header alone passes')
    t.equal(api.recorder.handlerRuns('put-item'), 1)
  })

  suite.test('maxAge lets Chromium skip the second preflight; maxAge 0 does not', caseOptions, async (t) => {
    const build = (maxAge: number) => apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [web], maxAge })
      app.put('/items/:id', async () => ({ saved: true }))
    })
    const cached = await build(600)
    const uncached = await build(0)
    const page = await pageForCase(t, browser, web)

    for (const api of [cached, uncached]) {
      for (let i = 0; i < 2; i++) {
        t.match(await page.probe({ url: `${api.origin}/items/7`, ...jsonPut({ i }) }), { ok: true, status: 200, body: '{"saved":true}' })
      }
    }
    t.equal(cached.recorder.preflights().length, 1, 'maxAge 600: one OPTIONS for two PUTs')
    t.equal(cached.recorder.preflights()[0]?.responseHeaders['access-control-max-age'], '600')
    t.equal(uncached.recorder.preflights().length, 2, 'maxAge 0: one OPTIONS per PUT')
    t.equal(cached.recorder.actual('PUT', '/items/7').length + uncached.recorder.actual('PUT', '/items/7').length, 4)
  })

  suite.test('without `methods`, the methods the route serves are allowed', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app) => {
      // maxAge 0 so each method gets its own preflight to look at (Chromium would otherwise reuse the first).
      await app.register(corsPolicy, { origin: [web], maxAge: 0 })
      app.get('/things/:id', async () => ({ read: true }))
      app.put('/things/:id', async () => ({ written: true }))
      app.delete('/things/:id', async () => ({ deleted: true }))
    })
    const page = await pageForCase(t, browser, web)
    const url = `${api.origin}/things/1`

    t.match(await page.probe({ url, ...jsonPut({}) }), { ok: true, status: 200, body: '{"written":true}' })
    t.match(await page.probe({ url, method: 'DELETE' }), { ok: true, status: 200, body: '{"deleted":true}' })
    // No PATCH route: the preflight passes so the page can read the 404 the actual request gets.
    t.match(await page.probe({ url, method: 'PATCH' }), { ok: true, status: 404 })
    const preflights = api.recorder.preflights('/things/1')
    t.same(preflights.map((p) => [p.headers['access-control-request-method'], p.cors?.allowed, p.cors?.reason]), [
      ['PUT', true, 'allowed'], ['DELETE', true, 'allowed'], ['PATCH', true, 'allowed']
    ])
    t.same(preflights.map((p) => p.responseHeaders['access-control-allow-methods']), [
      'GET, HEAD, PUT, DELETE', 'GET, HEAD, PUT, DELETE', 'PATCH'
    ], 'the methods of the matched route; the requested method where no route serves it')
    t.same(await page.corsErrors(0), [])
  })

  suite.test('a per-route policy changes who may call that route, preflight included', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web] })
      app.get('/shared', async () => ({ shared: true }))
      app.put('/partner', { config: { cors: { origin: [other], allowedHeaders: ['content-type', 'x-partner-key'] } } }, async () => {
        recorder.ran('partner')
        return { partner: true }
      })
    })
    const partner = await pageForCase(t, browser, other)
    const partnerPut = jsonPut({}, { 'x-partner-key': 'k' })
    t.match(await partner.probe({ url: `${api.origin}/partner`, ...partnerPut }), { ok: true, status: 200, body: '{"partner":true}' })
    t.same(await partner.probe({ url: `${api.origin}/shared` }), blockedByFetch, 'the route override does not widen other routes')

    const app = await pageForCase(t, browser, web)
    t.same(await app.probe({ url: `${api.origin}/partner`, ...partnerPut }), blockedByFetch, 'the plugin-level origin is not allowed on the partner route')
    t.match(await app.probe({ url: `${api.origin}/shared` }), { ok: true, status: 200 })
    t.equal(api.recorder.handlerRuns('partner'), 1)

    const [partnerPreflight, webPreflight] = api.recorder.preflights('/partner')
    t.match(partnerPreflight, { statusCode: 204, cors: { origin: other, allowed: true, reason: 'allowed' } })
    t.match(webPreflight, { statusCode: 403, cors: { origin: web, preflight: true, allowed: false, reason: 'origin-not-allowed' } })
    t.equal(webPreflight?.responseHeaders['access-control-allow-origin'], undefined)
    const sharedFromPartner = api.recorder.actual('GET', '/shared')[0]
    t.match(sharedFromPartner?.cors, { origin: other, allowed: false, reason: 'origin-not-allowed' })
    t.same(await partner.corsErrors(1), [expectedCorsConsole({ decision: sharedFromPartner?.cors, pageOrigin: other, url: `${api.origin}/shared` })])
    t.same(await app.corsErrors(1), [expectedCorsConsole({ decision: webPreflight?.cors, pageOrigin: web, url: `${api.origin}/partner`, atPreflight: true })])
  })

  suite.test('a route with cors: false is blocked for every origin, preflight included', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web] })
      app.get('/internal', { config: { cors: false } }, async () => { recorder.ran('internal-get'); return { secret: 1 } })
      app.put('/internal', { config: { cors: false } }, async () => { recorder.ran('internal-put'); return {} })
    })
    const page = await pageForCase(t, browser, web)
    const url = `${api.origin}/internal`

    t.same(await page.probe({ url }), blockedByFetch)
    t.same(await page.probe({ url, ...jsonPut({}) }), blockedByFetch)
    t.equal(api.recorder.handlerRuns('internal-put'), 0, 'the PUT was never sent')
    const get = api.recorder.actual('GET', '/internal')[0]
    const [preflight] = api.recorder.preflights('/internal')
    t.match(get, { statusCode: 200, cors: { origin: web, allowed: false, reason: 'disabled' } })
    t.equal(get?.responseHeaders['access-control-allow-origin'], undefined)
    t.match(preflight, { statusCode: 403, cors: { origin: web, preflight: true, allowed: false, reason: 'disabled' } })
    t.same(await page.corsErrors(2), [
      expectedCorsConsole({ decision: get?.cors, pageOrigin: web, url }),
      expectedCorsConsole({ decision: preflight?.cors, pageOrigin: web, url, atPreflight: true })
    ])
  })

  suite.test('private network access: the answer to Access-Control-Request-Private-Network', caseOptions, async (t) => {
    const build = (allowPrivateNetwork: boolean) => apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [web], allowPrivateNetwork })
      app.put('/device', async () => ({ ok: true }))
    })
    const allowing = await build(true)
    const refusing = await build(false)
    const page = await pageForCase(t, browser, web)

    t.match(await page.probe({ url: `${allowing.origin}/device`, ...jsonPut({}) }), { ok: true, status: 200 })
    const [browserPreflight] = allowing.recorder.preflights('/device')
    const chromiumSentPna = browserPreflight?.headers['access-control-request-private-network'] === 'true'
    if (chromiumSentPna) {
      t.equal(browserPreflight?.responseHeaders['access-control-allow-private-network'], 'true', 'Chromium asked and the plugin granted')
    } else {
      // Loopback to loopback is not a private-network request, so Chromium sends no ACRPN; ask by hand.
      t.comment('Chromium did not send Access-Control-Request-Private-Network for a loopback-to-loopback request')
    }

    const pnaPreflight = (origin: string) => fetch(`${origin}/device`, {
      method: 'OPTIONS',
      headers: {
        origin: web,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
        'access-control-request-private-network': 'true'
      }
    })
    const granted = await pnaPreflight(allowing.origin)
    t.equal(granted.status, 204)
    t.equal(granted.headers.get('access-control-allow-private-network'), 'true')
    t.equal(granted.headers.get('access-control-allow-origin'), web)
    t.match(allowing.recorder.preflights('/device').at(-1)?.cors, { origin: web, preflight: true, allowed: true, reason: 'allowed' })

    const refused = await pnaPreflight(refusing.origin)
    t.equal(refused.headers.get('access-control-allow-private-network'), null)
    t.match(refusing.recorder.preflights('/device').at(-1)?.cors, {
      origin: web, preflight: true, allowed: false, reason: 'private-network-not-allowed'
    })
  })
}, { pageServers: true })
