// fetchFromPage and browserVerdict (fastify-cors-policy/browser) against real Fastify apps with the
// plugin registered: the exact verdicts and console lines a user asserts in their own tests, the
// order in which the browser's requests reach the app, and the README example run as written.
import { test } from 'tap'
import type { Test } from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import {
  browserVerdict, fetchFromPage, needsPreflight, PreflightCache, preflightRequest,
  type FetchResult, type InjectableApp, type InjectedResponse, type InjectRequest
} from '../../lib/browser/index.js'

const PAGE = 'https://app.example.com'
const OTHER = 'https://evil.example'
const API = 'https://api.example.com'
const PREFLIGHT = "Response to preflight request doesn't pass access control check: "
const blockedLine = (url: string, message: string, origin = PAGE): string =>
  `Access to fetch at '${url}' from origin '${origin}' has been blocked by CORS policy: ${message}`

interface Seen { method: string, url: string, host: string | undefined, cookie: string | undefined, body: unknown }

/** An app with the plugin and an item resource; `seen` lists the requests that reached a handler. */
async function buildApp (t: Test, cors: FastifyCorsOptions): Promise<{ app: FastifyInstance, seen: Seen[] }> {
  const app = Fastify()
  const seen: Seen[] = []
  await app.register(corsPolicy, cors)
  const record = async (request: { method: string, url: string, headers: Record<string, unknown>, body: unknown }): Promise<{ ok: true }> => {
    seen.push({ method: request.method, url: request.url, host: request.headers.host as string | undefined, cookie: request.headers.cookie as string | undefined, body: request.body })
    return { ok: true }
  }
  app.get('/items', async (request, reply) => {
    reply.header('x-total', 3).header('x-page', ['1', '2'])
    return record(request)
  })
  app.post('/items', record)
  app.put('/items/:id', record)
  app.delete('/items/:id', record)
  app.get('/old', async (_request, reply) => reply.redirect('/items', 301))
  app.get('/moved', { config: { cors: false } }, async (_request, reply) => reply.redirect('/items', 308))
  app.post('/form', async (_request, reply) => reply.redirect('/items', 303))
  app.get('/away', async (_request, reply) => reply.redirect(`${API}/items`, 302))
  app.get('/loop', async (_request, reply) => reply.redirect('/loop', 302))
  app.get('/bad-location', async (_request, reply) => reply.redirect('ftp://files.example/x', 302))
  t.teardown(() => app.close())
  return { app, seen }
}

test('an allowed simple GET: no preflight, the page reads the safelisted and exposed headers and the body', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE], exposedHeaders: ['x-total', 'x-page'] })
  const result = await fetchFromPage(app, { origin: PAGE, url: `${API}/items` })
  t.equal(result.allowed, true)
  t.equal(result.consoleMessage, undefined)
  t.equal(result.preflight, undefined)
  t.equal(result.actualSent, true)
  t.same(result.response, {
    status: 200,
    url: `${API}/items`,
    redirected: false,
    headers: { 'x-total': '3', 'x-page': '1, 2', 'content-type': 'application/json; charset=utf-8', 'content-length': '11' },
    body: '{"ok":true}'
  })
  t.same(result.exchanges.map((exchange) => [exchange.kind, exchange.request.method, exchange.request.headers]), [
    ['actual', 'GET', [['accept', '*/*'], ['origin', PAGE], ['sec-fetch-mode', 'cors']]]
  ])
  t.same(seen, [{ method: 'GET', url: '/items', host: 'api.example.com', cookie: undefined, body: undefined }], 'sent with the URL\'s Host')
})

test('a denied origin: the handler ran, the page cannot read the answer, and Chromium says why', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE] })
  const result = await fetchFromPage(app, { origin: OTHER, url: `${API}/items` })
  t.same({ ...result, exchanges: result.exchanges.length }, {
    allowed: false,
    failure: 'MissingAllowOriginHeader',
    message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    fix: `the server must answer with \`Access-Control-Allow-Origin: ${OTHER}\` (or \`*\` if the resource is public)`,
    consoleMessage: blockedLine(`${API}/items`, "No 'Access-Control-Allow-Origin' header is present on the requested resource.", OTHER),
    actualSent: true,
    ignoredHeaders: [],
    exchanges: 1
  })
  t.equal(seen.length, 1, 'a simple request reaches the handler whatever the browser then allows')
})

test('a preflighted PUT with a custom header the policy allows: preflight, then the actual request', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE], allowedHeaders: ['content-type', 'x-request-id'] })
  const page = { origin: PAGE, url: `${API}/items/1`, method: 'put', headers: { 'Content-Type': 'application/json', 'X-Request-Id': '42' }, body: '{"name":"x"}' }
  const result = await fetchFromPage(app, page)
  t.equal(result.allowed, true)
  t.equal(result.consoleMessage, undefined)
  t.same(result.exchanges.map((exchange) => exchange.kind), ['preflight', 'actual'])
  t.equal(result.preflight, result.exchanges[0])
  t.same(result.preflight?.request, { method: 'OPTIONS', url: `${API}/items/1`, headers: preflightRequest({ ...page, url: `${API}/items/1` }).headers })
  t.same(result.preflight?.request.headers, [
    ['accept', '*/*'], ['access-control-request-method', 'PUT'], ['access-control-request-headers', 'content-type,x-request-id'],
    ['origin', PAGE], ['sec-fetch-mode', 'cors']
  ])
  t.same(result.preflight?.reasons, [
    'PUT is not a CORS-safelisted method (GET, HEAD, POST)',
    "content-type: 'application/json' is not a CORS-safelisted value",
    'x-request-id is not a CORS-safelisted request header'
  ])
  t.equal(result.preflight?.response.status, 204)
  t.same(result.preflight?.verdict, { allowed: true })
  t.same(result.exchanges[1]?.request, {
    method: 'PUT',
    url: `${API}/items/1`,
    headers: [['Content-Type', 'application/json'], ['X-Request-Id', '42'], ['accept', '*/*'], ['origin', PAGE], ['sec-fetch-mode', 'cors']]
  })
  t.same(seen, [{ method: 'PUT', url: '/items/1', host: 'api.example.com', cookie: undefined, body: { name: 'x' } }], 'the body went with the actual request')
  t.equal(result.response?.body, '{"ok":true}')
})

test('a preflighted PUT with a custom header the policy refuses: nothing but the preflight is sent', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE], allowedHeaders: ['content-type'] })
  const result = await fetchFromPage(app, { origin: PAGE, url: `${API}/items/1`, method: 'PUT', headers: { 'X-Request-Id': '42' } })
  const message = 'Request header field x-request-id is not allowed by Access-Control-Allow-Headers in preflight response.'
  t.same({ ...result, preflight: undefined, exchanges: undefined }, {
    allowed: false,
    failure: 'HeaderDisallowedByPreflightResponse',
    message,
    fix: 'the server must answer the preflight with `Access-Control-Allow-Headers` containing `x-request-id`',
    consoleMessage: blockedLine(`${API}/items/1`, message),
    actualSent: false,
    ignoredHeaders: []
  })
  t.same(result.exchanges.map((exchange) => exchange.kind), ['preflight'])
  t.equal(result.preflight?.verdict.consoleMessage, result.consoleMessage)
  t.same(seen, [], 'the handler never ran')
})

test('a preflight from a denied origin: 403 without CORS headers', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE] })
  const result = await fetchFromPage(app, { origin: OTHER, url: `${API}/items/1`, method: 'DELETE' })
  t.equal(result.failure, 'PreflightMissingAllowOriginHeader')
  t.equal(result.consoleMessage, blockedLine(`${API}/items/1`, `${PREFLIGHT}No 'Access-Control-Allow-Origin' header is present on the requested resource.`, OTHER))
  t.equal(result.fix, `the server must answer the preflight with \`Access-Control-Allow-Origin: ${OTHER}\` (or \`*\` if the resource is public) and a 2xx status (it answered 403)`)
  t.same(seen, [])
})

test('credentials include: allowed with Access-Control-Allow-Credentials, refused without it', async (t) => {
  const withCredentials = await buildApp(t, { origin: [PAGE], credentials: true })
  const allowed = await fetchFromPage(withCredentials.app, { origin: PAGE, url: `${API}/items`, credentials: 'include', cookie: 'session=1' })
  t.equal(allowed.allowed, true)
  t.equal(allowed.consoleMessage, undefined)
  t.equal(withCredentials.seen[0]?.cookie, 'session=1', 'the cookie went with the credentialed request')

  const without = await buildApp(t, { origin: [PAGE] })
  const refused = await fetchFromPage(without.app, { origin: PAGE, url: `${API}/items`, credentials: 'include' })
  const message = "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."
  t.equal(refused.allowed, false)
  t.equal(refused.failure, 'InvalidAllowCredentials')
  t.equal(refused.consoleMessage, blockedLine(`${API}/items`, message))
  t.equal(refused.fix, 'the server must answer with `Access-Control-Allow-Credentials: true` (exactly, lower-case) because the request includes credentials; it sent none')

  const preflighted = await fetchFromPage(without.app, { origin: PAGE, url: `${API}/items/1`, method: 'PUT', credentials: 'include' })
  t.equal(preflighted.failure, 'PreflightInvalidAllowCredentials')
  t.equal(preflighted.consoleMessage, blockedLine(`${API}/items/1`, PREFLIGHT + message))
  t.equal(preflighted.actualSent, false)
})

test("'*' with credentials include: the browser refuses the wildcard", async (t) => {
  const { app } = await buildApp(t, { origin: '*' })
  const message = "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
  const simple = await fetchFromPage(app, { origin: PAGE, url: `${API}/items`, credentials: 'include' })
  t.equal(simple.failure, 'WildcardOriginNotAllowed')
  t.equal(simple.consoleMessage, blockedLine(`${API}/items`, message))
  const preflighted = await fetchFromPage(app, { origin: PAGE, url: `${API}/items/1`, method: 'PUT', credentials: 'include' })
  t.equal(preflighted.failure, 'PreflightWildcardOriginNotAllowed')
  t.equal(preflighted.consoleMessage, blockedLine(`${API}/items/1`, PREFLIGHT + message))
  const omitted = await fetchFromPage(app, { origin: PAGE, url: `${API}/items`, credentials: 'omit' })
  t.equal(omitted.allowed, true, 'the same answer is fine without credentials')
})

test('cookies follow the credentials mode and never go with a preflight', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE], credentials: true })
  await fetchFromPage(app, { origin: PAGE, url: `${API}/items`, cookie: 'a=1' })
  await fetchFromPage(app, { origin: PAGE, url: `${API}/items`, cookie: 'a=2', credentials: 'omit' })
  await fetchFromPage(app, { origin: API, url: `${API}/items`, cookie: 'a=3' })
  await fetchFromPage(app, { origin: API, url: `${API}/items`, cookie: 'a=4', credentials: 'omit' })
  const result = await fetchFromPage(app, { origin: PAGE, url: `${API}/items/1`, method: 'PUT', cookie: 'a=5', credentials: 'include' })
  t.same(seen.map((request) => request.cookie), [undefined, undefined, 'a=3', undefined, 'a=5'], "'same-origin' sends it to the page's origin only; 'omit' never")
  t.notOk(result.preflight?.request.headers.some(([name]) => name === 'cookie'), 'not with the preflight')
})

test('a string body gets text/plain;charset=UTF-8 as fetch() gives it, and stays a simple request', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE] })
  const result = await fetchFromPage(app, { origin: PAGE, url: '/items', method: 'POST', body: 'hello' })
  t.equal(result.preflight, undefined)
  t.same(result.exchanges[0]?.request.headers[0], ['Content-Type', 'text/plain;charset=UTF-8'])
  t.equal(result.exchanges[0]?.request.url, 'http://localhost/items', 'a path is resolved against http://localhost')
  t.same(seen, [{ method: 'POST', url: '/items', host: 'localhost', cookie: undefined, body: 'hello' }])
})

test('same-origin fetches need no CORS; forbidden headers are dropped and reported', async (t) => {
  const { app } = await buildApp(t, { origin: [PAGE] })
  const result = await fetchFromPage(app, { origin: 'http://localhost', url: '/items', headers: [['Cookie', 'x=1'], ['X-Custom', '1'], ['Sec-Foo', '2']] })
  t.equal(result.allowed, true)
  t.equal(result.preflight, undefined, 'no preflight for a same-origin request, whatever its headers')
  t.same(result.ignoredHeaders, ['Cookie', 'Sec-Foo'])
  t.same(result.exchanges[0]?.request.headers, [['X-Custom', '1'], ['accept', '*/*'], ['sec-fetch-mode', 'cors']])
  t.same(Object.keys(result.response?.headers ?? {}).sort(), ['connection', 'content-length', 'content-type', 'date', 'vary', 'x-page', 'x-total'], 'every header but Set-Cookie is readable')
})

test('what fetch() refuses throws the TypeError before anything is sent', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE] })
  await t.rejects(fetchFromPage(app, { origin: PAGE, url: '/items', body: 'x' }), new TypeError('fetch() throws before sending anything: Request with GET/HEAD method cannot have body.'))
  await t.rejects(fetchFromPage(app, { origin: PAGE, url: 'http://[', method: 'TRACE' }), new TypeError("fetch() throws before sending anything: Failed to parse URL from http://[ 'TRACE' HTTP method is unsupported."))
  t.throws(() => browserVerdict({ origin: PAGE, url: '/items', method: 'HEAD', body: 'x' }, { statusCode: 200, headers: {} }), TypeError)
  t.same(seen, [])
})

test('a method inject() cannot send as the browser does is an error, after the preflight the browser sends', async (t) => {
  const { app } = await buildApp(t, { origin: [PAGE], methods: '*' })
  const sent: string[] = []
  const spy: InjectableApp = { inject: async (options) => { sent.push(options.method); return app.inject(options) } }
  await t.rejects(fetchFromPage(spy, { origin: PAGE, url: '/items/1', method: 'patch' }), /a browser sends the method 'patch' as written .*Write 'PATCH'/)
  t.same(sent, ['OPTIONS'])
})

test('redirects are followed through the app, as the browser follows them', async (t) => {
  const { app, seen } = await buildApp(t, { origin: [PAGE] })
  const refused = await fetchFromPage(app, { origin: PAGE, url: `${API}/moved` })
  t.equal(refused.allowed, false, 'a redirect without CORS headers (its route has cors: false) is not followed')
  t.equal(refused.failure, 'MissingAllowOriginHeader')
  t.equal(refused.consoleMessage, blockedLine(`${API}/moved`, "No 'Access-Control-Allow-Origin' header is present on the requested resource."))
  t.same(refused.exchanges.map((exchange) => exchange.kind), ['redirect'])
  t.match(refused.fix, /on the 308 redirect response too/)
  t.same(seen, [], 'the browser did not follow it')

  const open = await buildApp(t, { origin: '*' })
  const ok = await fetchFromPage(open.app, { origin: PAGE, url: `${API}/old` })
  t.equal(ok.allowed, true)
  t.same(ok.exchanges.map((exchange) => [exchange.kind, exchange.request.url, exchange.response.status]), [['redirect', `${API}/old`, 301], ['actual', `${API}/items`, 200]])
  t.same(ok.response && { url: ok.response.url, redirected: ok.response.redirected }, { url: `${API}/items`, redirected: true })

  const posted = await fetchFromPage(open.app, { origin: PAGE, url: `${API}/form`, method: 'POST', body: 'a=1' })
  t.equal(posted.allowed, true)
  t.same(posted.exchanges[0]?.notes, ['303 turns POST into GET and drops the body'])
  t.same(open.seen.at(-1), { method: 'GET', url: '/items', host: 'api.example.com', cookie: undefined, body: undefined }, 'the GET after a 303 has no body')

  const taint = await fetchFromPage(open.app, { origin: PAGE, url: 'http://localhost/away' })
  t.same(taint.exchanges.map((exchange) => exchange.request.headers.find(([name]) => name === 'origin')?.[1]), [PAGE, 'null'], 'a redirect from one cross-origin URL to another origin taints Origin')
  t.same(taint.exchanges[1]?.request.url, `${API}/items`)

  const loop = await fetchFromPage(open.app, { origin: PAGE, url: `${API}/loop` })
  t.equal(loop.failure, 'TooManyRedirects')
  t.equal(loop.exchanges.length, 21)
  t.equal(loop.consoleMessage, `GET ${API}/loop net::ERR_TOO_MANY_REDIRECTS`)

  const bad = await fetchFromPage(open.app, { origin: PAGE, url: `${API}/bad-location` })
  t.equal(bad.failure, 'InvalidRedirect')
  t.equal(bad.consoleMessage, `GET ${API}/bad-location net::ERR_INVALID_REDIRECT`)
})

test('a preflighted request redirected to another preflighted URL: preflight is the last one sent', async (t) => {
  const app = Fastify()
  await app.register(corsPolicy, { origin: '*', allowedHeaders: ['x-custom'] })
  app.put('/from', async (_request, reply) => reply.redirect('/to', 307))
  app.put('/to', async () => 'moved')
  t.teardown(() => app.close())
  const result = await fetchFromPage(app, { origin: PAGE, url: `${API}/from`, method: 'PUT', headers: { 'X-Custom': '1' } })
  t.equal(result.allowed, true)
  t.same(result.exchanges.map((exchange) => `${exchange.kind} ${exchange.request.method} ${exchange.request.url}`), [
    `preflight OPTIONS ${API}/from`, `redirect PUT ${API}/from`, `preflight OPTIONS ${API}/to`, `actual PUT ${API}/to`
  ])
  t.equal(result.preflight, result.exchanges[2])
  t.equal(result.response?.body, 'moved')
})

test('a preflight cache kept across fetches: the second PUT goes without a preflight until max-age runs out', async (t) => {
  const { app } = await buildApp(t, { origin: [PAGE], maxAge: 60, allowedHeaders: ['x-request-id'] })
  const preflightCache = new PreflightCache()
  const page = { origin: PAGE, url: `${API}/items/1`, method: 'PUT' }
  const first = await fetchFromPage(app, page, { preflightCache })
  t.same(first.exchanges.map((exchange) => exchange.kind), ['preflight', 'actual'])
  const second = await fetchFromPage(app, page, { preflightCache, now: 59 })
  t.same(second.exchanges.map((exchange) => exchange.kind), ['actual'])
  t.equal(second.allowed, true)
  const third = await fetchFromPage(app, page, { preflightCache, now: 60 })
  t.same(third.exchanges.map((exchange) => exchange.kind), ['preflight', 'actual'])
  const refused = await fetchFromPage(app, { ...page, headers: { 'X-Other': '1' } }, { preflightCache, now: 60 })
  t.equal(refused.failure, 'HeaderDisallowedByPreflightResponse', 'a refused preflight is judged with the cache too')
})

test('browserVerdict judges a response the test injected itself', async (t) => {
  const { app } = await buildApp(t, { origin: [PAGE], exposedHeaders: ['x-total'], methods: ['GET', 'PUT'] })
  const page = { origin: PAGE, url: '/items' }
  t.same(browserVerdict(page, await app.inject({ url: '/items', headers: { origin: PAGE } })), {
    allowed: true,
    exposedHeaders: ['x-total', 'content-type', 'content-length']
  })
  t.same(browserVerdict({ ...page, origin: OTHER }, await app.inject({ url: '/items', headers: { origin: OTHER } })), {
    allowed: false,
    failure: 'MissingAllowOriginHeader',
    message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    fix: `the server must answer with \`Access-Control-Allow-Origin: ${OTHER}\` (or \`*\` if the resource is public)`,
    consoleMessage: blockedLine('http://localhost/items', "No 'Access-Control-Allow-Origin' header is present on the requested resource.", OTHER)
  })
  const put = { origin: PAGE, url: '/items/1', method: 'PUT', headers: { 'X-Request-Id': '1' } }
  t.ok(needsPreflight({ ...put, url: `http://localhost${put.url}` }))
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { origin: PAGE, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-request-id' } })
  t.same(browserVerdict(put, preflight, { preflight: true }), { allowed: true })
  const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: { origin: PAGE, 'access-control-request-method': 'PATCH' } })
  t.same(browserVerdict({ ...put, method: 'PATCH', headers: {} }, refused, { preflight: true }).consoleMessage,
    blockedLine('http://localhost/items/1', 'Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.'))
})

test('response headers are normalised the way a browser reads them', async (t) => {
  const page = { origin: PAGE, url: `${API}/x` }
  const response: InjectedResponse = {
    statusCode: 200,
    headers: { 'Access-Control-Allow-Origin': PAGE, 'access-control-expose-headers': ['x-a', 'x-b'], 'X-A': 1, 'x-a': ['2'], 'x-b': undefined, 'set-cookie': ['s=1'] }
  }
  t.same(browserVerdict(page, response), { allowed: true, exposedHeaders: ['x-a'] }, 'names lower-cased, numbers read, absent values left out, Set-Cookie never exposed')
  const app: InjectableApp = { inject: async (options: InjectRequest) => ({ ...response, statusCode: options.method === 'GET' ? 200 : 500 }) }
  const result = await fetchFromPage(app, page)
  t.same(result.response, { status: 200, url: `${API}/x`, redirected: false, headers: { 'x-a': '1, 2' }, body: '' }, 'several field lines combined with ", "')
  t.same(result.exchanges[0]?.response.headers, { 'access-control-allow-origin': PAGE, 'access-control-expose-headers': ['x-a', 'x-b'], 'x-a': ['1', '2'], 'set-cookie': 's=1' })
})

/** The README section's example, as written: the only code block of "Assert what a browser will do, in your own tests". */
function readmeExample (): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.split('\n## ').find((part) => part.startsWith('Assert what a browser will do, in your own tests'))
  const code = /```ts\n([\s\S]*?)```/.exec(section ?? '')?.[1]
  if (code === undefined) throw new Error('README.md has no example in "Assert what a browser will do, in your own tests"')
  return code
}

test('the README example runs as written (its imports pointed at lib/)', async (t) => {
  const code = readmeExample()
  t.match(code, /from 'fastify-cors-policy\/browser'/)
  const source = code
    .replaceAll("from 'fastify-cors-policy/browser'", `from '${pathToFileURL(fileURLToPath(new URL('../../lib/browser/index.ts', import.meta.url))).href}'`)
    .replaceAll("from 'fastify-cors-policy'", `from '${pathToFileURL(fileURLToPath(new URL('../../lib/index.ts', import.meta.url))).href}'`)
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { cwd: root, timeout: 60_000 })
  t.equal(stderr, '')
  t.equal(stdout, '')
})

test('FetchResult is plain data', async (t) => {
  const { app } = await buildApp(t, { origin: [PAGE] })
  const result: FetchResult = await fetchFromPage(app, { origin: PAGE, url: `${API}/items/1`, method: 'DELETE' })
  t.same(JSON.parse(JSON.stringify(result)), result, 'serialisable as it is (a test runner can print it)')
})
