import createError, { type FastifyErrorConstructor } from '@fastify/error'
import { formatProblems, type OptionProblem } from './policy/options.js'
import type { CorsDecision, CorsReason } from './policy/decision.js'

/** The problems an options error carries, one per problem its message lists (none on an error built by hand). */
export interface CorsOptionProblems {
  problems: readonly OptionProblem[]
}

/** Schema or semantic problems in the plugin options; the message lists every problem found, `problems` holds them. */
export const CorsInvalidOptionsError: FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_OPTIONS', statusCode: 500 } & CorsOptionProblems, [detail: string]> =
  createError<'FST_CORS_INVALID_OPTIONS', 500, [detail: string]>('FST_CORS_INVALID_OPTIONS', 'Invalid fastify-cors-policy options: %s', 500, TypeError) as
    FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_OPTIONS', statusCode: 500 } & CorsOptionProblems, [detail: string]>

/** Options that a browser would accept but that expose users (e.g. `'*'` with credentials); `problems` holds them. */
export const CorsUnsafeOptionsError: FastifyErrorConstructor<{ code: 'FST_CORS_UNSAFE_OPTIONS', statusCode: 500 } & CorsOptionProblems, [detail: string]> =
  createError<'FST_CORS_UNSAFE_OPTIONS', 500, [detail: string]>('FST_CORS_UNSAFE_OPTIONS', 'Unsafe fastify-cors-policy options: %s', 500, TypeError) as
    FastifyErrorConstructor<{ code: 'FST_CORS_UNSAFE_OPTIONS', statusCode: 500 } & CorsOptionProblems, [detail: string]>

/**
 * A route's `config.cors` is neither `false` nor a valid options object. `route` names the route
 * ("PUT /items/:id") and `problems` holds the problems, with paths inside its `config.cors`.
 */
export const CorsInvalidRouteConfigError: FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_ROUTE_CONFIG', statusCode: 500, route: string } & CorsOptionProblems, [route: string, detail: string]> =
  createError<'FST_CORS_INVALID_ROUTE_CONFIG', 500, [route: string, detail: string]>('FST_CORS_INVALID_ROUTE_CONFIG', 'Invalid config.cors on route %s: %s', 500, TypeError) as
    FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_ROUTE_CONFIG', statusCode: 500, route: string } & CorsOptionProblems, [route: string, detail: string]>

// defaults for errors built by hand (the plugin's own set both on the instance), so the types hold
const NO_PROBLEMS: readonly OptionProblem[] = Object.freeze([])
CorsInvalidOptionsError.prototype.problems = NO_PROBLEMS
CorsUnsafeOptionsError.prototype.problems = NO_PROBLEMS
CorsInvalidRouteConfigError.prototype.problems = NO_PROBLEMS
CorsInvalidRouteConfigError.prototype.route = ''

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

/**
 * `app.corsPolicy.setOrigins()` (or add/remove) on a registration whose origin is not a list: `'*'`,
 * `true`, `false`, a function, or a delegator. Names the scope, what its origin is, and the fix.
 */
export const CorsOriginNotChangeableError: FastifyErrorConstructor<{ code: 'FST_CORS_ORIGIN_NOT_CHANGEABLE', statusCode: 500 }, [scope: string, why: string]> = createError<'FST_CORS_ORIGIN_NOT_CHANGEABLE', 500, [scope: string, why: string]>(
  'FST_CORS_ORIGIN_NOT_CHANGEABLE', 'The origin of fastify-cors-policy at %s cannot be changed at run time: %s', 500, TypeError)

/** A delegator threw, rejected, called back with an error, twice or never: the request is denied. */
export const CorsDelegatorFailedError: FastifyErrorConstructor<{ code: 'FST_CORS_DELEGATOR_FAILED', statusCode: 500 }, [why: string, route: string]> = createError<'FST_CORS_DELEGATOR_FAILED', 500, [why: string, route: string]>(
  'FST_CORS_DELEGATOR_FAILED', 'The fastify-cors-policy delegator %s for %s, so the request is denied', 500)

/** A delegator answered options that are not valid: the request is denied. */
export const CorsInvalidDelegatedOptionsError: FastifyErrorConstructor<{ code: 'FST_CORS_INVALID_DELEGATED_OPTIONS', statusCode: 500 }, [route: string, detail: string]> = createError<'FST_CORS_INVALID_DELEGATED_OPTIONS', 500, [route: string, detail: string]>(
  'FST_CORS_INVALID_DELEGATED_OPTIONS', 'The fastify-cors-policy delegator answered invalid options for %s, so the request is denied: %s', 500, TypeError)

/** What a refusal by `enforce` carries besides its message: why the origin was denied, and the origin. */
export interface CorsRefusal {
  reason: CorsReason
  origin: string
}

/**
 * `enforce` refused a cross-origin request from a denied origin before its handler ran. It is sent
 * through the app's error handler (so `setErrorHandler` formats it); `reason` and `origin` say why.
 */
export const CorsForbiddenError: FastifyErrorConstructor<{ code: 'FST_CORS_FORBIDDEN', statusCode: 403 } & CorsRefusal, [detail: string]> =
  createError<'FST_CORS_FORBIDDEN', 403, [detail: string]>('FST_CORS_FORBIDDEN', 'Cross-origin request refused: %s', 403) as
    FastifyErrorConstructor<{ code: 'FST_CORS_FORBIDDEN', statusCode: 403 } & CorsRefusal, [detail: string]>

// defaults for an error built by hand (the plugin sets both on the instance)
CorsForbiddenError.prototype.reason = 'origin-not-allowed'
CorsForbiddenError.prototype.origin = ''

/**
 * The error `register` fails with for invalid options: unsafe when every problem is a foot-gun a
 * browser would accept, invalid otherwise. `problems` lists them, so an application can report a
 * tenant's bad configuration without parsing the message.
 */
export function optionsError (problems: readonly OptionProblem[]): InstanceType<typeof CorsInvalidOptionsError> | InstanceType<typeof CorsUnsafeOptionsError> {
  const detail = formatProblems(problems)
  const error = problems.every((p) => p.unsafe) ? new CorsUnsafeOptionsError(detail) : new CorsInvalidOptionsError(detail)
  error.problems = problems
  return error
}

/**
 * The error a route's invalid `config.cors` fails start-up with: `detail` is the message's text
 * (the problems, formatted, unless the route's value is not an options object at all).
 */
export function routeConfigError (route: string, problems: readonly OptionProblem[], detail: string = formatProblems(problems)): InstanceType<typeof CorsInvalidRouteConfigError> {
  const error = new CorsInvalidRouteConfigError(route, detail)
  error.route = route
  error.problems = problems
  return error
}

/** The error `enforce` answers a refused request with: the decision's detail in the message, its reason and origin as properties. */
export function forbiddenError (decision: CorsDecision): InstanceType<typeof CorsForbiddenError> {
  const error = new CorsForbiddenError(decision.detail as string)
  error.reason = decision.reason
  error.origin = decision.origin as string
  return error
}
