import type { FastifyReply, FastifyRequest } from 'fastify'
import { CorsDelegatorFailedError, CorsInvalidDelegatedOptionsError } from '../errors.js'
import { resolveOptions } from '../policy/options.js'
import { compilePolicy, type CorsPolicy } from '../policy/compile.js'
import { profileUrl, type Candidate, type UrlProfile } from '../policy/route-grant.js'
import { compileDelegatedPolicy, type Dispatcher, type Registration } from './dispatcher.js'
import { clientGone, watchDisconnect } from './client-disconnect.js'
import { settleUserFunction } from './user-callback.js'

/** The policy of a request whose delegator failed: no origin is allowed, and the answer varies by origin. */
export const DELEGATION_FAILED: CorsPolicy = compilePolicy({ ...resolveOptions({}).options, origin: { kind: 'list', origins: [], regexps: [] } })
/** The same, for a registration with `enforce`: the denial stops the request before its handler. */
export const DELEGATION_FAILED_ENFORCED: CorsPolicy = Object.freeze({ ...DELEGATION_FAILED, enforce: true })

/**
 * Runs the owner's delegator for this request, `delegator(request, cb, signal)`, and compiles the
 * options it answers (once per options object, a route's own `config.cors` merged over them as
 * @fastify/cors merges it); `done(undefined)` when it failed or answered unusable options, which
 * denies the request (logged with the problem). The signal aborts when `originCheckTimeout` passes
 * or the client disconnects (the request then goes on denied, logged at debug level).
 */
export function runDelegator (request: FastifyRequest, reply: FastifyReply, owner: Registration, route: string, override: Record<string, unknown> | undefined,
  done: (policy: CorsPolicy | undefined, options: unknown) => void): void {
  const delegator = owner.delegator!
  if (clientGone(reply)) {
    request.log.debug(`fastify-cors-policy: the client disconnected before the delegator was called (${route})`)
    done(undefined, undefined)
    return
  }
  let answered = false
  let stopWatching = noop
  const call = settleUserFunction(
    (callback, signal) => delegator(request, callback, signal),
    delegator.length >= 2,
    owner.delegatorTimeout,
    (answer) => {
      answered = true
      stopWatching()
      if (!answer.ok) {
        const error = new CorsDelegatorFailedError(answer.why, route)
        if (answer.error !== undefined) error.cause = answer.error
        request.log.error({ err: error }, error.message)
        done(undefined, undefined)
        return
      }
      let policy: CorsPolicy | string
      try {
        policy = compileDelegatedPolicy(owner, answer.value, override)
      } catch (error) {
        // options whose reading throws (a getter, a Proxy trap) deny, never answer 500
        policy = `the options could not be read (${error instanceof Error ? error.message : String(error)})`
      }
      if (typeof policy === 'string') {
        const error = new CorsInvalidDelegatedOptionsError(route, policy)
        request.log.error({ err: error }, error.message)
        done(undefined, undefined)
        return
      }
      done(policy, answer.value)
    },
    (why) => { request.log.error(`fastify-cors-policy: the delegator ${why} (${route})`) }
  )
  if (answered) return
  stopWatching = watchDisconnect(reply, () => {
    call.cancel(new DOMException('the client disconnected before the delegator answered', 'AbortError'))
    request.log.debug(`fastify-cors-policy: the client disconnected before the delegator answered (${route})`)
    done(undefined, undefined)
  })
}

/**
 * The registrations with a delegator that answer for a preflight: each one whose routes (or, for
 * an unserved method, whose scope) it may target; their static options never answer on their own.
 * Undefined when there is none.
 */
export function delegatingRegistrations (dispatcher: Dispatcher, profile: UrlProfile, owner: Registration): Set<Registration> | undefined {
  const involved = new Set<Registration>()
  for (const candidates of profile.routes.values()) {
    for (const candidate of candidates) {
      const delegating = candidate.policy === undefined || candidate.policy === null ? undefined : dispatcher.delegatedPolicies.get(candidate.policy)
      if (delegating !== undefined) involved.add(delegating)
    }
  }
  if (owner.delegator !== undefined) involved.add(owner)
  return involved.size === 0 ? undefined : involved
}

/**
 * The URL's routes with each delegating registration's policies replaced by those of its
 * delegator's answer for this request (a route's own config.cors merged over it).
 */
export function withDelegatedPolicies (dispatcher: Dispatcher, profile: UrlProfile, answers: ReadonlyMap<Registration, unknown>): UrlProfile {
  const routes = new Map<string, readonly Candidate[]>()
  for (const [method, candidates] of profile.routes) {
    routes.set(method, candidates.map((candidate) => {
      const policy = candidate.policy
      const owner = policy === undefined || policy === null ? undefined : dispatcher.delegatedPolicies.get(policy)
      if (owner === undefined) return candidate
      const merged = compileDelegatedPolicy(owner, answers.get(owner), policy === owner.defaultPolicy ? undefined : owner.overrides.get(policy as CorsPolicy))
      return { ...candidate, policy: typeof merged === 'string' ? undefined : merged }
    }))
  }
  return profileUrl(routes)
}

function noop (): void {}
