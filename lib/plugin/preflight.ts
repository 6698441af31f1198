import type { FastifyReply, FastifyRequest } from 'fastify'
import { ACAC, ACAH, ACAM, ACAO, ACAPN, ACMA, ACRH, ACRPN, CACHE_CONTROL, CONTENT_LENGTH, VARY } from '../http/header-names.js'
import { pathOf, singleHeader } from '../http/request-values.js'
import type { CorsPolicy } from '../policy/compile.js'
import { anyOriginVariant, denialReason, evaluatePreflight, originVerdict, type AllowingVerdict, type PreflightOutcome, type SettledVerdict } from '../policy/decide.js'
import { Decision, attachOriginData, type CorsReason } from '../policy/decision.js'
import {
  VARY_ALL, answerPreflight as grantPreflight, profileUrl, sharedPolicy, substitutePolicies, type Candidate, type UrlProfile
} from '../policy/route-grant.js'
import { DELEGATION_FAILED, delegatingRegistrations, runDelegator, withDelegatedPolicies } from './delegation.js'
import { answersOwnPreflights, compileDelegatedPolicy, type Registration } from './dispatcher.js'
import { decideForPolicy } from './actual-request.js'
import { runOriginCheck, settleOrigins } from './origin-check.js'
import { logDenial, routingHost, type Continue, type PluginScope } from './request-context.js'
import { publishStaged, stagingFor } from './response-headers.js'
import { replyHeadersOf } from './fastify-internals.js'

/** One preflight being answered: what every step below reads. */
interface Preflight {
  readonly request: FastifyRequest
  readonly reply: FastifyReply
  /** the request's headers, read once from Fastify's getter */
  readonly headers: FastifyRequest['headers']
  readonly origin: string
  /** Access-Control-Request-Method, as received */
  readonly requestMethod: string
  /** the route the actual request will hit, for messages ("PUT /items/:id") */
  readonly target: string
  readonly proceed: Continue
  /** what the judging policy's origin function answered for the handler (`request.cors.originData`) */
  originData: unknown
}

/**
 * Answers a preflight (Fetch#cors-preflight-fetch) with the truth of the route the actual request
 * will hit, as Fastify routes it: the URL's routes for the requested method, the delegators of every
 * registration they belong to, then the origin, method, headers and private-network checks.
 */
export function answerPreflight (scope: PluginScope, request: FastifyRequest, reply: FastifyReply, headers: FastifyRequest['headers'], origin: string,
  requestMethod: string, proceed: Continue): void {
  const { dispatcher } = scope
  const url = request.url
  const host = routingHost(headers)
  const view = dispatcher.viewAt(url, host)
  let profile = view.profile
  let targets = profile.routes.get(requestMethod)
  const target = targets?.[0]?.name ?? `${requestMethod} ${pathOf(url)}`
  if (targets === undefined && dispatcher.servedUnseen(requestMethod, url, host)) {
    // Fastify serves it but the plugin never saw the route: refuse rather than guess its policy
    targets = [{ policy: undefined, name: target }]
    profile = profileUrl(new Map([...profile.routes, [requestMethod, targets]]))
  }
  const covering = view.covering
  if (targets === undefined && covering === undefined) {
    // no route serves it and no registration covers the URL: the 404 it would get without the plugin
    request.cors = Decision.refusedPreflight(origin, undefined)
    reply.callNotFound()
    return
  }
  const preflight: Preflight = { request, reply, headers, origin, requestMethod, target, proceed, originData: undefined }
  const owner = covering ?? scope.registration
  const involved = dispatcher.delegatedPolicies.size === 0 ? undefined : delegatingRegistrations(dispatcher, profile, owner)
  if (involved === undefined) {
    answerWithPolicies(preflight, profile, targets, owner.defaultPolicy)
    return
  }
  answerThroughDelegators(preflight, scope, profile, owner, involved)
}

/**
 * Answers once every delegator involved has answered. The callbacks of the paths that wait live in
 * functions of their own (here and below): V8 allocates a function's captured variables on every
 * call, taken path or not.
 */
function answerThroughDelegators (preflight: Preflight, scope: PluginScope, profile: UrlProfile, owner: Registration, involved: ReadonlySet<Registration>): void {
  const { dispatcher } = scope
  const { request, requestMethod, target } = preflight
  const answers = new Map<Registration, unknown>()
  let waiting = involved.size
  let failed = false
  for (const delegating of involved) {
    runDelegator(request, preflight.reply, delegating, target, undefined, (delegated, options) => {
      if (delegated === undefined) failed = true
      else answers.set(delegating, options)
      if (--waiting > 0) return
      if (failed) {
        refusePreflight(preflight, DELEGATION_FAILED, 'origin-check-failed', undefined, DELEGATION_FAILED.preflightVary)
        return
      }
      const substituted = withDelegatedPolicies(dispatcher, profile, answers)
      const scopePolicy = owner.delegator === undefined ? owner.defaultPolicy : compileDelegatedPolicy(owner, answers.get(owner)) as CorsPolicy
      answerWithPolicies(preflight, substituted, substituted.routes.get(requestMethod), scopePolicy)
    })
  }
}

/** Answers once every policy the preflight may be judged by is known. */
function answerWithPolicies (preflight: Preflight, profile: UrlProfile, targets: readonly Candidate[] | undefined, scopePolicy: CorsPolicy): void {
  const { request, reply, origin, proceed } = preflight
  // preflight: false leaves the OPTIONS request to the application, as any other CORS request; when
  // only some of the routes a preflight may target do, the preflight is refused (route-grant.ts)
  const selfAnswered = targets === undefined ? (scopePolicy.preflight ? undefined : scopePolicy) : answersOwnPreflights(targets) ? targets[0]?.policy : undefined
  if (selfAnswered !== undefined && selfAnswered !== null) {
    decideForPolicy(request, reply, origin, selfAnswered, undefined, true, proceed, true)
    return
  }
  const shared = sharedPolicy(profile, scopePolicy, targets !== undefined)
  if (shared !== undefined) {
    // one policy for the whole URL (the usual case): decided as that policy says, no grant to compute
    const verdict = originVerdict(shared, origin)
    if (verdict === 'check') {
      finishSharedAfterCheck(preflight, profile, shared, targets !== undefined)
    } else {
      finishSharedPreflight(preflight, profile, shared, targets !== undefined, verdict)
    }
    return
  }
  answerRouteDependent(preflight, profile, targets, scopePolicy)
}

/** One policy judges the preflight, once its origin function has answered. */
function finishSharedAfterCheck (preflight: Preflight, profile: UrlProfile, policy: CorsPolicy, served: boolean): void {
  runOriginCheck(policy, preflight.origin, preflight.request, preflight.reply, (settled, data) => {
    preflight.originData = data
    finishSharedPreflight(preflight, profile, policy, served, settled)
  })
}

/** The routes at the URL differ: the grant is computed from each policy's origin verdict (route-grant.ts). */
function answerRouteDependent (preflight: Preflight, profile: UrlProfile, targets: readonly Candidate[] | undefined, scopePolicy: CorsPolicy): void {
  const { request, origin, requestMethod, target } = preflight
  const policies = profile.policies.includes(scopePolicy) ? profile.policies : [...profile.policies, scopePolicy]
  settleOrigins(policies, origin, request, preflight.reply, (verdicts, data) => {
    // a tiered policy that admits the origin in its public tier answers as its public tier: the
    // grant is computed for that policy, without credentials
    const tierOf = (policy: CorsPolicy): CorsPolicy => verdicts.get(policy) === 'allowed-public' ? policy.publicTier as CorsPolicy : policy
    const publicTiers = [...verdicts].filter(([, verdict]) => verdict === 'allowed-public')
    for (const [policy] of publicTiers) verdicts.set(policy.publicTier as CorsPolicy, 'allowed')
    const answer = grantPreflight({
      url: publicTiers.length === 0 ? profile : substitutePolicies(profile, tierOf),
      scopePolicy: tierOf(scopePolicy),
      requestMethod,
      requestHeaders: singleHeader(preflight.headers[ACRH]),
      requestPrivateNetwork: singleHeader(preflight.headers[ACRPN]),
      target,
      allowsOrigin: (policy) => { const verdict = verdicts.get(policy); return verdict === 'allowed' || verdict === 'allowed-any' }
    })
    if (data !== undefined && answer.policy !== undefined) preflight.originData = data.get(answer.policy)
    if (answer.kind === 'refuse') {
      const policy = answer.policy
      const reason = policy === undefined ? 'disabled' : denialReason((verdicts.get(policy) ?? 'not-allowed') as Exclude<SettledVerdict, AllowingVerdict>)
      // the routes at this URL differ, so which one judges the preflight depends on its method
      refusePreflight(preflight, policy ?? null, reason, answer.detail, VARY_ALL)
      return
    }
    writePreflight(preflight, answer.policy, answer.outcome, answer.anyOrigin, answer.credentials, answer.maxAge, answer.vary)
  })
}

/** One policy judges the preflight: its origin verdict, then its method, headers and private-network checks. */
function finishSharedPreflight (preflight: Preflight, profile: UrlProfile, policy: CorsPolicy, served: boolean, verdict: SettledVerdict): void {
  if (verdict === 'allowed-any') policy = anyOriginVariant(policy)
  else if (verdict === 'allowed-public') policy = policy.publicTier as CorsPolicy
  else if (verdict !== 'allowed') {
    refusePreflight(preflight, policy, denialReason(verdict), undefined, policy.preflightVary)
    return
  }
  const headers = preflight.headers
  const outcome = evaluatePreflight(policy, preflight.requestMethod, singleHeader(headers[ACRH]), singleHeader(headers[ACRPN]), served ? profile.servedMethods : undefined, preflight.target)
  // browsers that only warn about private network access accept a refusal of it: never cached
  const maxAge = outcome.reason === 'private-network-not-allowed' ? '0' : policy.maxAge
  writePreflight(preflight, policy, outcome, policy.originKind === 'any', policy.credentials, maxAge, policy.preflightVary)
}

/**
 * 403 without CORS headers (Fetch#http-responses: the suggested way to deny a preflight), but with
 * the Vary its granted counterpart carries: a shared cache that stored a refusal keyed on the URL
 * alone would serve it to an origin (or a method) that is granted (Fetch#cors-protocol-and-http-caches).
 */
function refusePreflight (preflight: Preflight, policy: CorsPolicy | null, reason: CorsReason, detail: string | undefined, vary: string | undefined): void {
  const { request, reply, origin, target } = preflight
  const decision = policy === null ? Decision.refusedPreflight(origin, detail) : Decision.refusedPreflightOrigin(origin, policy, reason, target)
  attachOriginData(decision, preflight.originData)
  request.cors = decision
  logDenial(request, decision, target)
  const inPlace = replyHeadersOf(reply)
  const headers = stagingFor(inPlace)
  if (vary !== undefined) headers[VARY] = vary
  headers[CONTENT_LENGTH] = '0'
  publishStaged(reply, inPlace, headers)
  reply.code(403).send()
}

/**
 * The preflight response: the grant (or the refusal of a method, header or private-network access) in
 * CORS headers; the fields of a PreflightGrant, passed one by one so that the usual preflight, judged by
 * one policy, builds no grant object.
 */
function writePreflight (preflight: Preflight, policy: CorsPolicy, outcome: PreflightOutcome, anyOrigin: boolean, credentials: boolean,
  maxAge: string | undefined, vary: string | undefined): void {
  const { request, reply, origin, target, proceed } = preflight
  const allowed = outcome.reason === 'allowed'
  const decision = Decision.answeredPreflight(origin, policy, outcome.reason, outcome.detail, credentials)
  attachOriginData(decision, preflight.originData)
  request.cors = decision
  const inPlace = replyHeadersOf(reply)
  const headers = stagingFor(inPlace)
  headers[ACAO] = anyOrigin ? '*' : origin
  if (credentials) headers[ACAC] = 'true'
  if (outcome.acam !== undefined) headers[ACAM] = outcome.acam
  if (outcome.acah !== undefined) headers[ACAH] = outcome.acah
  // a refusal normally needs no max-age (a browser caches nothing from it), but one a browser may
  // still accept (private network access, in browsers that only warn) is marked never to be cached
  if (maxAge !== undefined && (allowed || maxAge === '0')) headers[ACMA] = maxAge
  if (allowed) {
    if (policy.cacheControl !== undefined) headers[CACHE_CONTROL] = policy.cacheControl
    if (preflight.headers[ACRPN] === 'true') headers[ACAPN] = 'true'
  } else {
    logDenial(request, decision, target)
  }
  if (vary !== undefined) headers[VARY] = vary
  if (policy.preflightContinue) {
    publishStaged(reply, inPlace, headers)
    proceed()
    return
  }
  // Content-Length: 0 because some Safari versions hang on a body-less 204 without it
  headers[CONTENT_LENGTH] = '0'
  publishStaged(reply, inPlace, headers)
  reply.code(policy.optionsSuccessStatus).send()
}
