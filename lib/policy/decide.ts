/**
 * The decision core: given a compiled policy and a request's values, what may the browser read, and
 * why. Every branch lives here (disabled route, no Origin, allowed, same-origin, denied, enforce,
 * preflight method / headers / private network); the plugin feeds it values and writes what it returns.
 */
import { SAFELISTED_METHODS, MAX_METHOD_LENGTH, isCanonicalHeaderNameList, isToken, parseRequestHeaderNames } from '../http/tokens.js'
import type { OriginVerdict } from './origin-matcher.js'
export type { OriginVerdict }
import type { CorsPolicy } from './compile.js'
import { ORIGIN_VERDICTS } from './origin-matcher.js'
import { Decision, kPolicy, type CorsReason } from './decision.js'
export { describeOriginDenial, targetOf } from './decision.js'
import { SEC_FETCH_SITE } from '../http/header-names.js'

export type { CorsDecision, CorsReason } from './decision.js'

/** The request's Origin value judged by the policy's origin setting; 'check' means the origin function decides. */
export function originVerdict (policy: CorsPolicy, origin: string): OriginVerdict {
  return policy.verdictFor(origin)
}

/**
 * An origin verdict once any origin function has settled: 'allowed-any' is its `'*'` answer, 'failed' a
 * check that failed; 'allowed-public' admits the origin in a tiered origin's public tier.
 */
export type SettledVerdict = 'allowed' | 'allowed-any' | 'allowed-public' | 'not-allowed' | 'invalid' | 'failed'

/** The verdicts that let the origin read responses. */
export type AllowingVerdict = 'allowed' | 'allowed-any' | 'allowed-public'

/** What the core reads of a request (a FastifyRequest is one); the site is read only for refused origins. */
export interface RequestFacts {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly protocol: string
  readonly host: string
}

/** Is the Origin the server's own? Fetch#http-requests: browsers also send Origin on same-origin non-GET requests. */
export function isSameOrigin (request: RequestFacts, origin: string): boolean {
  const site = request.headers[SEC_FETCH_SITE]
  // a browser that sends Sec-Fetch-Site says 'same-origin' for every same-origin request
  if (site !== undefined) return site === 'same-origin'
  const protocol = request.protocol
  let host = request.host
  // an Origin never carries the default port, but a Host header (or a proxy's) may
  if ((protocol === 'http' && host.endsWith(':80')) || (protocol === 'https' && host.endsWith(':443'))) {
    host = host.slice(0, host.lastIndexOf(':'))
  }
  // origin === `${protocol}://${host}`, compared in place: this runs for every refused origin
  return origin.length === protocol.length + 3 + host.length && origin.startsWith(protocol) &&
    origin.startsWith('://', protocol.length) && origin.endsWith(host)
}

/**
 * The policy an origin function's `'*'` answer is answered with: ACAO `*`, still varying by Origin
 * (another origin may get another answer). One per function policy.
 */
const anyOriginVariants = new WeakMap<CorsPolicy, CorsPolicy>()
export function anyOriginVariant (policy: CorsPolicy): CorsPolicy {
  let variant = anyOriginVariants.get(policy)
  if (variant === undefined) {
    variant = Object.freeze({ ...policy, originKind: 'any' as const, verdictFor: ORIGIN_VERDICTS.any })
    anyOriginVariants.set(policy, variant)
  }
  return variant
}

/** Why a settled verdict that is not an allowance refuses the origin. */
export function denialReason (verdict: Exclude<SettledVerdict, AllowingVerdict>): CorsReason {
  return verdict === 'invalid' ? 'invalid-origin' : verdict === 'failed' ? 'origin-check-failed' : 'origin-not-allowed'
}

/**
 * Decides an actual request, or a preflight the application answers itself (`preflight`), once its
 * origin is settled. `policy` is null for a route with CORS disabled; `verdict` is not read then, nor
 * when there is no Origin; `route` names the route in messages (the request's method and path when
 * no route serves it).
 */
export function decideActual (policy: CorsPolicy | null, origin: string | undefined, verdict: SettledVerdict, request: RequestFacts,
  route: string | undefined, preflight: boolean): Decision {
  if (policy === null) {
    // no CORS headers are sent, so a browser lets the page read the response only when CORS does
    // not apply: no Origin, or a same-origin request (Fetch#http-requests)
    const readable = origin === undefined || isSameOrigin(request, origin)
    return Decision.disabled(origin, readable, request, route)
  }
  if (origin === undefined) return Decision.noOrigin(policy)
  if (verdict === 'allowed') return Decision.allowed(origin, policy, preflight)
  if (verdict === 'allowed-any') return Decision.allowed(origin, anyOriginVariant(policy), preflight)
  if (verdict === 'allowed-public') {
    // the server's own pages are not subject to CORS (Fetch#http-requests): they read with credentials,
    // so a handler that serves private data to `request.cors.credentialed` serves them too
    if (isSameOrigin(request, origin)) return Decision.sameOrigin(origin, policy, preflight)
    // the public tier is answered by its own policy: no credentials, ACAO '*' for public '*'
    return Decision.allowed(origin, policy.publicTier as CorsPolicy, preflight)
  }
  const reason = denialReason(verdict)
  // an invalid Origin is never the server's own, whatever Sec-Fetch-Site says
  if (reason !== 'invalid-origin' && isSameOrigin(request, origin)) return Decision.sameOrigin(origin, policy, preflight)
  return Decision.denied(origin, policy, reason, request, route, preflight)
}

/** What `enforce` does with a decided request: refuse it with 403, report that it would have, or nothing. */
export type Enforcement = 'refuse' | 'report' | 'none'

/**
 * CORS itself only hides responses from pages; with `enforce: true`, a denied cross-origin request
 * is refused (403) instead, in hooks that run before the handler (`beforeHandler`), and with
 * `enforce: 'report-only'` the same requests are reported and go on. Requests without Origin,
 * same-origin ones and routes with CORS disabled are allowed decisions or have no policy: never refused.
 */
export function enforcement (decision: Decision, beforeHandler: boolean): Enforcement {
  if (!beforeHandler || decision.allowed) return 'none'
  const enforce = decision[kPolicy]?.enforce
  return enforce === true ? 'refuse' : enforce === 'report-only' ? 'report' : 'none'
}

/** The preflight answer once the origin is allowed. */
export interface PreflightOutcome {
  readonly reason: 'allowed' | 'method-not-allowed' | 'header-not-allowed' | 'private-network-not-allowed'
  readonly detail?: string
  /** ACAM value to send, if any */
  readonly acam: string | undefined
  /** ACAH value to send, if any */
  readonly acah: string | undefined
}

/**
 * Checks a preflight whose origin is allowed, in the order of Fetch's CORS-preflight fetch
 * (https://fetch.spec.whatwg.org/#cors-preflight-fetch, the steps after the CORS check): the
 * requested method, then the requested headers, then private network access (WICG Private Network
 * Access, checked last by Chromium). `routeMethods` is the ACAM of the route the actual request will
 * hit (its served methods), or undefined when no route serves it; `target` names it for messages
 * ("PUT /items/:id").
 */
export function evaluatePreflight (
  policy: CorsPolicy,
  requestMethod: string,
  requestHeaders: string | undefined,
  requestPrivateNetwork: string | undefined,
  routeMethods: string | undefined,
  target: string
): PreflightOutcome {
  let acam = policy.acam
  // the usual preflight asks for a listed method, which needs no other check: listed methods are
  // tokens of at most MAX_METHOD_LENGTH characters, never '*' (options.ts), and ACAM lists them
  if (policy.methodSet === undefined || !policy.methodSet.has(requestMethod)) {
    const validMethod = isValidRequestMethod(policy, requestMethod)
    acam = allowMethodsFor(policy, requestMethod, validMethod, routeMethods)
    const methodRefusal = refuseMethod(policy, requestMethod, validMethod, target)
    if (methodRefusal !== undefined) return { reason: 'method-not-allowed', detail: methodRefusal, acam, acah: policy.acah }
  }
  const headers = checkRequestHeaders(policy, requestHeaders, target)
  if (typeof headers !== 'string' && headers !== undefined) return { reason: 'header-not-allowed', detail: headers.refusal, acam, acah: policy.acah }
  const privateNetworkRefusal = refusePrivateNetwork(policy, requestPrivateNetwork, target)
  if (privateNetworkRefusal !== undefined) return { reason: 'private-network-not-allowed', detail: privateNetworkRefusal, acam, acah: headers }
  // one shape for every outcome (detail included), so the code that reads them reads one kind of object
  return { reason: 'allowed', detail: undefined, acam, acah: headers }
}

/** '*' is a valid method token, but in Access-Control-Allow-Methods it is a wildcard: never echoed. */
function isValidRequestMethod (policy: CorsPolicy, requestMethod: string): boolean {
  return isToken(requestMethod, MAX_METHOD_LENGTH) && (requestMethod !== '*' || policy.acam !== undefined)
}

/** Step 1, the value of Access-Control-Allow-Methods: the configured one, else the route's methods (or the requested one). */
function allowMethodsFor (policy: CorsPolicy, requestMethod: string, validMethod: boolean, routeMethods: string | undefined): string | undefined {
  // only an unset `methods` defaults to the route's methods; an empty list allows the safelisted ones alone
  if (policy.acam === undefined && policy.methodSet === undefined && validMethod) return routeMethods ?? requestMethod
  return policy.acam
}

/** Step 1, the method check of a method `methods` does not list: why it is refused, or undefined. */
function refuseMethod (policy: CorsPolicy, requestMethod: string, validMethod: boolean, target: string): string | undefined {
  if (!validMethod) {
    // go-safeweb#372: echoing "GET, DELETE" would grant extra methods; never echo an invalid value
    return requestMethod === '*'
      ? `Access-Control-Request-Method '*' is never echoed for ${target} (it would read as a wildcard); list the methods in \`methods\``
      : `Access-Control-Request-Method is not a single method token, so nothing is echoed for ${target}`
  }
  if (policy.methodSet !== undefined && !SAFELISTED_METHODS.has(requestMethod)) {
    return `method ${requestMethod} is not allowed for ${target}; add it to \`methods\` (allowed: ${policy.acam ?? 'none'})`
  }
  return undefined
}

/**
 * Step 2, the header check: the value of Access-Control-Allow-Headers (the configured one, or the
 * validated request headers echoed), or why a requested header is refused.
 */
function checkRequestHeaders (policy: CorsPolicy, requestHeaders: string | undefined, target: string): string | undefined | { refusal: string } {
  const acah = policy.acah
  if (requestHeaders === undefined || requestHeaders === '') return acah
  if (acah === undefined && isCanonicalHeaderNameList(requestHeaders, true)) {
    // what browsers send, echoed as it is: parsing and re-joining it would give the same string
    return requestHeaders
  }
  const names = parseRequestHeaderNames(requestHeaders)
  if (names === undefined) {
    return { refusal: `Access-Control-Request-Headers is not a bounded list of header names, so nothing is echoed for ${target}` }
  }
  if (acah === undefined) {
    // a requested name '*' echoed back would read as a wildcard in Access-Control-Allow-Headers
    if (names.includes('*')) return { refusal: `request header '*' is never echoed for ${target}; list the headers in \`allowedHeaders\`` }
    return names.length === 0 ? undefined : names.join(',')
  }
  for (const name of names) {
    // Fetch#cors-non-wildcard-request-header-name: '*' never covers Authorization
    if (policy.headerSet.has(name) || (policy.anyHeader && name !== 'authorization')) continue
    const hint = policy.anyHeader ? " ('*' does not cover Authorization; list it explicitly)" : ''
    return { refusal: `request header '${name}' is not allowed for ${target}; add it to \`allowedHeaders\`${hint}` }
  }
  return acah
}

/** Step 3, private network access: why it is refused, or undefined. */
function refusePrivateNetwork (policy: CorsPolicy, requestPrivateNetwork: string | undefined, target: string): string | undefined {
  if (requestPrivateNetwork === 'true' && !policy.allowPrivateNetwork) {
    return `private network access was requested for ${target}; set \`allowPrivateNetwork: true\` to grant it`
  }
  return undefined
}
