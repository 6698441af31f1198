import createError, { type FastifyErrorConstructor } from '@fastify/error'
import { formatProblems, type OptionProblem } from './policy/options.js'

/** Schema or semantic problems in the plugin options; the message lists every problem found. */
export const CorsInvalidOptionsError: FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_OPTIONS', statusCode: 500 }, [detail: string]> = createError<'FST_CORS_INVALID_OPTIONS', 500, [detail: string]>(
  'FST_CORS_INVALID_OPTIONS', 'Invalid fastify-cors-policy options: %s', 500, TypeError)

/** Options that a browser would accept but that expose users (e.g. `'*'` with credentials). */
export const CorsUnsafeOptionsError: FastifyErrorConstructor<{ code: 'FST_CORS_UNSAFE_OPTIONS', statusCode: 500 }, [detail: string]> = createError<'FST_CORS_UNSAFE_OPTIONS', 500, [detail: string]>(
  'FST_CORS_UNSAFE_OPTIONS', 'Unsafe fastify-cors-policy options: %s', 500, TypeError)

/** A route's `config.cors` is neither `false` nor a valid options object. */
export const CorsInvalidRouteConfigError: FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_ROUTE_CONFIG', statusCode: 500 }, [route: string, detail: string]> = createError<'FST_CORS_INVALID_ROUTE_CONFIG', 500, [route: string, detail: string]>(
  'FST_CORS_INVALID_ROUTE_CONFIG', 'Invalid config.cors on route %s: %s', 500, TypeError)

/** A route carrying `config.cors` that was not among the routes compiled when the app became ready: refused, never served with another policy. */
export const CorsRouteNotCompiledError: FastifyErrorConstructor<{ code: 'FST_CORS_ROUTE_NOT_COMPILED', statusCode: 500 }, [route: string]> = createError<'FST_CORS_ROUTE_NOT_COMPILED', 500, [route: string]>(
  'FST_CORS_ROUTE_NOT_COMPILED',
  'Route %s has a config.cors that fastify-cors-policy did not compile (it was not among the routes Fastify listed when the app became ready), so the request is refused rather than served with another policy',
  500)

/** The plugin was registered twice in one scope. */
export const CorsAlreadyRegisteredError: FastifyErrorConstructor<{ code: 'FST_CORS_ALREADY_REGISTERED', statusCode: 500 }, []> = createError<'FST_CORS_ALREADY_REGISTERED', 500, []>(
  'FST_CORS_ALREADY_REGISTERED',
  'fastify-cors-policy is already registered in this scope; for a policy of its own, register it again inside an encapsulated plugin (a child scope, e.g. with a prefix), or use route config.cors for one route',
  500)

/** A delegator threw, rejected, called back with an error, twice or never: the request is denied. */
export const CorsDelegatorFailedError: FastifyErrorConstructor<{ code: 'FST_CORS_DELEGATOR_FAILED', statusCode: 500 }, [why: string, route: string]> = createError<'FST_CORS_DELEGATOR_FAILED', 500, [why: string, route: string]>(
  'FST_CORS_DELEGATOR_FAILED', 'The fastify-cors-policy delegator %s for %s, so the request is denied', 500)

/** A delegator answered options that are not valid: the request is denied. */
export const CorsInvalidDelegatedOptionsError: FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_DELEGATED_OPTIONS', statusCode: 500 }, [route: string, detail: string]> = createError<'FST_CORS_INVALID_DELEGATED_OPTIONS', 500, [route: string, detail: string]>(
  'FST_CORS_INVALID_DELEGATED_OPTIONS', 'The fastify-cors-policy delegator answered invalid options for %s, so the request is denied: %s', 500, TypeError)

/**
 * The error `register` fails with for invalid options: unsafe when every problem is a foot-gun a
 * browser would accept, invalid otherwise. `problems` lists them, so an application can report a
 * tenant's bad configuration without parsing the message.
 */
export function optionsError (problems: readonly OptionProblem[]): Error & { problems: readonly OptionProblem[] } {
  const detail = formatProblems(problems)
  const error = problems.every((p) => p.unsafe) ? new CorsUnsafeOptionsError(detail) : new CorsInvalidOptionsError(detail)
  return Object.assign(error, { problems })
}
