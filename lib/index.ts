import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import { corsPolicyPlugin } from './plugin/register.js'
import type { FastifyCorsDelegator, FastifyCorsOptions, FastifyCorsRouteOptions } from './policy/schema.js'
import type { CorsDecision } from './policy/decide.js'
import type { FastifyCorsPolicyHandle } from './plugin/policy-handle.js'

export { CorsOptionsSchema, CorsRouteOptionsSchema } from './policy/schema.js'
export type {
  FastifyCorsOptions, FastifyCorsRouteOptions, FastifyCorsOriginFunction, FastifyCorsOriginCheck, OriginAnswer, OriginCallback,
  FastifyCorsDelegator, FastifyCorsDelegatedOptions, CorsDelegatorCallback, FastifyCorsHook
} from './policy/schema.js'
export type { FastifyCorsOriginData, OriginAnswerWithData, FastifyCorsOriginCacheSettings, FastifyCorsOriginCacheKey } from './policy/schema.js'
export type { FastifyCorsTieredOrigin } from './policy/schema.js'
export type {
  OriginFunction, AsyncOriginFunction, FastifyCorsOptionsDelegate, FastifyCorsOptionsDelegateCallback,
  FastifyCorsOptionsDelegatePromise, FastifyPluginOptionsDelegate
} from './policy/compat-types.js'
export type { CorsDecision, CorsReason } from './policy/decide.js'
export {
  CorsInvalidOptionsError, CorsUnsafeOptionsError, CorsInvalidRouteConfigError, CorsRouteNotCompiledError, CorsAlreadyRegisteredError,
  CorsOriginNotChangeableError
} from './errors.js'
export { CorsForbiddenError } from './errors.js'
export type { CorsRefusal } from './errors.js'
export { CorsJsonOptionsSchema } from './policy/json-schema.js'
export type { FastifyCorsJsonOptions } from './policy/json-schema.js'
export { validateCorsOptions } from './policy/validate.js'
export type { OptionProblem } from './policy/options.js'
export type { FastifyCorsPolicyHandle, FastifyCorsOriginList, FastifyCorsOriginTiers, FastifyCorsOriginTiersChange } from './plugin/policy-handle.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The run-time handle of the policy of the plugin's registration that governs this scope (its own,
     * else its nearest parent's): `setOrigins`, `addOrigins`, `removeOrigins`, `origins` and `originTiers`. Present
     * once the plugin is registered in this scope or a parent of it.
     */
    corsPolicy: FastifyCorsPolicyHandle
  }
  interface FastifyRequest {
    /** The CORS decision for this request; null only before the plugin's onRequest hook ran. */
    cors: CorsDecision | null
  }
  interface FastifyContextConfig {
    /** `false` turns CORS off for the route; an object is merged over the plugin's options. */
    cors?: FastifyCorsRouteOptions | false
  }
}

/**
 * CORS for Fastify 5: a policy declared once, validated at registration, correct per the Fetch
 * standard. Register it before your routes (and before auth hooks, so preflights are answered).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import corsPolicy from 'fastify-cors-policy'
 *
 * const app = Fastify()
 * await app.register(corsPolicy, { origin: ['https://app.example.com', 'https://*.example.org'], credentials: true })
 * app.get('/public', { config: { cors: { origin: '*', credentials: false } } }, async () => 'hello')
 * app.get('/me', async (request) => ({ allowed: request.cors?.allowed }))
 * ```
 */
const corsPolicy: FastifyPluginAsync<FastifyCorsOptions | FastifyCorsDelegator> = fp(corsPolicyPlugin as unknown as FastifyPluginAsync<FastifyCorsOptions | FastifyCorsDelegator>, {
  fastify: '5.x',
  name: 'fastify-cors-policy'
})

export { corsPolicy, corsPolicy as fastifyCorsPolicy }
export default corsPolicy
