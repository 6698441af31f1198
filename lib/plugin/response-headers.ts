import type { FastifyReply } from 'fastify'
import { ACAC, ACAO, ACEH, VARY } from '../http/header-names.js'
import { mergeVary } from '../http/vary.js'
import { kAnswered, kPolicy, type Decision } from '../policy/decision.js'
import { rawHeaderOf, rawHeadersOf, replyHeadersOf } from './fastify-internals.js'

const VARY_ORIGIN = ['Origin'] as const

/**
 * Where a reply's headers are written: Fastify's own header object (read and written in place), or
 * undefined when this Fastify keeps them elsewhere, and the public methods serve. Looked up once per
 * write of a decision's headers, not once per header.
 */
type HeaderObject = Record<string, unknown> | undefined

/** Sets a header whose name is lower-case (never set-cookie), as `reply.header()` does, in place where it can. */
export function put (reply: FastifyReply, headers: HeaderObject, name: string, value: string): void {
  if (headers === undefined) reply.header(name, value)
  else headers[name] = value
}

/** A header's value, by lower-case name, as `reply.getHeader()` reads it, in place where it can. */
function read (reply: FastifyReply, headers: HeaderObject, name: string): unknown {
  if (headers === undefined) return reply.getHeader(name)
  const value = headers[name]
  return value !== undefined ? value : rawHeaderOf(reply.raw, name)
}

/** `put` for a single header: the header object is looked up for it. */
export function setHeader (reply: FastifyReply, name: string, value: string): void {
  put(reply, replyHeadersOf(reply), name, value)
}

/** Adds `Origin` to the reply's Vary, keeping what other plugins put there. */
function addVaryOrigin (reply: FastifyReply, headers: HeaderObject): void {
  const existing = read(reply, headers, VARY) as string | string[] | undefined
  if (existing === undefined) {
    put(reply, headers, VARY, 'Origin')
  } else if (existing !== 'Origin') {
    // 'Origin' is what the deciding hook wrote; onSend writes the headers again, and then has nothing to merge
    const vary = mergeVary(existing, VARY_ORIGIN)
    if (vary !== undefined) put(reply, headers, VARY, vary)
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
  const headers = replyHeadersOf(reply)
  if (decision.reason === 'allowed' || (decision.reason === 'no-origin' && policy.originKind === 'any')) {
    put(reply, headers, ACAO, policy.originKind === 'any' ? '*' : decision.origin as string)
    if (policy.credentials) put(reply, headers, ACAC, 'true')
    // without credentials (the public tier of tiered origins among them) the page never gets them, whoever set the header
    else if (read(reply, headers, ACAC) !== undefined) reply.removeHeader(ACAC)
    if (policy.aceh !== undefined) put(reply, headers, ACEH, policy.aceh)
  } else if (!decision.allowed) {
    removeCorsHeaders(reply, headers)
  }
  if (policy.varyOrigin) addVaryOrigin(reply, headers)
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
