import type { FastifyReply } from 'fastify'
import { ACAC, ACAO, ACEH, VARY } from '../http/header-names.js'
import { mergeVary } from '../http/vary.js'
import { kAnswered, kPolicy, type Decision } from '../policy/decision.js'
import { rawHeaderOf, rawHeadersOf, replyHeadersOf } from './fastify-internals.js'

const VARY_ORIGIN = ['Origin'] as const

/**
 * A reply's headers by lower-case name: Fastify's own header object, read and written in place, or
 * undefined when this Fastify keeps them elsewhere, and the public methods serve.
 */
type HeaderObject = Record<string, unknown> | undefined

/**
 * The object a writer of headers writes them in: Fastify's own header object (`inPlace`), or
 * when this Fastify keeps its headers elsewhere, a new one that `publishStaged` hands to
 * `reply.header()`. Each header is written at a line of its own (`headers[ACAO] = value`), never
 * through a helper that takes the name: V8 looks a store whose name varies at one place up in its
 * global cache on every call, several times dearer than a store that always sees the same name
 * (measured: an allowed GET's cost over the headers floor fell from ~130 to ~50 ns).
 */
export function stagingFor (inPlace: HeaderObject): Record<string, unknown> {
  return inPlace ?? {}
}

/** Hands the headers staged for a reply without Fastify's header object to `reply.header()`. */
export function publishStaged (reply: FastifyReply, inPlace: HeaderObject, staged: Record<string, unknown>): void {
  if (inPlace !== undefined) return
  for (const name in staged) reply.header(name, staged[name])
}

/** Is Access-Control-Allow-Credentials set on the reply, in Fastify's header object or on `reply.raw`? */
function hasAllowCredentials (reply: FastifyReply, inPlace: HeaderObject): boolean {
  if (inPlace === undefined) return reply.getHeader(ACAC) !== undefined
  return inPlace[ACAC] !== undefined || rawHeaderOf(reply.raw, ACAC) !== undefined
}

/** Adds `Origin` to the reply's Vary, keeping what other plugins put there. */
function addVaryOrigin (reply: FastifyReply, inPlace: HeaderObject, headers: Record<string, unknown>): void {
  let existing = (inPlace === undefined ? reply.getHeader(VARY) : inPlace[VARY]) as string | string[] | undefined
  if (existing === undefined && inPlace !== undefined) existing = rawHeaderOf(reply.raw, VARY) as string | string[] | undefined
  if (existing === undefined) {
    headers[VARY] = 'Origin'
  } else if (existing !== 'Origin') {
    // 'Origin' is what the deciding hook wrote; onSend writes the headers again, and then has nothing to merge
    const vary = mergeVary(existing, VARY_ORIGIN)
    if (vary !== undefined) headers[VARY] = vary
  }
}

/**
 * The headers of an actual request's decision, written where it is decided and again in onSend (a
 * handler may have replaced them): the grant of an allowed origin (or of a `'*'` policy's answer to a
 * request without Origin), none at all on denial, not even one a handler set itself
 * (cyu/rack-cors#162; a route that writes its own CORS headers opts out with `cors: false`), and
 * `Vary: Origin` whenever the answer depends on the origin (Fetch#cors-protocol-and-http-caches); an
 * allowed origin gets `Access-Control-Allow-Credentials` exactly when its policy grants credentials.
 * Preflights the plugin answered and routes with CORS disabled get nothing here.
 */
export function writeDecisionHeaders (reply: FastifyReply, decision: Decision): void {
  const policy = decision[kPolicy]
  if (policy === null || decision[kAnswered]) return
  const inPlace = replyHeadersOf(reply)
  const headers = stagingFor(inPlace)
  if (decision.reason === 'allowed' || (decision.reason === 'no-origin' && policy.originKind === 'any')) {
    headers[ACAO] = policy.originKind === 'any' ? '*' : decision.origin as string
    if (policy.credentials) headers[ACAC] = 'true'
    // without credentials (the public tier of tiered origins among them) the page never gets them, whoever set the header
    else if (hasAllowCredentials(reply, inPlace)) reply.removeHeader(ACAC)
    if (policy.aceh !== undefined) headers[ACEH] = policy.aceh
  } else if (!decision.allowed) {
    removeCorsHeaders(reply, inPlace)
  }
  if (policy.varyOrigin) addVaryOrigin(reply, inPlace, headers)
  publishStaged(reply, inPlace, headers)
}

/**
 * Removes every `access-control-*` header from a reply, whoever set it: on the reply, or on
 * `reply.raw`. The names are read where the headers are kept, without the copy of every header
 * `reply.getHeaders()` makes (a refusal is what a flood looks like).
 */
function removeCorsHeaders (reply: FastifyReply, headers: HeaderObject): void {
  if (headers === undefined) {
    for (const name of Object.keys(reply.getHeaders())) {
      if (name.startsWith('access-control-')) reply.removeHeader(name)
    }
    return
  }
  for (const name in headers) {
    if (name.startsWith('access-control-')) reply.removeHeader(name)
  }
  const rawHeaders = rawHeadersOf(reply.raw)
  if (rawHeaders === null) return
  // for…in allows removing the property it is visiting
  if (rawHeaders !== undefined) {
    for (const name in rawHeaders) {
      if (name.startsWith('access-control-')) reply.removeHeader(name)
    }
    return
  }
  for (const name of reply.raw.getHeaderNames()) {
    if (name.startsWith('access-control-')) reply.removeHeader(name)
  }
}
