/**
 * `origin: { credentialed, public }`: two tiers on one policy. The credentialed tier follows the
 * rules of a list with credentials, the public tier those of a list without them (or '*'); each
 * tier is a compiled matcher; a public-tier origin is answered by the tiered policy's public tier
 * (no credentials, still varying by Origin).
 */
import { test } from 'tap'
import { compilePolicy, type CorsPolicy } from '../../lib/policy/compile.js'
import { decideActual, describeOriginDenial, type RequestFacts } from '../../lib/policy/decide.js'
import { Decision, kPolicy } from '../../lib/policy/decision.js'
import { describePolicy } from '../../lib/policy/describe.js'
import { dangerWarnings, resolveOptions, type OptionProblem } from '../../lib/policy/options.js'
import { answerPreflight, profileUrl, substitutePolicies, type Candidate } from '../../lib/policy/route-grant.js'
import { validateCorsOptions } from '../../lib/policy/validate.js'

const APP = 'https://app.example.com'
const TENANT = 'https://acme.tenant.example'
const PARTNER = 'https://partner.example'
const STRANGER = 'https://stranger.example'

function resolve (raw: Record<string, unknown>): ReturnType<typeof resolveOptions>['options'] {
  const { options, problems } = resolveOptions(raw)
  if (problems.length > 0) throw new Error(`invalid test options: ${JSON.stringify(problems)}`)
  return options
}

const policy = (raw: Record<string, unknown>): CorsPolicy => compilePolicy(resolve(raw))

const TIERED_ANY = { origin: { credentialed: [APP, 'https://*.tenant.example', /^https:\/\/(?:alpha|beta)\.example\.net$/], public: '*' } }
const TIERED_LIST = { origin: { credentialed: [APP], public: [PARTNER, 'https://*.partner.example', 'null', APP] } }

const facts = (method = 'GET'): RequestFacts => ({ method, url: '/items', headers: {}, protocol: 'https', host: 'api.example.com' })

test('the tiers resolve into one setting; credentials follow from them', async (t) => {
  const any = resolve(TIERED_ANY)
  t.equal(any.origin.kind, 'tiered')
  t.equal(any.credentials, true, 'the credentialed tier has credentials without `credentials: true`')
  t.same(any.origin.kind === 'tiered' && any.origin.public, { kind: 'any' })
  t.same(any.origin.kind === 'tiered' && any.origin.credentialed.regexps.map(String), ['/^https:\\/\\/(?:alpha|beta)\\.example\\.net$/'])
  const list = resolve(TIERED_LIST)
  t.same(list.origin.kind === 'tiered' && list.origin.public.kind === 'list' && list.origin.public.origins.length, 4)
  t.equal(resolve({ ...TIERED_ANY, credentials: true }).credentials, true, 'credentials: true agrees with the tiers')
  t.same(resolve({ origin: { credentialed: [APP], public: ['*'] } }).origin, resolve({ origin: { credentialed: [APP], public: '*' } }).origin, "public ['*'] is public '*'")
  t.same(validateCorsOptions({ origin: { credentialed: ['http://localhost:3000', 'http://127.0.0.1:*'], public: ['http://partner.example', 'null'] } }), [],
    'loopback http in the credentialed tier; http and null in the public tier')
})

interface ProblemCase { desc: string, options: Record<string, unknown>, problems: Array<Omit<OptionProblem, 'value'> & { value?: unknown }> }

const INSECURE_RISK = "anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses"
const NO_PUBLIC_FIX = "add public: '*' (every other site) or a list, or use a plain origin list with credentials: true if only the credentialed origins may read responses"
const NO_CREDENTIALED_FIX = "add credentialed: [the origins that get credentialed responses], or use origin: '*' or a list without credentials if none does"
const LIST_EXPECTED = 'a non-empty array of origins, patterns or anchored RegExps'

const problemCases: ProblemCase[] = [
  { desc: 'no public tier', options: { origin: { credentialed: [APP] } }, problems: [{ path: '/origin', value: { credentialed: [APP] }, message: `has no \`public\` tier; ${NO_PUBLIC_FIX}`, fix: NO_PUBLIC_FIX, unsafe: false }] },
  { desc: 'no credentialed tier', options: { origin: { public: '*' } }, problems: [{ path: '/origin', value: { public: '*' }, message: `has no \`credentialed\` tier; ${NO_CREDENTIALED_FIX}`, fix: NO_CREDENTIALED_FIX, unsafe: false }] },
  {
    desc: 'an empty object: both tiers missing',
    options: { origin: {} },
    problems: [
      { path: '/origin', value: {}, message: `has no \`credentialed\` tier; ${NO_CREDENTIALED_FIX}`, fix: NO_CREDENTIALED_FIX, unsafe: false },
      { path: '/origin', value: {}, message: `has no \`public\` tier; ${NO_PUBLIC_FIX}`, fix: NO_PUBLIC_FIX, unsafe: false }
    ]
  },
  { desc: 'an empty credentialed tier', options: { origin: { credentialed: [], public: '*' } }, problems: [{ path: '/origin/credentialed', value: [], message: `expected ${LIST_EXPECTED}, received []`, fix: `use ${LIST_EXPECTED}`, unsafe: false }] },
  { desc: 'a credentialed tier that is not an array', options: { origin: { credentialed: APP, public: '*' } }, problems: [{ path: '/origin/credentialed', value: APP, message: `expected ${LIST_EXPECTED}, received '${APP}'`, fix: `use ${LIST_EXPECTED}`, unsafe: false }] },
  { desc: "a public tier that is neither '*' nor an array", options: { origin: { credentialed: [APP], public: PARTNER } }, problems: [{ path: '/origin/public', value: PARTNER, message: `expected '*' or ${LIST_EXPECTED}, received '${PARTNER}'`, fix: `use '*' or ${LIST_EXPECTED}`, unsafe: false }] },
  {
    desc: "'*' in the credentialed tier",
    options: { origin: { credentialed: ['*'], public: '*' } },
    problems: [{
      path: '/origin/credentialed/0',
      value: '*',
      message: "'*' cannot be credentialed: browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; list the origins that may read credentialed responses, and use public: '*' for every other site",
      fix: "list the origins that may read credentialed responses, and use public: '*' for every other site",
      unsafe: true
    }]
  },
  { desc: "'*' among public origins", options: { origin: { credentialed: [APP], public: [PARTNER, '*'] } }, problems: [{ path: '/origin/public/1', value: '*', message: "'*' already admits every origin; use public: '*' on its own", fix: "use public: '*' on its own", unsafe: false }] },
  {
    desc: "'null' in the credentialed tier",
    options: { origin: { credentialed: [APP, 'null'], public: '*' } },
    problems: [{ path: '/origin/credentialed/1', value: 'null', message: "'null' in credentialed lets sandboxed iframes, data: URLs and file: pages of any site read authenticated responses; move 'null' to public", fix: "move 'null' to public", unsafe: true }]
  },
  {
    desc: 'http origins on other hosts than loopback in the credentialed tier (origin and RegExp)',
    options: { origin: { credentialed: ['http://app.example.com', /^http:\/\/api\.example\.com$/], public: '*' } },
    problems: [
      {
        path: '/origin/credentialed/0',
        value: 'http://app.example.com',
        message: `'http://app.example.com' is an http origin in the credentialed tier: ${INSECURE_RISK}; serve the site over https and list 'https://app.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that`,
        fix: "serve the site over https and list 'https://app.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that",
        unsafe: true
      },
      {
        path: '/origin/credentialed/1',
        message: `/^http:\\/\\/api\\.example\\.com$/ matches http://api.example.com in the credentialed tier: ${INSECURE_RISK}; match https only, or set dangerouslyAllowInsecureOrigins: true if you accept that`,
        fix: 'match https only, or set dangerouslyAllowInsecureOrigins: true if you accept that',
        unsafe: true
      }
    ]
  },
  {
    desc: 'public-suffix patterns, in either tier',
    options: { origin: { credentialed: ['https://*.github.io'], public: ['https://*.co.uk'] } },
    problems: [
      { path: '/origin/credentialed/0', value: 'https://*.github.io', message: "'https://*.github.io' is too broad: github.io is a public suffix (Public Suffix List), where anyone can register a name such as https://attacker.github.io; list the origins you own, e.g. 'https://myapp.github.io'", fix: "list the origins you own, e.g. 'https://myapp.github.io'", unsafe: true },
      { path: '/origin/public/0', value: 'https://*.co.uk', message: "'https://*.co.uk' is too broad: co.uk is a public suffix (Public Suffix List), where anyone can register a name such as https://attacker.co.uk; list the origins you own, e.g. 'https://myapp.co.uk'", fix: "list the origins you own, e.g. 'https://myapp.co.uk'", unsafe: true }
    ]
  },
  {
    desc: 'an unanchored RegExp',
    options: { origin: { credentialed: [/example\.com/], public: '*' } },
    problems: [{ path: '/origin/credentialed/0', message: "/example\\.com/ is not anchored, so it also matches origins that merely contain an allowed one (e.g. https://evil-example.com); use /^(?:example\\.com)$/, or better a pattern such as 'https://*.example.com'", fix: "use /^(?:example\\.com)$/, or better a pattern such as 'https://*.example.com'", unsafe: true }]
  },
  { desc: 'an item that is neither a string nor a RegExp', options: { origin: { credentialed: [42], public: '*' } }, problems: [{ path: '/origin/credentialed/0', value: 42, message: 'expected an origin string or an anchored RegExp, received 42', fix: "replace it with an origin string (e.g. 'https://app.example.com') or an anchored RegExp", unsafe: false }] },
  {
    desc: 'a misspelt tier, with a suggestion; an unknown one without',
    options: { origin: { credentialed: [APP], public: '*', credentials: [PARTNER], private: [PARTNER] } },
    problems: [
      { path: '/origin/credentials', value: [PARTNER], message: "is not a tier of origin (tiers: credentialed, public); did you mean 'credentialed'?", fix: "did you mean 'credentialed'?", unsafe: false },
      { path: '/origin/private', value: [PARTNER], message: 'is not a tier of origin (tiers: credentialed, public); remove it', fix: 'remove it', unsafe: false }
    ]
  },
  {
    desc: 'credentials: false contradicts the tiers',
    options: { ...TIERED_ANY, credentials: false },
    problems: [{ path: '/credentials', value: false, message: 'false contradicts origin { credentialed, public }, which sends credentials to its credentialed tier; remove credentials (the tiers decide who gets credentials), or use a plain origin list if no origin may get them', fix: 'remove credentials (the tiers decide who gets credentials), or use a plain origin list if no origin may get them', unsafe: false }]
  },
  {
    desc: "'*' in methods, allowedHeaders and exposedHeaders: the credentialed tier reads it literally",
    options: { ...TIERED_ANY, methods: '*', allowedHeaders: ['*', 'Authorization'], exposedHeaders: '*' },
    problems: [
      { path: '/methods', value: '*', message: "'*' is not a wildcard for the credentialed tier of origin (browsers treat it as a literal name); list the methods explicitly", fix: 'list the methods explicitly', unsafe: false },
      { path: '/allowedHeaders', value: '*', message: "'*' is not a wildcard for the credentialed tier of origin (browsers treat it as a literal name); list the header names explicitly", fix: 'list the header names explicitly', unsafe: false },
      { path: '/exposedHeaders', value: '*', message: "'*' is not a wildcard for the credentialed tier of origin (browsers treat it as a literal name); list the header names explicitly", fix: 'list the header names explicitly', unsafe: false }
    ]
  },
  {
    desc: "allowPrivateNetwork with public '*'",
    options: { ...TIERED_ANY, allowPrivateNetwork: true },
    problems: [{ path: '/allowPrivateNetwork', value: true, message: "true with origin.public '*' lets every public website reach this server on its visitors' private networks; list the origins that may reach this server in `origin.public`", fix: 'list the origins that may reach this server in `origin.public`', unsafe: true }]
  }
]

test('registration problems: every one reported at its path, with the value, the message and the fix', async (t) => {
  for (const c of problemCases) {
    const problems = validateCorsOptions(c.options)
    t.equal(problems.length, c.problems.length, `${c.desc}: ${problems.length} problem(s)`)
    c.problems.forEach((want, index) => {
      const got = problems[index] as OptionProblem
      t.equal(got?.path, want.path, `${c.desc}: path`)
      t.equal(got?.message, want.message, `${c.desc}: message`)
      t.equal(got?.fix, want.fix, `${c.desc}: fix`)
      t.equal(got?.unsafe, want.unsafe, `${c.desc}: unsafe`)
      if ('value' in want) t.same(got?.value, want.value, `${c.desc}: value`)
      else t.ok(got?.value instanceof RegExp, `${c.desc}: the RegExp is the value`)
    })
  }
})

test('accepted next to the tiers: allowPrivateNetwork with a public list, insecure origins opted in (with the warning)', async (t) => {
  t.same(validateCorsOptions({ ...TIERED_LIST, allowPrivateNetwork: true }), [])
  const options = resolve({ origin: { credentialed: ['http://app.example.com', /^http:\/\/api\.example\.com$/, APP], public: ['http://partner.example'] }, dangerouslyAllowInsecureOrigins: true })
  t.same(dangerWarnings(options), [
    "dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://app.example.com', /^http:\\/\\/api\\.example\\.com$/), which anyone on the network path can inject script into"
  ], 'only the credentialed tier is named: the public tier gets no credentials')
})

test('compiled: one matcher per tier, and a public-tier policy without credentials that still varies by Origin', async (t) => {
  const any = policy(TIERED_ANY)
  t.equal(any.originKind, 'tiered')
  t.equal(any.credentials, true)
  t.equal(any.varyOrigin, true)
  t.equal(any.preflightVary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  t.ok(Object.isFrozen(any))
  const publicAny = any.publicTier as CorsPolicy
  t.ok(Object.isFrozen(publicAny))
  t.same([publicAny.originKind, publicAny.credentials, publicAny.varyOrigin, publicAny.preflightVary, publicAny.publicTier],
    ['any', false, true, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers', undefined])
  t.equal(publicAny.verdictFor('anything at all'), 'allowed', "public '*' reflects nothing, so any value gets '*'")
  const list = policy({ ...TIERED_LIST, maxAge: 600, exposedHeaders: ['X-Total'] })
  const publicList = list.publicTier as CorsPolicy
  t.same([publicList.originKind, publicList.credentials, publicList.varyOrigin, publicList.maxAge, publicList.aceh], ['list', false, true, '600', 'X-Total'],
    'the rest of the policy is shared by both tiers')
  t.equal(publicList.verdictFor(PARTNER), 'allowed')
  t.equal(publicList.verdictFor(STRANGER), 'not-allowed')
  t.equal(policy({ origin: [APP] }).publicTier, undefined, 'set only for tiers')
})

test('verdicts: the credentialed tier first, then the public one', async (t) => {
  const any = policy(TIERED_ANY)
  const list = policy(TIERED_LIST)
  const cases: Array<{ desc: string, policy: CorsPolicy, origin: string, want: string }> = [
    { desc: "public '*': credentialed origin", policy: any, origin: APP, want: 'allowed' },
    { desc: "public '*': credentialed pattern", policy: any, origin: TENANT, want: 'allowed' },
    { desc: "public '*': credentialed RegExp", policy: any, origin: 'https://beta.example.net', want: 'allowed' },
    { desc: "public '*': any other origin", policy: any, origin: STRANGER, want: 'allowed-public' },
    { desc: "public '*': the apex of a credentialed pattern is public", policy: any, origin: 'https://tenant.example', want: 'allowed-public' },
    { desc: "public '*': http twin of a credentialed origin is public", policy: any, origin: 'http://app.example.com', want: 'allowed-public' },
    { desc: "public '*': null", policy: any, origin: 'null', want: 'allowed-public' },
    { desc: "public '*': a malformed Origin gets '*' too (nothing is reflected)", policy: any, origin: 'https://app.example.com/', want: 'allowed-public' },
    { desc: 'public list: credentialed origin', policy: list, origin: APP, want: 'allowed' },
    { desc: 'public list: in both tiers, credentialed wins', policy: list, origin: APP, want: 'allowed' },
    { desc: 'public list: public origin', policy: list, origin: PARTNER, want: 'allowed-public' },
    { desc: 'public list: public pattern', policy: list, origin: 'https://eu.partner.example', want: 'allowed-public' },
    { desc: "public list: 'null' listed there", policy: list, origin: 'null', want: 'allowed-public' },
    { desc: 'public list: in neither tier', policy: list, origin: STRANGER, want: 'not-allowed' },
    { desc: 'public list: malformed', policy: list, origin: 'https://partner.example/', want: 'invalid' }
  ]
  for (const c of cases) t.equal(c.policy.verdictFor(c.origin), c.want, c.desc)
  t.equal(policy({ origin: { credentialed: [APP], public: [PARTNER] } }).verdictFor('null'), 'not-allowed', "'null' not listed in public")
})

test('decisions: the credentialed tier is credentialed, the public tier is answered by its own policy', async (t) => {
  const tiered = policy(TIERED_ANY)
  const credentialed = decideActual(tiered, APP, 'allowed', facts(), 'GET /items', false)
  t.same([credentialed.allowed, credentialed.credentialed, credentialed.reason], [true, true, 'allowed'])
  t.equal(credentialed[kPolicy], tiered)
  const publicTier = decideActual(tiered, STRANGER, 'allowed-public', facts(), 'GET /items', false)
  t.same([publicTier.allowed, publicTier.credentialed, publicTier.reason, publicTier.detail], [true, false, 'allowed', undefined])
  t.equal(publicTier[kPolicy], tiered.publicTier, 'its headers come from the public tier: ACAO *, no credentials')
  const ownPage = decideActual(tiered, 'https://api.example.com', 'allowed-public', facts('POST'), 'POST /items', false)
  t.same([ownPage.allowed, ownPage.credentialed, ownPage.reason], [true, true, 'same-origin'], "the server's own page, admitted by public '*' only, reads with credentials: CORS does not apply to it")
  t.equal(ownPage[kPolicy], tiered)
  const ownBySite = decideActual(tiered, 'https://api.example.com', 'allowed-public', { ...facts('POST'), headers: { 'sec-fetch-site': 'same-origin' } }, 'POST /items', false)
  t.equal(ownBySite.reason, 'same-origin', 'as Sec-Fetch-Site says')
  const noOrigin = decideActual(tiered, undefined, 'not-allowed', facts(), 'GET /items', false)
  t.same([noOrigin.allowed, noOrigin.credentialed, noOrigin.reason], [true, true, 'no-origin'], 'CORS does not apply without Origin')
  const sameOrigin = decideActual(policy(TIERED_LIST), 'https://api.example.com', 'not-allowed', { ...facts(), headers: { 'sec-fetch-site': 'same-origin' } }, 'GET /items', false)
  t.same([sameOrigin.allowed, sameOrigin.credentialed, sameOrigin.reason], [true, true, 'same-origin'])
  const denied = decideActual(policy(TIERED_LIST), STRANGER, 'not-allowed', facts(), 'GET /items', false)
  t.same([denied.allowed, denied.credentialed, denied.reason], [false, false, 'origin-not-allowed'])
  t.equal(denied.detail, "origin 'https://stranger.example' is in neither tier of `origin` for GET /items; add it to `origin.public`, or to `origin.credentialed` for credentialed responses")
  t.equal(describeOriginDenial(policy({ origin: { credentialed: [APP], public: [PARTNER] } }), 'origin-not-allowed', 'null', 'GET /items'),
    "origin 'null' is refused for GET /items; it is only allowed when 'null' is listed in `origin.public` (anyone can send it)")
  const plain = decideActual(policy({ origin: [APP] }), APP, 'allowed', facts(), 'GET /items', false)
  t.equal(plain.credentialed, false, 'a list without credentials: allowed, not credentialed')
  t.equal(decideActual(policy({ origin: [APP], credentials: true }), APP, 'allowed', facts(), 'GET /items', false).credentialed, true)
  t.equal(decideActual(null, STRANGER, 'not-allowed', facts(), 'GET /off', false).credentialed, false, 'a refused disabled route')
  t.equal(decideActual(null, undefined, 'not-allowed', facts(), 'GET /off', false).credentialed, true, 'a disabled route without Origin')
})

test('answered preflights are credentialed only when the answer grants credentials', async (t) => {
  const tiered = policy(TIERED_ANY)
  t.equal(Decision.answeredPreflight(APP, tiered, 'allowed', undefined, true).credentialed, true)
  t.equal(Decision.answeredPreflight(STRANGER, tiered.publicTier as CorsPolicy, 'allowed', undefined, false).credentialed, false)
  t.equal(Decision.answeredPreflight(APP, tiered, 'method-not-allowed', 'method PUT is not allowed', true).credentialed, false, 'refused: not even allowed')
})

test('route-dependent preflights: a tiered route answers a public-tier origin as its public tier', async (t) => {
  const tiered = policy({ ...TIERED_LIST, methods: ['GET', 'PUT'] })
  const partnerWrites = policy({ origin: [PARTNER], credentials: true, methods: ['DELETE'] })
  const routes = new Map<string, Candidate[]>([
    ['GET', [{ policy: tiered, name: 'GET /account' }]],
    ['PUT', [{ policy: tiered, name: 'PUT /account' }]],
    ['DELETE', [{ policy: partnerWrites, name: 'DELETE /account' }, { policy: null, name: 'DELETE /account (off)' }]]
  ])
  const profile = profileUrl(routes)
  const substituted = substitutePolicies(profile, (p) => p === tiered ? tiered.publicTier as CorsPolicy : p)
  t.equal(substituted.routes.get('GET')?.[0]?.policy, tiered.publicTier)
  t.equal(substituted.routes.get('DELETE')?.[1]?.policy, null, 'a disabled route stays disabled')
  t.same(substituted.policies, [tiered.publicTier, partnerWrites])
  const allowed = new Set([tiered.publicTier, partnerWrites])
  const answer = answerPreflight({
    url: substituted,
    scopePolicy: tiered.publicTier as CorsPolicy,
    requestMethod: 'PUT',
    requestHeaders: undefined,
    requestPrivateNetwork: undefined,
    target: 'PUT /account',
    allowsOrigin: (p) => allowed.has(p)
  })
  t.match(answer, { kind: 'answer', credentials: false, anyOrigin: false, vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers', outcome: { reason: 'allowed', acam: 'GET, PUT' } },
    'the public tier grants without credentials; DELETE (disabled beside) is not in the grant')
  const anyTier = policy({ ...TIERED_ANY, methods: ['GET'] })
  const other = policy({ origin: '*', methods: ['POST'] })
  const mixed = substitutePolicies(profileUrl(new Map<string, Candidate[]>([
    ['GET', [{ policy: anyTier, name: 'GET /feed' }]],
    ['POST', [{ policy: other, name: 'POST /feed' }]]
  ])), (p) => p === anyTier ? anyTier.publicTier as CorsPolicy : p)
  const both = answerPreflight({
    url: mixed,
    scopePolicy: other,
    requestMethod: 'POST',
    requestHeaders: 'x-a',
    requestPrivateNetwork: undefined,
    target: 'POST /feed',
    allowsOrigin: () => true
  })
  t.match(both, { kind: 'answer', anyOrigin: true, credentials: false, vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' },
    "ACAO '*' from both routes, but the public tier's answer still varies by Origin")
})

test('the start-up line describes both tiers', async (t) => {
  const given = { origin: { credentialed: [APP, 'https://*.tenant.example'], public: [PARTNER, 'null'] } }
  t.equal(describePolicy(resolve(given), given, '/api'),
    "fastify-cors-policy: /api policy: origin { credentialed ['https://app.example.com', 'https://*.tenant.example'], public ['https://partner.example', 'null'] }, credentials: credentialed tier only, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest")
  const any = { origin: { credentialed: Array.from({ length: 7 }, (_, i) => `https://t${i}.example`), public: '*' } }
  t.equal(describePolicy(resolve(any), any, ''),
    "fastify-cors-policy: / policy: origin { credentialed ['https://t0.example', 'https://t1.example', 'https://t2.example', 'https://t3.example', 'https://t4.example', … (+2 more)], public '*' }, credentials: credentialed tier only, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest",
    'each tier bounded as a list is')
})
