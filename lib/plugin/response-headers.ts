import type { FastifyReply } from 'fastify'
import { ACAC, ACAO, ACEH, VARY } from '../http/header-names.js'
import { mergeVary } from '../http/vary.js'
import { kAnswered, kPolicy, type Decision } from '../policy/decision.js'

const VARY_ORIGIN = ['Origin'] as const

/** Adds `Origin` to the reply's Vary, keeping what other plugins put there. */
export function addVaryOrigin (reply: FastifyReply): void {
  const existing = reply.getHeader(VARY) as string | string[] | undefined
  if (existing === undefined) {
    reply.header(VARY, 'Origin')
  } else {
    const vary = mergeVary(existing, VARY_ORIGIN)
    if (vary !== undefined) reply.header(VARY, vary)
  }
}

/**
 * The headers of an actual request's decision, written where it is decided and again in onSend (a
 * handler may have replaced them): the grant of an allowed origin (or of a `'*'` policy's answer to a
 * request without Origin), none at all on denial, not even one a handler set itself
 * (cyu/rack-cors#162; a route that writes its own CORS headers opts out with `cors: false`), and
 * `Vary: Origin` whenever the answer depends on the origin (Fetch#cors-protocol-and-http-caches).
 * Preflights the plugin answered and routes with CORS disabled get nothing here.
 */
export function writeDecisionHeaders (reply: FastifyReply, decision: Decision): void {
  const policy = decision[kPolicy]
  if (policy === null || decision[kAnswered]) return
  if (decision.reason === 'allowed' || (decision.reason === 'no-origin' && policy.originKind === 'any')) {
    reply.header(ACAO, policy.originKind === 'any' ? '*' : decision.origin as string)
    if (policy.credentials) reply.header(ACAC, 'true')
    if (policy.aceh !== undefined) reply.header(ACEH, policy.aceh)
  } else if (!decision.allowed) {
    for (const name of Object.keys(reply.getHeaders())) {
      if (name.startsWith('access-control-')) reply.removeHeader(name)
    }
  }
  if (policy.varyOrigin) addVaryOrigin(reply)
}
