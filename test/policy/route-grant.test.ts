import { test } from 'tap'
import { allowsHeader, allowsMethod, answerPreflight, profileUrl, type Candidate, type PreflightAnswer, type PreflightQuery } from '../../lib/policy/route-grant.js'
import { originVerdict } from '../../lib/policy/decide.js'
import { compilePolicy, type CorsPolicy } from '../../lib/policy/compile.js'
import { resolveOptions } from '../../lib/policy/options.js'

const PARTNER = 'https://partner.example'
const APP = 'https://app.example'

function policy (raw: Record<string, unknown>): CorsPolicy {
  const { options, problems } = resolveOptions(raw)
  if (problems.length > 0) throw new Error(JSON.stringify(problems))
  return compilePolicy(options)
}

function routes (...entries: Array<[string, ...Array<CorsPolicy | null | undefined>]>): Map<string, Candidate[]> {
  return new Map(entries.map(([method, ...policies]) => [method, policies.map((p) => ({ policy: p, name: `${method} /account` }))]))
}

function ask (query: Partial<Omit<PreflightQuery, 'url'>> & Pick<PreflightQuery, 'requestMethod'> & { routes: Map<string, Candidate[]> }, origin: string): PreflightAnswer {
  const { routes, ...rest } = query
  return answerPreflight({
    url: profileUrl(routes),
    scopePolicy: policy({ origin: [APP, PARTNER] }),
    requestHeaders: undefined,
    requestPrivateNetwork: undefined,
    target: `${query.requestMethod} /account`,
    allowsOrigin: (p) => originVerdict(p, origin) === 'allowed',
    ...rest
  })
}

/** The answer's headers in one comparable record. */
function headers (answer: PreflightAnswer): Record<string, unknown> {
  if (answer.kind === 'refuse') return { refuse: answer.reason }
  return {
    reason: answer.outcome.reason,
    acam: answer.outcome.acam,
    acah: answer.outcome.acah,
    acac: answer.credentials,
    any: answer.anyOrigin,
    maxAge: answer.maxAge,
    vary: answer.vary
  }
}

const VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

test('allowsMethod and allowsHeader: what one policy would answer alone', async (t) => {
  const echo = policy({ origin: APP })
  const listed = policy({ origin: APP, methods: ['PUT'], allowedHeaders: ['X-A'] })
  const wildcard = policy({ origin: APP, allowedHeaders: '*' })
  t.ok(allowsMethod(listed, 'GET'), 'safelisted always')
  t.ok(allowsMethod(listed, 'PUT'))
  t.notOk(allowsMethod(listed, 'DELETE'))
  t.ok(allowsMethod(echo, 'DELETE'), 'unset methods follow the routes')
  t.ok(allowsHeader(echo, 'x-anything'))
  t.notOk(allowsHeader(echo, '*'), "a name '*' is never echoed")
  t.ok(allowsHeader(listed, 'x-a'))
  t.notOk(allowsHeader(listed, 'x-b'))
  t.ok(allowsHeader(wildcard, 'x-b'))
  t.notOk(allowsHeader(wildcard, 'authorization'), "'*' never covers Authorization")
})

test('one policy for the whole URL: answered as the policy says', async (t) => {
  const shared = policy({ origin: [APP, PARTNER], credentials: true, maxAge: 600 })
  const answer = ask({ routes: routes(['GET', shared], ['HEAD', shared], ['PUT', shared]), requestMethod: 'GET', requestHeaders: 'x-a' }, PARTNER)
  t.same(headers(answer), { reason: 'allowed', acam: 'GET, HEAD, PUT', acah: 'x-a', acac: true, any: false, maxAge: '600', vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' })
})

test('shared URL: a method another route refuses to this origin is never listed', async (t) => {
  const open = policy({ origin: [APP, PARTNER], credentials: true, maxAge: 600 })
  const strict = policy({ origin: [APP], credentials: true, maxAge: 600 })
  const url = routes(['GET', open], ['HEAD', open], ['PUT', strict])
  const cases: Array<[string, string, string | undefined, Record<string, unknown>]> = [
    ['partner GET with a header', PARTNER, 'x-a', { reason: 'allowed', acam: 'GET, HEAD', acah: 'x-a', acac: true, any: false, maxAge: '600', vary: VARY }],
    ['partner GET', PARTNER, undefined, { reason: 'allowed', acam: 'GET, HEAD', acah: undefined, acac: true, any: false, maxAge: '600', vary: VARY }],
    ['app PUT', APP, 'x-a', { reason: 'allowed', acam: 'GET, HEAD, PUT', acah: 'x-a', acac: true, any: false, maxAge: '600', vary: VARY }]
  ]
  for (const [label, origin, requestHeaders, want] of cases) {
    t.same(headers(ask({ routes: url, requestMethod: label.endsWith('PUT') ? 'PUT' : 'GET', requestHeaders }, origin)), want, label)
  }
  t.same(headers(ask({ routes: url, requestMethod: 'PUT' }, PARTNER)), { refuse: 'origin' }, 'partner PUT')
})

test("a public '*' GET next to a private DELETE: no site gets DELETE, and '*' is not sent for the URL", async (t) => {
  const open = policy({ origin: '*', methods: '*', allowedHeaders: '*' })
  const owner = policy({ origin: [APP], credentials: true })
  const url = routes(['GET', open], ['DELETE', owner])
  t.same(headers(ask({ routes: url, requestMethod: 'GET', requestHeaders: 'x-a' }, PARTNER)),
    { reason: 'allowed', acam: 'GET', acah: 'x-a', acac: false, any: true, maxAge: undefined, vary: 'Access-Control-Request-Method, Access-Control-Request-Headers' })
  t.same(headers(ask({ routes: url, requestMethod: 'DELETE' }, PARTNER)), { refuse: 'origin' })
  // the app's DELETE (credentials) cannot share a grant with GET's '*' answer: the GET route would
  // refuse a credentialed request, so DELETE is answered for itself, with max-age 0 only if headers differ
  const del = headers(ask({ routes: url, requestMethod: 'DELETE' }, APP))
  t.same(del, { reason: 'allowed', acam: 'DELETE', acah: undefined, acac: true, any: false, maxAge: undefined, vary: VARY }, 'GET grants no credentials: not listed')
})

test('a header granted to the target but refused by a safelisted-method route is answered exactly, never cached', async (t) => {
  const strictGet = policy({ origin: [APP, PARTNER], allowedHeaders: ['content-type'] })
  const openPut = policy({ origin: [APP, PARTNER] })
  const url = routes(['GET', strictGet], ['PUT', openPut])
  t.same(headers(ask({ routes: url, requestMethod: 'PUT', requestHeaders: 'x-secret' }, PARTNER)),
    { reason: 'allowed', acam: 'PUT', acah: 'x-secret', acac: false, any: false, maxAge: '0', vary: VARY }, 'x-secret would unlock a GET with x-secret')
  t.same(headers(ask({ routes: url, requestMethod: 'PUT', requestHeaders: 'content-type' }, PARTNER)),
    { reason: 'allowed', acam: 'GET, PUT', acah: 'content-type', acac: false, any: false, maxAge: undefined, vary: VARY }, 'a header both allow is cacheable')
})

test('a method the target route alone allows is answered exactly with max-age 0', async (t) => {
  const open = policy({ origin: [APP, PARTNER], maxAge: 60 })
  const narrow = policy({ origin: [APP, PARTNER], methods: ['PATCH'] })
  const url = routes(['GET', open], ['PUT', narrow], ['PATCH', narrow])
  t.same(headers(ask({ routes: url, requestMethod: 'PATCH' }, APP)),
    { reason: 'allowed', acam: 'GET, PATCH', acah: undefined, acac: false, any: false, maxAge: '5', vary: VARY }, 'PUT is not listed: its own policy refuses PUT; the smallest max-age is the default 5 s')
  t.same(headers(ask({ routes: url, requestMethod: 'PUT' }, APP)),
    { reason: 'method-not-allowed', acam: 'GET, PATCH', acah: undefined, acac: false, any: false, maxAge: undefined, vary: VARY }, "PUT's own policy refuses it; a refused preflight is never cached, so what the URL grants is shown")
})

test('cors: false and unknown routes refuse the preflight, and are never part of a grant', async (t) => {
  const open = policy({ origin: [APP] })
  t.same(headers(ask({ routes: routes(['GET', open], ['POST', null]), requestMethod: 'POST' }, APP)), { refuse: 'disabled' })
  t.same(headers(ask({ routes: routes(['GET', open], ['PUT', undefined]), requestMethod: 'PUT' }, APP)), { refuse: 'disabled' })
  const unknown = ask({ routes: routes(['PUT', undefined]), requestMethod: 'PUT' }, APP)
  t.match(unknown, { kind: 'refuse', detail: /is not covered by any registration of fastify-cors-policy/ })
  // a cached header would unlock a POST to the cors: false route: answered exactly
  t.same(headers(ask({ routes: routes(['GET', open], ['POST', null]), requestMethod: 'GET', requestHeaders: 'x-a' }, APP)),
    { reason: 'allowed', acam: 'GET', acah: 'x-a', acac: false, any: false, maxAge: '0', vary: VARY })
})

test('a method no route serves: the scope policy for that method alone, headers within the URL grant', async (t) => {
  const scopePolicy = policy({ origin: [APP] })
  const strictGet = policy({ origin: [APP], allowedHeaders: ['x-a'] })
  const url = routes(['GET', strictGet])
  t.same(headers(ask({ routes: url, scopePolicy, requestMethod: 'PUT', requestHeaders: 'x-a' }, APP)),
    { reason: 'allowed', acam: 'GET, PUT', acah: 'x-a', acac: false, any: false, maxAge: undefined, vary: VARY })
  t.same(headers(ask({ routes: url, scopePolicy, requestMethod: 'PUT', requestHeaders: 'x-b' }, APP)),
    { reason: 'allowed', acam: 'PUT', acah: 'x-b', acac: false, any: false, maxAge: '0', vary: VARY })
  t.same(headers(ask({ routes: new Map(), scopePolicy, requestMethod: 'PUT', requestHeaders: 'x-b' }, APP)),
    { reason: 'allowed', acam: 'PUT', acah: 'x-b', acac: false, any: false, maxAge: undefined, vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' }, 'an empty URL is one policy')
})

test("a method or header named '*' is never echoed", async (t) => {
  const open = policy({ origin: [APP] })
  const strict = policy({ origin: [APP], methods: ['PUT'] })
  const url = routes(['GET', open], ['PUT', strict])
  t.match(headers(ask({ routes: url, requestMethod: '*' }, APP)), { reason: 'method-not-allowed', acam: 'GET, PUT' }, 'methods are listed by name')
  t.match(headers(ask({ routes: url, requestMethod: 'PUT', requestHeaders: '*' }, APP)), { reason: 'header-not-allowed', acah: undefined })
  t.match(headers(ask({ routes: routes(['GET', open]), scopePolicy: open, requestMethod: '*' }, APP)), { reason: 'method-not-allowed', acam: undefined }, 'one policy')
  t.match(headers(ask({ routes: routes(['GET', open]), requestMethod: '*' }, APP)), { reason: 'method-not-allowed', acam: 'GET' }, 'the scope policy differs')
  t.match(headers(ask({ routes: routes(['GET', open]), scopePolicy: open, requestMethod: 'GET', requestHeaders: 'x-a,*' }, APP)), { reason: 'header-not-allowed', acah: undefined }, 'one policy')
})

test('candidates of one method (constraints a preflight cannot tell apart): only what every one grants', async (t) => {
  const a = policy({ origin: [APP, PARTNER], credentials: true, maxAge: 100 })
  const b = policy({ origin: [APP], credentials: true, maxAge: 10 })
  const url = routes(['PUT', a, b])
  t.same(headers(ask({ routes: url, requestMethod: 'PUT' }, PARTNER)), { refuse: 'origin' }, 'b refuses the partner')
  t.same(headers(ask({ routes: url, requestMethod: 'PUT' }, APP)),
    { reason: 'allowed', acam: 'PUT', acah: undefined, acac: true, any: false, maxAge: '10', vary: VARY }, 'the smallest max-age')
  const noCreds = policy({ origin: [APP] })
  t.same(headers(ask({ routes: routes(['PUT', a, noCreds]), requestMethod: 'PUT' }, APP)),
    { reason: 'allowed', acam: 'PUT', acah: undefined, acac: false, any: false, maxAge: '5', vary: VARY }, 'credentials only when every candidate has them')
})

test('private network access: every target policy must allow it', async (t) => {
  const pna = policy({ origin: [APP], allowPrivateNetwork: true })
  const plain = policy({ origin: [APP] })
  t.match(headers(ask({ routes: routes(['PUT', pna, plain]), requestMethod: 'PUT', requestPrivateNetwork: 'true' }, APP)), { reason: 'private-network-not-allowed' })
  t.match(headers(ask({ routes: routes(['PUT', pna], ['GET', plain]), requestMethod: 'PUT', requestPrivateNetwork: 'true' }, APP)), { reason: 'allowed' })
})

test('invalid request headers are refused, never echoed', async (t) => {
  const open = policy({ origin: [APP] })
  const strict = policy({ origin: [APP], methods: ['PUT'] })
  const url = routes(['GET', open], ['PUT', strict])
  t.match(headers(ask({ routes: url, requestMethod: 'PUT', requestHeaders: 'x a' }, APP)), { reason: 'header-not-allowed', acah: undefined })
  t.match(headers(ask({ routes: url, requestMethod: 'PUT, DELETE' }, APP)), { reason: 'method-not-allowed', acam: 'GET, PUT' }, 'the invalid value is not echoed')
  t.match(headers(ask({ routes: url, requestMethod: 'PUT', requestHeaders: 'X-A, x-b' }, APP)), { reason: 'allowed', acah: 'x-a,x-b' }, 'a list split by a proxy is parsed and re-joined')
})

test("a URL whose routes differ: a requested header '*' is refused, never echoed, even under allowedHeaders '*'", async (t) => {
  const open = policy({ origin: [APP, PARTNER], allowedHeaders: '*' })
  const narrow = policy({ origin: [APP], allowedHeaders: '*' })
  t.match(headers(ask({ routes: routes(['GET', narrow], ['PUT', open]), requestMethod: 'PUT', requestHeaders: '*' }, APP)), { reason: 'header-not-allowed', acah: undefined })
})

test('a private-network refusal on a URL whose routes differ is answered for itself alone, with max-age 0', async (t) => {
  // browsers that only warn about private network access accept this answer and would cache it
  const strictGet = policy({ origin: [APP], allowedHeaders: ['x-read'] })
  const put = policy({ origin: [APP], allowedHeaders: ['x-admin-token', 'x-read'] })
  t.same(headers(ask({ routes: routes(['GET', strictGet], ['PUT', put]), requestMethod: 'PUT', requestHeaders: 'x-admin-token', requestPrivateNetwork: 'true' }, APP)),
    { reason: 'private-network-not-allowed', acam: 'PUT', acah: 'x-admin-token', acac: false, any: false, maxAge: '0', vary: VARY })
})

test('a route with preflight: false is never part of a grant, and refuses a preflight it shares with another route', async (t) => {
  const own = policy({ origin: [APP], preflight: false })
  const open = policy({ origin: [APP] })
  t.same(headers(ask({ routes: routes(['GET', own], ['DELETE', open]), requestMethod: 'DELETE' }, APP)),
    { reason: 'allowed', acam: 'DELETE', acah: undefined, acac: false, any: false, maxAge: undefined, vary: VARY })
  t.match(ask({ routes: routes(['PUT', open, own]), requestMethod: 'PUT' }, APP), { kind: 'refuse', reason: 'disabled', detail: /preflight: false/ })
})
