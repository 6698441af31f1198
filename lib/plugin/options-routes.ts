import type { FastifyInstance, FastifySchema } from 'fastify'
import { CONTENT_LENGTH, VARY } from '../http/header-names.js'
import { kAnswered, kPolicy, type Decision } from '../policy/decision.js'
import type { ResolvedOptions } from '../policy/options.js'
import { kOwnRoute } from './dispatcher.js'
import { routerMatchOptions } from './fastify-internals.js'
import { PREFLIGHT_CONSTRAINT } from './preflight-constraint.js'
import type { PluginScope } from './request-context.js'

/**
 * The catch-all OPTIONS routes that receive preflights (and plain OPTIONS requests) no route of the
 * application serves: one pair per prefix; sibling registrations without a prefix share the first
 * one's, and the dispatcher answers each route with its own registration's policy.
 */
export function addOptionsRoutes (fastify: FastifyInstance, scope: PluginScope, options: ResolvedOptions): void {
  if (!options.preflight || !scope.dispatcher.claimCatchAll(fastify.prefix, routerMatchOptions(fastify).caseSensitive)) return
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
      if (!scope.dispatcher.covers(scope.registration, request.url)) {
        reply.callNotFound()
        return
      }
      // not a preflight: an OPTIONS request of the application's, which has no route for it. The
      // answer depends on the missing Access-Control-Request-Method: a cache that stored it must not
      // serve it to a preflight of the same URL (Fetch#cors-protocol-and-http-caches)
      reply.header(VARY, 'Access-Control-Request-Method')
      if (strictPreflight) {
        reply.code(400).type('text/plain; charset=utf-8').send('Invalid Preflight Request')
      } else {
        reply.code(204).header(CONTENT_LENGTH, '0').send()
      }
    }
  })
}
