import corsPolicy from '../../../lib/index.js'
import { expectedCorsConsole } from './support/console-expectations.js'
import { probePage } from './support/page-server.js'
import { apiForCase, blockedByFetch, blockedByXhr, chromiumSuite, pageForCase } from './support/suite.js'

// Actual (non-preflighted) requests made by a page in Chromium: what the page can read, what
// Chromium says when it cannot, and what the server decided (`request.cors`).

const caseOptions = { timeout: 30_000 }

chromiumSuite('test/browser/actual-requests.test.ts', 'in Chromium: actual requests', async (suite, { browser, pages }) => {
  const { web, webByIp, other } = pages.origins

  suite.test('simple GET from an allowed origin is readable by fetch and XMLHttpRequest', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web] })
      app.get('/data', async () => { recorder.ran('data'); return { value: 42 } })
    })
    const page = await pageForCase(t, browser, web)

    for (const via of ['fetch', 'xhr'] as const) {
      const result = await page.probe({ url: `${api.origin}/data`, via })
      t.same(result, {
        ok: true,
        status: 200,
        body: '{"value":42}',
        headers: { 'content-length': '12', 'content-type': 'application/json; charset=utf-8' }
      }, `${via} reads status, body and the safelisted headers`)
    }
    t.same(await page.corsErrors(0), [])
    t.equal(api.recorder.preflights().length, 0, 'a simple GET is not preflighted')
    const requests = api.recorder.actual('GET', '/data')
    t.equal(requests.length, 2)
    for (const r of requests) {
      t.match(r.cors, { origin: web, preflight: false, allowed: true, reason: 'allowed' })
      t.equal(r.responseHeaders['access-control-allow-origin'], web)
      t.equal(r.responseHeaders.vary, 'Origin')
    }
  })

  suite.test('simple GET from an origin outside the allow-list is hidden from the page', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web] })
      app.get('/data', async () => { recorder.ran('data'); return { value: 42 } })
    })
    const page = await pageForCase(t, browser, other)
    const url = `${api.origin}/data`

    t.same(await page.probe({ url }), blockedByFetch)
    t.same(await page.probe({ url, via: 'xhr' }), blockedByXhr)

    const [byFetch, byXhr] = api.recorder.actual('GET', '/data')
    t.match(byFetch?.cors, { origin: other, preflight: false, allowed: false, reason: 'origin-not-allowed' })
    t.match(byXhr?.cors, { origin: other, preflight: false, allowed: false, reason: 'origin-not-allowed' })
    t.equal(byFetch?.responseHeaders['access-control-allow-origin'], undefined, 'a denied origin gets no ACAO')
    t.same(await page.corsErrors(2), [
      expectedCorsConsole({ decision: byFetch?.cors, pageOrigin: other, url }),
      expectedCorsConsole({ decision: byXhr?.cors, pageOrigin: other, url, via: 'xhr' })
    ])
    t.equal(api.recorder.handlerRuns('data'), 2, 'CORS hides the response; the handler still ran')
  })

  suite.test('exposed headers are readable only when listed in exposedHeaders', caseOptions, async (t) => {
    const routes = async (app: import('fastify').FastifyInstance): Promise<void> => {
      app.get('/list', async (_request, reply) => {
        reply.header('x-total-count', '3').header('x-internal-id', 'abc')
        return []
      })
    }
    const exposing = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [web], exposedHeaders: ['x-total-count'] })
      await routes(app)
    })
    const silent = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [web] })
      await routes(app)
    })
    const page = await pageForCase(t, browser, web)

    for (const via of ['fetch', 'xhr'] as const) {
      t.same(await page.probe({ url: `${exposing.origin}/list`, via }), {
        ok: true,
        status: 200,
        body: '[]',
        headers: { 'content-length': '2', 'content-type': 'application/json; charset=utf-8', 'x-total-count': '3' }
      }, `${via}: x-total-count is exposed, x-internal-id is not`)
      t.same(await page.probe({ url: `${silent.origin}/list`, via }), {
        ok: true,
        status: 200,
        body: '[]',
        headers: { 'content-length': '2', 'content-type': 'application/json; charset=utf-8' }
      }, `${via}: nothing beyond the safelisted headers without exposedHeaders`)
    }
    t.equal(exposing.recorder.actual('GET', '/list')[0]?.responseHeaders['access-control-expose-headers'], 'x-total-count')
    t.same(await page.corsErrors(0), [])
  })

  suite.test('404, 500 and a 401 from an auth hook are readable by an allowed page', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], maxAge: 0 })
      // Registered after the plugin, as the README asks: preflights are answered before it runs.
      app.addHook('onRequest', async (request, reply) => {
        if (request.url.startsWith('/private') && request.headers.authorization !== 'Bearer good') {
          recorder.ran('auth-refused')
          await reply.code(401).send({ error: 'Unauthorized' })
        }
      })
      app.get('/boom', async () => { throw new Error('kaboom') })
      app.get('/private/report', async () => ({ report: 'ok' }))
    })
    const page = await pageForCase(t, browser, web)

    const notFound = await page.probe({ url: `${api.origin}/missing` })
    t.match(notFound, { ok: true, status: 404, body: /"Route GET:\/missing not found"/ })
    const serverError = await page.probe({ url: `${api.origin}/boom` })
    t.match(serverError, { ok: true, status: 500, body: /"message":"kaboom"/ })
    const unauthorized = await page.probe({ url: `${api.origin}/private/report` })
    t.same(unauthorized, {
      ok: true,
      status: 401,
      body: '{"error":"Unauthorized"}',
      headers: { 'content-length': '24', 'content-type': 'application/json; charset=utf-8' }
    })
    // Authorization makes the GET preflighted; the preflight carries no credentials and must not meet the auth hook.
    const wrongToken = await page.probe({ url: `${api.origin}/private/report`, headers: { authorization: 'Bearer bad' } })
    t.match(wrongToken, { ok: true, status: 401, body: '{"error":"Unauthorized"}' })
    const rightToken = await page.probe({ url: `${api.origin}/private/report`, headers: { authorization: 'Bearer good' } })
    t.match(rightToken, { ok: true, status: 200, body: '{"report":"ok"}' })

    t.equal(api.recorder.handlerRuns('auth-refused'), 2, 'only the two actual requests without the good token met the auth hook')
    const preflights = api.recorder.preflights('/private/report')
    t.equal(preflights.length, 2, 'both requests with Authorization were preflighted (maxAge 0)')
    for (const preflight of preflights) {
      t.match(preflight, { statusCode: 204, cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' } })
    }
    for (const r of api.recorder.requests.filter((r) => r.method === 'GET')) {
      t.equal(r.responseHeaders['access-control-allow-origin'], web, `${r.statusCode} ${r.url} carries ACAO`)
    }
    t.same(await page.corsErrors(0), [])
  })

  suite.test('a port pattern allows every localhost port but not 127.0.0.1', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: 'http://localhost:*' })
      app.get('/data', async () => ({ value: 1 }))
    })
    const url = `${api.origin}/data`
    for (const origin of [web, other]) {
      const page = await pageForCase(t, browser, origin)
      t.match(await page.probe({ url }), { ok: true, status: 200, body: '{"value":1}' }, `${origin} is allowed`)
    }
    const byIp = await pageForCase(t, browser, webByIp)
    t.same(await byIp.probe({ url }), blockedByFetch)
    const decisions = api.recorder.actual('GET', '/data').map((r) => r.cors)
    t.match(decisions, [
      { origin: web, allowed: true, reason: 'allowed' },
      { origin: other, allowed: true, reason: 'allowed' },
      { origin: webByIp, allowed: false, reason: 'origin-not-allowed' }
    ])
    t.same(await byIp.corsErrors(1), [expectedCorsConsole({ decision: decisions[2], pageOrigin: webByIp, url })])
  })

  suite.test('an anchored RegExp allows exactly the origins it matches', caseOptions, async (t) => {
    const webPort = new URL(web).port
    const api = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: new RegExp(`^http://localhost:${webPort}$`) })
      app.get('/data', async () => ({ value: 1 }))
    })
    const url = `${api.origin}/data`
    const allowed = await pageForCase(t, browser, web)
    t.match(await allowed.probe({ url }), { ok: true, status: 200, body: '{"value":1}' })
    const refused = await pageForCase(t, browser, other)
    t.same(await refused.probe({ url }), blockedByFetch)
    const [first, second] = api.recorder.actual('GET', '/data')
    t.match(first?.cors, { origin: web, allowed: true, reason: 'allowed' })
    t.match(second?.cors, { origin: other, allowed: false, reason: 'origin-not-allowed' })
    t.same(await refused.corsErrors(1), [expectedCorsConsole({ decision: second?.cors, pageOrigin: other, url })])
  })

  suite.test('localhost and 127.0.0.1 are different origins', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: [webByIp] })
      app.get('/data', async () => ({ value: 1 }))
    })
    const url = `${api.origin}/data`
    const byIp = await pageForCase(t, browser, webByIp)
    t.match(await byIp.probe({ url }), { ok: true, status: 200 }, 'the listed 127.0.0.1 origin reads')
    const byName = await pageForCase(t, browser, web)
    t.same(await byName.probe({ url }), blockedByFetch, 'the same server reached as localhost does not')
    const [first, second] = api.recorder.actual('GET', '/data')
    t.match(first?.cors, { origin: webByIp, allowed: true, reason: 'allowed' })
    t.match(second?.cors, { origin: web, allowed: false, reason: 'origin-not-allowed' })
    t.same(await byName.corsErrors(1), [expectedCorsConsole({ decision: second?.cors, pageOrigin: web, url })])
  })

  suite.test('a sandboxed page sends Origin: null, which only a literal \'null\' entry allows', caseOptions, async (t) => {
    const reflecting = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: true })
      app.get('/data', async () => ({ value: 1 }))
    })
    const listing = await apiForCase(t, async (app) => {
      await app.register(corsPolicy, { origin: ['null'] })
      app.get('/data', async () => ({ value: 1 }))
    })
    const sandboxed = await pageForCase(t, browser, web, '/sandboxed')
    t.equal(await sandboxed.page.evaluate(() => window.origin), 'null')

    const url = `${reflecting.origin}/data`
    t.same(await sandboxed.probe({ url }), blockedByFetch, 'origin: true never reflects null')
    const denied = reflecting.recorder.actual('GET', '/data')[0]
    t.equal(denied?.headers.origin, 'null')
    t.match(denied?.cors, { origin: 'null', allowed: false, reason: 'origin-not-allowed' })
    t.same(await sandboxed.corsErrors(1), [expectedCorsConsole({ decision: denied?.cors, pageOrigin: 'null', url })])

    t.match(await sandboxed.probe({ url: `${listing.origin}/data` }), { ok: true, status: 200, body: '{"value":1}' })
    t.equal(listing.recorder.actual('GET', '/data')[0]?.responseHeaders['access-control-allow-origin'], 'null')
  })

  suite.test('enforce: true stops the handler of a blocked simple POST; without it the handler runs', caseOptions, async (t) => {
    const build = (enforce: boolean) => apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], enforce })
      app.post('/transfer', async () => { recorder.ran('transfer'); return { done: true } })
    })
    const enforced = await build(true)
    const lenient = await build(false)
    const attacker = await pageForCase(t, browser, other)
    const form = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'amount=100' }

    t.same(await attacker.probe({ url: `${enforced.origin}/transfer`, ...form }), blockedByFetch)
    t.same(await attacker.probe({ url: `${lenient.origin}/transfer`, ...form }), blockedByFetch)
    t.equal(enforced.recorder.preflights().length + lenient.recorder.preflights().length, 0, 'a text/plain POST is not preflighted')

    t.equal(enforced.recorder.handlerRuns('transfer'), 0, 'enforce: the handler never ran')
    t.match(enforced.recorder.actual('POST', '/transfer'), [
      { statusCode: 403, cors: { origin: other, allowed: false, reason: 'origin-not-allowed' } }
    ])
    t.equal(lenient.recorder.handlerRuns('transfer'), 1, 'without enforce the side effect happened although the page cannot read')
    t.match(lenient.recorder.actual('POST', '/transfer'), [
      { statusCode: 200, cors: { origin: other, allowed: false, reason: 'origin-not-allowed' } }
    ])
    const decision = enforced.recorder.actual('POST', '/transfer')[0]?.cors
    t.same(await attacker.corsErrors(2), [
      expectedCorsConsole({ decision, pageOrigin: other, url: `${enforced.origin}/transfer` }),
      expectedCorsConsole({ decision: lenient.recorder.actual('POST', '/transfer')[0]?.cors, pageOrigin: other, url: `${lenient.origin}/transfer` })
    ])

    const friend = await pageForCase(t, browser, web)
    t.match(await friend.probe({ url: `${enforced.origin}/transfer`, ...form }), { ok: true, status: 200, body: '{"done":true}' })
    t.equal(enforced.recorder.handlerRuns('transfer'), 1, 'an allowed origin passes enforcement')
  })

  suite.test('enforce: true never rejects the API\'s own pages (same-origin POST carries Origin too)', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], enforce: true })
      app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(probePage))
      app.post('/transfer', async () => { recorder.ran('transfer'); return { done: true } })
    })
    const own = await pageForCase(t, browser, api.origin)
    t.match(await own.probe({ url: `${api.origin}/transfer`, method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), {
      ok: true, status: 200, body: '{"done":true}'
    })
    t.equal(api.recorder.handlerRuns('transfer'), 1)
    const [post] = api.recorder.actual('POST', '/transfer')
    t.equal(post?.headers.origin, api.origin, 'Chromium sends Origin on a same-origin POST')
    t.equal(post?.headers['sec-fetch-site'], 'same-origin')
    t.match(post?.cors, { origin: api.origin, preflight: false, allowed: true, reason: 'same-origin' })
  })
}, { pageServers: true })
