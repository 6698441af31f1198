import type { CorsPolicy } from './compile.js'
import type { FastifyCorsOriginData } from './schema.js'
import { pathOf } from '../http/request-values.js'

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
  /**
   * would a browser let the page read it if the request carried credentials (cookies, HTTP auth)?
   * True when CORS does not apply (no Origin, same-origin) and when `Access-Control-Allow-Credentials:
   * true` is granted: the credentialed tier of `origin: { credentialed, public }`, or a policy with
   * `credentials: true`. False for the public tier: serve it public data. credentialed ⇒ allowed
   */
  readonly credentialed: boolean
  readonly reason: CorsReason
  /** a sentence for logs that names what was refused and the fix */
  readonly detail?: string
  /**
   * the `data` of an origin function's `{ allow, data }` answer (kept with it by `originCache`); not
   * enumerable, so serialisers and loggers of `request.cors` leave it out
   */
  readonly originData?: FastifyCorsOriginData
}

/** The policy a decision was made with, kept out of sight of serialisers of `request.cors`. */
export const kPolicy = Symbol.for('fastify-cors-policy.policy')
/** Set on preflights whose CORS headers were written when the preflight was answered. */
export const kAnswered = Symbol.for('fastify-cors-policy.answered')

/** What the sentence of a refused origin reads of the request (a FastifyRequest is one). */
export interface RefusedRequest {
  readonly method: string
  readonly url: string
}

/** The route a request targets, for messages: its route's name ("PUT /items/:id") or its method and path. */
export function targetOf (request: RefusedRequest, route: string | undefined): string {
  return route ?? `${request.method} ${pathOf(request.url)}`
}

/** The reasons a preflight's request method, headers or private-network access are refused for. */
export type PreflightRefusalReason = 'method-not-allowed' | 'header-not-allowed' | 'private-network-not-allowed'

/**
 * `request.cors`: one object per request, made by the named constructors below.
 * invariant: `allowed` ⇔ reason ∈ {allowed, no-origin, same-origin} or a readable disabled route;
 * `credentialed` ⇔ allowed and (reason ≠ allowed or credentials were granted);
 * `detail` is set ⇔ the page may not read the response (or a preflight was refused for a reason).
 */
export class Decision implements CorsDecision {
  readonly origin: string | undefined
  readonly preflight: boolean
  readonly allowed: boolean
  readonly credentialed: boolean
  readonly reason: CorsReason
  readonly detail: string | undefined
  declare readonly originData?: FastifyCorsOriginData
  /** null only for routes with CORS disabled (and preflights no registration covers) */
  readonly [kPolicy]: CorsPolicy | null
  readonly [kAnswered]: boolean

  protected constructor (origin: string | undefined, preflight: boolean, allowed: boolean, reason: CorsReason, detail: string | undefined, policy: CorsPolicy | null, answered: boolean,
    credentialed = allowed) {
    this.origin = origin
    this.preflight = preflight
    this.allowed = allowed
    this.credentialed = credentialed
    this.reason = reason
    this.detail = detail
    this[kPolicy] = policy
    this[kAnswered] = answered
  }

  /** The origin may read the response (an allowed actual request, or a preflight left to the application). */
  static allowed (origin: string, policy: CorsPolicy, preflight: boolean): Decision {
    return new Decision(origin, preflight, true, 'allowed', undefined, policy, false, policy.credentials)
  }

  /** A request without Origin: CORS does not apply, the response is readable. One frozen decision per policy, shared by its requests. */
  static noOrigin (policy: CorsPolicy): Decision {
    let decision = noOriginDecisions.get(policy)
    if (decision === undefined) {
      decision = Object.freeze(new Decision(undefined, false, true, 'no-origin', undefined, policy, false))
      noOriginDecisions.set(policy, decision)
    }
    return decision
  }

  /** A refused origin that is the server's own: browsers do not apply CORS to same-origin requests. */
  static sameOrigin (origin: string, policy: CorsPolicy, preflight: boolean): Decision {
    return new Decision(origin, preflight, true, 'same-origin', undefined, policy, false)
  }

  /**
   * A cross-origin request the policy refuses; `detail` says why and what to change, naming `route`
   * (or the request's method and path when no route serves it).
   */
  static denied (origin: string, policy: CorsPolicy, reason: CorsReason, request: RefusedRequest, route: string | undefined, preflight: boolean): Decision {
    return Decision.refused(origin, policy, reason, targetOf(request, route), preflight, false)
  }

  /** A route with `cors: false`: no CORS header is sent, so only requests CORS does not apply to are readable. */
  static disabled (origin: string | undefined, readable: boolean, request: RefusedRequest, route: string | undefined): Decision {
    if (readable || origin === undefined) return new Decision(origin, false, readable, 'disabled', undefined, null, false)
    return Decision.refused(origin, null, 'disabled', targetOf(request, route), false, false)
  }

  /**
   * A preflight the plugin answered (its headers are written): granted, or refused for a method,
   * header or private-network access; `credentials`: the answer carries Access-Control-Allow-Credentials.
   */
  static answeredPreflight (origin: string, policy: CorsPolicy, reason: 'allowed' | PreflightRefusalReason, detail: string | undefined, credentials: boolean): Decision {
    return new Decision(origin, true, reason === 'allowed', reason, detail, policy, true, reason === 'allowed' && credentials)
  }

  /** A preflight refused with 403 and no CORS header because `policy` refuses its origin; `target` names the route ("PUT /items/:id"). */
  static refusedPreflightOrigin (origin: string, policy: CorsPolicy, reason: CorsReason, target: string): Decision {
    return Decision.refused(origin, policy, reason, target, true, true)
  }

  /**
   * A refused origin, with the sentence saying why. Built at once: V8 joins the sentence's parts as a
   * rope without copying them (tens of ns), where a sentence formatted on first read needs an
   * accessor defined on each decision, which costs ten times that.
   */
  private static refused (origin: string, policy: CorsPolicy | null, reason: CorsReason, target: string, preflight: boolean, answered: boolean): Decision {
    return new Decision(origin, preflight, false, reason, describeOriginDenial(policy, reason, origin, target), policy, answered)
  }

  /** A preflight refused with 403 and no CORS header because no policy covers its target (or its routes' policies differ: `detail`). */
  static refusedPreflight (origin: string, detail: string | undefined): Decision {
    return new Decision(origin, true, false, 'disabled', detail, null, true)
  }
}

const noOriginDecisions = new WeakMap<CorsPolicy, Decision>()

/** Hands the data an origin function answered to the handler as `decision.originData` (undefined: nothing to hand). */
export function attachOriginData (decision: Decision, data: unknown): void {
  // not enumerable: the application's data stays out of JSON.stringify(request.cors) and log lines
  if (data !== undefined) Object.defineProperty(decision, 'originData', { value: data })
}

/** A sentence telling the developer why an origin was refused and what to change. */
export function describeOriginDenial (policy: CorsPolicy | null, reason: CorsReason, origin: string, target: string): string {
  switch (reason) {
    case 'invalid-origin':
      return `the Origin header ${JSON.stringify(origin.length > 80 ? origin.slice(0, 77) + '...' : origin)} is not a valid serialised origin (scheme://host[:port]) for ${target}; it is never reflected`
    case 'origin-check-failed':
      return `the origin function threw, rejected or timed out for origin '${origin}' on ${target}; the request is denied`
    case 'disabled':
      return `CORS is disabled for ${target} (config.cors: false)`
    default:
      if (policy?.originKind === 'none') return `origin '${origin}' is refused for ${target} because \`origin\` is false`
      if (policy?.originKind === 'tiered') {
        return origin === 'null'
          ? `origin 'null' is refused for ${target}; it is only allowed when 'null' is listed in \`origin.public\` (anyone can send it)`
          : `origin '${origin}' is in neither tier of \`origin\` for ${target}; add it to \`origin.public\`, or to \`origin.credentialed\` for credentialed responses`
      }
      if (origin === 'null' && policy?.originKind !== 'function') return `origin 'null' is refused for ${target}; it is only allowed when 'null' is listed in \`origin\` (anyone can send it)`
      if (policy?.originKind === 'function') return `the origin function returned false for '${origin}' on ${target}`
      return `origin '${origin}' is not in the allow-list for ${target}; add it to \`origin\``
  }
}
