import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import corsPolicy, { type CorsDecision, type CorsDelegatorCallback, type FastifyCorsDelegatedOptions } from '../../../lib/index.js'
import type { ProbePage } from './support/browser-page.js'
import { actionTimeoutMs } from './support/chromium.js'
import { expectedCorsConsole } from './support/console-expectations.js'
import { apiForCase, blockedByFetch, chromiumSuite, pageForCase } from './support/suite.js'

// What an application migrating from @fastify/cors relies on, proven in Chromium with the page on
// one origin and the API on another: an asynchronous origin callback, a hijacked SSE stream read by
// fetch and by EventSource, a delegator answering preflights, `hook: 'preHandler'` beside an auth
// hook, per-prefix policies through a nested registration, and `origin: ['*']`. Each case checks
// what the page could read and what the server decided (`request.cors`).

const caseOptions = { timeout: 30_000 }

/**
 * The decision as it stands when the response has gone out. The shared recorder copies
 * `request.cors` in its `onSend` hook, which runs before the plugin's own `onSend`, where a request
 * no earlier hook decided (one an auth hook answered under `hook: 'preHandler'`) is decided.
 */
interface SettledRequest {
  readonly method: string
  readonly url: string
  readonly statusCode: number
  readonly cors: CorsDecision | null
  readonly responseHeaders: Record<string, unknown>
}

/** Records every finished response with its final `request.cors`; add it first in a case's setup. */
function recordSettled (app: FastifyInstance): SettledRequest[] {
  const settled: SettledRequest[] = []
  app.addHook('onResponse', async (request, reply) => {
    settled.push({
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      cors: request.cors,
      responseHeaders: { ...reply.getHeaders() }
    })
  })
  return settled
}

/** The decision's public fields, as a plain object (the decision also carries its compiled policy under a symbol). */
function plain (decision: CorsDecision | null | undefined): Pick<CorsDecision, 'origin' | 'preflight' | 'allowed' | 'reason'> | null | undefined {
  if (decision === null || decision === undefined) return decision
  return { origin: decision.origin, preflight: decision.preflight, allowed: decision.allowed, reason: decision.reason }
}

/** A recorded request with a plain decision, so a failing match prints a readable diff. */
function decided<R extends { readonly cors: CorsDecision | null }> (record: R): Omit<R, 'cors'> & { cors: ReturnType<typeof plain> } {
  return { ...record, cors: plain(record.cors) }
}

/** `onResponse` runs when the response has been handed to the socket: wait (bounded) until `count` have. */
async function settledAtLeast (settled: SettledRequest[], count: number): Promise<SettledRequest[]> {
  const deadline = Date.now() + actionTimeoutMs
  while (settled.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  return settled
}

type EventSourceResult = { ok: true, data: string } | { ok: false, error: string }

// Evaluated as source text: the page's own EventSource, first message or the error, bounded.
const eventSourceScript = `(({ url, withCredentials, timeoutMs }) => new Promise((resolve) => {
  const source = new EventSource(url, { withCredentials })
  let timer
  const finish = (result) => { clearTimeout(timer); source.close(); resolve(result) }
  timer = setTimeout(() => finish({ ok: false, error: 'EventSource timeout' }), timeoutMs)
  source.onmessage = (event) => finish({ ok: true, data: event.data })
  source.onerror = () => finish({ ok: false, error: 'EventSource error, readyState ' + source.readyState })
}))`

/** Opens `new EventSource(url, { withCredentials })` in the page: the first message's data, or the error. */
async function readEventSource (page: ProbePage, url: string, withCredentials = false): Promise<EventSourceResult> {
  const args = JSON.stringify({ url, withCredentials, timeoutMs: actionTimeoutMs })
  return page.page.evaluate(`${eventSourceScript}(${args})`) as Promise<EventSourceResult>
}

/** EventSource's error when the browser refused the stream (readyState CLOSED, no reconnection). */
const blockedEventSource = { ok: false, error: 'EventSource error, readyState 2' } as const

/** What the SSE handler saw and wrote: a hijacked reply runs neither `onSend` nor, once the page closes it, `onResponse`. */
interface StreamRecord {
  readonly cors: ReturnType<typeof plain>
  readonly writtenHeaders: Record<string, unknown>
  readonly cookie: string | undefined
}

/** The SSE handler of the brief: hijack, write the reply's headers (CORS included) and one event, end shortly after. */
function streamHello (request: FastifyRequest, reply: FastifyReply, streams: StreamRecord[]): void {
  reply.hijack()
  const headers = { ...reply.getHeaders(), 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
  streams.push({ cors: plain(request.cors), writtenHeaders: headers, cookie: request.headers.cookie })
  reply.raw.writeHead(200, headers as OutgoingHttpHeaders)
  reply.raw.write('data: hello\n\n')
  setTimeout(() => { reply.raw.end() }, 50)
}

/** Chromium's console line for a blocked EventSource: as for fetch, but it names no API ("resource"). */
function expectedEventSourceConsole (blocked: Parameters<typeof expectedCorsConsole>[0]): string {
  return expectedCorsConsole(blocked).replace(/^Access to fetch at /, 'Access to resource at ')
}

chromiumSuite('test/browser/drop-in.test.ts', 'in Chromium: a drop-in for @fastify/cors', async (suite, { browser, pages }) => {
  const { web, other } = pages.origins

  suite.test('an origin callback that answers after an async lookup: the allowed origin reads, another is blocked, the server keeps serving', caseOptions, async (t) => {
    const asked: string[] = []
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, {
        origin: (origin: string, cb: (error: Error | null, allow?: boolean) => void) => {
          asked.push(origin)
          setTimeout(() => { cb(null, origin === web) }, 5)
        },
        maxAge: 0
      })
      app.get('/data', async () => { recorder.ran('data'); return { value: 42 } })
      app.put('/data', async (request) => { recorder.ran('put-data'); return { key: request.headers['x-key'] } })
    })
    const url = `${api.origin}/data`
    const allowed = await pageForCase(t, browser, web)
    const refused = await pageForCase(t, browser, other)

    t.same(await allowed.probe({ url }), {
      ok: true,
      status: 200,
      body: '{"value":42}',
      headers: { 'content-length': '12', 'content-type': 'application/json; charset=utf-8' }
    }, 'the allowed page reads status, body and headers')
    t.same(await refused.probe({ url }), blockedByFetch, 'the other page cannot read')
    t.match(await allowed.probe({ url }), { ok: true, status: 200, body: '{"value":42}' }, 'the server still answers after a refusal')
    // A preflighted PUT: the preflight too waits for the callback.
    const put = { url, method: 'PUT', headers: { 'content-type': 'application/json', 'x-key': 'k1' }, body: '{}' }
    t.match(await allowed.probe(put), { ok: true, status: 200, body: '{"key":"k1"}' }, 'a preflighted PUT from the allowed page is readable')
    t.same(await refused.probe(put), blockedByFetch, 'the other page is refused at the preflight')

    const gets = api.recorder.actual('GET', '/data').map(decided)
    t.match(gets.map((r) => r.cors), [
      { origin: web, preflight: false, allowed: true, reason: 'allowed' },
      { origin: other, preflight: false, allowed: false, reason: 'origin-not-allowed' },
      { origin: web, preflight: false, allowed: true, reason: 'allowed' }
    ])
    t.same(gets.map((r) => r.responseHeaders['access-control-allow-origin']), [web, undefined, web])
    t.same(gets.map((r) => r.responseHeaders.vary), ['Origin', 'Origin', 'Origin'])
    const preflights = api.recorder.preflights('/data').map(decided)
    t.match(preflights, [
      { statusCode: 204, cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' }, responseHeaders: { 'access-control-allow-origin': web } },
      { statusCode: 403, cors: { origin: other, preflight: true, allowed: false, reason: 'origin-not-allowed' } }
    ])
    t.equal(preflights[1]?.responseHeaders['access-control-allow-origin'], undefined)
    t.equal(api.recorder.handlerRuns('put-data'), 1, 'only the allowed PUT was sent')
    t.same(asked, [web, other, web, web, web, other], 'the callback was asked once per request: GETs, preflight and PUT, preflight')
    t.same(await refused.corsErrors(2), [
      expectedCorsConsole({ decision: gets[1]?.cors, pageOrigin: other, url }),
      expectedCorsConsole({ decision: preflights[1]?.cors, pageOrigin: other, url, atPreflight: true })
    ])
    t.same(await allowed.corsErrors(0), [])
  })

  suite.test('a hijacked SSE stream: the allowed page reads it with fetch and EventSource, another page cannot', caseOptions, async (t) => {
    const streams: StreamRecord[] = []
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web] })
      app.get('/events', async (request, reply) => { recorder.ran('events'); streamHello(request, reply, streams) })
    })
    const url = `${api.origin}/events`
    const allowed = await pageForCase(t, browser, web)

    t.same(await allowed.probe({ url }), {
      ok: true,
      status: 200,
      body: 'data: hello\n\n',
      headers: { 'cache-control': 'no-cache', 'content-type': 'text/event-stream' }
    }, 'fetch reads the whole stream')
    t.same(await readEventSource(allowed, url), { ok: true, data: 'hello' }, 'EventSource receives the event')
    t.same(await allowed.corsErrors(0), [])
    // withCredentials: true needs Access-Control-Allow-Credentials, which this policy does not send.
    t.same(await readEventSource(allowed, url, true), blockedEventSource, 'a credentialed EventSource is refused without `credentials`')
    t.match(await allowed.corsErrors(1), [
      /has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'/
    ])

    const refused = await pageForCase(t, browser, other)
    t.same(await refused.probe({ url }), blockedByFetch, 'fetch from another origin cannot read the stream')
    t.same(await readEventSource(refused, url), blockedEventSource, 'EventSource from another origin gets an error, no event')
    t.equal(api.recorder.handlerRuns('events'), 5, 'the handler streamed every time: CORS hides, it does not stop')

    const allowedStream = { origin: web, preflight: false, allowed: true, reason: 'allowed', acao: web, vary: 'Origin' }
    const refusedStream = { origin: other, preflight: false, allowed: false, reason: 'origin-not-allowed', acao: undefined, vary: 'Origin' }
    t.same(streams.map((r) => ({ ...r.cors, acao: r.writtenHeaders['access-control-allow-origin'], vary: r.writtenHeaders.vary })), [
      allowedStream, allowedStream, allowedStream, refusedStream, refusedStream
    ])
    t.equal(api.recorder.requests.length, 0, 'a hijacked reply never runs onSend (hence the record in the handler)')
    t.same(await refused.corsErrors(2), [
      expectedCorsConsole({ decision: streams[3]?.cors, pageOrigin: other, url }),
      expectedEventSourceConsole({ decision: streams[4]?.cors, pageOrigin: other, url })
    ])
  })

  suite.test('a hijacked SSE stream under a credentials policy: EventSource withCredentials receives it, cookie sent', caseOptions, async (t) => {
    const streams: StreamRecord[] = []
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web], credentials: true })
      app.get('/events', async (request, reply) => { recorder.ran('events'); streamHello(request, reply, streams) })
    })
    const url = `${api.origin}/events`
    const allowed = await pageForCase(t, browser, web)
    await allowed.context.addCookies([{ name: 'sid', value: 's3cr3t', url: api.origin }])

    t.same(await readEventSource(allowed, url, true), { ok: true, data: 'hello' }, 'a credentialed EventSource receives the event')
    t.same(await readEventSource(allowed, url), { ok: true, data: 'hello' }, 'so does one without credentials')
    t.match(await allowed.probe({ url, credentials: 'include' }), { ok: true, status: 200, body: 'data: hello\n\n' }, 'and a credentialed fetch')
    t.same(await allowed.corsErrors(0), [])

    const refused = await pageForCase(t, browser, other)
    await refused.context.addCookies([{ name: 'sid', value: 's3cr3t', url: api.origin }])
    t.same(await readEventSource(refused, url, true), blockedEventSource, 'another origin is refused with credentials too')

    t.same(streams.map((r) => r.cookie), ['sid=s3cr3t', undefined, 'sid=s3cr3t', 'sid=s3cr3t'], 'the cookie went with the credentialed requests only')
    t.same(streams.map((r) => r.cors), [
      { origin: web, preflight: false, allowed: true, reason: 'allowed' },
      { origin: web, preflight: false, allowed: true, reason: 'allowed' },
      { origin: web, preflight: false, allowed: true, reason: 'allowed' },
      { origin: other, preflight: false, allowed: false, reason: 'origin-not-allowed' }
    ])
    for (const r of streams.slice(0, 3)) {
      t.equal(r.writtenHeaders['access-control-allow-origin'], web)
      t.equal(r.writtenHeaders['access-control-allow-credentials'], 'true')
    }
    t.equal(streams[3]?.writtenHeaders['access-control-allow-origin'], undefined)
    t.equal(streams[3]?.writtenHeaders['access-control-allow-credentials'], undefined)
    t.equal(api.recorder.handlerRuns('events'), 4)
  })

  suite.test('a delegator (options as a function returning it) answers the preflight of a PUT with a custom header', caseOptions, async (t) => {
    const TENANT_OPTIONS: FastifyCorsDelegatedOptions = {
      origin: [web],
      methods: ['GET', 'PUT'],
      allowedHeaders: ['content-type', 'x-tenant-key'],
      exposedHeaders: ['x-tenant'],
      maxAge: 0
    }
    let delegated = 0
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, () => (_request: FastifyRequest, cb: CorsDelegatorCallback) => {
        delegated++
        cb(null, TENANT_OPTIONS)
      })
      app.put<{ Params: { id: string } }>('/items/:id', async (request, reply) => {
        recorder.ran('put-item')
        reply.header('x-tenant', 'acme')
        return { id: request.params.id, key: request.headers['x-tenant-key'] }
      })
    })
    const url = `${api.origin}/items/7`
    const put = { url, method: 'PUT', headers: { 'content-type': 'application/json', 'x-tenant-key': 'k-7' }, body: '{"name":"x"}' }

    const tenant = await pageForCase(t, browser, web)
    t.same(await tenant.probe(put), {
      ok: true,
      status: 200,
      body: '{"id":"7","key":"k-7"}',
      headers: { 'content-length': '22', 'content-type': 'application/json; charset=utf-8', 'x-tenant': 'acme' }
    }, 'the PUT is readable, with the header the delegator exposes')
    t.same(await tenant.corsErrors(0), [])

    const stranger = await pageForCase(t, browser, other)
    t.same(await stranger.probe(put), blockedByFetch, 'another origin is blocked')

    const preflights = api.recorder.preflights('/items/7').map(decided)
    t.equal(preflights.length, 2)
    t.equal(preflights[0]?.headers['access-control-request-headers'], 'content-type,x-tenant-key')
    t.match(preflights[0], {
      statusCode: 204,
      cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' },
      responseHeaders: {
        'access-control-allow-origin': web,
        'access-control-allow-methods': /\bPUT\b/,
        'access-control-allow-headers': /^content-type, ?x-tenant-key$/,
        'access-control-max-age': '0'
      }
    }, 'the preflight is answered from the delegator\'s options')
    t.match(preflights[1], { statusCode: 403, cors: { origin: other, preflight: true, allowed: false, reason: 'origin-not-allowed' } })
    t.same(Object.keys(preflights[1]?.responseHeaders ?? {}).filter((name) => name.startsWith('access-control-')), [], 'no CORS header on the refusal')
    t.match(api.recorder.actual('PUT', '/items/7').map(decided), [{
      statusCode: 200,
      cors: { origin: web, preflight: false, allowed: true, reason: 'allowed' },
      responseHeaders: { 'access-control-allow-origin': web, 'access-control-expose-headers': 'x-tenant', vary: /Origin/ }
    }], 'only the tenant\'s PUT was sent')
    t.equal(api.recorder.handlerRuns('put-item'), 1)
    t.equal(delegated, 3, 'the delegator was asked for each preflight and the actual request')
    t.same(await stranger.corsErrors(1), [expectedCorsConsole({ decision: preflights[1]?.cors, pageOrigin: other, url, atPreflight: true })])
  })

  suite.test("hook: 'preHandler' beside an auth hook: preflights pass before auth, and the auth hook's 401 is readable", caseOptions, async (t) => {
    let settled: SettledRequest[] = []
    const corsSeenByAuth: Array<CorsDecision | null> = []
    const api = await apiForCase(t, async (app, recorder) => {
      settled = recordSettled(app)
      await app.register(corsPolicy, { origin: [web], credentials: true, hook: 'preHandler', maxAge: 0 })
      // Registered after the plugin, as with @fastify/cors: it answers 401 without Authorization.
      app.addHook('onRequest', async (request, reply) => {
        recorder.ran('auth')
        corsSeenByAuth.push(request.cors)
        if (request.headers.authorization !== 'Bearer good') {
          recorder.ran('auth-refused')
          await reply.code(401).send({ error: 'Unauthorized' })
        }
      })
      app.put('/account', async () => { recorder.ran('put-account'); return { saved: true } })
      app.get('/account', async () => { recorder.ran('get-account'); return { account: 'ada' } })
    })
    const url = `${api.origin}/account`
    const page = await pageForCase(t, browser, web)
    const put = (headers: Record<string, string>) => ({
      url, method: 'PUT', credentials: 'include' as const, headers: { 'content-type': 'application/json', ...headers }, body: '{}'
    })

    t.same(await page.probe(put({ authorization: 'Bearer good' })), {
      ok: true,
      status: 200,
      body: '{"saved":true}',
      headers: { 'content-length': '14', 'content-type': 'application/json; charset=utf-8' }
    }, 'a credentialed PUT with Authorization is preflighted and readable')
    const withoutAuth = await page.probe({ url, credentials: 'include' })
    t.same(withoutAuth, {
      ok: true,
      status: 401,
      body: '{"error":"Unauthorized"}',
      headers: { 'content-length': '24', 'content-type': 'application/json; charset=utf-8' }
    }, 'a GET without Authorization: the page reads the 401, not a CORS error')
    t.match(await page.probe(put({})), { ok: true, status: 401, body: '{"error":"Unauthorized"}' }, 'a preflighted PUT without Authorization: the 401 is readable too')
    t.same(await page.corsErrors(0), [])

    const preflights = api.recorder.preflights('/account').map(decided)
    t.equal(preflights.length, 2, 'both PUTs were preflighted (maxAge 0)')
    t.equal(preflights[0]?.headers['access-control-request-headers'], 'authorization,content-type')
    for (const preflight of preflights) {
      t.match(preflight, {
        statusCode: 204,
        cors: { origin: web, preflight: true, allowed: true, reason: 'allowed' },
        responseHeaders: { 'access-control-allow-origin': web, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': /\bPUT\b/ }
      })
    }
    t.equal(api.recorder.handlerRuns('auth'), 3, 'the auth hook met the three actual requests, never a preflight')
    t.equal(api.recorder.handlerRuns('auth-refused'), 2)
    t.same(corsSeenByAuth, [null, null, null], 'request.cors is null before the preHandler hook decides')
    t.equal(api.recorder.handlerRuns('put-account'), 1)
    t.equal(api.recorder.handlerRuns('get-account'), 0)

    const actual = (await settledAtLeast(settled, 5)).filter((r) => r.method !== 'OPTIONS').map(decided)
    t.match(actual, [
      { method: 'PUT', statusCode: 200, cors: { origin: web, preflight: false, allowed: true, reason: 'allowed' } },
      { method: 'GET', statusCode: 401, cors: { origin: web, preflight: false, allowed: true, reason: 'allowed' } },
      { method: 'PUT', statusCode: 401, cors: { origin: web, preflight: false, allowed: true, reason: 'allowed' } }
    ], 'the 401s the auth hook sent were decided too (in onSend)')
    for (const r of actual) {
      t.equal(r.responseHeaders['access-control-allow-origin'], web, `${r.method} ${r.statusCode} carries ACAO`)
      t.equal(r.responseHeaders['access-control-allow-credentials'], 'true', `${r.method} ${r.statusCode} carries ACAC`)
      t.equal(r.responseHeaders.vary, 'Origin')
    }
  })

  suite.test('nested registration: /admin has its own origin and credentials, the rest the root policy', caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: [web] })
      app.get('/public', async () => { recorder.ran('public'); return { public: true } })
      await app.register(async (admin) => {
        await admin.register(corsPolicy, { origin: [other], credentials: true, maxAge: 0 })
        admin.get('/x', async (request) => { recorder.ran('admin-x'); return { admin: true, cookie: request.headers.cookie ?? null } })
        admin.delete('/x', async () => { recorder.ran('admin-delete'); return { deleted: true } })
      }, { prefix: '/admin' })
    })
    const adminUrl = `${api.origin}/admin/x`
    const publicUrl = `${api.origin}/public`

    const pageB = await pageForCase(t, browser, other)
    await pageB.context.addCookies([{ name: 'sid', value: 'admin', url: api.origin }])
    t.same(await pageB.probe({ url: adminUrl, credentials: 'include' }), {
      ok: true,
      status: 200,
      body: '{"admin":true,"cookie":"sid=admin"}',
      headers: { 'content-length': '35', 'content-type': 'application/json; charset=utf-8' }
    }, 'B reads /admin/x with its cookie')
    t.match(await pageB.probe({ url: adminUrl, method: 'DELETE', credentials: 'include' }), { ok: true, status: 200, body: '{"deleted":true}' },
      'B\'s preflighted DELETE is answered by the child policy')
    t.same(await pageB.probe({ url: publicUrl }), blockedByFetch, 'B cannot read /public')

    const pageA = await pageForCase(t, browser, web)
    t.match(await pageA.probe({ url: publicUrl }), { ok: true, status: 200, body: '{"public":true}' }, 'A reads /public')
    t.same(await pageA.probe({ url: adminUrl, credentials: 'include' }), blockedByFetch, 'A cannot read /admin/x with credentials')
    t.same(await pageA.probe({ url: adminUrl }), blockedByFetch, 'nor without')
    t.same(await pageA.probe({ url: adminUrl, method: 'DELETE' }), blockedByFetch, 'and A\'s DELETE is refused at the preflight')

    const adminReads = api.recorder.actual('GET', '/admin/x').map(decided)
    t.match(adminReads, [
      { cors: { origin: other, allowed: true, reason: 'allowed' }, responseHeaders: { 'access-control-allow-origin': other, 'access-control-allow-credentials': 'true' } },
      { cors: { origin: web, allowed: false, reason: 'origin-not-allowed' } },
      { cors: { origin: web, allowed: false, reason: 'origin-not-allowed' } }
    ])
    t.same(adminReads.slice(1).map((r) => r.responseHeaders['access-control-allow-origin']), [undefined, undefined])
    const publicReads = api.recorder.actual('GET', '/public').map(decided)
    t.match(publicReads, [
      { cors: { origin: other, allowed: false, reason: 'origin-not-allowed' } },
      { cors: { origin: web, allowed: true, reason: 'allowed' }, responseHeaders: { 'access-control-allow-origin': web } }
    ])
    t.equal(publicReads[0]?.responseHeaders['access-control-allow-origin'], undefined)
    t.equal(publicReads[1]?.responseHeaders['access-control-allow-credentials'], undefined, 'the root policy sends no ACAC')
    const preflights = api.recorder.preflights('/admin/x').map(decided)
    t.match(preflights, [
      {
        statusCode: 204,
        cors: { origin: other, preflight: true, allowed: true, reason: 'allowed' },
        responseHeaders: { 'access-control-allow-origin': other, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': /\bDELETE\b/ }
      },
      { statusCode: 403, cors: { origin: web, preflight: true, allowed: false, reason: 'origin-not-allowed' } }
    ])
    t.equal(api.recorder.handlerRuns('admin-delete'), 1, 'only B\'s DELETE was sent')
    t.same(await pageB.corsErrors(1), [expectedCorsConsole({ decision: publicReads[0]?.cors, pageOrigin: other, url: publicUrl })])
    t.same(await pageA.corsErrors(3), [
      expectedCorsConsole({ decision: adminReads[1]?.cors, pageOrigin: web, url: adminUrl }),
      expectedCorsConsole({ decision: adminReads[2]?.cors, pageOrigin: web, url: adminUrl }),
      expectedCorsConsole({ decision: preflights[1]?.cors, pageOrigin: web, url: adminUrl, atPreflight: true })
    ])
  })

  suite.test("origin: ['*'] behaves as '*': ACAO * for a simple GET from any origin", caseOptions, async (t) => {
    const api = await apiForCase(t, async (app, recorder) => {
      await app.register(corsPolicy, { origin: ['*'] })
      app.get('/data', async () => { recorder.ran('data'); return { value: 1 } })
    })
    const url = `${api.origin}/data`
    for (const origin of [web, other]) {
      const page = await pageForCase(t, browser, origin)
      t.same(await page.probe({ url }), {
        ok: true,
        status: 200,
        body: '{"value":1}',
        headers: { 'content-length': '11', 'content-type': 'application/json; charset=utf-8' }
      }, `${origin} reads`)
      t.same(await page.corsErrors(0), [])
    }
    // A literal '*' never satisfies a credentialed request (Fetch#cors-check): proof it is not reflected.
    const credentialed = await pageForCase(t, browser, web)
    t.same(await credentialed.probe({ url, credentials: 'include' }), blockedByFetch, 'a credentialed fetch is refused: the ACAO is a literal *')
    t.match(await credentialed.corsErrors(1), [
      /The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '\*' when the request's credentials mode is 'include'/
    ])

    const reads = api.recorder.actual('GET', '/data').map(decided)
    t.equal(reads.length, 3)
    for (const r of reads) {
      t.match(r.cors, { origin: r.headers.origin, preflight: false, allowed: true, reason: 'allowed' })
      t.equal(r.responseHeaders['access-control-allow-origin'], '*')
      t.equal(r.responseHeaders.vary, undefined, 'no Vary: the answer does not depend on Origin')
      t.equal(r.responseHeaders['access-control-allow-credentials'], undefined)
    }
  })
}, { pageServers: true })
