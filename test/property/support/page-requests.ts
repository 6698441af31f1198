/**
 * Random `fetch()` calls of a page: its origin (from a pool mixing allowed, near-miss and hostile
 * values), the method, author headers, credentials mode and Private Network Access.
 */
import fc from 'fast-check'
import type { HeaderList, PageRequest } from '../../../lib/browser/model.js'
import { PATHS } from './routes.js'

/** The API the pages call; the app is injected with this Host so same-origin is recognisable. */
export const API_HOST = 'api.example:3000'
export const API_ORIGIN = `http://${API_HOST}`

export const ORIGIN_POOL = [
  // allowed by some generated policy
  'https://app.example.com', 'http://localhost:8080', 'http://localhost', 'http://localhost:3000',
  'https://a.x.example', 'https://a.b.x.example', 'https://a.x.example:8443', 'http://w.dev.example:9000',
  'https://abc.re.example', 'https://alpha.example.net', 'https://tenant.fn.example', 'null',
  // near misses: apex, trailing slash, default port, case, scheme, suffix and prefix tricks
  'https://x.example', 'https://app.example.com/', 'https://app.example.com:443', 'HTTPS://APP.EXAMPLE.COM',
  'http://app.example.com', 'https://app.example.com.evil.test', 'https://evilx.example',
  'https://a.x.example.evil.test', 'https://a.x.example:444', 'http://localhost.evil.test',
  'https://abc.re.example.evil.test', 'https://evil.re.example', 'https://fn.example',
  'https://tenant.fn.example.evil.test', 'https://alpha.example.net:8443', 'http://a.x.example',
  // hostile: lists, white space, wildcards, paths, non-ASCII, absurd length, other schemes
  'https://app.example.com, https://evil.test', 'https://app.example.com https://evil.test',
  ' https://app.example.com', 'https://app.example.com\t', '*', '', 'https://app.example.com/%00',
  'https://[::1]', 'javascript://alert(1)', 'file://', `https://${'a.'.repeat(600)}x.example`,
  'https://é.x.example', 'https://xn--9ca.x.example', 'null, https://app.example.com', 'https://evil.fn.example',
  // the API's own origin: same-origin traffic
  API_ORIGIN
] as const

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'patch', 'OPTIONS', 'get'] as const

const HEADER_POOL: ReadonlyArray<[string, string]> = [
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Content-Type', 'application/json'],
  ['x-api-key', 'k1'],
  ['X-Request-Id', 'r-1'],
  ['Authorization', 'Bearer t'],
  ['Accept', 'application/json'],
  ['Accept', 'a'.repeat(129)], // over 128 bytes: no longer safelisted
  ['Range', 'bytes=0-99'],
  ['Range', 'bytes=-5'], // suffix range: not safelisted
  ['Cookie', 'sid=1'] // forbidden: the browser drops it
]

/** One `fetch()` of a page, printed compactly in counterexamples. */
export interface PageCase extends PageRequest {
  readonly path: string
  readonly headers: HeaderList
}

function describe (c: PageCase): string {
  const headers = c.headers.map(([name, value]) => `${name}: ${value.length > 20 ? value.slice(0, 17) + '...' : value}`).join('; ')
  const origin = c.origin.length > 60 ? `${c.origin.slice(0, 40)}...(${c.origin.length} chars)` : c.origin
  return `fetch(${JSON.stringify(c.path)}, { method: ${JSON.stringify(c.method)}, headers: {${headers}}, credentials: '${c.credentials ?? 'same-origin'}'${c.privateNetwork === true ? ', privateNetwork' : ''} }) from ${JSON.stringify(origin)}`
}

export const pageCase: fc.Arbitrary<PageCase> = fc.record({
  origin: fc.constantFrom(...ORIGIN_POOL),
  path: fc.constantFrom(...PATHS),
  method: fc.constantFrom(...METHODS),
  headers: fc.uniqueArray(fc.constantFrom(...HEADER_POOL), { maxLength: 3, selector: ([name]) => name.toLowerCase() }),
  credentials: fc.constantFrom('omit', 'same-origin', 'include'),
  privateNetwork: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
}).map((c) => {
  const value: PageCase = { ...c, url: `${API_ORIGIN}${c.path}`, headers: c.headers.map(([n, v]) => [n, v] as [string, string]) }
  Object.defineProperty(value, fc.toStringMethod, { value: () => describe(value), enumerable: false })
  return value
})
