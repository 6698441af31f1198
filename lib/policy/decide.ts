/**
 * The pure decision core: given a compiled policy and request header values, what may the browser
 * read, and why. No Fastify import; the plugin feeds it strings and writes what it returns.
 */
import { SAFELISTED_METHODS, MAX_METHOD_LENGTH, isCanonicalHeaderNameList, isToken, parseRequestHeaderNames } from '../http/tokens.js'
import { matchOrigin } from './origin-matcher.js'
import { serializedOriginHostEnd } from '../http/origin.js'
import type { CorsPolicy } from './compile.js'

export type CorsReason =
  | 'allowed' | 'no-origin' | 'same-origin' | 'disabled' | 'invalid-origin' | 'origin-not-allowed'
  | 'origin-check-failed' | 'method-not-allowed' | 'header-not-allowed' | 'private-network-not-allowed'

/** What the plugin decided for one request; available as `request.cors`. */
export interface CorsDecision {
  /** the request's Origin header, as received */
  readonly origin: string | undefined
  /** OPTIONS with Origin and Access-Control-Request-Method */
  readonly preflight: boolean
  /** would a browser let the page read this response? (true when there is no Origin) */
  readonly allowed: boolean
  readonly reason: CorsReason
  /** a sentence for logs that names what was refused and the fix */
  readonly detail?: string
}

/** Outcome of checking a request's Origin against a policy; 'check' means the origin function decides. */
export type OriginVerdict = 'allowed' | 'not-allowed' | 'invalid' | 'check'

/** Classifies a raw Origin header value. Never reflects anything that is not a valid serialised origin. */
export function originVerdict (policy: CorsPolicy, origin: string): OriginVerdict {
  switch (policy.originKind) {
    case 'list':
      return matchOrigin(policy.matcher!, origin)
    case 'any':
      // '*' reflects nothing, so any Origin value gets it: a shared cache must never store a CORS-less
      // variant that one malformed Origin produced (Fetch#cors-protocol-and-http-caches)
      return 'allowed'
    case 'reflect':
      // Fetch#serializing-a-request-origin: 'null' is sent by sandboxed and redirected requests, so
      // reflecting it would grant anyone access; it is matched only when listed literally
      if (origin === 'null') return 'not-allowed'
      return serializedOriginHostEnd(origin) === -1 ? 'invalid' : 'allowed'
    case 'function':
      return origin === 'null' || serializedOriginHostEnd(origin) !== -1 ? 'check' : 'invalid'
    default:
      return origin === 'null' || serializedOriginHostEnd(origin) !== -1 ? 'not-allowed' : 'invalid'
  }
}

/** The preflight answer once the origin is allowed. */
export interface PreflightOutcome {
  readonly reason: 'allowed' | 'method-not-allowed' | 'header-not-allowed' | 'private-network-not-allowed'
  readonly detail?: string
  /** ACAM value to send, if any */
  readonly allowMethods: string | undefined
  /** ACAH value to send, if any */
  readonly allowHeaders: string | undefined
}

/**
 * Checks the requested method, headers and private-network access (Fetch#cors-preflight-fetch-0
 * step 7). `routeMethods` is the ACAM of the route the actual request will hit (its served
 * methods), or undefined when no route serves it; `target` names it for messages ("PUT /items/:id").
 */
export function evaluatePreflight (
  policy: CorsPolicy,
  requestMethod: string,
  requestHeaders: string | undefined,
  requestPrivateNetwork: string | undefined,
  routeMethods: string | undefined,
  target: string
): PreflightOutcome {
  let allowMethods = policy.allowMethods
  // '*' is a valid method token, but in Access-Control-Allow-Methods it is a wildcard: never echo it
  const validMethod = isToken(requestMethod, MAX_METHOD_LENGTH) && (requestMethod !== '*' || allowMethods !== undefined)
  // only an unset `methods` defaults to the route's methods; an empty list allows the safelisted ones alone
  if (allowMethods === undefined && policy.allowedMethods === undefined && validMethod) allowMethods = routeMethods ?? requestMethod
  let allowHeaders = policy.allowHeaders
  if (!validMethod) {
    // go-safeweb#372: echoing "GET, DELETE" would grant extra methods; never echo an invalid value
    const detail = requestMethod === '*'
      ? `Access-Control-Request-Method '*' is never echoed for ${target} (it would read as a wildcard); list the methods in \`methods\``
      : `Access-Control-Request-Method is not a single method token, so nothing is echoed for ${target}`
    return { reason: 'method-not-allowed', detail, allowMethods, allowHeaders }
  }
  if (!SAFELISTED_METHODS.has(requestMethod) && policy.allowedMethods !== undefined && !policy.allowedMethods.has(requestMethod)) {
    return { reason: 'method-not-allowed', detail: `method ${requestMethod} is not allowed for ${target}; add it to \`methods\` (allowed: ${policy.allowMethods ?? 'none'})`, allowMethods, allowHeaders }
  }
  if (requestHeaders !== undefined && requestHeaders !== '') {
    if (allowHeaders === undefined && isCanonicalHeaderNameList(requestHeaders) && !listsWildcard(requestHeaders)) {
      // what browsers send, echoed as it is: parsing and re-joining it would give the same string
      allowHeaders = requestHeaders
    } else {
      const names = parseRequestHeaderNames(requestHeaders)
      if (names === undefined) {
        return { reason: 'header-not-allowed', detail: `Access-Control-Request-Headers is not a bounded list of header names, so nothing is echoed for ${target}`, allowMethods, allowHeaders }
      }
      if (allowHeaders === undefined) {
        // a requested name '*' echoed back would read as a wildcard in Access-Control-Allow-Headers
        if (names.includes('*')) {
          return { reason: 'header-not-allowed', detail: `request header '*' is never echoed for ${target}; list the headers in \`allowedHeaders\``, allowMethods, allowHeaders }
        }
        allowHeaders = names.length === 0 ? undefined : names.join(',')
      } else {
        for (const name of names) {
          // Fetch#cors-non-wildcard-request-header-name: '*' never covers Authorization
          if (policy.allowedHeaders.has(name) || (policy.anyHeader && name !== 'authorization')) continue
          const hint = policy.anyHeader ? " ('*' does not cover Authorization; list it explicitly)" : ''
          return { reason: 'header-not-allowed', detail: `request header '${name}' is not allowed for ${target}; add it to \`allowedHeaders\`${hint}`, allowMethods, allowHeaders }
        }
      }
    }
  }
  if (requestPrivateNetwork === 'true' && !policy.allowPrivateNetwork) {
    return { reason: 'private-network-not-allowed', detail: `private network access was requested for ${target}; set \`allowPrivateNetwork: true\` to grant it`, allowMethods, allowHeaders }
  }
  return { reason: 'allowed', allowMethods, allowHeaders }
}

/** Does a comma-joined name list hold the name '*'? */
function listsWildcard (list: string): boolean {
  return list === '*' || list.startsWith('*,') || list.endsWith(',*') || list.includes(',*,')
}

/** A sentence telling the developer why an origin was refused and what to change. */
export function describeOriginDenial (policy: CorsPolicy, reason: CorsReason, origin: string, target: string): string {
  switch (reason) {
    case 'invalid-origin':
      return `the Origin header ${JSON.stringify(origin.length > 80 ? origin.slice(0, 77) + '...' : origin)} is not a valid serialised origin (scheme://host[:port]) for ${target}; it is never reflected`
    case 'origin-check-failed':
      return `the origin function threw, rejected or timed out for origin '${origin}' on ${target}; the request is denied`
    case 'disabled':
      return `CORS is disabled for ${target} (config.cors: false)`
    default:
      if (policy.originKind === 'none') return `origin '${origin}' is refused for ${target} because \`origin\` is false`
      if (origin === 'null' && policy.originKind !== 'function') return `origin 'null' is refused for ${target}; it is only allowed when 'null' is listed in \`origin\` (anyone can send it)`
      if (policy.originKind === 'function') return `the origin function returned false for '${origin}' on ${target}`
      return `origin '${origin}' is not in the allow-list for ${target}; add it to \`origin\``
  }
}
