import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { fetchFromPage } from '../../lib/browser/inject.js'
import {
  DEFAULT_PREFLIGHT_MAX_AGE, MAX_PREFLIGHT_MAX_AGE, PreflightCache, preflightMaxAge
} from '../../lib/browser/model.js'
import type { PageRequest, ResponseHead } from '../../lib/browser/model.js'

const PAGE = 'https://app.example'
const API = 'https://api.example/account'

function page (over: Partial<PageRequest> = {}): PageRequest {
  return { url: API, origin: PAGE, method: 'GET', credentials: 'include', ...over }
}

/** A passing preflight answer for PAGE with credentials, plus `headers`. */
function granted (headers: ResponseHead['headers'] = {}): ResponseHead {
  return { status: 204, headers: { 'access-control-allow-origin': PAGE, 'access-control-allow-credentials': 'true', ...headers } }
}

/** A cache holding what one preflight of `req` answered with `res` at time `now`. */
function cacheAfter (req: PageRequest, res: ResponseHead, now = 0): PreflightCache {
  const cache = new PreflightCache()
  const verdict = cache.store(req, res, now)
  if (!verdict.allowed) throw new Error(`fixture preflight refused: ${verdict.failure as string}`)
  return cache
}

const PUT_WITH_KEY = page({ method: 'PUT', headers: { 'X-Api-Key': 'k' } })

test('preflightMaxAge: default 5 s, Chromium caps at 7200 s, anything but one delta-seconds is the default', async (t) => {
  const cases: Array<{ desc: string, value: string | string[] | undefined, want: number }> = [
    { desc: 'absent', value: undefined, want: DEFAULT_PREFLIGHT_MAX_AGE },
    { desc: '600', value: '600', want: 600 },
    { desc: '0', value: '0', want: 0 },
    { desc: 'white space around', value: ' 60 ', want: 60 },
    { desc: 'above the cap', value: '86400', want: MAX_PREFLIGHT_MAX_AGE },
    { desc: 'exactly the cap', value: '7200', want: 7200 },
    { desc: 'negative', value: '-1', want: DEFAULT_PREFLIGHT_MAX_AGE },
    { desc: 'not a number', value: 'soon', want: DEFAULT_PREFLIGHT_MAX_AGE },
    { desc: 'a fraction', value: '1.5', want: DEFAULT_PREFLIGHT_MAX_AGE },
    { desc: 'two values on one line', value: '5, 10', want: DEFAULT_PREFLIGHT_MAX_AGE },
    { desc: 'two field lines', value: ['600', '600'], want: DEFAULT_PREFLIGHT_MAX_AGE },
    { desc: 'empty', value: '', want: DEFAULT_PREFLIGHT_MAX_AGE }
  ]
  for (const c of cases) {
    t.equal(preflightMaxAge({ status: 204, headers: { 'access-control-max-age': c.value } }), c.want, c.desc)
  }
  t.equal(DEFAULT_PREFLIGHT_MAX_AGE, 5)
  t.equal(MAX_PREFLIGHT_MAX_AGE, 7200)
})

test('one entry per listed method and header name, alive for max-age seconds', async (t) => {
  const cache = cacheAfter(PUT_WITH_KEY, granted({ 'access-control-allow-methods': 'PUT, DELETE', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '60' }), 100)
  t.same(cache.entries(100).map((e) => [e.method, e.headerName, e.expires, e.credentials]), [
    ['PUT', null, 160, true], ['DELETE', null, 160, true], [null, 'x-api-key', 160, true]
  ], 'entries as stored')
  t.equal(cache.covers(PUT_WITH_KEY, 100), true, 'the preflighted request itself')
  t.equal(cache.covers(page({ method: 'DELETE' }), 159.9), true, 'another listed method, just before expiry')
  t.equal(cache.covers(page({ method: 'DELETE' }), 160), false, 'gone once max-age seconds have passed')
  t.same(cache.entries(160), [], 'none is alive then')
  t.equal(cache.covers(page({ method: 'PATCH' }), 100), false, 'an unlisted method')
  t.equal(cache.covers(page({ method: 'DELETE', headers: { 'x-request-id': 'r' } }), 100), false, 'an unlisted header')
  t.equal(cache.covers(page({ method: 'DELETE', headers: { 'X-API-KEY': 'other' } }), 100), true, 'header names match case-insensitively')
})

test('preflightNeeded: safelisted methods need no method entry, unsafe headers need a name entry', async (t) => {
  const cache = cacheAfter(page({ headers: { 'x-api-key': 'k' } }), granted({ 'access-control-allow-headers': 'x-api-key' }))
  const cases: Array<{ desc: string, req: PageRequest, want: boolean }> = [
    { desc: 'simple GET: never preflighted', req: page(), want: false },
    { desc: 'GET with the cached header', req: page({ headers: { 'x-api-key': 'k' } }), want: false },
    { desc: 'POST with the cached header: no POST entry needed', req: page({ method: 'POST', headers: { 'x-api-key': 'k' } }), want: false },
    { desc: 'HEAD with the cached header', req: page({ method: 'HEAD', headers: { 'x-api-key': 'k' } }), want: false },
    { desc: 'POST with JSON: content-type is not cached', req: page({ method: 'POST', headers: { 'content-type': 'application/json' } }), want: true },
    { desc: 'POST with text/plain: safelisted value', req: page({ method: 'POST', headers: { 'content-type': 'text/plain', 'x-api-key': 'k' } }), want: false },
    { desc: 'PUT: no method entry', req: page({ method: 'PUT', headers: { 'x-api-key': 'k' } }), want: true },
    { desc: 'GET with the use-CORS-preflight flag needs a GET entry', req: page({ useCorsPreflight: true }), want: true },
    { desc: 'Private Network Access is always preflighted', req: page({ headers: { 'x-api-key': 'k' }, privateNetwork: true }), want: true },
    { desc: 'same-origin: no preflight at all', req: page({ origin: 'https://api.example', method: 'PUT' }), want: false }
  ]
  for (const c of cases) t.equal(cache.preflightNeeded(c.req, 1), c.want, c.desc)
})

test('entries are keyed by origin, URL and credentials mode', async (t) => {
  const cache = cacheAfter(PUT_WITH_KEY, granted({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '600' }))
  const cases: Array<{ desc: string, req: PageRequest, want: boolean }> = [
    { desc: 'same key', req: PUT_WITH_KEY, want: true },
    { desc: 'same URL spelt with the default port', req: { ...PUT_WITH_KEY, url: 'https://api.example:443/account' }, want: true },
    { desc: 'another origin', req: { ...PUT_WITH_KEY, origin: 'https://partner.example' }, want: false },
    { desc: 'another path', req: { ...PUT_WITH_KEY, url: 'https://api.example/account/' }, want: false },
    { desc: 'another query', req: { ...PUT_WITH_KEY, url: 'https://api.example/account?x=1' }, want: false },
    { desc: 'another host', req: { ...PUT_WITH_KEY, url: 'https://b.api.example/account' }, want: false },
    { desc: "credentials 'omit'", req: { ...PUT_WITH_KEY, credentials: 'omit' }, want: false },
    { desc: "credentials 'same-origin'", req: { ...PUT_WITH_KEY, credentials: 'same-origin' }, want: false }
  ]
  for (const c of cases) t.equal(cache.covers(c.req, 1), c.want, c.desc)

  const anonymous = cacheAfter({ ...PUT_WITH_KEY, credentials: 'omit' }, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key' } })
  t.equal(anonymous.covers({ ...PUT_WITH_KEY, credentials: 'same-origin' }, 1), true, "'omit' and 'same-origin' share entries (credentials is 'include' or not)")
  t.equal(anonymous.covers(PUT_WITH_KEY, 1), false, 'a preflight without credentials covers no credentialed request')
})

test('max-age 0 caches nothing; a later answer sets the max-age of the entries it lists', async (t) => {
  const none = cacheAfter(PUT_WITH_KEY, granted({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '0' }))
  t.same(none.entries(0), [], 'max-age 0')
  t.equal(none.preflightNeeded(PUT_WITH_KEY, 0), true, 'the next PUT is preflighted again')

  const cache = cacheAfter(PUT_WITH_KEY, granted({ 'access-control-allow-methods': 'PUT, DELETE', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '600' }))
  const deleteOnly = page({ method: 'DELETE' })
  cache.store(deleteOnly, granted({ 'access-control-allow-methods': 'DELETE', 'access-control-max-age': '0' }), 10)
  t.equal(cache.covers(deleteOnly, 10), false, 'DELETE, listed again with max-age 0, is gone')
  t.equal(cache.covers(PUT_WITH_KEY, 10), true, 'PUT and x-api-key, not listed, keep their max-age')
  cache.store(PUT_WITH_KEY, granted({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '1000' }), 500)
  t.equal(cache.covers(PUT_WITH_KEY, 1400), true, 'a refreshed entry counts its new max-age from the new answer')
  t.equal(cache.entries(500).length, 2, 'refreshing does not duplicate entries')
})

test('preflights to one URL merge: a method from one and a header from another', async (t) => {
  const cache = new PreflightCache()
  cache.store(PUT_WITH_KEY, granted({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '600' }), 0)
  const deleteWithId = page({ method: 'DELETE', headers: { 'x-request-id': 'r' } })
  cache.store(deleteWithId, granted({ 'access-control-allow-methods': 'DELETE', 'access-control-allow-headers': 'x-request-id', 'access-control-max-age': '600' }), 1)
  t.equal(cache.covers(page({ method: 'DELETE', headers: { 'x-api-key': 'k', 'x-request-id': 'r' } }), 2), true, 'DELETE with both headers')
  t.equal(cache.covers(page({ method: 'PUT', headers: { 'x-request-id': 'r' } }), 2), true, 'PUT with the header of the DELETE preflight')
  t.equal(cache.covers(page({ method: 'POST', headers: { 'x-request-id': 'r', 'x-api-key': 'k' } }), 2), true, 'POST needs header entries only')
})

test('a refused preflight stores nothing and its verdict is returned', async (t) => {
  const cache = new PreflightCache()
  const cases: Array<{ desc: string, res: ResponseHead, failure: string }> = [
    { desc: 'another origin', res: { status: 204, headers: { 'access-control-allow-origin': 'https://other.example', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'PUT' } }, failure: 'PreflightAllowOriginMismatch' },
    { desc: 'no ACAC', res: { status: 204, headers: { 'access-control-allow-origin': PAGE, 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key' } }, failure: 'PreflightInvalidAllowCredentials' },
    { desc: '403', res: { status: 403, headers: { 'access-control-allow-origin': PAGE, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-api-key' } }, failure: 'PreflightInvalidStatus' },
    { desc: 'the header is not listed', res: granted({ 'access-control-allow-methods': 'PUT, DELETE' }), failure: 'HeaderDisallowedByPreflightResponse' },
    { desc: 'the method is not listed', res: granted({ 'access-control-allow-methods': 'DELETE', 'access-control-allow-headers': 'x-api-key' }), failure: 'MethodDisallowedByPreflightResponse' }
  ]
  for (const c of cases) {
    const verdict = cache.store(PUT_WITH_KEY, c.res, 0)
    t.equal(verdict.allowed, false, `${c.desc}: refused`)
    t.equal(verdict.failure, c.failure, `${c.desc}: ${c.failure}`)
  }
  t.same(cache.entries(0), [], 'nothing cached, not even the DELETE a refused answer listed')
  t.equal(cache.store(page({ origin: 'https://api.example', method: 'PUT' }), { status: 500, headers: {} }, 0).allowed, true, 'same-origin: allowed')
  t.same(cache.entries(0), [], 'same-origin: nothing cached')
})

test('`*` is a wildcard entry only when the credentials mode is not include', async (t) => {
  const omit = page({ credentials: 'omit', method: 'PUT', headers: { 'x-api-key': 'k' } })
  const anonymous = cacheAfter(omit, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-allow-headers': '*', 'access-control-max-age': '600' } })
  t.equal(anonymous.covers({ ...omit, method: 'DELETE', headers: { 'x-request-id': 'r', 'content-type': 'application/json' } }, 1), true, 'any method and header')
  t.equal(anonymous.covers({ ...omit, method: 'patch' }, 1), true, 'a method the page did not ask for')
  t.equal(anonymous.covers({ ...omit, headers: { authorization: 'Bearer t' } }, 1), false, '`*` never covers Authorization')

  // a credentialed GET preflight passes whatever ACAM says: its `*` is stored, but as a method named `*`
  const get = page({ headers: { 'x-api-key': 'k' } })
  const credentialed = cacheAfter(get, granted({ 'access-control-allow-methods': '*', 'access-control-allow-headers': 'x-api-key, *', 'access-control-max-age': '600' }))
  t.same(credentialed.entries(0).map((e) => e.method ?? e.headerName), ['*', 'x-api-key', '*'], 'stored as given')
  t.equal(credentialed.covers(page({ method: 'DELETE' }), 1), false, 'no DELETE for a credentialed request')
  t.equal(credentialed.covers(page({ method: '*' }), 1), true, 'only the method literally named `*`')
  t.equal(credentialed.covers(page({ headers: { 'x-request-id': 'r' } }), 1), false, 'no other header for a credentialed request')
  t.equal(credentialed.covers(get, 1), true, 'the listed header')
})

test('a later listing updates a matching `*` entry (Fetch#cors-preflight-fetch-0 step 7.12)', async (t) => {
  const omit = page({ credentials: 'omit', method: 'PUT' })
  const cache = cacheAfter(omit, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-max-age': '600' } })
  cache.store(omit, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT', 'access-control-max-age': '0' } }, 10)
  t.same(cache.entries(10), [], 'PUT matched the `*` entry, which took max-age 0')
  t.equal(cache.covers({ ...omit, method: 'DELETE' }, 10), false, 'DELETE is preflighted again')
})

test('methods match case-sensitively; the use-CORS-preflight flag caches the method without ACAM', async (t) => {
  const cache = cacheAfter(page({ method: 'PATCH' }), granted({ 'access-control-allow-methods': 'PATCH, put', 'access-control-max-age': '60' }))
  t.equal(cache.covers(page({ method: 'PATCH' }), 1), true, 'PATCH')
  t.equal(cache.covers(page({ method: 'patch' }), 1), false, '`patch` is not normalised, so not PATCH')
  t.equal(cache.covers(page({ method: 'put' }), 1), false, '`put` is sent as PUT, which is not `put`')

  const flagged = page({ useCorsPreflight: true })
  const upload = cacheAfter(flagged, granted({ 'access-control-max-age': '60' }))
  t.same(upload.entries(0).map((e) => e.method), ['GET'], 'an entry for the request method (step 7.4)')
  t.equal(upload.preflightNeeded(flagged, 1), false, 'the next flagged GET goes out directly')
  t.equal(upload.preflightNeeded({ ...flagged, method: 'POST' }, 1), true, 'a flagged POST has no entry')
})

test('tiered origins: a public-tier preflight is cached for requests without credentials only; a credentialed one needs the credentialed tier', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: { credentialed: [PAGE], public: '*' }, maxAge: 600 })
  app.put('/account', async () => 'saved')
  await app.ready()
  const stranger = 'https://stranger.example'
  const put = (origin: string, credentials: PageRequest['credentials']): PageRequest => ({ origin, url: API, method: 'PUT', headers: { 'X-Api-Key': 'k' }, credentials })

  const cache = new PreflightCache()
  const anonymous = await fetchFromPage(app, put(stranger, 'omit'), { preflightCache: cache, now: 0 })
  t.equal(anonymous.allowed, true, 'the public tier serves a request without credentials')
  t.equal(anonymous.preflight?.response.headers['access-control-allow-origin'], '*')
  t.same(cache.entries(1).map((e) => [e.origin, e.method ?? e.headerName, e.credentials]), [[stranger, 'PUT', false], [stranger, 'x-api-key', false]], 'stored without credentials')
  t.equal(cache.preflightNeeded(put(stranger, 'same-origin'), 1), false, 'reused by the next request without credentials')

  const withCookies = await fetchFromPage(app, put(stranger, 'include'), { preflightCache: cache, now: 1 })
  t.equal(withCookies.exchanges[0]?.kind, 'preflight', 'the public-tier entries do not cover a credentialed request: it is preflighted again')
  t.equal(withCookies.allowed, false)
  t.equal(withCookies.failure, 'PreflightWildcardOriginNotAllowed', "the public tier answers '*', which a credentialed request cannot use")
  t.equal(withCookies.actualSent, false, 'so the credentialed PUT is never sent')
  t.same(cache.entries(1).filter((e) => e.credentials).length, 0, 'and nothing credentialed is cached for the stranger')

  const own = await fetchFromPage(app, put(PAGE, 'include'), { preflightCache: cache, now: 2 })
  t.equal(own.allowed, true, 'the credentialed tier serves a credentialed request')
  t.same(cache.entries(2).filter((e) => e.origin === PAGE).map((e) => [e.method ?? e.headerName, e.credentials]), [['PUT', true], ['x-api-key', true]])
  t.equal(cache.covers(put(stranger, 'include'), 3), false, "the credentialed tier's entries are keyed by its own origin: the stranger never uses them")
})
