/**
 * The preflight answer for a URL whose routes may have different policies. Pure: the plugin finds
 * the candidate routes (Fastify's routing) and settles origin checks; this decides what to grant.
 *
 * Browsers cache a preflight answer per (origin, URL, credentials mode), one entry per method in
 * Access-Control-Allow-Methods and per name in Access-Control-Allow-Headers, merged across preflights,
 * and later send any request those entries (or safelisted methods) cover without asking again
 * (https://fetch.spec.whatwg.org/#cors-preflight-cache). So what one preflight grants must be safe for
 * every route at that URL: the grant is fixed per (origin, URL, Host, credentials answer), and a
 * request its own route allows outside that grant is answered for itself alone, with max-age 0.
 */
import { FORBIDDEN_METHODS, SAFELISTED_METHODS, MAX_METHOD_LENGTH, isCanonicalHeaderNameList, isToken, parseRequestHeaderNames } from '../http/tokens.js'
import { evaluatePreflight, type PreflightOutcome } from './decide.js'
import type { CorsPolicy } from './compile.js'

/** One route that may serve the request. `policy`: null = `cors: false`, undefined = not known to the plugin. */
export interface Candidate {
  readonly policy: CorsPolicy | null | undefined
  /** "PUT /items/:id" */
  readonly name: string
}

/** Every route at one URL for one Host, by method, in the router's order. */
export type UrlRoutes = ReadonlyMap<string, readonly Candidate[]>

export interface PreflightQuery {
  readonly url: UrlProfile
  /** the policy of the scope that received the preflight, for a method no route serves */
  readonly scopePolicy: CorsPolicy
  readonly requestMethod: string
  readonly requestHeaders: string | undefined
  readonly requestPrivateNetwork: string | undefined
  /** "PUT /account", for messages */
  readonly target: string
  /** does this policy allow the request's Origin? (origin functions settled by the caller) */
  readonly allowsOrigin: (policy: CorsPolicy) => boolean
}

/** 403 without CORS headers: the target route is disabled or unknown, or refuses the origin. */
export interface PreflightRefusal {
  readonly kind: 'refuse'
  readonly reason: 'disabled' | 'origin'
  /** for 'origin': the first target policy that refused it; for 'disabled': undefined */
  readonly policy: CorsPolicy | undefined
  readonly detail: string | undefined
}

/** Answered with CORS headers (allowed, or refused with the reason the browser will name). */
export interface PreflightGrant {
  readonly kind: 'answer'
  /** the target route's policy: status, Cache-Control, preflightContinue and PNA come from it */
  readonly policy: CorsPolicy
  readonly outcome: PreflightOutcome
  readonly anyOrigin: boolean
  readonly credentials: boolean
  readonly maxAge: string | undefined
  readonly vary: string | undefined
}

export type PreflightAnswer = PreflightRefusal | PreflightGrant

/** The Vary of every answer to a preflight whose URL's routes differ. */
export const VARY_ALL = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'
const VARY_NO_ORIGIN = 'Access-Control-Request-Method, Access-Control-Request-Headers'
/** Fetch#http-access-control-max-age: a preflight answer without max-age is cached for 5 seconds */
const DEFAULT_MAX_AGE = 5

/** Would this policy's own preflight allow this method? Safelisted methods always pass (Fetch#cors-preflight-fetch-0 step 7.5). */
export function allowsMethod (policy: CorsPolicy, method: string): boolean {
  return SAFELISTED_METHODS.has(method) || policy.methodSet === undefined || policy.methodSet.has(method)
}

/** Would this policy's own preflight allow this (lower-case) request-header name? */
export function allowsHeader (policy: CorsPolicy, name: string): boolean {
  // an unset allowedHeaders echoes valid names, never '*' (which a cache would read as a wildcard)
  if (policy.acah === undefined) return name !== '*'
  // Fetch#cors-non-wildcard-request-header-name: '*' never covers Authorization
  return policy.headerSet.has(name) || (policy.anyHeader && name !== 'authorization')
}

/** What a preflight needs to know about one URL, computed once per URL (the routes never change once the app is ready). */
export interface UrlProfile {
  readonly routes: UrlRoutes
  /** the one policy of every route at the URL, when they share one and none is disabled or unknown */
  readonly uniform: CorsPolicy | undefined
  /** every method served at the URL by a known, enabled route: the answer of a uniform URL */
  readonly servedMethods: string
  /** every distinct known policy at the URL, in the routes' order */
  readonly policies: readonly CorsPolicy[]
}

export function profileUrl (routes: UrlRoutes): UrlProfile {
  let uniform: CorsPolicy | undefined
  let mixed = false
  let servedMethods = ''
  const policies: CorsPolicy[] = []
  for (const [method, candidates] of routes) {
    let enabled = true
    for (const candidate of candidates) {
      const policy = candidate.policy
      if (policy === null || policy === undefined) {
        enabled = false
        mixed = true
        continue
      }
      if (!policies.includes(policy)) policies.push(policy)
      if (uniform === undefined) uniform = policy
      else if (uniform !== policy) mixed = true
    }
    // Fetch#forbidden-method: a page cannot send TRACE (an `app.all()` route serves it)
    if (enabled && !FORBIDDEN_METHODS.has(method)) servedMethods = servedMethods === '' ? method : `${servedMethods}, ${method}`
  }
  return { routes, uniform: mixed ? undefined : uniform, servedMethods, policies }
}

/** The one policy that answers this preflight, when the URL's routes (and the scope, for an unserved method) share one. */
export function sharedPolicy (url: UrlProfile, scopePolicy: CorsPolicy, served: boolean): CorsPolicy | undefined {
  if (served) return url.uniform
  if (url.routes.size === 0) return scopePolicy
  return url.uniform === scopePolicy ? scopePolicy : undefined
}

function maxAgeSeconds (policy: CorsPolicy): number {
  return policy.maxAge === undefined ? DEFAULT_MAX_AGE : Number(policy.maxAge)
}

/**
 * Decides a preflight. The caller has already found the routes at the URL; a refusal of the origin by
 * the target is reported here so the caller writes one 403 for both kinds of refusal.
 */
export function answerPreflight (query: PreflightQuery): PreflightAnswer {
  const { url, scopePolicy, requestMethod } = query
  const targets = url.routes.get(requestMethod)
  const served = targets !== undefined && targets.length > 0
  const targetPolicies = targetPoliciesOf(served ? targets : [{ policy: scopePolicy, name: query.target }], query)
  if (!Array.isArray(targetPolicies)) return targetPolicies as PreflightRefusal
  const primary = targetPolicies[0] as CorsPolicy

  const shared = sharedPolicy(url, scopePolicy, served)
  if (shared !== undefined) {
    // every route at this URL grants the same: answer as the policy says, cacheable as configured
    const outcome = evaluatePreflight(shared, requestMethod, query.requestHeaders, query.requestPrivateNetwork, served ? url.servedMethods : undefined, query.target)
    return { kind: 'answer', policy: shared, outcome, anyOrigin: shared.originKind === 'any', credentials: shared.credentials, maxAge: shared.maxAge, vary: shared.preflightVary }
  }

  const anyOrigin = targetPolicies.every((policy) => policy.originKind === 'any')
  const credentials = targetPolicies.every((policy) => policy.credentials)
  // a tiered origin's public tier answers '*' yet depends on the origin (Fetch#cors-protocol-and-http-caches)
  const vary = targetPolicies.every(answersAnyOriginAlike) ? VARY_NO_ORIGIN : VARY_ALL
  // the policies the grant depends on: its max-age is the shortest of theirs
  const involved: CorsPolicy[] = [...targetPolicies]
  let methods = grantedMethods(query, credentials, involved)

  // the target's own answer first: what it refuses is refused with the reason the browser will name
  const exact = exactAnswer(targetPolicies, query)
  if (exact.reason === 'private-network-not-allowed') {
    // browsers that only warn about private network access accept this answer: answered for this
    // request alone and never cached, like any answer outside the grant
    return { kind: 'answer', policy: primary, outcome: exact, anyOrigin, credentials, maxAge: '0', vary }
  }
  if (exact.reason !== 'allowed') {
    // a refused preflight is never cached (Fetch#cors-preflight-fetch-0 step 7), so showing what the
    // URL grants is safe; '*' is not sent for a URL whose routes differ
    const acah = primary.acah !== undefined && !primary.anyHeader && primary.acah !== '' ? primary.acah : undefined
    return { kind: 'answer', policy: primary, outcome: { ...exact, acam: methods === '' ? undefined : methods, acah }, anyOrigin, credentials, maxAge: undefined, vary }
  }
  // a method no route serves is answered for the page to read the 404 it will get
  if (!served) methods = methods === '' ? requestMethod : `${methods}, ${requestMethod}`
  const requestedGranted = SAFELISTED_METHODS.has(requestMethod) || !served || methodGranted(targets, requestMethod, query, credentials)
  const headersGranted = exact.acah === undefined || headersGrantedAtUrl(exact.acah.split(','), query, credentials, involved)
  if (!requestedGranted || !headersGranted) {
    // allowed for this route alone: answered for this request only and never cached
    return { kind: 'answer', policy: primary, outcome: exact, anyOrigin, credentials, maxAge: '0', vary }
  }
  return {
    kind: 'answer',
    policy: primary,
    outcome: { reason: 'allowed', acam: methods, acah: exact.acah },
    anyOrigin,
    credentials,
    maxAge: grantMaxAge(involved),
    vary: involved.every(answersAnyOriginAlike) ? VARY_NO_ORIGIN : VARY_ALL
  }
}

/** Does this policy answer every origin alike (ACAO '*', no Vary: Origin)? */
function answersAnyOriginAlike (policy: CorsPolicy): boolean {
  return policy.originKind === 'any' && !policy.varyOrigin
}

/**
 * The URL's routes with each known policy replaced by `substitute(policy)`, e.g. a tiered policy by
 * its public tier for an origin that tier admits, so the grant is computed for the policy that answers.
 */
export function substitutePolicies (url: UrlProfile, substitute: (policy: CorsPolicy) => CorsPolicy): UrlProfile {
  const routes = new Map<string, readonly Candidate[]>()
  for (const [method, candidates] of url.routes) {
    routes.set(method, candidates.map((candidate) => {
      const policy = candidate.policy
      return policy === null || policy === undefined ? candidate : { ...candidate, policy: substitute(policy) }
    }))
  }
  return profileUrl(routes)
}

/** The distinct policies of the routes the preflight targets, or the refusal of a target that cannot answer it. */
function targetPoliciesOf (candidates: readonly Candidate[], query: PreflightQuery): CorsPolicy[] | PreflightRefusal {
  const policies: CorsPolicy[] = []
  for (const candidate of candidates) {
    if (candidate.policy === null) return { kind: 'refuse', reason: 'disabled', policy: undefined, detail: `CORS is disabled for ${candidate.name} (config.cors: false)` }
    if (candidate.policy === undefined) {
      return {
        kind: 'refuse',
        reason: 'disabled',
        policy: undefined,
        detail: `${candidate.name} is not covered by any registration of fastify-cors-policy (it is declared in a scope without the plugin, or in a child scope registered before the plugin), so its CORS policy is unknown and the preflight is refused; register the plugin in that scope, or before that scope's plugins`
      }
    }
    if (!candidate.policy.preflight) {
      // another route here answers its own preflights (preflight: false): what it allows is unknown
      return { kind: 'refuse', reason: 'disabled', policy: undefined, detail: `${candidate.name} leaves its preflights to the application (preflight: false), and another route serves the same request, so the preflight is refused` }
    }
    if (!query.allowsOrigin(candidate.policy)) return { kind: 'refuse', reason: 'origin', policy: candidate.policy, detail: undefined }
    if (!policies.includes(candidate.policy)) policies.push(candidate.policy)
  }
  return policies
}

/** The methods of the URL's fixed grant for this origin and credentials answer; their policies join `involved`. */
function grantedMethods (query: PreflightQuery, credentials: boolean, involved: CorsPolicy[]): string {
  let methods = ''
  for (const [method, candidates] of query.url.routes) {
    // Fetch#forbidden-method: a page cannot send TRACE (an `app.all()` route serves it)
    if (FORBIDDEN_METHODS.has(method)) continue
    // GET, HEAD and POST too: a request with the use-CORS-preflight flag (an XHR upload listener)
    // is preflighted even for them, and a cached method entry would skip that preflight
    if (!methodGranted(candidates, method, query, credentials)) continue
    methods = methods === '' ? method : `${methods}, ${method}`
    for (const candidate of candidates) if (!involved.includes(candidate.policy as CorsPolicy)) involved.push(candidate.policy as CorsPolicy)
  }
  return methods
}

/**
 * May the requested header names be cached for the whole URL? A cached header entry also unlocks GET,
 * HEAD and POST requests, which need no method entry. The server cannot see a preflight's credentials
 * mode, and a browser may merge answers given with and without credentials under its non-credentialed
 * key: so every route of a method this origin may use without credentials must allow the headers too,
 * whatever this answer's credentials. The policies that do join `involved`.
 */
function headersGrantedAtUrl (names: readonly string[], query: PreflightQuery, credentials: boolean, involved: CorsPolicy[]): boolean {
  for (const [method, candidates] of query.url.routes) {
    const safelisted = SAFELISTED_METHODS.has(method)
    if (!safelisted && !methodGranted(candidates, method, query, false)) continue
    for (const candidate of candidates) {
      const policy = candidate.policy
      if (!grantsOrigin(policy, query, safelisted && credentials) || !allowsHeaders(policy, names)) return false
      if (!involved.includes(policy)) involved.push(policy)
    }
  }
  return true
}

/** The grant's max-age: the shortest of the involved policies', sent only when one of them configures it. */
function grantMaxAge (involved: readonly CorsPolicy[]): string | undefined {
  let maxAge = Infinity
  let configured = false
  for (const policy of involved) {
    maxAge = Math.min(maxAge, maxAgeSeconds(policy))
    if (policy.maxAge !== undefined) configured = true
  }
  return configured ? String(maxAge) : undefined
}

function deniesPrivateNetwork (policy: CorsPolicy): boolean {
  return !policy.allowPrivateNetwork
}

/** Does this route policy grant the origin with the target's credentials answer? */
function grantsOrigin (policy: CorsPolicy | null | undefined, query: PreflightQuery, credentials: boolean): policy is CorsPolicy {
  // a route that answers its own preflights (preflight: false) grants nothing the plugin can vouch for
  return policy !== null && policy !== undefined && policy.preflight && query.allowsOrigin(policy) && (!credentials || policy.credentials)
}

/** Is this method in the URL's grant: does every route serving it grant the origin and the method? */
function methodGranted (candidates: readonly Candidate[], method: string, query: PreflightQuery, credentials: boolean): boolean {
  for (const candidate of candidates) {
    if (!grantsOrigin(candidate.policy, query, credentials) || !allowsMethod(candidate.policy, method)) return false
  }
  return true
}

function allowsHeaders (policy: CorsPolicy, names: readonly string[]): boolean {
  for (const name of names) if (!allowsHeader(policy, name)) return false
  return true
}

/**
 * What the target routes allow for this request alone: the requested method and headers when every
 * target policy allows them, or the refusal a browser will report. Never a wildcard.
 */
function exactAnswer (policies: readonly CorsPolicy[], query: PreflightQuery): PreflightOutcome {
  const { requestMethod, requestHeaders, target } = query
  if (!isToken(requestMethod, MAX_METHOD_LENGTH) || requestMethod === '*') {
    return { reason: 'method-not-allowed', detail: `Access-Control-Request-Method is not a single method token, so nothing is echoed for ${target}`, acam: undefined, acah: undefined }
  }
  for (const policy of policies) {
    if (!allowsMethod(policy, requestMethod)) {
      return { reason: 'method-not-allowed', detail: `method ${requestMethod} is not allowed for ${target}; add it to \`methods\` (allowed: ${policy.acam ?? 'none'})`, acam: undefined, acah: undefined }
    }
  }
  let acah: string | undefined
  if (requestHeaders !== undefined && requestHeaders !== '') {
    const names = parseRequestHeaderNames(requestHeaders)
    if (names === undefined) {
      return { reason: 'header-not-allowed', detail: `Access-Control-Request-Headers is not a bounded list of header names, so nothing is echoed for ${target}`, acam: requestMethod, acah: undefined }
    }
    for (const name of names) {
      if (name === '*') {
        // echoed back, the name '*' would read as a wildcard in Access-Control-Allow-Headers
        return { reason: 'header-not-allowed', detail: `request header '*' is never echoed for ${target}; list the headers in \`allowedHeaders\``, acam: requestMethod, acah: undefined }
      }
      for (const policy of policies) {
        if (allowsHeader(policy, name)) continue
        const hint = policy.anyHeader && name === 'authorization' ? " ('*' does not cover Authorization; list it explicitly)" : ''
        return { reason: 'header-not-allowed', detail: `request header '${name}' is not allowed for ${target}; add it to \`allowedHeaders\`${hint}`, acam: requestMethod, acah: undefined }
      }
    }
    if (names.length > 0) acah = isCanonicalHeaderNameList(requestHeaders) ? requestHeaders : names.join(',')
  }
  if (query.requestPrivateNetwork === 'true' && policies.some(deniesPrivateNetwork)) {
    return { reason: 'private-network-not-allowed', detail: `private network access was requested for ${target}; set \`allowPrivateNetwork: true\` to grant it`, acam: requestMethod, acah }
  }
  return { reason: 'allowed', acam: requestMethod, acah }
}
