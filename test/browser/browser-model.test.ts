import { test } from 'tap'
import type { Test } from 'tap'
import {
  actualRequest, authorHeaders, checkActualResponse, checkPreflightResponse, consoleMessage,
  corsUnsafeRequestHeaderNames, failureMessage, fieldLines, ignoredHeaders, isSameOrigin,
  isSafelistedRequestHeader, needsPreflight, normalizeMethod, preflightReasons, preflightRequest,
  requestProblems, targetAddressSpace
} from '../../lib/browser/model.js'
import type { FailureCode, HeaderList, PageRequest, ResponseHead, Verdict } from '../../lib/browser/model.js'
import { extractTokenList, isForbiddenRequestHeader, mimeEssence, parseSingleRange } from '../../lib/browser/headers.js'

const PAGE = 'http://localhost:8080'
const API = 'http://127.0.0.1:3000/items'
const PREFIX = "Response to preflight request doesn't pass access control check: "

function page (over: Partial<PageRequest> = {}): PageRequest {
  return { url: API, origin: PAGE, method: 'GET', ...over }
}

function head (status: number, headers: ResponseHead['headers']): ResponseHead {
  return { status, headers }
}

test('normalizeMethod upper-cases only the six Fetch methods', async (t) => {
  const cases: Array<{ desc: string, input: string, want: string }> = [
    { desc: 'get', input: 'get', want: 'GET' },
    { desc: 'Delete', input: 'Delete', want: 'DELETE' },
    { desc: 'options', input: 'options', want: 'OPTIONS' },
    { desc: 'put', input: 'put', want: 'PUT' },
    { desc: 'head', input: 'hEaD', want: 'HEAD' },
    { desc: 'post', input: 'post', want: 'POST' },
    { desc: 'patch stays patch', input: 'patch', want: 'patch' },
    { desc: 'PATCH stays PATCH', input: 'PATCH', want: 'PATCH' },
    { desc: 'custom method kept', input: 'Purge', want: 'Purge' }
  ]
  for (const c of cases) t.equal(normalizeMethod(c.input), c.want, c.desc)
})

test('isSafelistedRequestHeader follows Fetch#cors-safelisted-request-header', async (t) => {
  const cases: Array<{ desc: string, name: string, value: string, want: boolean }> = [
    { desc: 'accept */*', name: 'Accept', value: '*/*', want: true },
    { desc: 'accept with an unsafe byte', name: 'accept', value: 'text/html(', want: false },
    { desc: 'accept with a control byte', name: 'accept', value: 'a\u0001b', want: false },
    { desc: 'accept with a tab is fine', name: 'accept', value: 'a\tb', want: true },
    { desc: 'accept with DEL', name: 'accept', value: 'a\u007f', want: false },
    { desc: 'accept of 128 bytes', name: 'accept', value: 'a'.repeat(128), want: true },
    { desc: 'accept of 129 bytes', name: 'accept', value: 'a'.repeat(129), want: false },
    { desc: 'accept-language en-US,fr;q=0.5', name: 'accept-language', value: 'en-US,fr;q=0.5', want: true },
    { desc: 'accept-language with a quote', name: 'accept-language', value: 'en"', want: false },
    { desc: 'content-language de-DE', name: 'content-language', value: 'de-DE', want: true },
    { desc: 'content-language with a slash', name: 'content-language', value: 'de/DE', want: false },
    { desc: 'content-type text/plain', name: 'Content-Type', value: 'text/plain', want: true },
    { desc: 'content-type with charset', name: 'content-type', value: 'text/plain;charset=UTF-8', want: true },
    { desc: 'content-type upper case essence', name: 'content-type', value: 'Multipart/Form-Data; boundary=x', want: true },
    { desc: 'content-type urlencoded', name: 'content-type', value: 'application/x-www-form-urlencoded', want: true },
    { desc: 'content-type application/json', name: 'content-type', value: 'application/json', want: false },
    { desc: 'content-type two types', name: 'content-type', value: 'text/plain, text/html', want: false },
    { desc: 'content-type with an unsafe byte in a parameter', name: 'content-type', value: 'text/plain; a="b"', want: false },
    { desc: 'content-type without a slash', name: 'content-type', value: 'text', want: false },
    { desc: 'content-type empty subtype', name: 'content-type', value: 'text/', want: false },
    { desc: 'content-type subtype trailing space before ;', name: 'content-type', value: 'text/plain ;x=y', want: true },
    { desc: 'range bytes=0-', name: 'range', value: 'bytes=0-', want: true },
    { desc: 'range bytes=0-499', name: 'Range', value: 'bytes=0-499', want: true },
    { desc: 'range unit is case-insensitive', name: 'range', value: 'BYTES=5-9', want: true },
    { desc: 'range suffix bytes=-500', name: 'range', value: 'bytes=-500', want: false },
    { desc: 'range two ranges', name: 'range', value: 'bytes=0-1,5-6', want: false },
    { desc: 'range start after end', name: 'range', value: 'bytes=9-5', want: false },
    { desc: 'range with whitespace', name: 'range', value: 'bytes= 0-5', want: false },
    { desc: 'range other unit', name: 'range', value: 'items=0-5', want: false },
    { desc: 'range without digits', name: 'range', value: 'bytes=-', want: false },
    { desc: 'x-custom', name: 'X-Custom', value: '1', want: false },
    { desc: 'authorization', name: 'Authorization', value: 'Bearer x', want: false }
  ]
  for (const c of cases) t.equal(isSafelistedRequestHeader(c.name, c.value), c.want, c.desc)
})

test('header helpers', async (t) => {
  t.equal(mimeEssence('  Text/HTML ; charset=utf-8'), 'text/html', 'essence is lower-cased and trimmed')
  t.equal(mimeEssence('te xt/html'), undefined, 'a space in the type fails')
  t.same(parseSingleRange('bytes=3-'), [3, null], 'open range')
  t.same(parseSingleRange('bytes=-3'), [null, 3], 'suffix range')
  t.equal(parseSingleRange('bytes=a-3'), undefined, 'letters fail')
  t.equal(extractTokenList(undefined), null, 'absent list is null')
  t.same(extractTokenList(['GET, , PUT', '\tPATCH ']), ['GET', 'PUT', 'PATCH'], 'empty elements and OWS are allowed')
  t.same(extractTokenList(['']), [], 'empty value is an empty list')
  t.equal(extractTokenList(['GET PUT']), 'failure', 'space inside an element fails')
  t.equal(extractTokenList(['GET;']), 'failure', 'a separator fails')
  const forbidden: Array<{ desc: string, name: string, value: string, want: boolean }> = [
    { desc: 'cookie', name: 'Cookie', value: 'a=b', want: true },
    { desc: 'sec- prefix', name: 'Sec-Fetch-Site', value: 'x', want: true },
    { desc: 'proxy- prefix', name: 'Proxy-Authorization', value: 'x', want: true },
    { desc: 'ACRPN', name: 'Access-Control-Request-Private-Network', value: 'true', want: true },
    { desc: 'method override with a forbidden method', name: 'X-HTTP-Method-Override', value: 'GET, trace', want: true },
    { desc: 'method override with an allowed method', name: 'X-Method-Override', value: 'PUT', want: false },
    { desc: 'ordinary name', name: 'X-Custom', value: 'x', want: false }
  ]
  for (const c of forbidden) t.equal(isForbiddenRequestHeader(c.name, c.value), c.want, c.desc)
})

test('corsUnsafeRequestHeaderNames: lower-cased, sorted, deduplicated, 1024-byte rule', async (t) => {
  const cases: Array<{ desc: string, headers: HeaderList, want: string[] }> = [
    { desc: 'no headers', headers: [], want: [] },
    { desc: 'only safelisted', headers: [['Accept', 'application/json'], ['Content-Type', 'text/plain']], want: [] },
    { desc: 'unsafe names sorted and lower-cased', headers: [['X-Zeta', '1'], ['Content-Type', 'application/json'], ['X-Alpha', '2']], want: ['content-type', 'x-alpha', 'x-zeta'] },
    { desc: 'duplicates collapse', headers: [['X-A', '1'], ['x-a', '2']], want: ['x-a'] },
    { desc: 'safelisted values above 1024 bytes in total', headers: Array.from({ length: 9 }, (): [string, string] => ['accept', 'a'.repeat(120)]), want: ['accept'] },
    { desc: 'safelisted values of exactly 1024 bytes', headers: [...Array.from({ length: 8 }, (): [string, string] => ['accept', 'a'.repeat(128)])], want: [] },
    { desc: '1024-byte rule adds safelisted names to unsafe ones', headers: [['X-B', '1'], ...Array.from({ length: 9 }, (): [string, string] => ['Content-Language', 'de'.repeat(60)])], want: ['content-language', 'x-b'] }
  ]
  for (const c of cases) t.same(corsUnsafeRequestHeaderNames(c.headers), c.want, c.desc)
})

test('author headers: values trimmed, forbidden names dropped', async (t) => {
  const req = page({ headers: { 'X-Custom': '  v \t', Cookie: 'a=b', 'Sec-Foo': '1' } })
  t.same(authorHeaders(req), [['X-Custom', 'v']])
  t.same(ignoredHeaders(req), ['Cookie', 'Sec-Foo'])
  t.same(authorHeaders(page()), [], 'no headers')
  t.same(ignoredHeaders(page()), [], 'nothing ignored')
  t.same(ignoredHeaders(page({ headers: [['Host', 'x'], ['X-A', '1']] })), ['Host'], 'header list form')
})

test('requestProblems lists what makes fetch() throw', async (t) => {
  const cases: Array<{ desc: string, req: PageRequest, want: string[] }> = [
    { desc: 'valid request', req: page({ method: 'patch', headers: [['X-A', 'é']] }), want: [] },
    { desc: 'unparsable URL', req: page({ url: 'not a url' }), want: ['Failed to parse URL from not a url'] },
    { desc: 'ftp URL', req: page({ url: 'ftp://example.com/' }), want: ['URL scheme "ftp" is not supported.'] },
    { desc: 'URL with credentials', req: page({ url: 'http://u:p@127.0.0.1/' }), want: ['Request cannot be constructed from a URL that includes credentials: http://u:p@127.0.0.1/'] },
    { desc: 'method with a space', req: page({ method: 'GE T' }), want: ["'GE T' is not a valid HTTP method."] },
    { desc: 'forbidden method', req: page({ method: 'connect' }), want: ["'connect' HTTP method is unsupported."] },
    { desc: 'header name with a colon', req: page({ headers: [['X:A', '1']] }), want: ["Invalid name: 'X:A'"] },
    { desc: 'header value with CR', req: page({ headers: { 'X-A': 'a\rb' } }), want: ["Invalid value for header 'X-A'"] },
    { desc: 'header value beyond Latin-1', req: page({ headers: { 'X-A': '€' } }), want: ["Invalid value for header 'X-A'"] }
  ]
  for (const c of cases) t.same(requestProblems(c.req), c.want, c.desc)
})

test('isSameOrigin', async (t) => {
  t.equal(isSameOrigin(page({ url: 'http://localhost:8080/api' })), true, 'same scheme, host and port')
  t.equal(isSameOrigin(page({ url: 'http://localhost:80/api', origin: 'http://localhost' })), true, 'default port')
  t.equal(isSameOrigin(page({ url: 'https://localhost:8080/api' })), false, 'other scheme')
  t.equal(isSameOrigin(page({ url: 'http://localhost:8081/api' })), false, 'other port')
  t.equal(isSameOrigin(page({ origin: 'null', url: 'http://localhost:8080/' })), false, 'an opaque origin is never same-origin')
})

test('needsPreflight and preflightReasons', async (t) => {
  const cases: Array<{ desc: string, req: PageRequest, want: string[] }> = [
    { desc: 'simple GET', req: page(), want: [] },
    { desc: 'POST with a form content type', req: page({ method: 'post', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), want: [] },
    { desc: 'same-origin PUT with custom header', req: page({ url: 'http://localhost:8080/x', method: 'PUT', headers: { 'X-A': '1' } }), want: [] },
    { desc: 'PUT', req: page({ method: 'put' }), want: ['PUT is not a CORS-safelisted method (GET, HEAD, POST)'] },
    { desc: 'patch is not normalised', req: page({ method: 'patch' }), want: ['patch is not a CORS-safelisted method (GET, HEAD, POST)'] },
    { desc: 'JSON body', req: page({ method: 'POST', headers: { 'Content-Type': 'application/json' } }), want: ["content-type: 'application/json' is not a CORS-safelisted value"] },
    { desc: 'custom header', req: page({ headers: { 'X-Custom': '1' } }), want: ['x-custom is not a CORS-safelisted request header'] },
    { desc: 'forbidden header is ignored', req: page({ headers: { Cookie: 'a=b' } }), want: [] },
    { desc: 'safelisted values too long in total', req: page({ headers: Array.from({ length: 9 }, (): [string, string] => ['Accept', 'a'.repeat(120)]) }), want: ['accept is safelisted, but the safelisted values exceed 1024 bytes in total'] },
    { desc: 'private network', req: page({ privateNetwork: true }), want: ['the target is on a more private network (Private Network Access)'] },
    { desc: 'use-CORS-preflight flag', req: page({ method: 'POST', useCorsPreflight: true }), want: ['the use-CORS-preflight flag is set (upload listeners or a streamed body)'] }
  ]
  for (const c of cases) {
    t.same(preflightReasons(c.req), c.want, c.desc)
    t.equal(needsPreflight(c.req), c.want.length > 0, `${c.desc}: needsPreflight`)
  }
})

test('preflightRequest is built as Chromium builds it', async (t) => {
  const cases: Array<{ desc: string, req: PageRequest, want: HeaderList }> = [
    {
      desc: 'PUT with headers: ACRH lower-cased, sorted, deduplicated, joined by a bare comma',
      req: page({ method: 'put', headers: [['X-Zeta', '1'], ['Content-Type', 'application/json'], ['x-zeta', '2'], ['Accept', 'text/plain'], ['Cookie', 'a']] }),
      want: [['accept', '*/*'], ['access-control-request-method', 'PUT'], ['access-control-request-headers', 'content-type,x-zeta'], ['origin', PAGE], ['sec-fetch-mode', 'cors']]
    },
    {
      desc: 'DELETE without headers has no ACRH',
      req: page({ method: 'delete' }),
      want: [['accept', '*/*'], ['access-control-request-method', 'DELETE'], ['origin', PAGE], ['sec-fetch-mode', 'cors']]
    },
    {
      desc: 'PNA-only preflight of a GET',
      req: page({ privateNetwork: true, origin: 'null' }),
      want: [['accept', '*/*'], ['access-control-request-method', 'GET'], ['access-control-request-private-network', 'true'], ['origin', 'null'], ['sec-fetch-mode', 'cors']]
    }
  ]
  for (const c of cases) t.same(preflightRequest(c.req), { method: 'OPTIONS', url: API, headers: c.want }, c.desc)
})

test('actualRequest adds what the browser adds', async (t) => {
  t.same(actualRequest(page({ method: 'put', headers: [['X-A', '1'], ['x-a', '2']] })), {
    method: 'PUT', url: API, headers: [['X-A', '1, 2'], ['accept', '*/*'], ['origin', PAGE], ['sec-fetch-mode', 'cors']]
  }, 'cross-origin: values combined, Accept and Origin added')
  t.same(actualRequest(page({ headers: { Accept: 'application/json' } })).headers, [['Accept', 'application/json'], ['origin', PAGE], ['sec-fetch-mode', 'cors']], 'author Accept kept')
  t.same(actualRequest(page({ url: 'http://localhost:8080/x' })).headers, [['accept', '*/*'], ['sec-fetch-mode', 'cors']], 'same-origin GET has no Origin')
  t.same(actualRequest(page({ url: 'http://localhost:8080/x', method: 'POST' })).headers, [['accept', '*/*'], ['origin', PAGE], ['sec-fetch-mode', 'cors']], 'same-origin POST has Origin')
})

interface CheckCase {
  desc: string
  req?: Partial<PageRequest>
  res: ResponseHead
  failure?: FailureCode
  message?: string
  fix?: string
}

function assertVerdict (t: Test, got: Verdict, c: CheckCase): void {
  if (c.failure === undefined) {
    t.same(got, { allowed: true }, c.desc)
    return
  }
  t.equal(got.allowed, false, `${c.desc}: blocked`)
  t.equal(got.failure, c.failure, `${c.desc}: failure`)
  t.equal(got.message, c.message, `${c.desc}: message`)
  if (c.fix !== undefined) t.equal(got.fix, c.fix, `${c.desc}: fix`)
}

const ALLOW = { 'access-control-allow-origin': PAGE }
const ALLOW_CREDS = { 'access-control-allow-origin': PAGE, 'access-control-allow-credentials': 'true' }

test('checkPreflightResponse', async (t) => {
  const put = { method: 'PUT' }
  const cases: CheckCase[] = [
    { desc: 'same-origin requests have no CORS', req: { url: 'http://localhost:8080/x', method: 'PUT' }, res: head(500, {}) },
    { desc: 'allowed PUT', req: put, res: head(204, { ...ALLOW, 'access-control-allow-methods': 'GET, PUT' }) },
    { desc: 'wildcard origin and methods without credentials', req: put, res: head(200, { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*' }) },
    {
      desc: 'no ACAO',
      req: put,
      res: head(204, { 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightMissingAllowOriginHeader',
      message: `${PREFIX}No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
      fix: 'the server must answer the preflight with `Access-Control-Allow-Origin: http://localhost:8080` (or `*` if the resource is public)'
    },
    {
      desc: '401 from an auth check without CORS headers reports the missing ACAO first',
      req: { ...put, credentials: 'include' },
      res: head(401, {}),
      failure: 'PreflightMissingAllowOriginHeader',
      message: `${PREFIX}No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
      fix: 'the server must answer the preflight with `Access-Control-Allow-Origin: http://localhost:8080` and `Access-Control-Allow-Credentials: true` and a 2xx status (it answered 401)'
    },
    {
      desc: '401 with CORS headers is an ok-status failure',
      req: put,
      res: head(401, { ...ALLOW, 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightInvalidStatus',
      message: `${PREFIX}It does not have HTTP ok status.`,
      fix: 'the server must answer the preflight (OPTIONS /items) with a 2xx status; it answered 401. Preflights never carry cookies or Authorization, so answer OPTIONS before authentication or routing checks'
    },
    { desc: '299 is ok', req: put, res: head(299, { ...ALLOW, 'access-control-allow-methods': 'PUT' }) },
    { desc: '300 is not ok', req: put, res: head(300, { ...ALLOW, 'access-control-allow-methods': 'PUT' }), failure: 'PreflightInvalidStatus', message: `${PREFIX}It does not have HTTP ok status.` },
    { desc: '199 is not ok', req: put, res: head(199, { ...ALLOW, 'access-control-allow-methods': 'PUT' }), failure: 'PreflightInvalidStatus', message: `${PREFIX}It does not have HTTP ok status.` },
    {
      desc: 'redirected preflight',
      req: put,
      res: head(301, { location: 'http://127.0.0.1:3000/items/', ...ALLOW }),
      failure: 'PreflightDisallowedRedirect',
      message: `${PREFIX}Redirect is not allowed for a preflight request.`,
      fix: 'the server must answer the preflight itself with a 2xx status instead of redirecting (it answered 301 to http://127.0.0.1:3000/items/); point the page at the final URL'
    },
    { desc: '3xx without Location is only a bad status', req: put, res: head(302, ALLOW), failure: 'PreflightInvalidStatus', message: `${PREFIX}It does not have HTTP ok status.` },
    {
      desc: 'wildcard ACAO with credentials',
      req: { ...put, credentials: 'include' },
      res: head(204, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightWildcardOriginNotAllowed',
      message: `${PREFIX}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.`,
      fix: 'the server must answer the preflight with `Access-Control-Allow-Origin: http://localhost:8080` instead of `*` (and `Vary: Origin`), because the request includes credentials'
    },
    {
      desc: 'two ACAO field lines',
      req: put,
      res: head(204, { 'access-control-allow-origin': [PAGE, PAGE], 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightMultipleAllowOriginValues',
      message: `${PREFIX}The 'Access-Control-Allow-Origin' header contains multiple values 'http://localhost:8080, http://localhost:8080', but only one is allowed.`
    },
    {
      desc: 'ACAO with a trailing slash',
      req: put,
      res: head(204, { 'access-control-allow-origin': `${PAGE}/`, 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightAllowOriginMismatch',
      message: `${PREFIX}The 'Access-Control-Allow-Origin' header has a value 'http://localhost:8080/' that is not equal to the supplied origin.`,
      fix: "the server must answer the preflight with `Access-Control-Allow-Origin: http://localhost:8080`, byte for byte (scheme, host and port, no path or trailing slash); it sent 'http://localhost:8080/'"
    },
    {
      desc: 'ACAO not an origin',
      req: put,
      res: head(204, { 'access-control-allow-origin': 'localhost', 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightInvalidAllowOriginValue',
      message: `${PREFIX}The 'Access-Control-Allow-Origin' header contains the invalid value 'localhost'.`
    },
    {
      desc: 'ACAO null for a real origin',
      req: put,
      res: head(204, { 'access-control-allow-origin': 'null', 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightAllowOriginMismatch',
      message: `${PREFIX}The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin.`
    },
    { desc: 'ACAO null for an opaque origin', req: { ...put, origin: 'null' }, res: head(204, { 'access-control-allow-origin': 'null', 'access-control-allow-methods': 'PUT' }) },
    {
      desc: 'ACAO differs in case',
      req: put,
      res: head(204, { 'access-control-allow-origin': 'http://LOCALHOST:8080', 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightAllowOriginMismatch',
      message: `${PREFIX}The 'Access-Control-Allow-Origin' header has a value 'http://LOCALHOST:8080' that is not equal to the supplied origin.`
    },
    {
      desc: 'ACAC missing with credentials',
      req: { ...put, credentials: 'include' },
      res: head(204, { ...ALLOW, 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightInvalidAllowCredentials',
      message: `${PREFIX}The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.`,
      fix: 'the server must answer the preflight with `Access-Control-Allow-Credentials: true` (exactly, lower-case) because the request includes credentials; it sent none'
    },
    {
      desc: 'ACAC True is case-sensitive',
      req: { ...put, credentials: 'include' },
      res: head(204, { ...ALLOW, 'access-control-allow-credentials': 'True', 'access-control-allow-methods': 'PUT' }),
      failure: 'PreflightInvalidAllowCredentials',
      message: `${PREFIX}The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.`,
      fix: "the server must answer the preflight with `Access-Control-Allow-Credentials: true` (exactly, lower-case) because the request includes credentials; it sent 'True'"
    },
    { desc: 'ACAC ignored without credentials', req: { ...put, credentials: 'same-origin' }, res: head(204, { ...ALLOW, 'access-control-allow-credentials': 'nope', 'access-control-allow-methods': 'PUT' }) },
    {
      desc: 'method missing from ACAM',
      req: put,
      res: head(204, { ...ALLOW, 'access-control-allow-methods': 'GET, POST' }),
      failure: 'MethodDisallowedByPreflightResponse',
      message: 'Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Methods` containing `PUT`'
    },
    {
      desc: 'no ACAM at all',
      req: { method: 'DELETE' },
      res: head(204, ALLOW),
      failure: 'MethodDisallowedByPreflightResponse',
      message: 'Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.'
    },
    {
      desc: 'ACAM * with credentials is literal',
      req: { ...put, credentials: 'include' },
      res: head(204, { ...ALLOW_CREDS, 'access-control-allow-methods': '*' }),
      failure: 'MethodDisallowedByPreflightResponse',
      message: 'Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Methods` containing `PUT`; `*` is not a wildcard when the request includes credentials'
    },
    {
      desc: 'patch is compared case-sensitively',
      req: { method: 'patch' },
      res: head(204, { ...ALLOW, 'access-control-allow-methods': 'GET, PATCH' }),
      failure: 'MethodDisallowedByPreflightResponse',
      message: 'Method patch is not allowed by Access-Control-Allow-Methods in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Methods` containing `patch`; methods are case-sensitive: the page sends `patch`, the server lists `PATCH`'
    },
    { desc: 'put is normalised and matches PUT', req: { method: 'put' }, res: head(204, { ...ALLOW, 'access-control-allow-methods': 'PUT' }) },
    { desc: 'safelisted method needs no ACAM', req: { method: 'POST', headers: { 'X-A': '1' } }, res: head(204, { ...ALLOW, 'access-control-allow-headers': 'x-a' }) },
    { desc: 'use-CORS-preflight passes without ACAM', req: { method: 'POST', useCorsPreflight: true }, res: head(204, ALLOW) },
    {
      desc: 'unparsable ACAM',
      req: put,
      res: head(204, { ...ALLOW, 'access-control-allow-methods': 'GET PUT' }),
      failure: 'InvalidAllowMethodsPreflightResponse',
      message: 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.',
      fix: "the server must send `Access-Control-Allow-Methods` as a comma-separated list of method names (e.g. `GET, PUT`); it sent 'GET PUT'"
    },
    {
      desc: 'unparsable ACAH',
      req: put,
      res: head(204, { ...ALLOW, 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'x-a;' }),
      failure: 'InvalidAllowHeadersPreflightResponse',
      message: 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.',
      fix: "the server must send `Access-Control-Allow-Headers` as a comma-separated list of header names (e.g. `content-type, x-custom`); it sent 'x-a;'"
    },
    {
      desc: 'header missing from ACAH',
      req: { method: 'GET', headers: { 'X-Custom': '1', 'X-Allowed': '1' } },
      res: head(204, { ...ALLOW, 'access-control-allow-headers': 'X-Allowed' }),
      failure: 'HeaderDisallowedByPreflightResponse',
      message: 'Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Headers` containing `x-custom`'
    },
    { desc: 'ACAH compared case-insensitively', req: { headers: { 'X-Custom': '1' } }, res: head(204, { ...ALLOW, 'access-control-allow-headers': 'X-CUSTOM' }) },
    { desc: 'ACAH split over field lines', req: { headers: { 'X-A': '1', 'X-B': '2' } }, res: head(204, { ...ALLOW, 'access-control-allow-headers': ['x-a', 'x-b'] }) },
    { desc: 'ACAH * without credentials', req: { headers: { 'X-A': '1', 'Content-Type': 'application/json' } }, res: head(204, { ...ALLOW, 'access-control-allow-headers': '*' }) },
    {
      desc: 'ACAH * with credentials is literal',
      req: { credentials: 'include', headers: { 'X-A': '1' } },
      res: head(204, { ...ALLOW_CREDS, 'access-control-allow-headers': '*' }),
      failure: 'HeaderDisallowedByPreflightResponse',
      message: 'Request header field x-a is not allowed by Access-Control-Allow-Headers in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Headers` containing `x-a`; `*` is not a wildcard when the request includes credentials'
    },
    {
      desc: 'ACAH * never covers Authorization',
      req: { headers: { Authorization: 'Bearer t', 'X-A': '1' } },
      res: head(204, { ...ALLOW, 'access-control-allow-headers': '*' }),
      failure: 'HeaderDisallowedByPreflightResponse',
      message: 'Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Headers` containing `authorization`; `*` never covers `authorization`, which must be listed by name (Fetch#cors-non-wildcard-request-header-name; Chromium 156 does not enforce this yet, whatwg/fetch#1919)'
    },
    { desc: 'Authorization listed next to *', req: { headers: { Authorization: 'Bearer t' } }, res: head(204, { ...ALLOW, 'access-control-allow-headers': '*, Authorization' }) },
    {
      desc: 'safelisted content type over the 1024-byte total must be allowed',
      req: { method: 'POST', headers: [['Content-Type', 'text/plain'], ...Array.from({ length: 9 }, (): [string, string] => ['Accept', 'a'.repeat(120)])] },
      res: head(204, { ...ALLOW, 'access-control-allow-headers': 'accept' }),
      failure: 'HeaderDisallowedByPreflightResponse',
      message: 'Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.'
    },
    {
      desc: 'PNA without ACAPN',
      req: { privateNetwork: true },
      res: head(204, ALLOW),
      failure: 'PreflightMissingAllowPrivateNetwork',
      message: `${PREFIX}No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request targeting the \`local\` address space.`,
      fix: 'the server must answer the preflight with `Access-Control-Allow-Private-Network: true`'
    },
    {
      desc: 'PNA with ACAPN false on a private address',
      req: { privateNetwork: true, url: 'http://192.168.1.10/api' },
      res: head(204, { ...ALLOW, 'access-control-allow-private-network': 'false' }),
      failure: 'PreflightInvalidAllowPrivateNetwork',
      message: `${PREFIX}The 'Access-Control-Allow-Private-Network' header in the preflight response for this private network request targeting the \`private\` address space had a value of 'false',  not 'true'.`,
      fix: "the server must answer the preflight with `Access-Control-Allow-Private-Network: true`; it sent 'false'"
    },
    { desc: 'PNA granted', req: { privateNetwork: true }, res: head(204, { ...ALLOW, 'access-control-allow-private-network': 'true' }) },
    {
      desc: 'control characters in a hint are escaped',
      req: put,
      res: head(204, { 'access-control-allow-origin': 'http://a\u0001b' }),
      failure: 'PreflightInvalidAllowOriginValue',
      message: `${PREFIX}The 'Access-Control-Allow-Origin' header contains the invalid value 'http://a\\u0001b'.`
    }
  ]
  for (const c of cases) assertVerdict(t, checkPreflightResponse(page(c.req), c.res), c)
})

test('checkActualResponse: CORS check and readable headers', async (t) => {
  const base = { 'content-type': 'application/json', 'content-length': '2', 'x-request-id': 'r1', 'set-cookie': ['a=b'], etag: '"1"', 'x-absent': undefined }
  const cases: Array<CheckCase & { exposed: string[] }> = [
    { desc: 'same-origin: everything but Set-Cookie', req: { url: 'http://localhost:8080/x' }, res: head(200, base), exposed: ['content-type', 'content-length', 'x-request-id', 'etag'] },
    { desc: 'safelisted response headers only', res: head(200, { ...base, ...ALLOW }), exposed: ['content-type', 'content-length'] },
    { desc: 'ACEH lists a name', res: head(200, { ...base, ...ALLOW, 'access-control-expose-headers': 'X-Request-Id, Set-Cookie' }), exposed: ['content-type', 'content-length', 'x-request-id'] },
    { desc: 'ACEH * without credentials', res: head(200, { ...base, 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' }), exposed: ['content-type', 'content-length', 'x-request-id', 'etag', 'access-control-allow-origin', 'access-control-expose-headers'] },
    { desc: 'ACEH * with credentials exposes nothing extra', req: { credentials: 'include' }, res: head(200, { ...base, ...ALLOW_CREDS, 'access-control-expose-headers': '*' }), exposed: ['content-type', 'content-length'] },
    { desc: 'unparsable ACEH exposes nothing extra', res: head(200, { ...base, ...ALLOW, 'access-control-expose-headers': 'x-request-id etag' }), exposed: ['content-type', 'content-length'] },
    { desc: 'a 500 with CORS headers is readable', res: head(500, { ...ALLOW }), exposed: [] },
    {
      desc: 'missing ACAO',
      res: head(200, base),
      failure: 'MissingAllowOriginHeader',
      message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      fix: 'the server must answer with `Access-Control-Allow-Origin: http://localhost:8080` (or `*` if the resource is public)',
      exposed: []
    },
    {
      desc: 'wildcard with credentials',
      req: { credentials: 'include' },
      res: head(200, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }),
      failure: 'WildcardOriginNotAllowed',
      message: "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
      exposed: []
    },
    {
      desc: 'multiple values',
      res: head(200, { 'access-control-allow-origin': `${PAGE}, *` }),
      failure: 'MultipleAllowOriginValues',
      message: "The 'Access-Control-Allow-Origin' header contains multiple values 'http://localhost:8080, *', but only one is allowed.",
      fix: "the server must answer with exactly one `Access-Control-Allow-Origin: http://localhost:8080`; it sent 'http://localhost:8080, *' (usually two layers, e.g. a proxy and the app, both add the header: remove one)",
      exposed: []
    },
    {
      desc: 'other origin',
      res: head(200, { 'access-control-allow-origin': 'https://app.example.com' }),
      failure: 'AllowOriginMismatch',
      message: "The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com' that is not equal to the supplied origin.",
      exposed: []
    },
    {
      desc: 'ACAO that is not an origin',
      res: head(200, { 'access-control-allow-origin': 'app.example.com' }),
      failure: 'InvalidAllowOriginValue',
      message: "The 'Access-Control-Allow-Origin' header contains the invalid value 'app.example.com'.",
      exposed: []
    },
    {
      desc: 'ACAC missing with credentials',
      req: { credentials: 'include' },
      res: head(200, ALLOW),
      failure: 'InvalidAllowCredentials',
      message: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
      fix: 'the server must answer with `Access-Control-Allow-Credentials: true` (exactly, lower-case) because the request includes credentials; it sent none',
      exposed: []
    },
    {
      desc: 'ACAC twice',
      req: { credentials: 'include' },
      res: head(200, { ...ALLOW, 'access-control-allow-credentials': ['true', 'true'] }),
      failure: 'InvalidAllowCredentials',
      message: "The value of the 'Access-Control-Allow-Credentials' header in the response is 'true, true' which must be 'true' when the request's credentials mode is 'include'.",
      exposed: []
    },
    {
      desc: 'missing ACAO with credentials asks for both headers',
      req: { credentials: 'include' },
      res: head(200, {}),
      failure: 'MissingAllowOriginHeader',
      message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      fix: 'the server must answer with `Access-Control-Allow-Origin: http://localhost:8080` and `Access-Control-Allow-Credentials: true`',
      exposed: []
    },
    { desc: 'credentials allowed', req: { credentials: 'include' }, res: head(200, { ...ALLOW_CREDS }), exposed: [] },
    { desc: 'upper-case header names are looked up case-insensitively', res: head(200, { 'Access-Control-Allow-Origin': PAGE }), exposed: [] }
  ]
  for (const c of cases) {
    const got = checkActualResponse(page(c.req), c.res)
    const { exposedHeaders, ...verdict } = got
    assertVerdict(t, verdict, c)
    t.same(exposedHeaders, c.exposed, `${c.desc}: exposed headers`)
  }
})

test('fieldLines and targetAddressSpace', async (t) => {
  t.same(fieldLines(head(200, { vary: ['Origin', 'Accept'] }), 'vary'), ['Origin', 'Accept'])
  t.equal(fieldLines(head(200, { vary: undefined }), 'vary'), undefined)
  const spaces: Array<[string, string]> = [
    ['http://localhost:3000/', 'local'], ['http://app.localhost/', 'local'], ['http://127.0.0.2/', 'local'],
    ['http://[::1]:3000/', 'local'], ['http://10.0.0.1/', 'private'], ['http://printer.lan/', 'private']
  ]
  for (const [url, want] of spaces) t.equal(targetAddressSpace(url), want, url)
})

test('consoleMessage reproduces the whole Chromium console line', async (t) => {
  const context = { url: API, origin: PAGE }
  t.equal(consoleMessage({ allowed: true }, context), undefined, 'nothing for an allowed verdict')
  const cases: Array<{ desc: string, failure: FailureCode, hint?: string, initialUrl?: string, want: string }> = [
    {
      desc: 'missing ACAO has no hint',
      failure: 'MissingAllowOriginHeader',
      want: "Access to fetch at 'http://127.0.0.1:3000/items' from origin 'http://localhost:8080' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    },
    {
      desc: 'mismatch asks for a valid value',
      failure: 'PreflightAllowOriginMismatch',
      hint: 'x',
      want: "Access to fetch at 'http://127.0.0.1:3000/items' from origin 'http://localhost:8080' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value 'x' that is not equal to the supplied origin. Have the server send the header with a valid value."
    },
    {
      desc: 'method error has no hint',
      failure: 'MethodDisallowedByPreflightResponse',
      hint: 'PUT',
      want: "Access to fetch at 'http://127.0.0.1:3000/items' from origin 'http://localhost:8080' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
    },
    {
      desc: 'redirected request names the first URL',
      failure: 'RedirectContainsCredentials',
      hint: 'http://u:p@b/',
      initialUrl: 'http://127.0.0.1:3000/old',
      want: "Access to fetch at 'http://127.0.0.1:3000/items' (redirected from 'http://127.0.0.1:3000/old') from origin 'http://localhost:8080' has been blocked by CORS policy: Redirect location 'http://u:p@b/' contains a username and password, which is disallowed for cross-origin requests."
    },
    { desc: 'too many redirects is a network error', failure: 'TooManyRedirects', want: 'GET http://127.0.0.1:3000/items net::ERR_TOO_MANY_REDIRECTS' },
    { desc: 'invalid redirect is a network error', failure: 'InvalidRedirect', want: 'GET http://127.0.0.1:3000/items net::ERR_INVALID_REDIRECT' }
  ]
  for (const c of cases) {
    const verdict: Verdict = { allowed: false, failure: c.failure, message: failureMessage(c.failure, c.hint) }
    t.equal(consoleMessage(verdict, { ...context, initialUrl: c.initialUrl }), c.want, c.desc)
  }
  t.equal(consoleMessage({ allowed: false, failure: 'TooManyRedirects' }, { ...context, method: 'PUT' }), 'PUT http://127.0.0.1:3000/items net::ERR_TOO_MANY_REDIRECTS', 'method named')
  t.equal(consoleMessage({ allowed: false, failure: 'MissingAllowOriginHeader' }, context), "Access to fetch at 'http://127.0.0.1:3000/items' from origin 'http://localhost:8080' has been blocked by CORS policy: ", 'verdict without message')
  t.equal(consoleMessage({ allowed: false }, context), undefined, 'no failure code')
})
