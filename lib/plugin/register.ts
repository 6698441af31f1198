/**
 * lib/plugin/: the only folder that imports fastify at run time. It turns Fastify requests into the
 * values the decision core reads (lib/policy/) and decisions into headers; fastify-internals.ts is
 * the one file that reads Fastify beyond its public API.
 */
import type { FastifyInstance } from 'fastify'
import { CorsAlreadyRegisteredError, optionsError } from '../errors.js'
import { compilePolicy } from '../policy/compile.js'
import { describePolicy, undefinedOriginWarning } from '../policy/describe.js'
import { contradictionWarnings, dangerWarnings, resolveOptions, type ResolvedOptions } from '../policy/options.js'
import type { FastifyCorsDelegator } from '../policy/schema.js'
import { SwappableOriginList } from '../policy/swappable-origins.js'
import { dispatcherOf, inheritableOptions, type Registration } from './dispatcher.js'
import { createDecisionHook, createOnRequest, createOnSend, createPayloadDecisionHook, createRouteChecker, createRouteCompiler } from './hooks.js'
import { addOptionsRoutes } from './options-routes.js'
import { installPreflightConstraint } from './preflight-constraint.js'
import { createPolicyHandle } from './policy-handle.js'
import type { PluginScope } from './request-context.js'

/** The Fastify plugin body: validates and compiles options, then installs the hooks and the OPTIONS routes. */
export async function corsPolicyPlugin (fastify: FastifyInstance, rawOptions: Record<string, unknown> | FastifyCorsDelegator): Promise<void> {
  // options given as a function of the instance (Fastify calls it) may return a delegator, as with @fastify/cors
  const given = typeof rawOptions === 'function' ? { delegator: rawOptions } : rawOptions ?? {}
  const dispatcher = dispatcherOf(fastify)
  if (dispatcher.registrations.some((existing) => existing.scope === fastify)) throw new CorsAlreadyRegisteredError()
  const { options, problems } = resolveOptions(given)
  if (problems.length > 0) throw optionsError(problems)
  warnAboutOptions(fastify, options, given)
  const undefinedOrigin = undefinedOriginWarning(given)
  if (undefinedOrigin !== undefined) fastify.log.warn(undefinedOrigin)

  const scope: PluginScope = { dispatcher, registration: createRegistration(fastify, options, given) }
  // a registration in a child scope shadows its parent's handle there (Fastify checks own properties only)
  fastify.decorate('corsPolicy', createPolicyHandle(scope.registration))
  dispatcher.register(scope.registration)
  installPreflightConstraint(fastify, (url, host, requestMethod) => dispatcher.optionsValue(url, host, requestMethod))
  // a registration in a child scope shares the parent's decorator: the decision is made once per request
  if (!fastify.hasRequestDecorator('cors')) fastify.decorateRequest('cors', null)

  fastify.addHook('onRoute', createRouteChecker(scope))
  fastify.addHook('onReady', createRouteCompiler(fastify, scope))
  fastify.addHook('onRequest', createOnRequest(scope))
  // the hook actual requests are decided in, when not onRequest; onSend decides whatever no earlier hook did
  if (options.hook === 'preParsing' || options.hook === 'preSerialization') {
    fastify.addHook(options.hook as 'preSerialization', createPayloadDecisionHook(scope, options.hook))
  } else if (options.hook === 'preValidation' || options.hook === 'preHandler') {
    fastify.addHook(options.hook, createDecisionHook(scope, options.hook))
  }
  fastify.addHook('onSend', createOnSend(scope))
  addOptionsRoutes(fastify, scope, options)
  fastify.log.info(describePolicy(options, given, scope.registration.prefix))
}

function createRegistration (fastify: FastifyInstance, options: ResolvedOptions, given: Record<string, unknown>): Registration {
  // a delegator's answers are merged over the options, so its static origin is only their default
  const origin = options.origin
  const originList = (origin.kind === 'list' || origin.kind === 'tiered') && options.delegator === undefined ? new SwappableOriginList(origin, options) : undefined
  return {
    scope: fastify,
    prefix: fastify.prefix.endsWith('/') ? fastify.prefix.slice(0, -1) : fastify.prefix,
    defaultPolicy: compilePolicy(options, fastify, originList),
    originList,
    inheritedOptions: inheritableOptions(given),
    compiled: new Map(),
    hook: options.hook,
    delegator: options.delegator,
    delegatorTimeout: options.originCheckTimeout,
    delegated: new WeakMap(),
    overrides: new Map()
  }
}

function warnAboutOptions (fastify: FastifyInstance, options: ResolvedOptions, given: Record<string, unknown>): void {
  for (const warning of [...dangerWarnings(options), ...contradictionWarnings(given)]) fastify.log.warn(`fastify-cors-policy: ${warning}`)
}
