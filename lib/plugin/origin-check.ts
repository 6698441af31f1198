import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CorsPolicy } from '../policy/compile.js'
import { originVerdict, type SettledVerdict } from '../policy/decide.js'
import { originAnswerVerdict } from '../policy/origin-answer.js'
import type { OriginLookupResult } from './origin-cache.js'
import { lookUpOrigin } from './origin-lookup.js'

/**
 * Asks the origin function (origin-lookup.ts: the call, its cache, its signal) and settles the
 * verdict of this policy, with the data the function answered. A throw, an error, a rejection, a
 * double or missing answer, an unusable answer, or none within the deadline all deny: a failing
 * check must never turn a request into a 500 (expressjs/cors#92) nor crash the process.
 */
export function runOriginCheck (policy: CorsPolicy, origin: string, request: FastifyRequest, reply: FastifyReply,
  settle: (verdict: SettledVerdict, data: unknown) => void): void {
  lookUpOrigin(policy, origin, request, reply, (result) => {
    settle(resultVerdict(policy, origin, result, request), result.ok ? result.data : undefined)
  })
}

/**
 * The verdict of this policy on what the function answered: policies sharing one function (and its
 * cached answer) each apply their own rules to it.
 */
function resultVerdict (policy: CorsPolicy, origin: string, result: OriginLookupResult, request: FastifyRequest): SettledVerdict {
  if (!result.ok) return 'failed'
  if (result.answer.kind === 'any') {
    if (!policy.credentials) return 'allowed-any'
    // Fetch#cors-protocol-and-credentials: browsers refuse '*' on credentialed requests
    request.log.error(`fastify-cors-policy: the origin function answered '*' for origin '${origin}', which browsers refuse with credentials: true; answer true to allow this origin; the request is denied`)
    return 'failed'
  }
  return originAnswerVerdict(result.answer, origin) === 'allowed' ? 'allowed' : 'not-allowed'
}

/**
 * Settles the origin against each policy; origin functions run once per function (a route that
 * inherits the plugin's function shares its answer), and each policy reads the answer by its own
 * rules. `data` holds what the functions answered for the handler, by policy (undefined: none).
 */
export function settleOrigins (policies: readonly CorsPolicy[], origin: string, request: FastifyRequest, reply: FastifyReply,
  done: (verdicts: Map<CorsPolicy, SettledVerdict>, data: Map<CorsPolicy, unknown> | undefined) => void): void {
  const verdicts = new Map<CorsPolicy, SettledVerdict>()
  const pending = new Map<unknown, CorsPolicy[]>()
  for (const policy of policies) {
    const verdict = originVerdict(policy, origin)
    if (verdict !== 'check') {
      verdicts.set(policy, verdict)
      continue
    }
    const sharing = pending.get(policy.originCheck)
    if (sharing === undefined) pending.set(policy.originCheck, [policy])
    else sharing.push(policy)
  }
  if (pending.size === 0) {
    done(verdicts, undefined)
    return
  }
  let data: Map<CorsPolicy, unknown> | undefined
  let waiting = pending.size
  for (const sharing of pending.values()) {
    lookUpOrigin(sharing[0] as CorsPolicy, origin, request, reply, (result) => {
      for (const policy of sharing) {
        verdicts.set(policy, resultVerdict(policy, origin, result, request))
        if (result.ok && result.data !== undefined) (data ??= new Map()).set(policy, result.data)
      }
      if (--waiting === 0) done(verdicts, data)
    })
  }
}
