import { test } from 'tap'
import { describePolicy, undefinedOriginWarning } from '../../lib/policy/describe.js'
import { resolveOptions } from '../../lib/policy/options.js'

const HEAD = 'fastify-cors-policy: / policy: '
const DEFAULTS_AFTER_ORIGIN = "credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"

function describe (given: Record<string, unknown>, prefix = ''): string {
  const { options, problems } = resolveOptions(given)
  if (problems.length > 0) throw new Error(`invalid test options: ${problems[0]?.message as string}`)
  return describePolicy(options, given, prefix)
}

const checkOrigin = (origin: string, cb: (error: Error | null, allow?: boolean) => void): void => { cb(null, origin === 'https://a.com') }
const delegator = (): Record<string, unknown> => ({ origin: ['https://a.com'] })

const originCases: Array<{ desc: string, given: Record<string, unknown>, origin: string }> = [
  { desc: 'no origin key: the default, said to be unconfigured', given: {}, origin: "origin '*' (not configured)" },
  { desc: 'origin undefined (an unset environment variable) reads as not configured', given: { origin: undefined }, origin: "origin '*' (not configured)" },
  { desc: "origin '*'", given: { origin: '*' }, origin: "origin '*'" },
  { desc: "origin ['*']", given: { origin: ['*'] }, origin: "origin '*'" },
  { desc: 'one origin string, normalised', given: { origin: 'HTTPS://App.Example.com:443' }, origin: "origin ['https://app.example.com']" },
  {
    desc: 'origins, patterns and RegExps, in that order',
    given: { origin: [/^https:\/\/c\.example\.com$/, 'https://a.com', 'https://*.b.com', 'http://localhost:*', 'https://*.d.com:8443'] },
    origin: "origin ['https://a.com', 'https://*.b.com', 'http://localhost:*', 'https://*.d.com:8443', /^https:\\/\\/c\\.example\\.com$/]"
  },
  {
    desc: 'a long list: the first five, then how many more',
    given: { origin: Array.from({ length: 12 }, (_, i) => `https://site${i}.example.com`) },
    origin: "origin ['https://site0.example.com', 'https://site1.example.com', 'https://site2.example.com', 'https://site3.example.com', 'https://site4.example.com', … (+7 more)]"
  },
  {
    desc: 'a long RegExp is clipped',
    given: { origin: [new RegExp(`^https://${'a'.repeat(80)}\\.com$`)] },
    origin: `origin [/^https:\\/\\/${'a'.repeat(47)}…]`
  },
  { desc: 'true', given: { origin: true }, origin: 'origin: reflect any origin' },
  { desc: 'false', given: { origin: false }, origin: 'origin: none' },
  { desc: 'a function', given: { origin: checkOrigin }, origin: 'origin: decided by a function' },
  { desc: 'a delegator, no static origin', given: { delegator }, origin: "origin: per request (delegator; default '*')" },
  { desc: 'a delegator over listed origins', given: { delegator, origin: ['https://a.com'] }, origin: "origin: per request (delegator; default ['https://a.com'])" },
  { desc: 'a delegator over origin true', given: { delegator, origin: true }, origin: 'origin: per request (delegator; default reflect any origin)' }
]

test('every origin form', async (t) => {
  for (const c of originCases) {
    t.equal(describe(c.given), `${HEAD}${c.origin}, ${DEFAULTS_AFTER_ORIGIN}`, c.desc)
  }
})

const ORIGIN = { origin: ['https://a.com'] }

const cases: Array<{ desc: string, given: Record<string, unknown>, line: string }> = [
  {
    desc: 'credentials, listed methods and headers, maxAge and Cache-Control',
    given: { ...ORIGIN, credentials: true, methods: ['get', 'put'], allowedHeaders: 'X-Token, Content-Type', exposedHeaders: ['X-Total'], maxAge: 600, cacheControl: 60 },
    line: "origin ['https://a.com'], credentials true, methods [GET, PUT], allowedHeaders [X-Token, Content-Type], exposedHeaders [X-Total], maxAge 600, cacheControl 'max-age=60', preflight answered (strict), private network no, enforce false, hook onRequest"
  },
  {
    desc: "wildcards; '*' never covers Authorization, so the line says so",
    given: { ...ORIGIN, methods: '*', allowedHeaders: '*', exposedHeaders: '*' },
    line: "origin ['https://a.com'], credentials false, methods '*', allowedHeaders '*' (Authorization excluded), exposedHeaders '*', maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  },
  {
    desc: "'*' with a named header",
    given: { ...ORIGIN, allowedHeaders: ['*', 'Authorization'] },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders [*, Authorization], exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  },
  {
    desc: 'empty lists: only what is safelisted',
    given: { ...ORIGIN, methods: [], allowedHeaders: [], exposedHeaders: [] },
    line: "origin ['https://a.com'], credentials false, methods none (safelisted only), allowedHeaders none (safelisted only), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  },
  {
    desc: 'a long header list is cut after eight names',
    given: { ...ORIGIN, allowedHeaders: Array.from({ length: 11 }, (_, i) => `X-H${i}`) },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders [X-H0, X-H1, X-H2, X-H3, X-H4, X-H5, X-H6, X-H7, … (+3 more)], exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  },
  {
    desc: 'preflights left to the application',
    given: { ...ORIGIN, preflight: false },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight: left to the application, private network no, enforce false, hook onRequest"
  },
  {
    desc: 'preflightContinue',
    given: { ...ORIGIN, preflightContinue: true },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight: headers added, then the route answers (preflightContinue), private network no, enforce false, hook onRequest"
  },
  {
    desc: 'another success status, not strict',
    given: { ...ORIGIN, optionsSuccessStatus: 200, strictPreflight: false },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered 200 (not strict), private network no, enforce false, hook onRequest"
  },
  {
    desc: 'private network, enforce, another hook',
    given: { ...ORIGIN, allowPrivateNetwork: true, enforce: true, hook: 'preHandler' },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network yes, enforce true, hook preHandler"
  },
  {
    desc: 'enforce report-only',
    given: { ...ORIGIN, enforce: 'report-only' },
    line: "origin ['https://a.com'], credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce report-only, hook onRequest"
  },
  {
    desc: 'the dangerous opt-ins are shown only when on',
    given: { origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true, dangerouslyAllowInsecureOrigins: true },
    line: "origin: reflect any origin, credentials true, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, dangerouslyAllowAnyOriginWithCredentials true, dangerouslyAllowInsecureOrigins true, hook onRequest"
  },
  {
    desc: 'the dangerous opt-ins set to false are not shown',
    given: { ...ORIGIN, dangerouslyAllowAnyOriginWithCredentials: false, dangerouslyAllowInsecureOrigins: false },
    line: `origin ['https://a.com'], ${DEFAULTS_AFTER_ORIGIN}`
  }
]

test('every other option', async (t) => {
  for (const c of cases) t.equal(describe(c.given), `${HEAD}${c.line}`, c.desc)
})

test('the scope is named by its prefix, / at the root', async (t) => {
  t.equal(describe(ORIGIN, '/api/v1'), `fastify-cors-policy: /api/v1 policy: origin ['https://a.com'], ${DEFAULTS_AFTER_ORIGIN}`)
  t.equal(describe(ORIGIN, '/' + 'p'.repeat(150)), `fastify-cors-policy: /${'p'.repeat(98)}… policy: origin ['https://a.com'], ${DEFAULTS_AFTER_ORIGIN}`)
})

test('the line stays one bounded line whatever the options hold', async (t) => {
  const many = (prefix: string, length: number): string[] => Array.from({ length: 200 }, (_, i) => `${prefix}-${'x'.repeat(length)}-${i}`)
  const line = describe({
    origin: [...Array.from({ length: 500 }, (_, i) => `https://${'h'.repeat(60)}${i}.example.com`), /^https:\/\/a\.example\.com$/],
    methods: many('M', 55),
    allowedHeaders: many('X-A', 120),
    exposedHeaders: many('X-E', 120),
    cacheControl: 'x'.repeat(500),
    maxAge: 86400
  }, '/' + 'p'.repeat(500))
  t.ok(line.length <= 1600, `${line.length} characters`)
  t.notMatch(line, /\n/)
  t.match(line, /… \(\+496 more\)\]/)
  t.match(line, /… \(\+192 more\)\]/)
  t.match(line, /methods \[M-X{29}…, /, 'a long name is clipped')
})

test('an origin key whose value is undefined gets a warning; an absent or set one does not', async (t) => {
  const warning = "fastify-cors-policy: origin is undefined (an unset environment variable?), so the default '*' applies and every website can read the responses; set origin, or remove the key if '*' is meant"
  t.equal(undefinedOriginWarning({ origin: undefined }), warning)
  t.equal(undefinedOriginWarning({ origin: process.env.FASTIFY_CORS_POLICY_TEST_UNSET_VARIABLE }), warning)
  t.equal(undefinedOriginWarning({}), undefined)
  t.equal(undefinedOriginWarning({ origin: '*' }), undefined)
  t.equal(undefinedOriginWarning({ origin: false }), undefined)
  t.equal(undefinedOriginWarning(Object.create({ origin: undefined }) as Record<string, unknown>), undefined, 'an inherited key is not an option')
})
