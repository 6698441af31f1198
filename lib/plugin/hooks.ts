import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onRouteHookHandler, onSendHookHandler, preHandlerHookHandler, preSerializationHookHandler } from 'fastify'
import { ACRM } from '../http/header-names.js'
import { singleHeader } from '../http/request-values.js'
import type { Decision } from '../policy/decision.js'
import type { FastifyCorsHook } from '../policy/schema.js'
import { decideActualRequest } from './actual-request.js'
import { compileRoutePolicy, kOwnRoute, type RouteEntry } from './dispatcher.js'
import { answerPreflight } from './preflight.js'
import { coverNotFound } from './not-found.js'
import { entryOf, ownerOf, warnIfPreflightAnsweredEarlier, type Continue, type PluginScope } from './request-context.js'
import { writeDecisionHeaders } from './response-headers.js'

/**
 * onRoute: a route declared after the registration in its scope has its `config.cors` checked where
 * it is declared, so the error points at it; every route, whenever declared, is compiled when the
 * app is ready.
 */
export function createRouteChecker (scope: PluginScope): onRouteHookHandler {
  return function corsCheckRoute (routeOptions) {
    const config = routeOptions.config as Record<PropertyKey, unknown> | undefined
    if (config?.cors === undefined || config[kOwnRoute] !== undefined) return
    // a route of a child scope with a registration of its own is checked by that registration
    if (scope.dispatcher.ownerOf(this) !== scope.registration) return
    const methods = Array.isArray(routeOptions.method) ? routeOptions.method.join(',') : routeOptions.method
    compileRoutePolicy(scope.registration, config.cors, `${methods} ${routeOptions.url}`)
  }
}

/**
 * onReady: every route is known, whatever the order of declaration: each route's `config.cors` is
 * compiled (an invalid one fails start-up) and the routes are indexed for preflights; the 404s under
 * the registration's prefix get its hooks where Fastify answers them with another scope's.
 */
export function createRouteCompiler (fastify: FastifyInstance, scope: PluginScope): (done: (error?: Error) => void) => void {
  return function corsCompileRoutes (done) {
    try {
      scope.dispatcher.build(fastify)
    } catch (error) {
      done(error as Error)
      return
    }
    coverNotFound(scope, createOnRequest(scope), createOnSend(scope))
    done()
  }
}

/** Decided already: a registration of a parent scope ran first; undefined in scopes created before the plugin decorated the request. */
function decided (request: FastifyRequest): boolean {
  return request.cors !== null && request.cors !== undefined
}

/**
 * onRequest: answers preflights, whatever hook decides actual requests, before any auth hook;
 * decides actual requests whose owner decides in onRequest.
 */
export function createOnRequest (scope: PluginScope): onRequestHookHandler {
  return function corsOnRequest (request, reply, done) {
    if (decided(request)) {
      done()
      return
    }
    const headers = request.headers
    const origin = singleHeader(headers.origin)
    if (origin !== undefined && request.method === 'OPTIONS') {
      const requestMethod = singleHeader(headers[ACRM])
      // Fetch#http-requests: a preflight is OPTIONS with Origin and Access-Control-Request-Method
      if (requestMethod !== undefined) {
        answerPreflight(scope, request, reply, headers, origin, requestMethod, done)
        return
      }
    }
    const entry = entryOf(request)
    const owner = ownerOf(scope, request, entry)
    if (owner.hook !== 'onRequest') {
      done()
      return
    }
    decideActualRequest(request, reply, origin, entry, owner, true, done)
  }
}

/** Decides in the `hook` option's hook when it is neither onRequest nor onSend, for the requests whose owner decides there. */
function decideInHook (scope: PluginScope, hook: FastifyCorsHook, request: FastifyRequest, reply: FastifyReply, proceed: Continue): void {
  if (decided(request)) {
    proceed()
    return
  }
  const entry = entryOf(request)
  const owner = ownerOf(scope, request, entry)
  if (owner.hook !== hook) {
    proceed()
    return
  }
  // preSerialization runs after the handler: enforce cannot stop it there
  decideActualRequest(request, reply, singleHeader(request.headers.origin), entry, owner, hook !== 'preSerialization', proceed)
}

/** The hook that decides actual requests when `hook` is a hook with a payload argument, which its callback must pass on. */
export function createPayloadDecisionHook (scope: PluginScope, hook: FastifyCorsHook): preSerializationHookHandler {
  return function corsDecide (request, reply, payload, done) {
    decideInHook(scope, hook, request, reply, () => { done(null, payload) })
  }
}

/** The hook that decides actual requests when `hook` is preValidation or preHandler. */
export function createDecisionHook (scope: PluginScope, hook: FastifyCorsHook): preHandlerHookHandler {
  return function corsDecide (request, reply, done) {
    decideInHook(scope, hook, request, reply, done)
  }
}

/**
 * onSend: the decision's headers, final (so errors, 404s and other plugins' replies carry them);
 * decides whatever no earlier hook did: a hook before ours replied (e.g. rate limiting), `hook:
 * 'onSend'`, or preSerialization with a string payload (which that hook does not see).
 */
export function createOnSend (scope: PluginScope): onSendHookHandler {
  return function corsOnSend (request, reply, payload, done) {
    const decision = request.cors as Decision | null | undefined
    if (decision !== null && decision !== undefined) {
      writeDecisionHeaders(reply, decision)
      done(null, payload)
      return
    }
    decideInOnSend(scope, request, reply, payload, done)
  }
}

/**
 * Decides a request no earlier hook decided, in onSend. Apart from the hook, so that the closure it
 * passes on is allocated only here: V8 allocates a function's captured variables on every call.
 */
function decideInOnSend (scope: PluginScope, request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  let entry: RouteEntry | undefined
  try { entry = entryOf(request) } catch { entry = undefined }
  const owner = ownerOf(scope, request, entry)
  // the plugin's onRequest answers every preflight it sees: one undecided here was answered by an earlier hook
  if (request.method === 'OPTIONS') warnIfPreflightAnsweredEarlier(owner, request, reply.statusCode)
  decideActualRequest(request, reply, singleHeader(request.headers.origin), entry, owner, false, () => {
    done(null, payload)
  })
}
