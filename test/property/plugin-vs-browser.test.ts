/**
 * The plugin's own verdict (`request.cors.allowed`) must be what a browser concludes from the
 * plugin's response headers: random policies × random `fetch()` calls, each played as the browser
 * would (preflight first when needed), judged by the Fetch model in lib/browser-model.ts.
 *
 * Reproduce a run: PROPERTY_SEED=<seed> PROPERTY_RUNS=<policies> npx tap test/property/plugin-vs-browser.test.ts
 */
import t, { test } from 'tap'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import type { CorsDecision } from '../../lib/index.js'
import {
  actualRequest, checkActualResponse, checkPreflightResponse, isSameOrigin, needsPreflight,
  normalizeMethod, preflightRequest
} from '../../lib/browser/model.js'
import type { FailureCode, OutgoingRequest, ResponseHead, Verdict } from '../../lib/browser/model.js'
import { appSpec, type AppSpec, type PolicySpec } from './support/policies.js'
import { effectivePolicy } from './support/routes.js'
import { pageCase, type PageCase } from './support/page-requests.js'
import { credentialsGranted, originGranted } from './support/reference-origin.js'
import { buildPropertyApp, type PropertyApp } from './support/property-app.js'

const SEED = Number(process.env.PROPERTY_SEED ?? 20261124)
/** Policies (apps) per run; each serves REQUESTS_PER_APP fetches. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 500)
const REQUESTS_PER_APP = 200
/** More than the suite's per-file timeout: a loaded CI machine may need it for 100 000 fetches. */
const FILE_TIMEOUT_MS = 300_000

// the root timeout of this process, and (through the comment) the runner's timeout for this file
t.setTimeout(FILE_TIMEOUT_MS)
t.comment(`timeout=${FILE_TIMEOUT_MS}`)

/** Denials that concern the origin itself: the response must carry no Access-Control-* header. */
const ORIGIN_DENIALS = new Set(['invalid-origin', 'origin-not-allowed', 'origin-check-failed', 'disabled'])

/** How a browser refuses a credentialed request that the policy grants without credentials. */
const CREDENTIAL_FAILURES = new Set<FailureCode | undefined>([
  'WildcardOriginNotAllowed', 'PreflightWildcardOriginNotAllowed', 'InvalidAllowCredentials', 'PreflightInvalidAllowCredentials'
])

class Disagreement extends Error {}

function head (res: LightMyRequestResponse): ResponseHead {
  return { status: res.statusCode, headers: res.headers as ResponseHead['headers'] }
}

function show (res: LightMyRequestResponse, decision: unknown): string {
  return `response ${res.statusCode} ${JSON.stringify(res.headers)}; request.cors ${JSON.stringify(decision)}`
}

function varyHasOrigin (vary: unknown): boolean {
  const value = Array.isArray(vary) ? vary.join(',') : typeof vary === 'string' ? vary : ''
  return value.split(',').some((part) => ['origin', '*'].includes(part.trim().toLowerCase()))
}

/** Invariants of every response, whatever the policy and the request. */
function checkInvariants (step: string, out: OutgoingRequest, res: LightMyRequestResponse, decision: { allowed: boolean, reason: string } | null | undefined): void {
  const context = `${step}: ${show(res, decision)}`
  if (decision === undefined || decision === null) throw new Disagreement(`${context}: no request.cors was recorded`)
  if (res.statusCode >= 500) throw new Disagreement(`${context}: a server error`)
  const sentOrigin = out.headers.find(([name]) => name === 'origin')?.[1]
  const corsHeaders = Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))
  if (!decision.allowed && ORIGIN_DENIALS.has(decision.reason) && corsHeaders.length > 0) {
    throw new Disagreement(`${context}: a denied origin got ${corsHeaders.join(', ')}`)
  }
  const acao = res.headers['access-control-allow-origin']
  if (acao === undefined) return
  if (typeof acao !== 'string') throw new Disagreement(`${context}: Access-Control-Allow-Origin is not a single field line`)
  if (acao !== '*' && acao !== sentOrigin) throw new Disagreement(`${context}: Access-Control-Allow-Origin is neither '*' nor the request's Origin`)
  if (acao !== '*' && !varyHasOrigin(res.headers.vary)) throw new Disagreement(`${context}: a reflected Access-Control-Allow-Origin without Vary: Origin`)
}

/**
 * The plugin cannot see the credentials mode (Fetch#cors-protocol-and-credentials): it grants per policy, and a browser
 * still refuses a credentialed request when the policy grants the origin no credentials (no `credentials`, or
 * the public tier of tiers). `request.cors.credentialed` says which: for a cross-origin grant, it is true exactly
 * when the response carries `Access-Control-Allow-Credentials: true`.
 */
function compare (step: string, page: PageCase, policy: PolicySpec | null, decision: { allowed: boolean, credentialed: boolean, reason: string }, verdict: Verdict, res: LightMyRequestResponse): void {
  const crossOrigin = !isSameOrigin(page)
  const credentialsMissing = crossOrigin && page.credentials === 'include' && decision.allowed && (policy === null || !credentialsGranted(policy, page.origin))
  const expected = decision.allowed && !credentialsMissing
  if (verdict.allowed !== expected) {
    throw new Disagreement(`${step}: the plugin decided allowed=${String(decision.allowed)}, the browser ${verdict.allowed ? 'reads the response' : `blocks it (${verdict.failure as string}: ${verdict.fix as string})`}; ${show(res, decision)}`)
  }
  if (credentialsMissing && !CREDENTIAL_FAILURES.has(verdict.failure)) {
    throw new Disagreement(`${step}: a credentialed request under a policy without credentials failed for another reason (${verdict.failure as string}); ${show(res, decision)}`)
  }
  const acac = res.headers['access-control-allow-credentials'] === 'true'
  const wantCredentialed = decision.allowed && (decision.reason === 'allowed' ? acac : true)
  if (decision.credentialed !== wantCredentialed) {
    throw new Disagreement(`${step}: request.cors.credentialed is ${String(decision.credentialed)} for a response ${acac ? 'with' : 'without'} Access-Control-Allow-Credentials: true; ${show(res, decision)}`)
  }
  if (crossOrigin && decision.reason === 'allowed' && policy !== null && acac !== credentialsGranted(policy, page.origin)) {
    throw new Disagreement(`${step}: the policy ${acac ? 'does not grant' : 'grants'} ${JSON.stringify(page.origin)} credentials, the response says otherwise; ${show(res, decision)}`)
  }
}

function bodyFor (page: PageCase, method: string): string | undefined {
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method.toUpperCase())) return undefined
  const json = page.headers.some(([name, value]) => name.toLowerCase() === 'content-type' && value === 'application/json')
  return json ? '{}' : 'hello'
}

/** Plays one fetch as the browser does and checks plugin and browser agree at every step. */
async function playFetch (app: PropertyApp, spec: AppSpec, page: PageCase): Promise<void> {
  if (needsPreflight(page)) {
    const preflight = preflightRequest(page)
    const { res, decision } = await app.send(preflight, undefined)
    checkInvariants('preflight', preflight, res, decision)
    // the plugin answers with the policy of the route the actual request will hit, found by ACRM as sent
    const requestMethod = preflight.headers.find(([name]) => name === 'access-control-request-method')?.[1] as string
    const verdict = checkPreflightResponse(page, head(res))
    const policy = effectivePolicy(spec, requestMethod, page.path)
    compare('preflight', page, policy, decision as CorsDecision, verdict, res)
    if (decision?.allowed === true && (policy === null || !await originGranted(policy.origin, page.origin))) {
      throw new Disagreement(`preflight: granted an origin the policy does not name; ${show(res, decision)}`)
    }
    if (!verdict.allowed) return
  }
  const actual = actualRequest(page)
  const { res, decision } = await app.send(actual, bodyFor(page, actual.method))
  checkInvariants('actual request', actual, res, decision)
  // light-my-request, like Node's HTTP parser, hands the router an upper-case method
  const method = normalizeMethod(page.method).toUpperCase()
  const policy = effectivePolicy(spec, method, page.path)
  compare('actual request', page, policy, decision as CorsDecision, checkActualResponse(page, head(res)), res)
  // agreeing with the browser is not enough: the plugin must grant exactly the origins the policy names
  if (!isSameOrigin(page)) {
    const granted = policy !== null && await originGranted(policy.origin, page.origin)
    if (decision?.allowed !== granted) {
      throw new Disagreement(`actual request: the policy ${granted ? 'grants' : 'does not grant'} ${JSON.stringify(page.origin)}, the plugin decided allowed=${String(decision?.allowed)}; ${show(res, decision)}`)
    }
  }
}

/** Plays a list of fetches on a fresh app for `spec`; used to shrink a failing policy. */
async function playOnFreshApp (spec: AppSpec, pages: readonly PageCase[]): Promise<void> {
  const app = await buildPropertyApp(spec)
  try {
    for (const page of pages) await playFetch(app, spec, page)
  } finally {
    await app.app.close()
  }
}

test('request.cors.allowed agrees with the browser model for random policies and fetches', { timeout: FILE_TIMEOUT_MS }, async (t) => {
  t.comment(`property seed ${SEED} (PROPERTY_SEED), ${RUNS} policies (PROPERTY_RUNS) x ${REQUESTS_PER_APP} fetches`)
  // one app per policy, reused for all its fetches: fast-check shrinks the failing fetch on that app,
  // then shrinks the policy with that fetch
  const policies = fc.sample(appSpec, { seed: SEED, numRuns: RUNS })
  let fetches = 0
  const started = process.hrtime.bigint()
  for (const [index, spec] of policies.entries()) {
    const app = await buildPropertyApp(spec)
    const fetchSeed = SEED + index + 1
    let result: fc.RunDetails<[PageCase]>
    try {
      result = await fc.check(fc.asyncProperty(pageCase, async (page) => {
        await playFetch(app, spec, page)
        fetches++
      }), { seed: fetchSeed, numRuns: REQUESTS_PER_APP })
    } finally {
      await app.app.close()
    }
    if (!result.failed) continue
    const [page] = result.counterexample as [PageCase]
    const policyResult = await fc.check(fc.asyncProperty(appSpec, (shrunk) => playOnFreshApp(shrunk, [page])), { examples: [[spec]], numRuns: 1 })
    t.fail(`policy #${index} of seed ${SEED} disagrees with the browser model`, {
      fetch: fc.stringify(page),
      disagreement: result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance),
      fetchReport: fc.defaultReportMessage(result),
      policy: fc.stringify(spec),
      minimalPolicyReport: policyResult.failed ? fc.defaultReportMessage(policyResult) : 'the policy alone does not reproduce it'
    })
    return
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  t.comment(`${fetches} fetches agreed in ${seconds.toFixed(1)} s`)
  t.equal(fetches, RUNS * REQUESTS_PER_APP, 'every generated fetch was played and agreed')
})
