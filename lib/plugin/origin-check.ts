import type { FastifyInstance, FastifyRequest } from 'fastify'
import { renderValue } from '../policy/options.js'
import type { CorsPolicy } from '../policy/compile.js'
import { originVerdict, type SettledVerdict } from '../policy/decide.js'
import { compileOriginAnswer, originAnswerVerdict, type CompiledOriginAnswer } from '../policy/origin-answer.js'
import type { OriginCallback } from '../policy/schema.js'
import { settleUserFunction } from './user-callback.js'

/**
 * Runs the origin function, `origin.call(instance, origin, cb, request)`, as @fastify/cors does; it
 * answers through the callback, a returned value or a promise. A throw, an error, a rejection, a
 * double or missing answer, an unusable answer, or none within the deadline all deny: a failing
 * check must never turn a request into a 500 (expressjs/cors#92) nor crash the process.
 */
export function runOriginCheck (policy: CorsPolicy, origin: string, request: FastifyRequest, settle: (verdict: SettledVerdict) => void): void {
  const check = policy.originCheck!
  settleUserFunction(
    (callback) => check.call(policy.originThis as FastifyInstance, origin, callback as OriginCallback, request),
    policy.originCheckTakesCallback,
    policy.originCheckTimeout,
    (answer) => {
      if (!answer.ok) {
        request.log.error({ err: answer.error }, `fastify-cors-policy: the origin function ${answer.why} for origin '${origin}'; the request is denied`)
        settle('failed')
        return
      }
      settle(answerVerdict(policy, origin, answer.value, request))
    },
    (why) => { request.log.error(`fastify-cors-policy: the origin function ${why} (origin '${origin}')`) }
  )
}

/** The verdict of an origin function's answer; an answer that cannot be used is a failed check, logged. */
function answerVerdict (policy: CorsPolicy, origin: string, value: unknown, request: FastifyRequest): SettledVerdict {
  let compiled: CompiledOriginAnswer
  try {
    compiled = compileOriginAnswer(value)
  } catch (error) {
    // an answer whose reading throws (a getter, a Proxy trap) is a failed check, not a 500
    request.log.error({ err: error }, `fastify-cors-policy: the origin function answered a value that could not be read for origin '${origin}'; the request is denied`)
    return 'failed'
  }
  if (compiled.kind === 'invalid') {
    request.log.error(`fastify-cors-policy: the origin function answered ${renderValue(value)} for origin '${origin}', which cannot be used: ${compiled.problem}; the request is denied`)
    return 'failed'
  }
  if (compiled.kind === 'any') {
    if (!policy.credentials) return 'allowed-any'
    // Fetch#cors-protocol-and-credentials: browsers refuse '*' on credentialed requests
    request.log.error(`fastify-cors-policy: the origin function answered '*' for origin '${origin}', which browsers refuse with credentials: true; answer true to allow this origin; the request is denied`)
    return 'failed'
  }
  return originAnswerVerdict(compiled, origin) === 'allowed' ? 'allowed' : 'not-allowed'
}

/**
 * Settles the origin against each policy; origin functions run once per function (a route that
 * inherits the plugin's function shares its answer).
 */
export function settleOrigins (policies: readonly CorsPolicy[], origin: string, request: FastifyRequest, done: (verdicts: Map<CorsPolicy, SettledVerdict>) => void): void {
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
    done(verdicts)
    return
  }
  let waiting = pending.size
  for (const sharing of pending.values()) {
    runOriginCheck(sharing[0] as CorsPolicy, origin, request, (verdict) => {
      for (const policy of sharing) verdicts.set(policy, verdict)
      if (--waiting === 0) done(verdicts)
    })
  }
}
