import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify'
import { ACAC, ACAH, ACAM, ACAO, ACAPN, ACEH, ACMA, ACRH, ACRM, ACRPN, CACHE_CONTROL, CONTENT_LENGTH, SEC_FETCH_SITE, VARY } from './headers.js'
import { CorsAlreadyRegisteredError, CorsInvalidOptionsError, CorsInvalidRouteConfigError, CorsRouteNotCompiledError, CorsUnsafeOptionsError } from './errors.js'
import { formatProblems, renderValue, resolveOptions, type OptionProblem } from './options.js'
import { compilePolicy, type CorsPolicy } from './policy.js'
import { describeOriginDenial, evaluatePreflight, originVerdict, type CorsDecision, type CorsReason } from './decide.js'
import { mergeVary } from './vary.js'
import { PreflightRoutes, type RouteEntry, type RouterConfig } from './route-table.js'
import { parseRouteTree } from './existing-routes.js'
import { routeConfigOf } from './route-config.js'
import { CorsRouteOptionsSchema } from './schema.js'

const kRouteEntry = Symbol('fastify-cors-policy.route')
const kOwnRoute = Symbol('fastify-cors-policy.ownRoute')
const kPolicy = Symbol('fastify-cors-policy.policy')
const kAnswered = Symbol('fastify-cors-policy.answered')

const ROUTE_OPTION_NAMES = Object.keys(CorsRouteOptionsSchema.properties)

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

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function withoutUndefined (value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) if (value[key] !== undefined) copy[key] = value[key]
  return copy
}

function headerValue (value: string | string[] | undefined): string | undefined {
  // Node joins repeated headers with ", " except a few; an array only ever comes from set-cookie,
  // but a joined value of a repeated Origin is simply an invalid origin
  return Array.isArray(value) ? value.join(', ') : value
}

type Continue = () => void

const VARY_ORIGIN = ['Origin'] as const

/** An origin verdict once any origin function has settled. */
type SettledVerdict = 'allowed' | 'not-allowed' | 'invalid' | 'failed'

function denialReason (verdict: Exclude<SettledVerdict, 'allowed'>): CorsReason {
  return verdict === 'invalid' ? 'invalid-origin' : verdict === 'failed' ? 'origin-check-failed' : 'origin-not-allowed'
}

/** The Fastify plugin body: validates and compiles options, then installs the hooks and the OPTIONS route. */
export async function corsPolicyPlugin (fastify: FastifyInstance, rawOptions: Record<string, unknown>): Promise<void> {
  if (fastify.hasRequestDecorator('cors')) throw new CorsAlreadyRegisteredError()
  // what a route's config.cors is merged over: the plugin's own options minus the plugin-level keys
  let inheritedOptions: Record<string, unknown> = Object.fromEntries(Object.entries(withoutUndefined(isPlainObject(rawOptions) ? rawOptions : {}))
    .filter(([key]) => ROUTE_OPTION_NAMES.includes(key)))
  const { options, problems } = resolveOptions(rawOptions ?? {})
  if (problems.length > 0) throw optionsError(problems)
  const defaultPolicy = compilePolicy(options)
  if (options.dangerouslyAllowAnyOriginWithCredentials && options.credentials && options.origin.kind === 'reflect') {
    fastify.log.warn('fastify-cors-policy: dangerouslyAllowAnyOriginWithCredentials is on: every website can read credentialed responses from this server')
  }

  const config = fastify.initialConfig
  // Fastify 5 takes router settings from `routerOptions` first, the deprecated top-level keys second
  const router: RouterConfig = config.routerOptions ?? {}
  const routes = new PreflightRoutes({
    ignoreTrailingSlash: router.ignoreTrailingSlash ?? config.ignoreTrailingSlash,
    ignoreDuplicateSlashes: router.ignoreDuplicateSlashes ?? config.ignoreDuplicateSlashes,
    caseSensitive: router.caseSensitive ?? config.caseSensitive,
    maxParamLength: router.maxParamLength ?? config.maxParamLength,
    useSemicolonDelimiter: router.useSemicolonDelimiter ?? config.useSemicolonDelimiter,
    allowUnsafeRegex: router.allowUnsafeRegex ?? config.allowUnsafeRegex
  })

  // routes added before this plugin missed onRoute: they get the plugin's policy and a warning
  // printRoutes lists the whole router; routes outside this scope's prefix are not this plugin's
  const prefix = fastify.prefix.endsWith('/') ? fastify.prefix : `${fastify.prefix}/`
  const earlier = parseRouteTree(fastify.printRoutes({ commonPrefix: false }))
    .filter((route) => fastify.prefix === '' || route.url === fastify.prefix || route.url.startsWith(prefix))
  for (const route of earlier) {
    routes.add(route.methods, route.url, defaultPolicy)
    fastify.log.warn(`fastify-cors-policy: route ${route.methods.join(',')} ${route.url} was registered before the plugin, so a config.cors on it cannot be applied; register fastify-cors-policy before your routes`)
  }

  fastify.decorateRequest('cors', null)

  fastify.addHook('onRoute', function corsOnRoute (routeOptions: RouteOptions) {
    const routeConfig = (routeOptions.config ?? {}) as Record<PropertyKey, unknown>
    if (routeConfig[kOwnRoute] === true) return
    const methods = Array.isArray(routeOptions.method) ? routeOptions.method : [routeOptions.method]
    const name = `${methods.join(',')} ${routeOptions.url}`
    const override = routeConfig.cors
    let policy: CorsPolicy | null = defaultPolicy
    if (override === false) {
      policy = null
    } else if (isPlainObject(override)) {
      // one pass over the merged options: the route's own unknown or plugin-level keys are reported
      // once, and so are conflicts with inherited values (e.g. origin '*' under credentials: true)
      const resolved = resolveOptions({ ...inheritedOptions, ...withoutUndefined(override) }, ROUTE_OPTION_NAMES)
      if (resolved.problems.length > 0) throw new CorsInvalidRouteConfigError(name, formatProblems(resolved.problems))
      policy = compilePolicy(resolved.options)
    } else if (override !== undefined) {
      throw new CorsInvalidRouteConfigError(name, `expected false or an options object, received ${renderValue(override)}`)
    }
    const entries = routes.add(methods, routeOptions.url, policy)
    routeOptions.config = { ...routeConfig, [kRouteEntry]: entries[0] ?? { policy, name, served: { methods, joined: undefined } } } as RouteOptions['config']
  })

  function entryOf (request: FastifyRequest): RouteEntry | undefined {
    const routeConfig = routeConfigOf(request)
    const entry = routeConfig[kRouteEntry] as RouteEntry | undefined
    if (entry === undefined && routeConfig.cors !== undefined) {
      throw new CorsRouteNotCompiledError(`${request.method} ${request.routeOptions.url ?? request.url}`)
    }
    return entry
  }

  function routeName (request: FastifyRequest, entry: RouteEntry | undefined): string {
    return entry?.name ?? `${request.method} ${request.url.split('?')[0]}`
  }

  function logDenial (request: FastifyRequest, decision: Decision, route: string): void {
    const log = request.log as FastifyRequest['log'] & { isLevelEnabled?: (level: string) => boolean }
    if (typeof log.isLevelEnabled === 'function' && !log.isLevelEnabled('debug')) return
    log.debug({ cors: { origin: decision.origin, route, reason: decision.reason, detail: decision.detail } }, `CORS denied: ${decision.detail as string}`)
  }

  /**
   * Runs the origin function with a deadline. A throw, a rejection, a non-`true` answer after the
   * deadline all deny: a failing check must never turn a request into a 500 (expressjs/cors#92).
   */
  function runOriginCheck (policy: CorsPolicy, origin: string, request: FastifyRequest, settle: (verdict: SettledVerdict) => void): void {
    let answer: boolean | Promise<boolean>
    try {
      answer = policy.originCheck!(origin, request)
    } catch (error) {
      request.log.error({ err: error }, `fastify-cors-policy: the origin function threw for origin '${origin}'; the request is denied`)
      settle('failed')
      return
    }
    if (answer === null || typeof answer !== 'object' || typeof (answer as Promise<boolean>).then !== 'function') {
      settle(answer === true ? 'allowed' : 'not-allowed')
      return
    }
    let settled = false
    const timer = setTimeout(() => {
      settled = true
      request.log.error(`fastify-cors-policy: the origin function did not settle within ${policy.originCheckTimeout} ms for origin '${origin}'; the request is denied`)
      settle('failed')
    }, policy.originCheckTimeout)
    ;(answer as Promise<boolean>).then((value) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      settle(value === true ? 'allowed' : 'not-allowed')
    }, (error: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      request.log.error({ err: error }, `fastify-cors-policy: the origin function rejected for origin '${origin}'; the request is denied`)
      settle('failed')
    })
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

  // the origin is decided synchronously unless an origin function returns a promise; the sync path
  // allocates no closure
  function decideActual (request: FastifyRequest, reply: FastifyReply, policy: CorsPolicy, origin: string, entry: RouteEntry | undefined, proceed: Continue, preflight = false): void {
    const verdict = originVerdict(policy, origin)
    if (verdict === 'check') {
      runOriginCheck(policy, origin, request, (settled) => { finishActual(request, reply, policy, origin, entry, proceed, preflight, settled) })
    } else {
      finishActual(request, reply, policy, origin, entry, proceed, preflight, verdict)
    }
  }

  function finishActual (request: FastifyRequest, reply: FastifyReply, policy: CorsPolicy, origin: string, entry: RouteEntry | undefined, proceed: Continue, preflight: boolean, verdict: SettledVerdict): void {
    if (verdict === 'allowed') {
      request.cors = new Decision(origin, preflight, true, 'allowed', undefined, policy, false)
      proceed()
      return
    }
    const reason = denialReason(verdict)
    if (reason !== 'invalid-origin' && isSameOrigin(request, origin)) {
      request.cors = new Decision(origin, preflight, true, 'same-origin', undefined, policy, false)
      proceed()
      return
    }
    const name = routeName(request, entry)
    const decision = new Decision(origin, preflight, false, reason, describeOriginDenial(policy, reason, origin, name), policy, false)
    request.cors = decision
    logDenial(request, decision, name)
    if (policy.enforce && !reply.sent) {
      // SPEC §6: CORS only hides responses; enforce stops the handler for denied cross-origin requests
      reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `Cross-origin request refused: ${decision.detail as string}`, reason })
      return
    }
    proceed()
  }

  function answerPreflight (request: FastifyRequest, reply: FastifyReply, origin: string, requestMethod: string, proceed: Continue): void {
    const target = routes.find(requestMethod, request.url)
    const policy = target === undefined ? defaultPolicy : target.policy
    const name = target?.name ?? `${requestMethod} ${request.url.split('?')[0]}`
    if (policy === null) {
      const decision = new Decision(origin, true, false, 'disabled', describeOriginDenial(defaultPolicy, 'disabled', origin, name), null, true)
      request.cors = decision
      logDenial(request, decision, name)
      reply.code(403).header(CONTENT_LENGTH, '0').send()
      return
    }
    if (!policy.preflight) {
      // preflight: false leaves the OPTIONS request to the application, as any other CORS request
      decideActual(request, reply, policy, origin, target, proceed, true)
      return
    }
    const verdict = originVerdict(policy, origin)
    if (verdict === 'check') {
      runOriginCheck(policy, origin, request, (settled) => { finishPreflight(request, reply, origin, requestMethod, proceed, target, policy, name, settled) })
    } else {
      finishPreflight(request, reply, origin, requestMethod, proceed, target, policy, name, verdict)
    }
  }

  function finishPreflight (request: FastifyRequest, reply: FastifyReply, origin: string, requestMethod: string, proceed: Continue, target: RouteEntry | undefined, policy: CorsPolicy, name: string, verdict: SettledVerdict): void {
    if (verdict !== 'allowed') {
      const reason = denialReason(verdict)
      const decision = new Decision(origin, true, false, reason, describeOriginDenial(policy, reason, origin, name), policy, true)
      request.cors = decision
      logDenial(request, decision, name)
      // Fetch#http-responses: a denied preflight is best answered 403 without CORS headers
      reply.code(403).header(CONTENT_LENGTH, '0').send()
      return
    }
    const headers = request.headers
    const outcome = evaluatePreflight(policy, requestMethod, headerValue(headers[ACRH]), headerValue(headers[ACRPN]),
      target === undefined ? undefined : PreflightRoutes.methodsOf(target), name)
    const allowed = outcome.reason === 'allowed'
    const decision = new Decision(origin, true, allowed, outcome.reason, outcome.detail, policy, true)
    request.cors = decision
    reply.header(ACAO, policy.originKind === 'any' ? '*' : origin)
    if (policy.credentials) reply.header(ACAC, 'true')
    if (outcome.allowMethods !== undefined) reply.header(ACAM, outcome.allowMethods)
    if (outcome.allowHeaders !== undefined) reply.header(ACAH, outcome.allowHeaders)
    if (allowed) {
      if (policy.maxAge !== undefined) reply.header(ACMA, policy.maxAge)
      if (policy.cacheControl !== undefined) reply.header(CACHE_CONTROL, policy.cacheControl)
      if (headers[ACRPN] === 'true') reply.header(ACAPN, 'true')
    } else {
      logDenial(request, decision, name)
    }
    if (policy.preflightVary !== undefined) reply.header(VARY, policy.preflightVary)
    if (policy.preflightContinue) {
      proceed()
      return
    }
    // Content-Length: 0 because some Safari versions hang on a body-less 204 without it
    reply.code(policy.optionsSuccessStatus).header(CONTENT_LENGTH, '0').send()
  }

  // in a prefixed scope the catch-all OPTIONS route is `${prefix}*`, which also matches `/apix` for
  // `/api`: such requests lie outside the scope and get the 404 they would get without the plugin
  const prefixedScope = fastify.prefix !== '' && !fastify.prefix.endsWith('/')
  function isOutsideScope (request: FastifyRequest): boolean {
    if (!prefixedScope || routeConfigOf(request)[kOwnRoute] !== true) return false
    const rest = (request.params as Record<string, string | undefined>)['*']
    return rest !== undefined && rest !== '' && rest.charCodeAt(0) !== 47 /* / */
  }

  fastify.addHook('onRequest', function corsOnRequest (request, reply, done) {
    const origin = headerValue(request.headers.origin)
    if (request.method === 'OPTIONS' && isOutsideScope(request)) {
      // a decision without a policy: onSend adds nothing
      request.cors = new Decision(origin, false, origin === undefined, 'disabled', undefined, null, false)
      reply.callNotFound()
      return
    }
    const entry = entryOf(request)
    if (origin !== undefined && request.method === 'OPTIONS') {
      const requestMethod = headerValue(request.headers[ACRM])
      // Fetch#http-requests: a preflight is OPTIONS with Origin and Access-Control-Request-Method
      if (requestMethod !== undefined) {
        answerPreflight(request, reply, origin, requestMethod, done)
        return
      }
    }
    const policy = entry === undefined ? defaultPolicy : entry.policy
    if (policy === null) {
      // no CORS headers are sent, so a browser lets the page read the response only when CORS does
      // not apply: no Origin, or a same-origin request (Fetch#http-requests)
      const readable = origin === undefined || isSameOrigin(request, origin)
      const name = routeName(request, entry)
      const decision = new Decision(origin, false, readable, 'disabled',
        readable ? undefined : describeOriginDenial(defaultPolicy, 'disabled', origin as string, name), null, false)
      request.cors = decision
      if (!readable) logDenial(request, decision, name)
      done()
      return
    }
    if (origin === undefined) {
      request.cors = new Decision(undefined, false, true, 'no-origin', undefined, policy, false)
      done()
      return
    }
    decideActual(request, reply, policy, origin, entry, done)
  })

  function writeActualHeaders (reply: FastifyReply, decision: Decision): void {
    const policy = decision[kPolicy]
    if (policy === null || decision[kAnswered]) return
    if (decision.reason === 'allowed' || (decision.reason === 'no-origin' && policy.originKind === 'any')) {
      reply.header(ACAO, policy.originKind === 'any' ? '*' : decision.origin as string)
      if (policy.credentials) reply.header(ACAC, 'true')
      if (policy.exposeHeaders !== undefined) reply.header(ACEH, policy.exposeHeaders)
    } else if (!decision.allowed) {
      // SPEC §5: a denied origin gets no Access-Control-* header at all, not even one a handler set
      // itself (cyu/rack-cors#162); a route that writes its own CORS headers opts out with cors: false
      for (const name of Object.keys(reply.getHeaders())) {
        if (name.startsWith('access-control-')) reply.removeHeader(name)
      }
    }
    if (policy.varyOrigin) {
      const existing = reply.getHeader(VARY) as string | string[] | undefined
      if (existing === undefined) {
        reply.header(VARY, 'Origin')
      } else {
        const vary = mergeVary(existing, VARY_ORIGIN)
        if (vary !== undefined) reply.header(VARY, vary)
      }
    }
  }

  fastify.addHook('onSend', function corsOnSend (request, reply, payload, done) {
    const decision = request.cors as Decision | null
    if (decision !== null) {
      writeActualHeaders(reply, decision)
      done(null, payload)
      return
    }
    // a hook that runs before ours replied (e.g. rate limiting): decide now so the page can read it
    let entry: RouteEntry | undefined
    try { entry = entryOf(request) } catch { entry = undefined }
    const policy = entry === undefined ? defaultPolicy : entry.policy
    const origin = headerValue(request.headers.origin)
    if (policy === null || origin === undefined) {
      if (policy !== null) writeActualHeaders(reply, new Decision(undefined, false, true, 'no-origin', undefined, policy, false))
      done(null, payload)
      return
    }
    decideActual(request, reply, { ...policy, enforce: false }, origin, entry, () => {
      writeActualHeaders(reply, request.cors as Decision)
      done(null, payload)
    })
  })

  // routes cannot be added once the app is ready: let the raw options (an allow-list of 100 000
  // strings, say) be collected, so only the compiled policies stay on the heap
  fastify.addHook('onReady', function corsReleaseOptions (done) {
    inheritedOptions = {}
    done()
  })

  if (options.preflight) {
    const strictPreflight = options.strictPreflight
    fastify.route({
      method: 'OPTIONS',
      url: '*',
      schema: { hide: options.hideOptionsRoute } as FastifySchema,
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel as 'info' }),
      config: { [kOwnRoute]: true },
      handler: function corsPreflightRoute (request, reply) {
        const decision = request.cors as Decision | null
        if (decision !== null && decision.preflight) {
          const policy = decision[kPolicy]
          // preflightContinue without an OPTIONS route of the application: finish the preflight here
          if (policy !== null && decision[kAnswered]) {
            reply.code(policy.optionsSuccessStatus).header(CONTENT_LENGTH, '0').send()
            return
          }
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
