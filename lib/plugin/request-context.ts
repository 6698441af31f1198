import type { FastifyRequest } from 'fastify'
import { ACRM } from '../http/header-names.js'
import { singleHeader } from '../http/request-values.js'
import { CorsRouteNotCompiledError } from '../errors.js'
import { targetOf } from '../policy/decide.js'
import { clip } from '../policy/describe.js'
import type { Decision } from '../policy/decision.js'
import { dropsDebug, routeConfigOf } from './fastify-internals.js'
import { kRouteEntry, type Dispatcher, type Registration, type RouteEntry } from './dispatcher.js'

/** The state a registration's hooks share: the app-wide dispatcher and this registration. */
export interface PluginScope {
  readonly dispatcher: Dispatcher
  readonly registration: Registration
}

/** The hook callback that lets the request go on. */
export type Continue = () => void

/** The compiled entry of the request's route; undefined for routes without `config.cors` the plugin did not see, and for 404s. */
export function entryOf (request: FastifyRequest): RouteEntry | undefined {
  const config = routeConfigOf(request)
  const entry = config[kRouteEntry] as RouteEntry | undefined
  // every route with config.cors is compiled when the app is ready; never serve one with another policy
  if (entry === undefined && config.cors !== undefined) throw new CorsRouteNotCompiledError(`${request.method} ${request.routeOptions.url ?? request.url}`)
  return entry
}

/** The registration that decides a request: its route's, or for a URL no route serves, the covering scope's. */
export function ownerOf (scope: PluginScope, request: FastifyRequest, entry: RouteEntry | undefined): Registration {
  return entry === undefined ? scope.dispatcher.scopeFor(request.url) ?? scope.registration : entry.owner
}

/**
 * The host find-my-way's host constraint is matched against: `Host`, or HTTP/2's `:authority`
 * (browsers speak HTTP/2 over https); an empty value is no host.
 */
export function routingHost (headers: FastifyRequest['headers']): string | undefined {
  const host = headers.host || headers[':authority']
  return typeof host === 'string' && host !== '' ? host : undefined
}

/** One debug line per denial, naming the origin, the route, the reason and the fix. */
export function logDenial (request: FastifyRequest, decision: Decision, route: string | undefined): void {
  const log = request.log as FastifyRequest['log'] & { isLevelEnabled?: (level: string) => boolean }
  // the line is built only for a logger that writes it
  if (typeof log.isLevelEnabled === 'function' ? !log.isLevelEnabled('debug') : dropsDebug(log)) return
  log.debug({ cors: { origin: decision.origin, route: targetOf(request, route), reason: decision.reason, detail: decision.detail } }, `CORS denied: ${decision.detail as string}`)
}

const REPORT_FIELD_LENGTH = 200

/**
 * One warn line per request `enforce: true` would refuse, under `enforce: 'report-only'`, with the
 * fields of the denial line. Warn lines are written for an attacker's requests too, so each field
 * is clipped: a 7 KB Origin or a 4 KB URL must not become kilobytes of log per request.
 */
export function logReportOnly (request: FastifyRequest, decision: Decision, route: string | undefined): void {
  const target = clip(targetOf(request, route), REPORT_FIELD_LENGTH)
  const detail = clip(decision.detail as string, 2 * REPORT_FIELD_LENGTH)
  request.log.warn({ cors: { origin: clip(decision.origin as string, REPORT_FIELD_LENGTH), route: target, reason: decision.reason, detail } },
    `fastify-cors-policy: enforce (report-only) would refuse ${target}: ${detail}`)
}

const warnedPreflightAnsweredEarlier = new WeakSet<Registration>()

/**
 * Warns, once per registration, about a preflight answered 401 or 403 before the plugin could
 * answer it: an authentication hook that runs first refuses every preflight (preflights never carry
 * credentials, Fetch#cors-protocol-and-credentials), so browsers never send the requests they precede.
 * Called for requests no hook of the plugin decided.
 */
export function warnIfPreflightAnsweredEarlier (owner: Registration, request: FastifyRequest, status: number): void {
  if ((status !== 401 && status !== 403) || warnedPreflightAnsweredEarlier.has(owner)) return
  const origin = singleHeader(request.headers.origin)
  if (origin === undefined || singleHeader(request.headers[ACRM]) === undefined) return
  warnedPreflightAnsweredEarlier.add(owner)
  owner.scope.log.warn(`fastify-cors-policy: a preflight (OPTIONS ${clip(request.url, 100)} from ${clip(origin, 100)}) was answered ${status} by a hook that runs before this plugin's, so browsers block the request it precedes; register fastify-cors-policy before the authentication plugin (or let OPTIONS requests through it)`)
}
