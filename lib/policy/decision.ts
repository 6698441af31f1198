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

/** The policy a decision was made with, kept out of sight of serialisers of `request.cors`. */
export const kPolicy = Symbol.for('fastify-cors-policy.policy')
/** Set on preflights whose CORS headers were written when the preflight was answered. */
export const kAnswered = Symbol.for('fastify-cors-policy.answered')

/** The reasons a preflight's request method, headers or private-network access are refused for. */
export type PreflightRefusalReason = 'method-not-allowed' | 'header-not-allowed' | 'private-network-not-allowed'

/**
 * `request.cors`: one object per request, made by the named constructors below.
 * invariant: `allowed` ⇔ reason ∈ {allowed, no-origin, same-origin} or a readable disabled route;
 * `detail` is set ⇔ the page may not read the response (or a preflight was refused for a reason).
 */
export class Decision implements CorsDecision {
  readonly origin: string | undefined
  readonly preflight: boolean
  readonly allowed: boolean
  readonly reason: CorsReason
  readonly detail?: string
  /** null only for routes with CORS disabled (and preflights no registration covers) */
  readonly [kPolicy]: CorsPolicy | null
  readonly [kAnswered]: boolean

  private constructor (origin: string | undefined, preflight: boolean, allowed: boolean, reason: CorsReason, detail: string | undefined, policy: CorsPolicy | null, answered: boolean) {
    this.origin = origin
    this.preflight = preflight
    this.allowed = allowed
    this.reason = reason
    if (detail !== undefined) this.detail = detail
    this[kPolicy] = policy
    this[kAnswered] = answered
  }

  /** The origin may read the response (an allowed actual request, or a preflight left to the application). */
  static allowed (origin: string, policy: CorsPolicy, preflight: boolean): Decision {
    return new Decision(origin, preflight, true, 'allowed', undefined, policy, false)
  }

  /** A request without Origin: CORS does not apply, the response is readable. */
  static noOrigin (policy: CorsPolicy): Decision {
    return new Decision(undefined, false, true, 'no-origin', undefined, policy, false)
  }

  /** A refused origin that is the server's own: browsers do not apply CORS to same-origin requests. */
  static sameOrigin (origin: string, policy: CorsPolicy, preflight: boolean): Decision {
    return new Decision(origin, preflight, true, 'same-origin', undefined, policy, false)
  }

  /** A cross-origin request the policy refuses; `detail` says why and what to change. */
  static denied (origin: string, policy: CorsPolicy, reason: CorsReason, detail: string, preflight: boolean): Decision {
    return new Decision(origin, preflight, false, reason, detail, policy, false)
  }

  /** A route with `cors: false`: no CORS header is sent, so only requests CORS does not apply to are readable. */
  static disabled (origin: string | undefined, readable: boolean, detail: string | undefined): Decision {
    return new Decision(origin, false, readable, 'disabled', detail, null, false)
  }

  /** A preflight the plugin answered (its headers are written): granted, or refused for a method, header or private-network access. */
  static answeredPreflight (origin: string, policy: CorsPolicy, reason: 'allowed' | PreflightRefusalReason, detail: string | undefined): Decision {
    return new Decision(origin, true, reason === 'allowed', reason, detail, policy, true)
  }

  /** A preflight refused with 403 and no CORS header; `policy` null when no policy covers its target. */
  static refusedPreflight (origin: string, policy: CorsPolicy | null, reason: CorsReason, detail: string | undefined): Decision {
    return new Decision(origin, true, false, policy === null ? 'disabled' : reason, detail, policy, true)
  }
}
