// The pure decision path without HTTP: `micro.ts [--quick]` prints a JSON array of
// { name, nsPerOp, unit, note }. Each operation runs in batches of about 20 ms timed with
// process.hrtime.bigint(); the median over batches is reported with a bootstrap interval.
import { evaluatePreflight, originVerdict } from '../lib/policy/decide.js'
import { resolveOptions } from '../lib/policy/options.js'
import { compilePolicy } from '../lib/policy/compile.js'
import type { CorsPolicy } from '../lib/policy/compile.js'
import { mergeVary } from '../lib/http/vary.js'
import { answerPreflight, profileUrl, type Candidate } from '../lib/policy/route-grant.js'
import { fastifyFindMyWay } from '../lib/plugin/fastify-internals.js'
import { exactOrigins, regionRegExps, scenarioByName, tenantPatterns } from './scenarios.js'
import { bootstrapMedian } from './stats.js'
import type { Estimate } from './stats.js'

const quick = process.argv.includes('--quick')
const BATCHES = quick ? 5 : 21
const BATCH_TARGET_NS = quick ? 8e6 : 20e6

export interface MicroResult {
  readonly name: string
  readonly nsPerOp: Estimate
  readonly unit: 'ns' | 'ms'
  readonly note: string
}

/** Keeps results observable so that V8 cannot drop the work being timed. */
let sink = 0

function observe (value: unknown): void {
  if (typeof value === 'string') sink += value.length
  else if (value !== undefined && value !== null) sink += 1
}

function timeOperation (name: string, note: string, operation: () => unknown): MicroResult {
  let iterations = 1
  // Calibrate (this also warms the JIT): grow the batch until it lasts about BATCH_TARGET_NS.
  for (;;) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) observe(operation())
    const elapsed = Number(process.hrtime.bigint() - started)
    if (elapsed >= BATCH_TARGET_NS / 4 || iterations >= 1 << 26) {
      iterations = Math.max(1, Math.round(iterations * BATCH_TARGET_NS / Math.max(elapsed, 1)))
      break
    }
    iterations *= 4
  }
  const perOp: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) observe(operation())
    perOp.push(Number(process.hrtime.bigint() - started) / iterations)
  }
  return { name, nsPerOp: bootstrapMedian(perOp), unit: 'ns', note }
}

function timeOnce<T> (name: string, note: string, repeats: number, setup: () => T, operation: (input: T) => unknown): MicroResult {
  const ms: number[] = []
  for (let r = 0; r < repeats; r++) {
    const input = setup()
    const started = process.hrtime.bigint()
    observe(operation(input))
    ms.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  return { name, nsPerOp: bootstrapMedian(ms), unit: 'ms', note }
}

/**
 * A request header arrives as a fresh string whose hash V8 has not computed yet; reusing one string
 * would measure cached-hash lookups. Each call builds the value anew (concatenation + a read that
 * flattens it), and `freshBaseline` times that construction alone so it can be subtracted.
 */
function freshString (value: string): () => string {
  const head = value.slice(0, 8)
  const tails = [value.slice(8), value.slice(8)]
  let counter = 0
  return () => {
    const fresh = head + (tails[counter++ & 1] as string)
    fresh.charCodeAt(fresh.length - 1)
    return fresh
  }
}

function withoutConstruction (measured: MicroResult, baseline: MicroResult): MicroResult {
  const minus = baseline.nsPerOp.value
  return {
    ...measured,
    nsPerOp: { value: measured.nsPerOp.value - minus, low: measured.nsPerOp.low - minus, high: measured.nsPerOp.high - minus },
    note: `${measured.note}; fresh string each call (its ${minus.toFixed(1)} ns construction subtracted)`
  }
}

function freshOperation (name: string, note: string, value: string, operation: (fresh: string) => unknown): MicroResult {
  const make = freshString(value)
  const baseline = timeOperation('construction', '', make)
  return withoutConstruction(timeOperation(name, note, () => operation(make())), baseline)
}

function policyOf (options: Record<string, unknown>): CorsPolicy {
  const { options: resolved, problems } = resolveOptions(options)
  if (problems.length > 0) throw new TypeError(`invalid bench options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`)
  return compilePolicy(resolved)
}

function header (scenario: string, name: string): string {
  const value = scenarioByName(scenario).request.headers[name]
  if (value === undefined) throw new TypeError(`scenario ${scenario} has no ${name} header`)
  return value
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT']
const onePolicy = policyOf({ origin: exactOrigins(1), credentials: true, methods: METHODS })
const list100k = policyOf({ origin: exactOrigins(100_000), credentials: true, methods: METHODS })
const patterns10k = policyOf({ origin: tenantPatterns(10_000), credentials: true, methods: METHODS })
const regexps100 = policyOf({ origin: regionRegExps(100), credentials: true, methods: METHODS })

const allowed = header('simple-get', 'origin')
const disallowed = header('disallowed', 'origin')
const last100k = header('list-100k', 'origin')
const lastPattern = header('patterns-10k', 'origin')
const lastRegExp = header('regexp-100', 'origin')
const longOrigin = header('adv-long-origin', 'origin')
const preflightHeaders = header('preflight', 'access-control-request-headers')
const commas = header('adv-acrh-commas', 'access-control-request-headers')
const thousandNames = header('adv-acrh-1000', 'access-control-request-headers')
const routeMethods = 'GET, HEAD, PUT'
const target = 'PUT /items'

// the plugin's preflight constraint (lib/plugin/preflight-constraint.ts), on a router like the benchmark app's
const FindMyWay = fastifyFindMyWay()
function benchRouter (constrained: boolean): ReturnType<typeof FindMyWay> {
  const router = FindMyWay({})
  if (constrained) {
    router.addConstraintStrategy({
      name: 'fastifyCorsPolicyPreflight',
      storage () { const stores = new Map<string, unknown>(); return { get: (value: string) => stores.get(value) ?? null, set: (value: string, store: unknown) => { stores.set(value, store) } } },
      deriveConstraint (req: { method?: string, headers: Record<string, string | undefined> }) {
        if (req.method !== 'OPTIONS') return undefined
        return req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined ? 'preflight' : 'plain'
      },
      mustMatchWhenDerived: false
    } as unknown as Parameters<typeof router.addConstraintStrategy>[0])
    router.on('OPTIONS', '*', { constraints: { fastifyCorsPolicyPreflight: 'preflight' } }, () => {}, {})
    router.on('OPTIONS', '*', { constraints: { fastifyCorsPolicyPreflight: 'plain' } }, () => {}, {})
  } else {
    router.on('OPTIONS', '*', () => {}, {})
  }
  router.on('GET', '/items', () => {}, {})
  router.on('PUT', '/items', () => {}, {})
  return router
}
/** Constraints derived as find-my-way's lookup derives them (undefined when no strategy is in use). */
function derive (router: ReturnType<typeof FindMyWay>, req: never): never {
  return (router as unknown as { constrainer: { deriveConstraints: (req: never) => never } }).constrainer.deriveConstraints(req)
}
const plainRouter = benchRouter(false)
const constrainedRouter = benchRouter(true)
const getRequest = { method: 'GET', url: '/items', headers: { origin: 'https://app.example.com', host: 'localhost' } } as never
const preflightRequest = { method: 'OPTIONS', url: '/items', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', host: 'localhost' } } as never
const partner = 'https://partner.example.com'
const partnerPolicy = policyOf({ origin: [partner, 'https://app.example.com'], credentials: true, maxAge: 600 })
const ownPolicy = policyOf({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 })
const mixedRoutes = new Map<string, Candidate[]>([
  ['GET', [{ policy: partnerPolicy, name: 'GET /account' }]],
  ['HEAD', [{ policy: partnerPolicy, name: 'HEAD /account' }]],
  ['PUT', [{ policy: ownPolicy, name: 'PUT /account' }]]
])
const mixedProfile = profileUrl(mixedRoutes)

const results: MicroResult[] = [
  timeOperation('originVerdict: allow-list of 1, allowed', 'Set hit', () => originVerdict(onePolicy, allowed)),
  timeOperation('originVerdict: allow-list of 1, disallowed', 'Set miss, then origin syntax check', () => originVerdict(onePolicy, disallowed)),
  timeOperation('originVerdict: 100 000 exact origins, last', 'Set hit', () => originVerdict(list100k, last100k)),
  timeOperation('originVerdict: 10 000 patterns, last', 'suffix Set probes', () => originVerdict(patterns10k, lastPattern)),
  timeOperation('originVerdict: 100 RegExps, last', '100 RegExp tests', () => originVerdict(regexps100, lastRegExp)),
  timeOperation('originVerdict: 16 KiB Origin', 'rejected as invalid', () => originVerdict(onePolicy, longOrigin)),
  freshOperation('originVerdict: allow-list of 1, allowed (fresh)', 'Set hit', allowed, (o) => originVerdict(onePolicy, o)),
  freshOperation('originVerdict: allow-list of 1, disallowed (fresh)', 'Set miss, then origin syntax check', disallowed, (o) => originVerdict(onePolicy, o)),
  freshOperation('originVerdict: 100 000 exact origins, last (fresh)', 'Set hit', last100k, (o) => originVerdict(list100k, o)),
  freshOperation('originVerdict: 10 000 patterns, last (fresh)', 'suffix Set probes', lastPattern, (o) => originVerdict(patterns10k, o)),
  timeOperation('evaluatePreflight: PUT, content-type,x-custom', 'method check; a browser-form ACRH is echoed as sent', () =>
    evaluatePreflight(onePolicy, 'PUT', preflightHeaders, undefined, routeMethods, target)),
  timeOperation('evaluatePreflight: ACRH 8 KiB of commas', 'bounded ACRH parse', () =>
    evaluatePreflight(onePolicy, 'PUT', commas, undefined, routeMethods, target)),
  timeOperation('evaluatePreflight: ACRH 1 000 names', 'bounded ACRH parse', () =>
    evaluatePreflight(onePolicy, 'PUT', thousandNames, undefined, routeMethods, target)),
  timeOperation('mergeVary: no Vary yet', 'actual responses', () => mergeVary(undefined, ['Origin'])),
  timeOperation('mergeVary: handler set Vary: Accept-Encoding', 'actual responses', () => mergeVary('Accept-Encoding', ['Origin'])),
  timeOperation('router lookup, GET: without the preflight constraint', "Fastify's find-my-way, constraints derived as Fastify does", () =>
    plainRouter.find('GET', '/items', derive(plainRouter, getRequest))),
  timeOperation('router lookup, GET: with the preflight constraint', 'the plugin\'s strategy derives a value for every request', () =>
    constrainedRouter.find('GET', '/items', derive(constrainedRouter, getRequest))),
  timeOperation('router lookup, preflight: without the preflight constraint', '', () =>
    plainRouter.find('OPTIONS', '/items', derive(plainRouter, preflightRequest))),
  timeOperation('router lookup, preflight: with the preflight constraint', '', () =>
    constrainedRouter.find('OPTIONS', '/items', derive(constrainedRouter, preflightRequest))),
  timeOperation('profileUrl: GET, HEAD, PUT routes of two policies', 'once per URL (then cached)', () => profileUrl(mixedRoutes)),
  timeOperation('answerPreflight: shared URL, partner GET + header', 'the grant of a URL whose routes differ', () =>
    answerPreflight({ url: mixedProfile, scopePolicy: partnerPolicy, requestMethod: 'GET', requestHeaders: 'x-custom', requestPrivateNetwork: undefined, target, allowsOrigin: (p) => originVerdict(p, partner) === 'allowed' })),
  timeOnce('resolveOptions + compilePolicy: 100 000 origins', 'start-up work without Fastify (origins generated beforehand)', quick ? 1 : 5,
    () => exactOrigins(100_000), (origins) => policyOf({ origin: origins, credentials: true }))
]

if (sink === -1) process.stderr.write('unreachable\n')
process.stdout.write(JSON.stringify(results) + '\n')
