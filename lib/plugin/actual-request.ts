import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CorsPolicy } from '../policy/compile.js'
import { forbiddenError } from '../errors.js'
import { decideActual, enforcement, originVerdict, targetOf } from '../policy/decide.js'
import { attachOriginData, type Decision } from '../policy/decision.js'
import { DELEGATION_FAILED, DELEGATION_FAILED_ENFORCED, runDelegator } from './delegation.js'
import type { Registration, RouteEntry } from './dispatcher.js'
import { runOriginCheck } from './origin-check.js'
import { logDenial, logReportOnly, type Continue } from './request-context.js'
import { writeDecisionHeaders } from './response-headers.js'

/** The failed-delegation policy under `enforce: 'report-only'`: the denial is reported, never refused. */
const DELEGATION_FAILED_REPORTED: CorsPolicy = Object.freeze({ ...DELEGATION_FAILED, enforce: 'report-only' as const })

/**
 * Decides an actual request for its owner's policy (through the owner's delegator when it has one)
 * and writes the decision's headers on the reply at once, so a handler that writes the response
 * itself (`reply.raw.writeHead(200, reply.getHeaders())`, SSE) sends them; `origin` is the request's
 * Origin (`singleHeader`), `beforeHandler` is false in hooks that run after the handler, where
 * `enforce` cannot stop it.
 */
export function decideActualRequest (request: FastifyRequest, reply: FastifyReply, origin: string | undefined, entry: RouteEntry | undefined, owner: Registration,
  beforeHandler: boolean, proceed: Continue): void {
  const policy = entry === undefined ? owner.defaultPolicy : entry.policy
  if (policy === null || owner.delegator === undefined) {
    decideForPolicy(request, reply, origin, policy, entry?.name, beforeHandler, proceed, false)
    return
  }
  decideThroughDelegator(request, reply, origin, entry, owner, policy, beforeHandler, proceed)
}

/**
 * Decides with the policy the owner's delegator answers. The callbacks of the paths that wait live in
 * functions of their own (here and below): V8 allocates a function's captured variables on every
 * call, taken path or not, and the synchronous path must allocate no closure.
 */
function decideThroughDelegator (request: FastifyRequest, reply: FastifyReply, origin: string | undefined, entry: RouteEntry | undefined, owner: Registration,
  policy: CorsPolicy, beforeHandler: boolean, proceed: Continue): void {
  // a route's own config.cors is merged over the delegator's answer, as @fastify/cors merges it
  runDelegator(request, reply, owner, targetOf(request, entry?.name), owner.overrides.get(policy), (delegated) => {
    if (delegated !== undefined) {
      decideForPolicy(request, reply, origin, delegated, entry?.name, beforeHandler, proceed, false)
      return
    }
    const enforce = owner.defaultPolicy.enforce
    const failed = enforce === true ? DELEGATION_FAILED_ENFORCED : enforce === 'report-only' ? DELEGATION_FAILED_REPORTED : DELEGATION_FAILED
    const decision = decideActual(failed, origin, 'failed', request, entry?.name, false)
    applyDecision(request, reply, decision, entry?.name, beforeHandler, proceed)
  })
}

/**
 * Decides with one policy: synchronously unless an origin function answers later (the synchronous
 * path allocates no closure). `preflight` marks a preflight the application answers itself.
 */
export function decideForPolicy (request: FastifyRequest, reply: FastifyReply, origin: string | undefined, policy: CorsPolicy | null, route: string | undefined,
  beforeHandler: boolean, proceed: Continue, preflight: boolean): void {
  if (policy === null || origin === undefined) {
    applyDecision(request, reply, decideActual(policy, origin, 'not-allowed', request, route, preflight), route, beforeHandler, proceed)
    return
  }
  const verdict = originVerdict(policy, origin)
  if (verdict === 'check') {
    decideAfterOriginCheck(request, reply, policy, origin, route, beforeHandler, proceed, preflight)
    return
  }
  applyDecision(request, reply, decideActual(policy, origin, verdict, request, route, preflight), route, beforeHandler, proceed)
}

/** Decides once the origin function has answered; what it answered for the handler becomes `request.cors.originData`. */
function decideAfterOriginCheck (request: FastifyRequest, reply: FastifyReply, policy: CorsPolicy, origin: string, route: string | undefined,
  beforeHandler: boolean, proceed: Continue, preflight: boolean): void {
  runOriginCheck(policy, origin, request, reply, (settled, data) => {
    const decision = decideActual(policy, origin, settled, request, route, preflight)
    attachOriginData(decision, data)
    applyDecision(request, reply, decision, route, beforeHandler, proceed)
  })
}

/**
 * Records the decision as `request.cors`, writes its headers and logs a denial; when `enforce`
 * refuses it, sends a CorsForbiddenError (403) through the app's error handler instead of going on,
 * and under `enforce: 'report-only'` logs that it would have.
 */
function applyDecision (request: FastifyRequest, reply: FastifyReply, decision: Decision, route: string | undefined, beforeHandler: boolean, proceed: Continue): void {
  request.cors = decision
  writeDecisionHeaders(reply, decision)
  if (!decision.allowed) {
    logDenial(request, decision, route)
    // a reply another hook already sent is left alone: nothing is refused, nor reported as refused
    const enforced = reply.sent ? 'none' : enforcement(decision, beforeHandler)
    if (enforced === 'refuse') {
      reply.send(forbiddenError(decision))
      return
    }
    if (enforced === 'report') logReportOnly(request, decision, route)
  }
  proceed()
}
