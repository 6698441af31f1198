/**
 * The least request-time code that answers a scenario's request the way SPEC.md requires, for its one
 * fixed policy (one exact origin, credentials, methods GET, HEAD, POST, PUT): no routes to tell apart
 * (one policy serves every route, so no route lookup is needed), no options, no logger, no delegator, no
 * scopes. bench/hooks.ts times it next to the plugin's hooks and the headers floor's, so `SPEC minimum −
 * floor` is what any plugin of this design must spend on that request, and `plugin − SPEC minimum` what
 * this plugin's generality adds to it. Headers are written in place, as the plugin writes them.
 *
 * What SPEC asks of a refused origin (`disallowed`):
 * - the Origin looked up in the allow-list (a Set of one), and, since it is absent, checked as a
 *   serialised origin (reason `invalid-origin` vs `origin-not-allowed`, §5);
 * - recognised as the server's own or not (§6: Sec-Fetch-Site, else scheme and Host);
 * - `request.cors`: the decision with its `detail` sentence (§5);
 * - no `Access-Control-*` header at all, whoever set it, on the reply and on `reply.raw`: once where it
 *   is decided (a handler that writes `reply.raw` itself sends what is there then) and again in onSend;
 * - `Vary: Origin` (§7), written where it is decided and kept in onSend.
 *
 * What SPEC asks of an allowed preflight (`preflight`: PUT with two requested headers):
 * - the Origin looked up in the allow-list;
 * - Access-Control-Request-Method checked as one method token and against `methods` (§3);
 * - Access-Control-Request-Headers checked as a bounded list of header names without `*`, echoed (§3);
 * - `request.cors` (preflight, allowed, credentialed);
 * - ACAO, ACAC, ACAM, ACAH, `Vary: Origin, Access-Control-Request-Headers`, `Content-Length: 0`, 204.
 *
 * The plugin's pure checks are used as they are (`serializedOriginHostEnd`, `isSameOrigin`, `isToken`,
 * `isCanonicalHeaderNameList`): they are the cheapest forms of those checks known here.
 */
import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { serializedOriginHostEnd } from '../lib/http/origin.js'
import { MAX_METHOD_LENGTH, SAFELISTED_METHODS, isCanonicalHeaderNameList, isToken } from '../lib/http/tokens.js'
import { isSameOrigin } from '../lib/policy/decide.js'
import { MAX_HEADER_SIZE } from './app.js'
import { exactOrigins, ROUTE_PATH } from './scenarios.js'

/** The scenarios that have a SPEC minimum. */
export const SPEC_MINIMUM_SCENARIOS: ReadonlySet<string> = new Set(['preflight', 'disallowed'])

interface MinimalDecision {
  readonly origin: string
  readonly preflight: boolean
  readonly allowed: boolean
  readonly credentialed: boolean
  readonly reason: 'allowed' | 'invalid-origin' | 'origin-not-allowed'
  readonly detail?: string
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT'])
const ACAM_VALUE = 'GET, HEAD, POST, PUT'

declare module 'fastify' {
  interface FastifyRequest {
    specMinimum: MinimalDecision | null
  }
}

/** Fastify keeps a reply's headers under this symbol; found on the first reply, read in place as the plugin does. */
let replyHeaders: symbol | undefined

function headersOf (reply: FastifyReply): Record<string, unknown> {
  replyHeaders ??= Object.getOwnPropertySymbols(reply).find((symbol) => symbol.description === 'fastify.reply.headers')
  if (replyHeaders === undefined) throw new TypeError('this Fastify keeps reply headers elsewhere')
  return (reply as unknown as Record<symbol, Record<string, unknown>>)[replyHeaders] as Record<string, unknown>
}

function removeCorsHeaders (reply: FastifyReply, headers: Record<string, unknown>): void {
  for (const name in headers) {
    if (name.startsWith('access-control-')) reply.removeHeader(name)
  }
  const rawNames = reply.raw.getHeaderNames()
  for (let i = 0; i < rawNames.length; i++) {
    if ((rawNames[i] as string).startsWith('access-control-')) reply.removeHeader(rawNames[i] as string)
  }
}

/** Answers the `preflight` scenario's preflight; anything else it was not written for throws. */
function answerPreflight (request: FastifyRequest, reply: FastifyReply, allowed: ReadonlySet<string>): void {
  const origin = request.headers.origin
  const method = request.headers['access-control-request-method']
  const requested = request.headers['access-control-request-headers']
  if (typeof origin !== 'string' || !allowed.has(origin) || typeof method !== 'string' || typeof requested !== 'string' ||
    !isToken(method, MAX_METHOD_LENGTH) || (!SAFELISTED_METHODS.has(method) && !METHODS.has(method)) ||
    !isCanonicalHeaderNameList(requested) || requested === '*' || requested.startsWith('*,') || requested.endsWith(',*') || requested.includes(',*,')) {
    throw new TypeError('the SPEC minimum answers the preflight scenario only')
  }
  request.specMinimum = { origin, preflight: true, allowed: true, credentialed: true, reason: 'allowed' }
  const headers = headersOf(reply)
  headers['access-control-allow-origin'] = origin
  headers['access-control-allow-credentials'] = 'true'
  headers['access-control-allow-methods'] = ACAM_VALUE
  headers['access-control-allow-headers'] = requested
  headers.vary = 'Origin, Access-Control-Request-Headers'
  headers['content-length'] = '0'
  reply.code(204).send()
}

/** The scenario's routes with the SPEC-minimum answer in an onRequest and an onSend hook; `instrument` as bench/app.ts's. */
export async function buildSpecMinimum (instrument?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, http: { maxHeaderSize: MAX_HEADER_SIZE } })
  instrument?.(app)
  const allowed = new Set(exactOrigins(1))
  app.decorateRequest('specMinimum', null)
  app.addHook('onRequest', function specMinimumOnRequest (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    if (request.method === 'OPTIONS') {
      answerPreflight(request, reply, allowed)
      return
    }
    const origin = request.headers.origin
    if (typeof origin !== 'string' || allowed.has(origin)) throw new TypeError('the SPEC minimum answers the disallowed scenario only')
    const valid = serializedOriginHostEnd(origin) !== -1
    if (valid && isSameOrigin(request, origin)) throw new TypeError('the SPEC minimum answers the disallowed scenario only')
    request.specMinimum = {
      origin,
      preflight: false,
      allowed: false,
      credentialed: false,
      reason: valid ? 'origin-not-allowed' : 'invalid-origin',
      detail: `origin '${origin}' is not in the allow-list for GET ${ROUTE_PATH}; add it to \`origin\``
    }
    const headers = headersOf(reply)
    removeCorsHeaders(reply, headers)
    headers.vary = 'Origin'
    done()
  })
  app.addHook('onSend', function specMinimumOnSend (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) {
    if (request.specMinimum?.allowed === true) {
      done(null, payload)
      return
    }
    const headers = headersOf(reply)
    removeCorsHeaders(reply, headers)
    if (headers.vary === undefined) headers.vary = 'Origin'
    done(null, payload)
  })
  app.get(ROUTE_PATH, async () => ({ hello: 'world' }))
  app.put(ROUTE_PATH, async () => ({ hello: 'world' }))
  // an OPTIONS request needs a route to reach the hooks, as in bench/app.ts's other variants
  app.options('*', (_request, reply) => { reply.code(204).send() })
  return app
}
