/**
 * Route truth: no request that Fetch would preflight (were there no cache) reaches a handler whose
 * own route policy would refuse its preflight. Random apps (shared URLs with per-route policies,
 * prefixed index routes, host-constrained routes, `cors: false` routes) × random sequences of a
 * page's fetches, played as a browser plays them: the CORS-preflight cache of the Fetch model
 * (https://fetch.spec.whatwg.org/#cors-preflight-cache) decides whether a preflight is sent, the
 * model judges it, and a passing answer fills the cache for the next fetches.
 *
 * Reproduce a run: ROUTE_TRUTH_SEED=<seed> ROUTE_TRUTH_SEQUENCES=<n> npx tap test/property/route-truth-sequences.test.ts
 */
import t, { test } from 'tap'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import {
  actualRequest, needsPreflight, normalizeMethod, PreflightCache, preflightMaxAge, preflightRequest
} from '../../lib/browser/model.js'
import type { ResponseHead } from '../../lib/browser/model.js'
import {
  appSpec, buildRouteTruthApp, describePolicy, ownPolicy, ownRefusal, PARTNER_ORIGIN, routesOf, type AppSpec, type RouteTruthApp
} from './support/route-truth-apps.js'
import { describeFetch, makeSequence, sequence, type PageFetch, type Sequence } from './support/route-truth-pages.js'

const SEED = Number(process.env.ROUTE_TRUTH_SEED ?? 20261207)
const SEQUENCES = Number(process.env.ROUTE_TRUTH_SEQUENCES ?? 20_000)
/** Sequences played on one app: building an app costs far more than a sequence. */
const SEQUENCES_PER_APP = 80
const FILE_TIMEOUT_MS = 300_000

// the root timeout of this process, and (through the comment) the runner's timeout for this file
t.setTimeout(FILE_TIMEOUT_MS)
t.comment(`timeout=${FILE_TIMEOUT_MS}`)

class Violation extends Error {}

interface Stats {
  fetches: number
  preflights: number
  /** fetches Fetch would preflight that the cache let through without one */
  cacheHits: number
  /** preflights sent while entries of a passed preflight for another method to the same key were alive */
  repeatPreflights: number
  sequencesWithRepeat: number
  /** handler runs of requests Fetch would preflight: the ones the invariant checks */
  checkedRuns: number
  /** every handler run, as the apps counted them */
  handlerRuns: number
}

const stats: Stats = { fetches: 0, preflights: 0, cacheHits: 0, repeatPreflights: 0, sequencesWithRepeat: 0, checkedRuns: 0, handlerRuns: 0 }

function head (res: LightMyRequestResponse): ResponseHead {
  return { status: res.statusCode, headers: res.headers as ResponseHead['headers'] }
}

function accessControl (res: LightMyRequestResponse): string {
  const names = Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))
  return names.length === 0 ? 'no Access-Control-* header' : names.map((name) => `${name}: ${String(res.headers[name])}`).join('; ')
}

function bodyFor (page: PageFetch, method: string): string | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined
  const type = page.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1]
  return type === undefined ? undefined : type === 'application/json' ? '{}' : 'hello'
}

function cacheKey (page: PageFetch): string {
  return `${page.origin} ${page.url} ${page.credentials === 'include' ? 'include' : 'no-credentials'}`
}

/** Plays one sequence on a fresh browser cache; throws a Violation with the trace of the sequence. */
async function playSequence (app: RouteTruthApp, seq: Sequence, count: Stats | undefined): Promise<void> {
  const cache = new PreflightCache()
  const passed: Array<{ key: string, method: string, expires: number }> = []
  const trace: string[] = []
  let now = 0
  let repeat = false
  for (const page of seq.fetches) {
    now += page.advance
    const method = normalizeMethod(page.method)
    if (count !== undefined) count.fetches++
    trace.push(`t=${now}s ${describeFetch(page)}`)
    if (cache.preflightNeeded(page, now)) {
      const key = cacheKey(page)
      if (passed.some((p) => p.key === key && p.method !== method && now < p.expires)) {
        repeat = true
        if (count !== undefined) count.repeatPreflights++
      }
      const preflight = preflightRequest(page)
      const { res } = await app.send(preflight, undefined)
      const verdict = cache.store(page, head(res), now)
      if (count !== undefined) count.preflights++
      trace.push(`  preflight -> ${res.statusCode}, ${accessControl(res)}: ${verdict.allowed ? 'passed' : `blocked (${verdict.failure as string})`}`)
      if (!verdict.allowed) continue
      passed.push({ key, method, expires: now + preflightMaxAge(head(res)) })
    } else if (needsPreflight(page)) {
      if (count !== undefined) count.cacheHits++
      trace.push('  no preflight: the preflight cache covers it')
    }
    const actual = actualRequest(page)
    const { res, ran } = await app.send(actual, bodyFor(page, actual.method))
    if (ran === undefined) {
      trace.push(`  ${actual.method} -> ${res.statusCode}, no handler ran`)
      continue
    }
    const route = app.routes[ran]!
    trace.push(`  ${actual.method} -> ${res.statusCode}, handler of ${route.label} ran`)
    if (!needsPreflight(page)) continue
    if (count !== undefined) count.checkedRuns++
    const policy = ownPolicy(app.spec, route)
    const refusal = ownRefusal(policy, page)
    if (refusal !== undefined) {
      const url = new URL(page.url).href
      const live = cache.entries(now)
        .filter((e) => e.origin === page.origin && e.url === url && e.credentials === (page.credentials === 'include'))
        .map((e) => e.method ?? `header ${e.headerName as string}`).join(', ')
      throw new Violation([
        `${describeFetch(page)} reached the handler of ${route.label}, whose own policy ${describePolicy(policy)} refuses its preflight: ${refusal}`,
        `cache entries alive for the page at t=${now}s: ${live === '' ? 'none' : live}`,
        'sequence:',
        ...trace
      ].join('\n'))
    }
  }
  if (repeat && count !== undefined) count.sequencesWithRepeat++
}

/** The Violation one sequence raises on a fresh app for `spec`, if any. */
async function violationOnFreshApp (spec: AppSpec, seq: Sequence): Promise<Violation | undefined> {
  const app = await buildRouteTruthApp(spec)
  try {
    await playSequence(app, seq, undefined)
    return undefined
  } catch (error) {
    if (error instanceof Violation) return error
    throw error
  } finally {
    await app.app.close()
  }
}

/**
 * Drops the fetches the violation does not need, one at a time (fast-check keeps the 5 fetches
 * every generated sequence has).
 */
async function fewestFetches (spec: AppSpec, seq: Sequence): Promise<Sequence> {
  let fetches = [...seq.fetches]
  for (let i = fetches.length - 1; i >= 0 && fetches.length > 1; i--) {
    const candidate = fetches.filter((_, j) => j !== i)
    if (await violationOnFreshApp(spec, makeSequence(candidate)) !== undefined) fetches = candidate
  }
  return makeSequence(fetches)
}

function showApp (spec: AppSpec): string {
  return [`plugin: ${describePolicy(spec.plugin)}`, ...routesOf(spec).map((route) => `${route.label}: ${describePolicy(ownPolicy(spec, route))}`)].join('\n')
}

/** Issue 10, case 1: GET /account allows a partner with credentials, PUT /account only the app's own origin. */
const SHARED_URL_APP: AppSpec = {
  plugin: { origin: 'app', credentials: true, methods: undefined, allowedHeaders: undefined, maxAge: undefined },
  account: {
    serves: [true, false, true, false, false],
    permissive: { origin: 'app+partner', credentials: true, methods: undefined, allowedHeaders: undefined, maxAge: undefined },
    strict: { origin: 'app', credentials: true, methods: undefined, allowedHeaders: undefined, maxAge: undefined },
    picks: ['auto', 'auto', 'auto', 'auto', 'auto']
  },
  items: null,
  adminIndex: null,
  adminUsers: null,
  data: null
}

test('the harness plays the shared-URL threat of issue 10: the partner\'s GET preflight must not unlock PUT', async (t) => {
  const partner = { origin: PARTNER_ORIGIN, host: 'a.test', path: '/account', credentials: 'include' as const, headers: [['X-Api-Key', 'k']] as Array<[string, string]> }
  const seq = makeSequence([
    { ...partner, method: 'GET', advance: 0 },
    { ...partner, method: 'PUT', advance: 1 },
    { ...partner, method: 'DELETE', advance: 1 },
    { ...partner, method: 'PUT', advance: 1 },
    { ...partner, method: 'GET', advance: 1 }
  ])
  const violation = await violationOnFreshApp(SHARED_URL_APP, seq)
  t.equal(violation?.message, undefined, 'no handler the page may not reach runs')
})

test('no preflightable request reaches a handler whose own policy refuses its preflight', { timeout: FILE_TIMEOUT_MS }, async (t) => {
  const apps = Math.max(1, Math.ceil(SEQUENCES / SEQUENCES_PER_APP))
  t.comment(`route-truth seed ${SEED} (ROUTE_TRUTH_SEED), ${SEQUENCES} sequences (ROUTE_TRUTH_SEQUENCES) on ${apps} apps`)
  const specs = fc.sample(appSpec, { seed: SEED, numRuns: apps })
  const started = process.hrtime.bigint()
  let sequences = 0
  for (const [index, spec] of specs.entries()) {
    const runs = Math.min(SEQUENCES_PER_APP, SEQUENCES - index * SEQUENCES_PER_APP)
    const app = await buildRouteTruthApp(spec)
    let result: fc.RunDetails<[Sequence]>
    try {
      result = await fc.check(fc.asyncProperty(sequence, async (seq) => {
        await playSequence(app, seq, stats)
        sequences++
      }), { seed: SEED + index + 1, numRuns: runs })
    } catch (error) {
      await app.app.close()
      throw error
    }
    if (!result.failed) {
      stats.handlerRuns += app.runs.reduce((sum, runs) => sum + runs, 0)
      await app.app.close()
      continue
    }
    const [seq] = result.counterexample as [Sequence]
    const error = result.errorInstance
    await app.app.close()
    if (!(error instanceof Violation)) {
      t.fail(`app #${index} of seed ${SEED}: the sequence failed without reaching the invariant`, { error: error instanceof Error ? error.stack : String(error), sequence: fc.stringify(seq), app: showApp(spec) })
      return
    }
    // the same sequence on smaller apps: fast-check shrinks the app spec the sequence still breaks
    const appResult = await fc.check(fc.asyncProperty(appSpec, async (shrunk) => {
      const found = await violationOnFreshApp(shrunk, seq)
      if (found !== undefined) throw found
    }), { examples: [[spec]], numRuns: 1 })
    const minimal = appResult.failed ? (appResult.counterexample as [AppSpec])[0] : spec
    const fewest = await fewestFetches(minimal, seq)
    t.fail(`route truth broken: app #${index} of seed ${SEED} (reproduce: ROUTE_TRUTH_SEED=${SEED} ROUTE_TRUTH_SEQUENCES=${(index + 1) * SEQUENCES_PER_APP})`, {
      minimal: (await violationOnFreshApp(minimal, fewest))?.message,
      minimalApp: showApp(minimal),
      violation: error.message,
      app: showApp(spec)
    })
    return
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  t.comment(`${sequences} sequences, ${stats.fetches} fetches, ${stats.preflights} preflights, ${stats.cacheHits} fetches let through by the preflight cache, ` +
    `${stats.repeatPreflights} preflights for another method within max-age (in ${stats.sequencesWithRepeat} sequences), ${stats.handlerRuns} handler runs (${stats.checkedRuns} of preflightable requests, checked), in ${seconds.toFixed(1)} s`)
  t.equal(sequences, SEQUENCES, 'every generated sequence was played and kept the invariant')
  // the property is only as good as the situations it reaches
  t.ok(stats.cacheHits >= SEQUENCES / 10, 'the preflight cache often lets a preflightable request through')
  t.ok(stats.sequencesWithRepeat >= SEQUENCES / 10, 'preflights for several methods to one URL within max-age are common')
  t.ok(stats.checkedRuns >= SEQUENCES / 2, 'many preflightable requests reach a handler')
})
