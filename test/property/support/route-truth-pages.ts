/**
 * Random sequences of a page's `fetch()` calls against the route-truth apps: most calls of a
 * sequence share its origin, host, path and credentials mode (one preflight-cache key) and its
 * headers, with varying methods, so several preflights for different methods to one URL within
 * max-age are common; the logical clock moves on between calls, sometimes past max-age.
 */
import fc from 'fast-check'
import type { HeaderList, PageRequest } from '../../../lib/browser/model.js'
import { APP_ORIGIN, OTHER_ORIGIN, PARTNER_ORIGIN } from './route-truth-apps.js'

export const HOSTS = ['a.test', 'b.test'] as const
export const PATHS = ['/account', '/items/7', '/admin', '/admin/', '/admin/users', '/data', '/nowhere'] as const

const HEADER_POOL: ReadonlyArray<readonly [string, string]> = [
  ['X-Api-Key', 'k'],
  ['X-Request-Id', 'r'],
  ['Authorization', 'Bearer t'],
  ['Content-Type', 'application/json'],
  ['Content-Type', 'text/plain'] // safelisted
]

/** One `fetch()`, `advance` seconds after the previous one. */
export interface PageFetch extends PageRequest {
  readonly host: string
  readonly path: string
  readonly headers: HeaderList
  readonly credentials: 'omit' | 'same-origin' | 'include'
  readonly advance: number
}

export interface Sequence {
  readonly fetches: readonly PageFetch[]
}

export function describeFetch (f: PageFetch): string {
  const headers = f.headers.map(([name, value]) => `'${name}': '${value}'`).join(', ')
  return `fetch('${f.url}', { method: '${f.method}', headers: { ${headers} }, credentials: '${f.credentials}' }) from ${f.origin}`
}

const origin = fc.oneof(
  { weight: 3, arbitrary: fc.constant(PARTNER_ORIGIN) },
  { weight: 3, arbitrary: fc.constant(APP_ORIGIN) },
  { weight: 1, arbitrary: fc.constant(OTHER_ORIGIN) }
)
const host = fc.constantFrom(...HOSTS)
const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('/account', '/data', '/admin', '/admin/') },
  { weight: 1, arbitrary: fc.constantFrom(...PATHS) }
)
const credentials = fc.oneof(
  { weight: 3, arbitrary: fc.constant('include' as const) },
  { weight: 2, arbitrary: fc.constant('omit' as const) },
  { weight: 1, arbitrary: fc.constant('same-origin' as const) }
)
const method = fc.oneof(
  { weight: 3, arbitrary: fc.constant('GET') },
  { weight: 1, arbitrary: fc.constant('HEAD') },
  { weight: 2, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constant('PUT') },
  { weight: 2, arbitrary: fc.constant('DELETE') },
  { weight: 2, arbitrary: fc.constant('PATCH') }
)
/** Mostly a header that needs a preflight, so GET and POST are preflighted too. */
const headers = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Array<readonly [string, string]>>([]) },
  { weight: 4, arbitrary: fc.uniqueArray(fc.constantFrom(...HEADER_POOL), { minLength: 1, maxLength: 2, selector: ([name]) => name.toLowerCase() }) }
)
/** Seconds between two fetches: mostly within any max-age, sometimes just past 5 s, 600 s or 7200 s. */
const advance = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(5) },
  { weight: 1, arbitrary: fc.constant(601) },
  { weight: 1, arbitrary: fc.constant(7200) }
)

/** Mostly undefined: the sequence's own value (so about three fetches in four share the focus key). */
function orFocus<T> (arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })
}

const step = fc.record({
  origin: orFocus(origin),
  host: orFocus(host),
  path: orFocus(path),
  credentials: orFocus(credentials),
  method,
  headers: orFocus(headers),
  advance
})

/** A sequence of fetches to `http://${host}${path}`, printed one fetch a line in counterexamples. */
export function makeSequence (steps: ReadonlyArray<Omit<PageFetch, 'url'>>): Sequence {
  const fetches = steps.map((f): PageFetch => ({ ...f, url: `http://${f.host}${f.path}` }))
  const value: Sequence = { fetches }
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => fetches.map((f) => `+${f.advance}s ${describeFetch(f)}`).join('\n'),
    enumerable: false
  })
  return value
}

export const sequence: fc.Arbitrary<Sequence> = fc.record({
  focus: fc.record({ origin, host, path, credentials, headers }),
  steps: fc.array(step, { minLength: 5, maxLength: 10 })
}).map(({ focus, steps }) => makeSequence(steps.map((s) => ({
  origin: s.origin ?? focus.origin,
  host: s.host ?? focus.host,
  path: s.path ?? focus.path,
  credentials: s.credentials ?? focus.credentials,
  method: s.method,
  headers: (s.headers ?? focus.headers).map(([name, value]) => [name, value] as [string, string]),
  advance: s.advance
}))))
