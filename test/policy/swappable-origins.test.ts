/**
 * A registration's allow-list replaced at run time, without a server: the list read back in
 * normalised form, each change validated under the rules of every policy that reads the list (with
 * the routes named when only their rules refuse an entry), compiled whole, swapped by one assignment.
 */
import { test } from 'tap'
import type { OptionProblem } from '../../lib/policy/options.js'
import { drain } from '../../lib/policy/origin-list-slices.js'
import type { OriginListChange } from '../../lib/policy/swappable-origins.js'
import { listOf, prepared, resolved } from '../helpers/swappable-list.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const C = 'https://c.example.com'
const EVIL_ORIGIN = 'https://evil.example'

function problems (change: OriginListChange): Array<Pick<OptionProblem, 'path' | 'value' | 'message' | 'unsafe'>> {
  if (!Array.isArray(change)) throw new TypeError('expected problems')
  return change.map(({ path, value, message, unsafe }) => ({ path, value, message, unsafe }))
}

const HTTP_WITH_CREDENTIALS = (origin: string): string =>
  `'${origin}' is an http origin while credentials is true: anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses; serve the site over https and list '${origin.replace('http:', 'https:')}', or set dangerouslyAllowInsecureOrigins: true if you accept that`
const NULL_WITH_CREDENTIALS = "'null' with credentials: true lets sandboxed iframes, data: URLs and file: pages of any site read authenticated responses; remove 'null' or use credentials: false"

test('items: the list in normalised form, without duplicates: origins, then patterns, then RegExps', async (t) => {
  const list = listOf({ origin: [/^https:\/\/r\.example\.com$/, 'HTTPS://A.example.com:443', 'https://*.b.example.com:8443', 'http://localhost:*', 'https://*.c.example.com', A, 'null', /^https:\/\/r\.example\.com$/] })
  t.same(list.items, [A, 'null', 'http://localhost:*', 'https://*.b.example.com:8443', 'https://*.c.example.com', /^https:\/\/r\.example\.com$/])
  t.ok(Object.isFrozen(list.items), 'a frozen copy')
  t.equal(list.verdictFor(A), 'allowed')
  t.equal(list.verdictFor('https://x.c.example.com'), 'allowed')
  t.equal(list.verdictFor('https://x.b.example.com:8443'), 'allowed')
  t.equal(list.verdictFor('http://localhost:5173'), 'allowed')
  t.equal(list.verdictFor('https://r.example.com'), 'allowed')
  t.equal(list.verdictFor(B), 'not-allowed')
  t.equal(list.verdictFor('https://a.example.com/'), 'invalid')
})

test('the items read back compile to the same list (nothing is lost by not keeping the list as written)', async (t) => {
  const list = listOf({ origin: [A, 'https://*.b.example.com', 'https://*.b.example.com:8443', 'http://*.c.example.com', 'http://[::1]:*', /^https:\/\/r\.example\.com$/i] })
  const before = list.items
  list.install(prepared(drain(list.prepareSet(before))))
  t.same(list.items, before)
  t.equal(list.verdictFor('http://[::1]:3000'), 'allowed')
  t.equal(list.verdictFor('https://R.example.com'), 'invalid', 'an upper-case Origin is never a serialised origin')
})

test('prepareSet: the whole new list compiled, swapped in by install, nothing before', async (t) => {
  const list = listOf({ origin: [A] })
  const change = prepared(drain(list.prepareSet([B, 'https://*.c.example.com'])))
  t.equal(list.verdictFor(A), 'allowed', 'the old list until install')
  t.equal(list.verdictFor(B), 'not-allowed')
  list.install(change)
  t.equal(list.verdictFor(A), 'not-allowed')
  t.equal(list.verdictFor(B), 'allowed')
  t.equal(list.verdictFor('https://x.c.example.com'), 'allowed')
  t.same(list.items, [B, 'https://*.c.example.com'])
  t.same(change.warnings, [])
})

test('prepareSet([]): an empty list, which allows no origin', async (t) => {
  const list = listOf({ origin: [A] })
  list.install(prepared(drain(list.prepareSet([]))))
  t.same(list.items, [])
  t.equal(list.verdictFor(A), 'not-allowed')
  t.equal(list.verdictFor('null'), 'not-allowed')
  t.equal(list.verdictFor('x'), 'invalid')
})

test('prepareSet: every problem of the new list, as at start-up, and the list unchanged', async (t) => {
  const list = listOf({ origin: [A] })
  t.same(problems(drain(list.prepareSet(['https://b.example.com/', /b\.example\.com/]))), [
    { path: '/origin/0', value: 'https://b.example.com/', message: "'https://b.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://b.example.com'?", unsafe: false },
    { path: '/origin/1', value: /b\.example\.com/, message: "/b\\.example\\.com/ is not anchored, so it also matches origins that merely contain an allowed one (e.g. https://evil-example.com); use /^(?:b\\.example\\.com)$/, or better a pattern such as 'https://*.example.com'", unsafe: true }
  ])
  // a value of the wrong type is refused by the schema, with the message start-up gives
  const wrongType = problems(drain(list.prepareSet([B, 5])))
  t.equal(wrongType.length, 1)
  t.equal(wrongType[0]?.path, '/origin')
  t.match(wrongType[0]?.message, /^expected '\*', an origin string, .*, received \['https:\/\/b\.example\.com', 5\]$/)
  t.same(list.items, [A])
})

test('a value that is not an array, and [\'*\'], are refused: the list keeps its kind', async (t) => {
  const list = listOf({ origin: [A] })
  for (const prepare of [(value: unknown) => drain(list.prepareSet(value)), (value: unknown) => drain(list.prepareAdd(value)), (value: unknown) => drain(list.prepareRemove(value))]) {
    t.same(problems(prepare(B)), [{
      path: '/origin',
      value: B,
      unsafe: false,
      message: "expected an array of origins, patterns or anchored RegExps, received 'https://b.example.com'; pass an array: ['https://b.example.com']"
    }])
    t.same(problems(prepare(undefined)), [{
      path: '/origin',
      value: undefined,
      unsafe: false,
      message: "expected an array of origins, patterns or anchored RegExps, received undefined; pass an array, e.g. ['https://app.example.com']"
    }])
    t.same(problems(prepare(['*'])), [{
      path: '/origin',
      value: ['*'],
      unsafe: false,
      message: "'*' is not an origin but another kind of policy (Access-Control-Allow-Origin: * for everyone, without Vary: Origin), so it cannot be part of a list changed at run time; list the allowed origins, or register the plugin with origin: '*' if every site may read the responses"
    }])
  }
  t.same(list.items, [A])
})

test('prepareAdd: the current list and the new entries; undefined when every entry is listed already', async (t) => {
  const list = listOf({ origin: [A, /^https:\/\/r\.example\.com$/] })
  const added = prepared(drain(list.prepareAdd(['HTTPS://B.example.com', A, 'https://*.c.example.com', /^https:\/\/r\.example\.com$/, /^https:\/\/s\.example\.com$/])))
  list.install(added)
  t.same(list.items, [A, B, 'https://*.c.example.com', /^https:\/\/r\.example\.com$/, /^https:\/\/s\.example\.com$/])
  t.equal(list.verdictFor('https://s.example.com'), 'allowed')
  t.equal(list.verdictFor('https://r.example.com'), 'allowed')
  t.equal(drain(list.prepareAdd([A, 'https://A.example.com', /^https:\/\/s\.example\.com$/])), undefined, 'nothing new')
  t.equal(drain(list.prepareAdd([])), undefined, 'nothing at all')
  // paths index the entries given, not the list they join
  t.same(problems(drain(list.prepareAdd([C, 'https://c.example.com:0']))), [
    { path: '/origin/1', value: 'https://c.example.com:0', unsafe: false, message: "'https://c.example.com:0' has the invalid port 0: ports are 1..65535" }
  ])
})

test('prepareRemove: the entries as written; an origin a pattern admits leaves the pattern; undefined when nothing is listed', async (t) => {
  const list = listOf({ origin: [A, B, 'https://*.c.example.com', /^https:\/\/r\.example\.com$/, /^https:\/\/s\.example\.com$/] })
  t.equal(drain(list.prepareRemove(['https://x.c.example.com', 'https://d.example.com', /^https:\/\/r\.example\.com$/i])), undefined, 'none of them is listed as written')
  t.equal(drain(list.prepareRemove([])), undefined)
  list.install(prepared(drain(list.prepareRemove(['HTTPS://A.example.com', /^https:\/\/r\.example\.com$/]))))
  t.same(list.items, [B, 'https://*.c.example.com', /^https:\/\/s\.example\.com$/])
  list.install(prepared(drain(list.prepareRemove(['https://*.c.example.com']))))
  t.same(list.items, [B, /^https:\/\/s\.example\.com$/])
  t.equal(list.verdictFor('https://x.c.example.com'), 'not-allowed')
  t.same(problems(drain(list.prepareRemove(['https://b.example.com/']))), [
    { path: '/origin/0', value: 'https://b.example.com/', unsafe: false, message: "'https://b.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://b.example.com'?" }
  ], 'an entry that can never be listed is refused, not ignored')
  list.install(prepared(drain(list.prepareRemove([B, /^https:\/\/s\.example\.com$/]))))
  t.same(list.items, [], 'down to none')
})

test("a new list is checked under each reader's rules; problems only routes' rules find name those routes", async (t) => {
  const list = listOf({ origin: [A] })
  t.same(list.addReader(resolved({ origin: [A], credentials: true }), 'GET /me'), [])
  t.same(problems(drain(list.prepareSet(['http://b.example.com', 'null', 'https://b.example.com/']))), [
    { path: '/origin/2', value: 'https://b.example.com/', unsafe: false, message: "'https://b.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://b.example.com'?" },
    { path: '/origin/0', value: 'http://b.example.com', unsafe: true, message: `${HTTP_WITH_CREDENTIALS('http://b.example.com')} (route GET /me inherits this origin with credentials: true)` },
    { path: '/origin', value: 'null', unsafe: true, message: `${NULL_WITH_CREDENTIALS} (route GET /me inherits this origin with credentials: true)` }
  ])
  for (const route of ['PUT /me', 'GET /a', 'GET /b']) list.addReader(resolved({ origin: [A], credentials: true }), route)
  t.same(problems(drain(list.prepareSet(['http://b.example.com']))).map((p) => p.message), [
    `${HTTP_WITH_CREDENTIALS('http://b.example.com')} (routes GET /me, PUT /me, GET /a and 1 more inherit this origin with credentials: true)`
  ])
  t.same(list.items, [A])
})

test("a problem the registration's rules find is not attributed to routes", async (t) => {
  const list = listOf({ origin: [A], credentials: true })
  list.addReader(resolved({ origin: [A], credentials: true }), 'GET /me')
  list.addReader(resolved({ origin: [A], credentials: false }), 'GET /public')
  t.same(problems(drain(list.prepareAdd(['http://b.example.com']))).map((p) => p.message), [HTTP_WITH_CREDENTIALS('http://b.example.com')])
  t.same(drain(list.prepareSet(['http://localhost:*', 'http://127.0.0.1:8080'])) !== undefined, true)
  list.install(prepared(drain(list.prepareSet(['http://localhost:*', 'http://127.0.0.1:8080']))))
  t.same(list.items, ['http://127.0.0.1:8080', 'http://localhost:*'], 'loopback http origins are accepted with credentials')
})

test('dangerouslyAllowInsecureOrigins: the new list is accepted, and each change says what it gives away', async (t) => {
  const list = listOf({ origin: [A], credentials: true, dangerouslyAllowInsecureOrigins: true })
  list.addReader(resolved({ origin: [A], credentials: true }), 'GET /strict')
  list.addReader(resolved({ origin: [A], credentials: false, dangerouslyAllowInsecureOrigins: true }), 'GET /public')
  t.same(problems(drain(list.prepareAdd(['http://b.example.com']))).map((p) => p.message), [
    `${HTTP_WITH_CREDENTIALS('http://b.example.com')} (route GET /strict inherits this origin with credentials: true)`
  ])
  const other = listOf({ origin: [A], credentials: true, dangerouslyAllowInsecureOrigins: true })
  other.addReader(resolved({ origin: [A], credentials: true, dangerouslyAllowInsecureOrigins: true }), 'GET /also')
  other.addReader(resolved({ origin: [A], credentials: true, dangerouslyAllowInsecureOrigins: true }), 'GET /too')
  const change = prepared(drain(other.prepareAdd(['http://b.example.com', /^http:\/\/c\.example\.com$/])))
  t.same(change.warnings, [
    "dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://b.example.com', /^http:\\/\\/c\\.example\\.com$/), which anyone on the network path can inject script into"
  ], 'once for the registration and the routes that share its rules')
  const routeOnly = listOf({ origin: [A] })
  routeOnly.addReader(resolved({ origin: [A], credentials: true, dangerouslyAllowInsecureOrigins: true }), 'GET /lab')
  t.same(prepared(drain(routeOnly.prepareSet(['http://b.example.com']))).warnings, [
    "route GET /lab: dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://b.example.com'), which anyone on the network path can inject script into"
  ])
})

test('addReader after a change: the current list is checked under rules not seen yet', async (t) => {
  const list = listOf({ origin: [A] })
  t.same(list.addReader(resolved({ origin: [A], credentials: false, maxAge: 60 }), 'GET /before'), [], 'the options\' own origin was checked with them')
  list.install(prepared(drain(list.prepareSet(['http://b.example.com']))))
  t.same(problems(list.addReader(resolved({ origin: [A], credentials: true, dangerouslyAllowInsecureOrigins: true }), 'GET /lab')), [], 'accepted under its rules')
  t.same(problems(list.addReader(resolved({ origin: [A], credentials: false }), 'GET /open')), [], 'the rules of the registration')
  const strict = listOf({ origin: [A] })
  strict.install(prepared(drain(strict.prepareSet(['http://b.example.com']))))
  t.same(problems(strict.addReader(resolved({ origin: [A], credentials: true }), 'GET /me')), [
    { path: '/origin/0', value: 'http://b.example.com', unsafe: true, message: HTTP_WITH_CREDENTIALS('http://b.example.com') }
  ])
  const empty = listOf({ origin: [A] })
  empty.install(prepared(drain(empty.prepareSet([]))))
  t.same(empty.addReader(resolved({ origin: [A], credentials: true }), 'GET /me'), [], 'an empty list is valid under any rules')
})

const TIERS_INSECURE = (origin: string): string =>
  `'${origin}' is an http origin in the credentialed tier: anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses; serve the site over https and list '${origin.replace('http:', 'https:')}', or set dangerouslyAllowInsecureOrigins: true if you accept that`

test('tiers: read back per tier, and replaced together by one assignment', async (t) => {
  const list = listOf({ origin: { credentialed: ['HTTPS://A.example.com', /^https:\/\/r\.example\.com$/], public: [B, 'https://*.c.example.com'] } })
  t.equal(list.kind, 'tiered')
  t.equal(list.items, undefined, 'tiers are not a list')
  t.same(list.tiers, { credentialed: [A, /^https:\/\/r\.example\.com$/], public: [B, 'https://*.c.example.com'] })
  t.equal(list.verdictFor(A), 'allowed')
  t.equal(list.verdictFor(B), 'allowed-public')
  t.equal(list.verdictFor('https://x.c.example.com'), 'allowed-public')
  t.equal(list.verdictFor(EVIL_ORIGIN), 'not-allowed')
  t.equal(list.publicVerdictFor?.(B), 'allowed')

  const change = prepared(drain(list.prepareSet({ credentialed: [B], public: [A] })))
  t.equal(list.verdictFor(A), 'allowed', 'nothing changes before install')
  list.install(change)
  t.same(list.tiers, { credentialed: [B], public: [A] })
  t.equal(list.verdictFor(B), 'allowed')
  t.equal(list.verdictFor(A), 'allowed-public')
  t.equal(list.verdictFor('https://x.c.example.com'), 'not-allowed')
  t.equal(list.publicVerdictFor?.(A), 'allowed')
  t.equal(list.publicVerdictFor?.(B), 'not-allowed')
  t.equal(listOf({ origin: [A] }).tiers, undefined, 'a list has no tiers')
})

test("tiers with public '*': the credentialed tier changes, public stays '*'", async (t) => {
  const list = listOf({ origin: { credentialed: [A], public: '*' } })
  t.equal(list.publicVerdictFor, undefined)
  t.equal(list.verdictFor(EVIL_ORIGIN), 'allowed-public')
  list.install(prepared(drain(list.prepareSet({ credentialed: [B], public: '*' }))))
  t.same(list.tiers, { credentialed: [B], public: '*' })
  list.install(prepared(drain(list.prepareAdd({ credentialed: [C] }))))
  t.same(list.tiers, { credentialed: [B, C], public: '*' })
  list.install(prepared(drain(list.prepareRemove({ credentialed: [B] }))))
  t.same(list.tiers, { credentialed: [C], public: '*' })
  const fixed = {
    path: '/origin/public',
    value: [A],
    unsafe: false,
    message: "cannot change: public is '*' (Access-Control-Allow-Origin: * for every other site), which a list cannot replace at run time, nor a list '*'; register public as a list to change it at run time, or keep the tier as registered"
  }
  t.same(problems(drain(list.prepareSet({ credentialed: [B], public: [A] }))), [fixed])
  t.same(problems(drain(list.prepareAdd({ public: [A] }))), [fixed])
  t.same(problems(drain(list.prepareRemove({ public: [A] }))), [fixed])
  const registeredAsList = listOf({ origin: { credentialed: [A], public: [B] } })
  t.same(problems(drain(registeredAsList.prepareSet({ credentialed: [A], public: '*' }))), [{
    path: '/origin/public',
    value: '*',
    unsafe: false,
    message: "cannot become '*' at run time: the public tier was registered as a list, which answers each origin with its own value; register public: '*' to answer every other site with '*', or list the public origins"
  }])
})

test('tiers: every problem of new tiers, with the paths start-up gives', async (t) => {
  const list = listOf({ origin: { credentialed: [A], public: [B] } })
  t.same(problems(drain(list.prepareSet({ credentialed: ['http://c.example.com', '*'], public: ['https://b.example.com/'] }))), [
    { path: '/origin/credentialed/0', value: 'http://c.example.com', unsafe: true, message: TIERS_INSECURE('http://c.example.com') },
    { path: '/origin/credentialed/1', value: '*', unsafe: true, message: "'*' cannot be credentialed: browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; list the origins that may read credentialed responses, and use public: '*' for every other site" },
    { path: '/origin/public/0', value: 'https://b.example.com/', unsafe: false, message: "'https://b.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://b.example.com'?" }
  ])
  t.same(problems(drain(list.prepareSet({ credentialed: [], public: [B] }))).map((p) => `${p.path} ${p.message}`), [
    '/origin/credentialed expected a non-empty array of origins, patterns or anchored RegExps, received []'
  ], 'a tier cannot be empty, as at start-up')
  t.same(problems(drain(list.prepareSet([A]))), [{
    path: '/origin',
    value: [A],
    unsafe: false,
    message: "expected tiers { credentialed: [...], public: '*' or [...] } (the origin of this registration has tiers), received ['https://a.example.com']; pass both tiers, e.g. { credentialed: ['https://app.example.com'], public: '*' }"
  }])
  t.same(list.tiers, { credentialed: [A], public: [B] })
})

test('tiers: entries added to and removed from the tiers named', async (t) => {
  const list = listOf({ origin: { credentialed: [A], public: [B] } })
  list.install(prepared(drain(list.prepareAdd({ credentialed: [C], public: ['https://*.p.example.com'] }))))
  t.same(list.tiers, { credentialed: [A, C], public: [B, 'https://*.p.example.com'] })
  list.install(prepared(drain(list.prepareAdd({ public: [/^https:\/\/q\.example\.com$/] }))))
  t.same(list.tiers, { credentialed: [A, C], public: [B, 'https://*.p.example.com', /^https:\/\/q\.example\.com$/] })
  t.equal(drain(list.prepareAdd({ credentialed: [A], public: [B] })), undefined, 'nothing new')
  t.equal(drain(list.prepareAdd({ credentialed: [], public: [] })), undefined)
  t.equal(drain(list.prepareAdd({})), undefined)
  t.same(problems(drain(list.prepareAdd({ public: ['http://x.example.com/'] }))).map((p) => p.path), ['/origin/public/0'], 'paths index the entries given')
  t.same(problems(drain(list.prepareAdd({ credentialed: ['http://x.example.com'] }))), [
    { path: '/origin/credentialed/0', value: 'http://x.example.com', unsafe: true, message: TIERS_INSECURE('http://x.example.com') }
  ])

  list.install(prepared(drain(list.prepareRemove({ public: ['https://*.p.example.com'] }))))
  t.same(list.tiers, { credentialed: [A, C], public: [B, /^https:\/\/q\.example\.com$/] })
  list.install(prepared(drain(list.prepareRemove({ credentialed: [A], public: [/^https:\/\/q\.example\.com$/] }))))
  t.same(list.tiers, { credentialed: [C], public: [B] })
  t.equal(drain(list.prepareRemove({ credentialed: [A], public: [] })), undefined, 'nothing listed')
  t.same(problems(drain(list.prepareRemove({ credentialed: [C], public: [B] }))), [
    { path: '/origin/credentialed', value: [C], unsafe: false, message: 'would leave the credentialed tier empty, which tiers cannot be (as at registration); keep at least one entry in the tier, or replace the tiers with setOrigins' },
    { path: '/origin/public', value: [B], unsafe: false, message: 'would leave the public tier empty, which tiers cannot be (as at registration); keep at least one entry in the tier, or replace the tiers with setOrigins' }
  ])
  t.same(problems(drain(list.prepareRemove({ credentialed: ['https://c.example.com/'], public: ['*'] }))).map((p) => p.path), ['/origin/credentialed/0', '/origin/public'])
  t.same(list.tiers, { credentialed: [C], public: [B] })
})

test('tiers: add and remove take the entries of each tier by name', async (t) => {
  const list = listOf({ origin: { credentialed: [A], public: [B] } })
  for (const prepare of [(value: unknown) => drain(list.prepareAdd(value)), (value: unknown) => drain(list.prepareRemove(value))]) {
    t.same(problems(prepare([C])), [{
      path: '/origin',
      value: [C],
      unsafe: false,
      message: "expected the entries of each tier, { credentialed?: [...], public?: [...] } (the origin of this registration has tiers), received ['https://c.example.com']; name the tier, e.g. { credentialed: ['https://app.example.com'] }"
    }])
    t.same(problems(prepare({ credentials: [C], public: C })), [
      { path: '/origin/credentials', value: [C], unsafe: false, message: 'is not a tier of origin (tiers: credentialed, public); remove it' },
      { path: '/origin/public', value: C, unsafe: false, message: "expected an array of origins, patterns or anchored RegExps, received 'https://c.example.com'; pass an array: ['https://c.example.com']" }
    ])
  }
})

test('tiers: each reader rules, and the warnings of the opt-in', async (t) => {
  const list = listOf({ origin: { credentialed: [A], public: [B] }, dangerouslyAllowInsecureOrigins: true })
  list.addReader(resolved({ origin: { credentialed: [A], public: [B] } }), 'GET /strict')
  t.same(problems(drain(list.prepareAdd({ credentialed: ['http://x.example.com'] }))).map((p) => p.message), [
    `${TIERS_INSECURE('http://x.example.com')} (route GET /strict inherits this origin with credentials: true)`
  ])
  const open = listOf({ origin: { credentialed: [A], public: [B] }, dangerouslyAllowInsecureOrigins: true })
  const change = prepared(drain(open.prepareAdd({ credentialed: ['http://x.example.com'] })))
  t.same(change.warnings, ["dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://x.example.com'), which anyone on the network path can inject script into"])
  open.install(change)
  t.same(problems(open.addReader(resolved({ origin: { credentialed: [A], public: [B] } }), 'GET /late')), [
    { path: '/origin/credentialed/1', value: 'http://x.example.com', unsafe: true, message: TIERS_INSECURE('http://x.example.com') }
  ], 'the tiers as they are now, for a reader recorded after the change')
})
