import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import { ACAC, ACAH, ACAM, ACAO, ACAPN, ACEH, ACMA, ACRH, ACRM, ACRPN, CACHE_CONTROL, CONTENT_LENGTH, SEC_FETCH_SITE, VARY } from '../http/header-names.js'
import { CorsAlreadyRegisteredError, CorsDelegatorFailedError, CorsInvalidDelegatedOptionsError, CorsInvalidOptionsError, CorsRouteNotCompiledError, CorsUnsafeOptionsError } from '../errors.js'
import { formatProblems, optionWarnings, renderValue, resolveOptions, type OptionProblem } from '../policy/options.js'
import { compilePolicy, type CorsPolicy } from '../policy/compile.js'
import { describeOriginDenial, evaluatePreflight, originVerdict, type CorsDecision, type CorsReason } from '../policy/decide.js'
import { mergeVary } from '../http/vary.js'
import { routeConfigOf } from './route-config.js'
import { answerPreflight as decidePreflight, profileUrl, sharedPolicy, type Candidate, type PreflightGrant, type UrlProfile } from '../policy/route-grant.js'
import { PREFLIGHT_CONSTRAINT, installPreflightConstraint } from './preflight-constraint.js'
import { routerMatchOptions } from './fastify-internals.js'
import { answersOwnPreflights, compileDelegatedPolicy, compileRoutePolicy, dispatcherOf, inheritableOptions, pathOf, kOwnRoute, kRouteEntry, type Registration, type RouteEntry } from './dispatcher.js'
import { settleUserFunction } from './user-callback.js'
import { compileOriginAnswer, originAnswerVerdict, type CompiledOriginAnswer } from '../policy/origin-answer.js'
import type { FastifyCorsDelegator, FastifyCorsHook, OriginCallback } from '../policy/schema.js'

const kPolicy = Symbol.for('fastify-cors-policy.policy')
const kAnswered = Symbol.for('fastify-cors-policy.answered')

/** `request.cors`, with the policy that produced it kept out of sight of serialisers. */
class Decision implements CorsDecision {
  readonly origin: string | undefined
  readonly preflight: boolean
  readonly allowed: boolean
  readonly reason: CorsReason
  readonly detail?: string
  readonly [kPolicy]: CorsPolicy | null
  /** a preflight whose CORS headers were written in onRequest */
  readonly [kAnswered]: boolean

  constructor (origin: string | undefined, preflight: boolean, allowed: boolean, reason: CorsReason, detail: string | undefined, policy: CorsPolicy | null, answered: boolean) {
    this.origin = origin
    this.preflight = preflight
    this.allowed = allowed
    this.reason = reason
    if (detail !== undefined) this.detail = detail
    this[kPolicy] = policy
    this[kAnswered] = answered
  }
}

function optionsError (problems: OptionProblem[]): Error {
  const detail = formatProblems(problems)
  return problems.every((p) => p.unsafe) ? new CorsUnsafeOptionsError(detail) : new CorsInvalidOptionsError(detail)
}

function headerValue (value: string | string[] | undefined): string | undefined {
  // Node joins repeated headers with ", " except a few; an array only ever comes from set-cookie,
  // but a joined value of a repeated Origin is simply an invalid origin
  return Array.isArray(value) ? value.join(', ') : value
}

type Continue = () => void

/**
 * The host find-my-way's host constraint is matched against: `Host`, or HTTP/2's `:authority`
 * (browsers speak HTTP/2 over https); an empty value is no host.
 */
function routingHost (request: FastifyRequest): string | undefined {
  const headers = request.headers
  const host = headers.host || headers[':authority'] // eslint-disable-line @typescript-eslint/prefer-nullish-coalescing
  return typeof host === 'string' && host !== '' ? host : undefined
}

const VARY_ORIGIN = ['Origin'] as const

/** An origin verdict once any origin function has settled. */
type SettledVerdict = 'allowed' | 'allowed-any' | 'not-allowed' | 'invalid' | 'failed'

/**
 * The policy an origin function's `'*'` answer is answered with: ACAO `*`, still varying by Origin
 * (another origin may get another answer). One per function policy.
 */
const anyOriginVariants = new WeakMap<CorsPolicy, CorsPolicy>()
function anyOriginVariant (policy: CorsPolicy): CorsPolicy {
  let variant = anyOriginVariants.get(policy)
  if (variant === undefined) {
    variant = Object.freeze({ ...policy, originKind: 'any' as const })
    anyOriginVariants.set(policy, variant)
  }
  return variant
}

function denialReason (verdict: Exclude<SettledVerdict, 'allowed' | 'allowed-any'>): CorsReason {
  return verdict === 'invalid' ? 'invalid-origin' : verdict === 'failed' ? 'origin-check-failed' : 'origin-not-allowed'
}

/** The policy of a request whose delegator failed: no origin is allowed, and the answer varies by origin. */
const DELEGATION_FAILED: CorsPolicy = compilePolicy({ ...resolveOptions({}).options, origin: { kind: 'list', origins: [], regexps: [] } })
/** The same, for a registration with `enforce`: the denial stops the request before its handler. */
const DELEGATION_FAILED_ENFORCED: CorsPolicy = Object.freeze({ ...DELEGATION_FAILED, enforce: true })

/** Hooks with a payload argument, whose callback must pass it on. */
const PAYLOAD_HOOKS: ReadonlySet<string> = new Set(['preParsing', 'preSerialization'])

/** The Fastify plugin body: validates and compiles options, then installs the hooks and the OPTIONS routes. */
export async function corsPolicyPlugin (fastify: FastifyInstance, rawOptions: Record<string, unknown> | FastifyCorsDelegator): Promise<void> {
  // options given as a function of the instance (Fastify calls it) may return a delegator, as with @fastify/cors
  const given = typeof rawOptions === 'function' ? { delegator: rawOptions } : rawOptions ?? {}
  const dispatcher = dispatcherOf(fastify)
  if (dispatcher.registrations.some((existing) => existing.scope === fastify)) throw new CorsAlreadyRegisteredError()
  const { options, problems } = resolveOptions(given)
  if (problems.length > 0) throw optionsError(problems)
  const defaultPolicy = compilePolicy(options, fastify)
  if (options.dangerouslyAllowAnyOriginWithCredentials && options.credentials && options.origin.kind === 'reflect') {
    fastify.log.warn('fastify-cors-policy: dangerouslyAllowAnyOriginWithCredentials is on: every website can read credentialed responses from this server')
  }
  for (const warning of optionWarnings(given)) fastify.log.warn(`fastify-cors-policy: ${warning}`)

  const registration: Registration = {
    scope: fastify,
    prefix: fastify.prefix.endsWith('/') ? fastify.prefix.slice(0, -1) : fastify.prefix,
    defaultPolicy,
    inheritedOptions: inheritableOptions(given),
    compiled: new Map(),
    hook: options.hook,
    delegator: options.delegator,
    delegatorTimeout: options.originCheckTimeout,
    delegated: new WeakMap(),
    overrides: new Map()
  }
  dispatcher.registrations.push(registration)
  if (registration.delegator !== undefined) dispatcher.delegatedPolicies.set(defaultPolicy, registration)
  installPreflightConstraint(fastify, (url, host, requestMethod) => dispatcher.optionsValue(url, host, requestMethod))
  // a registration in a child scope shares the parent's decorator: the decision is made once per request
  if (!fastify.hasRequestDecorator('cors')) fastify.decorateRequest('cors', null)

  // a route declared from now on in this scope has its policy checked where it is declared, so the
  // error points at it; every route, whenever declared, is compiled when the app is ready
  fastify.addHook('onRoute', function corsCheckRoute (routeOptions) {
    const config = routeOptions.config as Record<PropertyKey, unknown> | undefined
    if (config?.cors === undefined || config[kOwnRoute] !== undefined) return
    // a route of a child scope with a registration of its own is checked by that registration
    if (dispatcher.ownerOf(this) !== registration) return
    const methods = Array.isArray(routeOptions.method) ? routeOptions.method.join(',') : routeOptions.method
    compileRoutePolicy(registration, config.cors, `${methods} ${routeOptions.url}`)
  })

  // every route is known once the app is ready, whatever the order of declaration: compile each
  // route's config.cors then (an invalid one fails start-up) and index the routes for preflights
  fastify.addHook('onReady', function corsCompileRoutes (done) {
    try {
      dispatcher.build(fastify)
    } catch (error) {
      done(error as Error)
      return
    }
    done()
  })

  function entryOf (request: FastifyRequest): RouteEntry | undefined {
    const config = routeConfigOf(request)
    const entry = config[kRouteEntry] as RouteEntry | undefined
    // every route with config.cors is compiled when the app is ready; never serve one with another policy
    if (entry === undefined && config.cors !== undefined) throw new CorsRouteNotCompiledError(`${request.method} ${request.routeOptions.url ?? request.url}`)
    return entry
  }

  /** The registration that decides a request: its route's, or for a URL no route serves, the covering scope's. */
  function ownerOf (request: FastifyRequest, entry: RouteEntry | undefined): Registration {
    return entry === undefined ? dispatcher.scopeFor(request.url) ?? registration : entry.owner
  }

  function routeName (request: FastifyRequest, entry: RouteEntry | undefined): string {
    return entry?.name ?? `${request.method} ${pathOf(request.url)}`
  }

  function logDenial (request: FastifyRequest, decision: Decision, route: string): void {
    const log = request.log as FastifyRequest['log'] & { isLevelEnabled?: (level: string) => boolean }
    if (typeof log.isLevelEnabled === 'function' && !log.isLevelEnabled('debug')) return
    log.debug({ cors: { origin: decision.origin, route, reason: decision.reason, detail: decision.detail } }, `CORS denied: ${decision.detail as string}`)
  }

  /**
   * Runs the origin function, `origin.call(instance, origin, cb, request)`, as @fastify/cors does; it
   * answers through the callback, a returned value or a promise. A throw, an error, a rejection, a
   * double or missing answer, an unusable answer, or none within the deadline all deny: a failing
   * check must never turn a request into a 500 (expressjs/cors#92) nor crash the process.
   */
  function runOriginCheck (policy: CorsPolicy, origin: string, request: FastifyRequest, settle: (verdict: SettledVerdict) => void): void {
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
        let compiled: CompiledOriginAnswer
        try {
          compiled = compileOriginAnswer(answer.value)
        } catch (error) {
          // an answer whose reading throws (a getter, a Proxy trap) is a failed check, not a 500
          request.log.error({ err: error }, `fastify-cors-policy: the origin function answered a value that could not be read for origin '${origin}'; the request is denied`)
          settle('failed')
          return
        }
        if (compiled.kind === 'invalid') {
          request.log.error(`fastify-cors-policy: the origin function answered ${renderValue(answer.value)} for origin '${origin}', which cannot be used: ${compiled.problem}; the request is denied`)
          settle('failed')
          return
        }
        if (compiled.kind === 'any') {
          if (policy.credentials) {
            // Fetch#cors-protocol-and-credentials: browsers refuse '*' on credentialed requests
            request.log.error(`fastify-cors-policy: the origin function answered '*' for origin '${origin}', which browsers refuse with credentials: true; answer true to allow this origin; the request is denied`)
            settle('failed')
            return
          }
          settle('allowed-any')
          return
        }
        settle(originAnswerVerdict(compiled, origin) === 'allowed' ? 'allowed' : 'not-allowed')
      },
      (why) => { request.log.error(`fastify-cors-policy: the origin function ${why} (origin '${origin}')`) }
    )
  }

  /**
   * Runs the owner's delegator for this request and compiles the options it answers (once per options
   * object); `done(undefined)` when it failed, which denies the request.
   */
  function runDelegator (request: FastifyRequest, owner: Registration, route: string, override: Record<string, unknown> | undefined, done: (policy: CorsPolicy | undefined, options: unknown) => void): void {
    const delegator = owner.delegator!
    settleUserFunction(
      (callback) => delegator(request, callback),
      delegator.length >= 2,
      owner.delegatorTimeout,
      (answer) => {
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
  }

  // Fetch#http-requests: browsers also send Origin on same-origin non-GET requests
  function isSameOrigin (request: FastifyRequest, origin: string): boolean {
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
   * Decides an actual request for its owner's policy and writes the headers of the decision on the
   * reply at once, so a handler that writes the response itself (`reply.raw.writeHead(200,
   * reply.getHeaders())`, SSE) sends them; `enforceable` is false in hooks that run after the handler.
   */
  function decideActual (request: FastifyRequest, reply: FastifyReply, entry: RouteEntry | undefined, owner: Registration, origin: string | undefined, enforceable: boolean, proceed: Continue): void {
    const policy = entry === undefined ? owner.defaultPolicy : entry.policy
    if (policy === null) {
      // no CORS headers are sent, so a browser lets the page read the response only when CORS does
      // not apply: no Origin, or a same-origin request (Fetch#http-requests)
      const readable = origin === undefined || isSameOrigin(request, origin)
      const name = routeName(request, entry)
      const decision = new Decision(origin, false, readable, 'disabled',
        readable ? undefined : describeOriginDenial(owner.defaultPolicy, 'disabled', origin as string, name), null, false)
      request.cors = decision
      if (!readable) logDenial(request, decision, name)
      proceed()
      return
    }
    if (owner.delegator !== undefined) {
      // a route's own config.cors is merged over the delegator's answer, as @fastify/cors merges it
      runDelegator(request, owner, routeName(request, entry), owner.overrides.get(policy), (delegated) => {
        if (delegated !== undefined) {
          decideForPolicy(request, reply, delegated, origin, entry, enforceable, proceed)
        } else if (origin === undefined) {
          request.cors = new Decision(undefined, false, true, 'no-origin', undefined, DELEGATION_FAILED, false)
          writeDecisionHeaders(reply, DELEGATION_FAILED, undefined)
          proceed()
        } else {
          finishActual(request, reply, owner.defaultPolicy.enforce ? DELEGATION_FAILED_ENFORCED : DELEGATION_FAILED, origin, entry, enforceable, proceed, 'failed')
        }
      })
      return
    }
    decideForPolicy(request, reply, policy, origin, entry, enforceable, proceed)
  }

  // the origin is decided synchronously unless an origin function answers later; the sync path
  // allocates no closure
  function decideForPolicy (request: FastifyRequest, reply: FastifyReply, policy: CorsPolicy, origin: string | undefined, entry: RouteEntry | undefined,
    enforceable: boolean, proceed: Continue, preflight = false): void {
    if (origin === undefined) {
      request.cors = new Decision(undefined, false, true, 'no-origin', undefined, policy, false)
      writeDecisionHeaders(reply, policy, undefined)
      proceed()
      return
    }
    const verdict = originVerdict(policy, origin)
    if (verdict === 'check') {
      runOriginCheck(policy, origin, request, (settled) => { finishActual(request, reply, policy, origin, entry, enforceable, proceed, settled, preflight) })
    } else {
      finishActual(request, reply, policy, origin, entry, enforceable, proceed, verdict, preflight)
    }
  }

  function finishActual (request: FastifyRequest, reply: FastifyReply, policy: CorsPolicy, origin: string, entry: RouteEntry | undefined,
    enforceable: boolean, proceed: Continue, verdict: SettledVerdict, preflight = false): void {
    if (verdict === 'allowed-any') {
      policy = anyOriginVariant(policy)
      verdict = 'allowed'
    }
    if (verdict === 'allowed') {
      request.cors = new Decision(origin, preflight, true, 'allowed', undefined, policy, false)
      writeDecisionHeaders(reply, policy, origin)
      proceed()
      return
    }
    const reason = denialReason(verdict)
    if (policy.varyOrigin) addVaryOrigin(reply)
    if (reason !== 'invalid-origin' && isSameOrigin(request, origin)) {
      request.cors = new Decision(origin, preflight, true, 'same-origin', undefined, policy, false)
      proceed()
      return
    }
    const name = routeName(request, entry)
    const decision = new Decision(origin, preflight, false, reason, describeOriginDenial(policy, reason, origin, name), policy, false)
    request.cors = decision
    logDenial(request, decision, name)
    if (policy.enforce && enforceable && !reply.sent) {
      // SPEC §6: CORS only hides responses; enforce stops the handler for denied cross-origin requests
      reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `Cross-origin request refused: ${decision.detail as string}`, reason })
      return
    }
    proceed()
  }

  /**
   * Settles the origin against each policy; origin functions run once per function (a route that
   * inherits the plugin's function shares its answer).
   */
  function settleOrigins (policies: readonly CorsPolicy[], origin: string, request: FastifyRequest, done: (verdicts: Map<CorsPolicy, SettledVerdict>) => void): void {
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

  function answerPreflight (request: FastifyRequest, reply: FastifyReply, origin: string, requestMethod: string, proceed: Continue): void {
    const url = request.url
    const host = routingHost(request)
    let profile = dispatcher.profileAt(url, host)
    let targets = profile.routes.get(requestMethod)
    const name = targets?.[0]?.name ?? `${requestMethod} ${pathOf(url)}`
    if (targets === undefined && dispatcher.servedUnseen(requestMethod, url, host)) {
      // Fastify serves it but the plugin never saw the route: refuse rather than guess its policy
      targets = [{ policy: undefined, name }]
      profile = profileUrl(new Map([...profile.routes, [requestMethod, targets]]))
    }
    const scope = dispatcher.scopeFor(url)
    if (targets === undefined && scope === undefined) {
      // no route serves it and no registration covers the URL: the 404 it would get without the plugin
      request.cors = new Decision(origin, true, false, 'disabled', undefined, null, true)
      reply.callNotFound()
      return
    }
    const owner = scope ?? registration
    const involved = dispatcher.delegatedPolicies.size === 0 ? undefined : delegatingRegistrations(profile, owner)
    if (involved === undefined) {
      answerPreflightFor(request, reply, origin, requestMethod, proceed, name, profile, targets, owner.defaultPolicy)
      return
    }
    const answers = new Map<Registration, unknown>()
    let waiting = involved.size
    let failed = false
    for (const delegating of involved) {
      runDelegator(request, delegating, name, undefined, (delegated, options) => {
        if (delegated === undefined) failed = true
        else answers.set(delegating, options)
        if (--waiting > 0) return
        if (failed) {
          refusePreflight(request, reply, origin, name, DELEGATION_FAILED, 'origin-check-failed', undefined)
          return
        }
        const substituted = withDelegatedPolicies(profile, answers)
        const scopePolicy = owner.delegator === undefined ? owner.defaultPolicy : compileDelegatedPolicy(owner, answers.get(owner)) as CorsPolicy
        answerPreflightFor(request, reply, origin, requestMethod, proceed, name, substituted, substituted.routes.get(requestMethod), scopePolicy)
      })
    }
  }

  /**
   * The registrations with a delegator that answer for this preflight: each one whose routes (or, for
   * an unserved method, whose scope) it may target; their static options never answer on their own.
   * Undefined when there is none.
   */
  function delegatingRegistrations (profile: UrlProfile, owner: Registration): Set<Registration> | undefined {
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
  function withDelegatedPolicies (profile: UrlProfile, answers: ReadonlyMap<Registration, unknown>): UrlProfile {
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

  function answerPreflightFor (request: FastifyRequest, reply: FastifyReply, origin: string, requestMethod: string, proceed: Continue,
    name: string, profile: UrlProfile, targets: readonly Candidate[] | undefined, scopePolicy: CorsPolicy): void {
    // preflight: false leaves the OPTIONS request to the application, as any other CORS request; when
    // only some of the routes a preflight may target do, the preflight is refused (route-grant.ts)
    const selfAnswered = targets === undefined ? (scopePolicy.preflight ? undefined : scopePolicy) : answersOwnPreflights(targets) ? targets[0]?.policy : undefined
    if (selfAnswered !== undefined && selfAnswered !== null) {
      decideForPolicy(request, reply, selfAnswered, origin, undefined, true, proceed, true)
      return
    }
    const shared = sharedPolicy(profile, scopePolicy, targets !== undefined)
    if (shared !== undefined) {
      // one policy for the whole URL (the usual case): decided as that policy says, no grant to compute
      const verdict = originVerdict(shared, origin)
      if (verdict === 'check') {
        runOriginCheck(shared, origin, request, (settled) => { finishSharedPreflight(request, reply, origin, requestMethod, proceed, name, profile, shared, targets !== undefined, settled) })
      } else {
        finishSharedPreflight(request, reply, origin, requestMethod, proceed, name, profile, shared, targets !== undefined, verdict)
      }
      return
    }
    const policies = profile.policies.includes(scopePolicy) ? profile.policies : [...profile.policies, scopePolicy]
    settleOrigins(policies, origin, request, (verdicts) => {
      const headers = request.headers
      const answer = decidePreflight({
        url: profile,
        scopePolicy,
        requestMethod,
        requestHeaders: headerValue(headers[ACRH]),
        requestPrivateNetwork: headerValue(headers[ACRPN]),
        target: name,
        allowsOrigin: (policy) => { const verdict = verdicts.get(policy); return verdict === 'allowed' || verdict === 'allowed-any' }
      })
      if (answer.kind === 'refuse') {
        const policy = answer.policy
        refusePreflight(request, reply, origin, name, policy ?? null, policy === undefined ? 'disabled' : denialReason((verdicts.get(policy) ?? 'not-allowed') as Exclude<SettledVerdict, 'allowed' | 'allowed-any'>), answer.detail)
        return
      }
      writePreflight(request, reply, origin, proceed, name, answer)
    })
  }

  function finishSharedPreflight (request: FastifyRequest, reply: FastifyReply, origin: string, requestMethod: string, proceed: Continue,
    name: string, profile: UrlProfile, policy: CorsPolicy, served: boolean, verdict: SettledVerdict): void {
    if (verdict === 'allowed-any') policy = anyOriginVariant(policy)
    else if (verdict !== 'allowed') {
      refusePreflight(request, reply, origin, name, policy, denialReason(verdict), undefined)
      return
    }
    const headers = request.headers
    const outcome = evaluatePreflight(policy, requestMethod, headerValue(headers[ACRH]), headerValue(headers[ACRPN]), served ? profile.servedMethods : undefined, name)
    // browsers that only warn about private network access accept a refusal of it: never cached
    const maxAge = outcome.reason === 'private-network-not-allowed' ? '0' : policy.maxAge
    writePreflight(request, reply, origin, proceed, name, { kind: 'answer', policy, outcome, anyOrigin: policy.originKind === 'any', credentials: policy.credentials, maxAge, vary: policy.preflightVary })
  }

  /** 403 without CORS headers (Fetch#http-responses: the suggested way to deny a preflight). */
  function refusePreflight (request: FastifyRequest, reply: FastifyReply, origin: string, name: string, policy: CorsPolicy | null, reason: CorsReason, detail: string | undefined): void {
    const decision = policy === null
      ? new Decision(origin, true, false, 'disabled', detail, null, true)
      : new Decision(origin, true, false, reason, describeOriginDenial(policy, reason, origin, name), policy, true)
    request.cors = decision
    logDenial(request, decision, name)
    reply.code(403).header(CONTENT_LENGTH, '0').send()
  }

  function writePreflight (request: FastifyRequest, reply: FastifyReply, origin: string, proceed: Continue, name: string, answer: PreflightGrant): void {
    const { policy, outcome } = answer
    const allowed = outcome.reason === 'allowed'
    const decision = new Decision(origin, true, allowed, outcome.reason, outcome.detail, policy, true)
    request.cors = decision
    reply.header(ACAO, answer.anyOrigin ? '*' : origin)
    if (answer.credentials) reply.header(ACAC, 'true')
    if (outcome.allowMethods !== undefined) reply.header(ACAM, outcome.allowMethods)
    if (outcome.allowHeaders !== undefined) reply.header(ACAH, outcome.allowHeaders)
    // a refusal normally needs no max-age (a browser caches nothing from it), but one a browser may
    // still accept (private network access, in browsers that only warn) is marked never to be cached
    if (answer.maxAge !== undefined && (allowed || answer.maxAge === '0')) reply.header(ACMA, answer.maxAge)
    if (allowed) {
      if (policy.cacheControl !== undefined) reply.header(CACHE_CONTROL, policy.cacheControl)
      if (request.headers[ACRPN] === 'true') reply.header(ACAPN, 'true')
    } else {
      logDenial(request, decision, name)
    }
    if (answer.vary !== undefined) reply.header(VARY, answer.vary)
    if (policy.preflightContinue) {
      proceed()
      return
    }
    // Content-Length: 0 because some Safari versions hang on a body-less 204 without it
    reply.code(policy.optionsSuccessStatus).header(CONTENT_LENGTH, '0').send()
  }

  fastify.addHook('onRequest', function corsOnRequest (request, reply, done) {
    // decided already: a registration of a parent scope ran first (each decides with the owner's policy);
    // undefined in scopes created before the plugin decorated the request
    if (request.cors !== null && request.cors !== undefined) {
      done()
      return
    }
    const origin = headerValue(request.headers.origin)
    if (origin !== undefined && request.method === 'OPTIONS') {
      const requestMethod = headerValue(request.headers[ACRM])
      // Fetch#http-requests: a preflight is OPTIONS with Origin and Access-Control-Request-Method;
      // preflights are answered here whatever hook decides actual requests, before any auth hook
      if (requestMethod !== undefined) {
        answerPreflight(request, reply, origin, requestMethod, done)
        return
      }
    }
    const entry = entryOf(request)
    const owner = ownerOf(request, entry)
    if (owner.hook !== 'onRequest') {
      done()
      return
    }
    decideActual(request, reply, entry, owner, origin, true, done)
  })

  // the hook this registration decides actual requests in, when not onRequest; onSend decides
  // whatever no earlier hook did (a preSerialization hook does not run for string or stream payloads)
  const hook = options.hook
  if (hook !== 'onRequest' && hook !== 'onSend') {
    const enforceable = hook !== 'preSerialization'
    const decideInHook = (request: FastifyRequest, reply: FastifyReply, proceed: Continue): void => {
      if (request.cors !== null && request.cors !== undefined) {
        proceed()
        return
      }
      const entry = entryOf(request)
      const owner = ownerOf(request, entry)
      if (owner.hook !== hook) {
        proceed()
        return
      }
      decideActual(request, reply, entry, owner, headerValue(request.headers.origin), enforceable, proceed)
    }
    if (PAYLOAD_HOOKS.has(hook)) {
      fastify.addHook(hook as 'preSerialization', function corsDecide (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) {
        decideInHook(request, reply, () => { done(null, payload) })
      })
    } else {
      fastify.addHook(hook as 'preHandler', function corsDecide (request, reply, done) {
        decideInHook(request, reply, done)
      })
    }
  }

  function addVaryOrigin (reply: FastifyReply): void {
    const existing = reply.getHeader(VARY) as string | string[] | undefined
    if (existing === undefined) {
      reply.header(VARY, 'Origin')
    } else {
      const vary = mergeVary(existing, VARY_ORIGIN)
      if (vary !== undefined) reply.header(VARY, vary)
    }
  }

  /** The headers of an allowed actual request (or of a `'*'` policy's answer to a request without Origin). */
  function writeDecisionHeaders (reply: FastifyReply, policy: CorsPolicy, origin: string | undefined): void {
    if (origin !== undefined || policy.originKind === 'any') {
      reply.header(ACAO, policy.originKind === 'any' ? '*' : origin as string)
      if (policy.credentials) reply.header(ACAC, 'true')
      if (policy.exposeHeaders !== undefined) reply.header(ACEH, policy.exposeHeaders)
    }
    if (policy.varyOrigin) addVaryOrigin(reply)
  }

  /** onSend: the decision's headers, final: written again (a handler may have replaced them), Vary merged, stripped on denial. */
  function writeActualHeaders (reply: FastifyReply, decision: Decision): void {
    const policy = decision[kPolicy]
    if (policy === null || decision[kAnswered]) return
    if (decision.reason === 'allowed' || (decision.reason === 'no-origin' && policy.originKind === 'any')) {
      writeDecisionHeaders(reply, policy, decision.origin)
      return
    }
    if (!decision.allowed) {
      // SPEC §5: a denied origin gets no Access-Control-* header at all, not even one a handler set
      // itself (cyu/rack-cors#162); a route that writes its own CORS headers opts out with cors: false
      for (const name of Object.keys(reply.getHeaders())) {
        if (name.startsWith('access-control-')) reply.removeHeader(name)
      }
    }
    if (policy.varyOrigin) addVaryOrigin(reply)
  }

  fastify.addHook('onSend', function corsOnSend (request, reply, payload, done) {
    const decision = request.cors as Decision | null | undefined
    if (decision !== null && decision !== undefined) {
      writeActualHeaders(reply, decision)
      done(null, payload)
      return
    }
    // no hook decided: one that runs before ours replied (e.g. rate limiting), the decision is made in
    // onSend (hook: 'onSend', or preSerialization with a string payload): decide now so the page can read it
    let entry: RouteEntry | undefined
    try { entry = entryOf(request) } catch { entry = undefined }
    decideActual(request, reply, entry, ownerOf(request, entry), headerValue(request.headers.origin), false, () => {
      writeActualHeaders(reply, request.cors as Decision)
      done(null, payload)
    })
  })

  // one pair of catch-all routes per prefix: sibling registrations without a prefix share the first
  // one's, and the dispatcher answers each route with its own registration's policy
  if (options.preflight && dispatcher.claimCatchAll(fastify.prefix, routerMatchOptions(fastify).caseSensitive)) {
    const strictPreflight = options.strictPreflight
    const routeOptions = {
      method: 'OPTIONS' as const,
      url: '*',
      schema: { hide: options.hideOptionsRoute } as FastifySchema,
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel as 'info' })
    }
    fastify.route({
      ...routeOptions,
      constraints: { [PREFLIGHT_CONSTRAINT]: 'preflight' },
      config: { [kOwnRoute]: 'preflight' },
      handler: function corsPreflightRoute (request, reply) {
        const decision = request.cors as Decision | null
        const policy = decision?.[kPolicy]
        // preflightContinue without an OPTIONS route of the application: finish the preflight here
        if (decision?.[kAnswered] === true && policy !== null && policy !== undefined) {
          reply.code(policy.optionsSuccessStatus).header(CONTENT_LENGTH, '0').send()
          return
        }
        reply.callNotFound()
      }
    })
    fastify.route({
      ...routeOptions,
      constraints: { [PREFLIGHT_CONSTRAINT]: 'plain' },
      config: { [kOwnRoute]: 'plain' },
      handler: function corsPlainOptionsRoute (request, reply) {
        // the route pattern of a prefixed scope, `/api*`, also matches `/apix`, which is not the scope's
        if (!dispatcher.covers(registration, request.url)) {
          reply.callNotFound()
          return
        }
        // not a preflight: an OPTIONS request of the application's, which has no route for it
        if (strictPreflight) {
          reply.code(400).type('text/plain; charset=utf-8').send('Invalid Preflight Request')
        } else {
          reply.code(204).header(CONTENT_LENGTH, '0').send()
        }
      }
    })
  }
}
