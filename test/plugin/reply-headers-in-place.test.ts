/**
 * The plugin reads and writes a reply's headers in place (lib/plugin/fastify-internals.ts
 * `replyHeadersOf`), without the copies `reply.header()`, `reply.getHeader()` and `reply.getHeaders()`
 * make per call (issue 14). What the client receives is the same as through the public methods: these
 * tests pin the answers where the headers come from elsewhere (`reply.raw`), and the public fallback
 * for a reply that does not hold Fastify's header object.
 */
import { test } from 'tap'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { replyHeadersOf } from '../../lib/plugin/fastify-internals.js'
import { writeDecisionHeaders } from '../../lib/plugin/response-headers.js'
import { compilePolicy } from '../../lib/policy/compile.js'
import { decideActual } from '../../lib/policy/decide.js'
import { resolveOptions } from '../../lib/policy/options.js'

const ALLOWED = 'https://app.example.com'
const DENIED = 'https://evil.example'

/** An app whose GET /x response has Vary, an access-control-* header and another header set before the plugin runs, on the raw response only. */
async function appWithRawHeaders (http2: boolean): Promise<FastifyInstance> {
  const app = (http2 ? Fastify({ http2: true }) : Fastify()) as unknown as FastifyInstance
  app.addHook('onRequest', async (_request, reply) => {
    reply.raw.setHeader('vary', 'Accept-Encoding')
    reply.raw.setHeader('access-control-allow-origin', 'https://raw.example')
    reply.raw.setHeader('x-other', 'kept')
  })
  await app.register(corsPolicy, { origin: [ALLOWED] })
  app.get('/x', async () => 'x')
  return app
}

test('headers set on reply.raw: a denied origin loses its access-control-* ones, and Vary: Origin is merged into the raw Vary', async (t) => {
  const app = await appWithRawHeaders(false)
  t.teardown(() => app.close())

  const denied = await app.inject({ method: 'GET', url: '/x', headers: { origin: DENIED } })
  t.equal(denied.statusCode, 200)
  t.same(Object.keys(denied.headers).filter((name) => name.startsWith('access-control-')), [], 'the raw access-control-* header is removed')
  t.equal(denied.headers['x-other'], 'kept')
  t.equal(denied.headers.vary, 'Accept-Encoding, Origin')

  const allowed = await app.inject({ method: 'GET', url: '/x', headers: { origin: ALLOWED } })
  t.equal(allowed.headers['access-control-allow-origin'], ALLOWED)
  t.equal(allowed.headers.vary, 'Accept-Encoding, Origin')
})

test('headers set on reply.raw over HTTP/2, whose response keeps them elsewhere than Node\'s HTTP/1 one: read through its public methods', async (t) => {
  const app = await appWithRawHeaders(true)
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = http2.connect(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  t.teardown(() => client.close())
  const get = (origin: string): Promise<http2.IncomingHttpHeaders> => new Promise((resolve, reject) => {
    const stream = client.request({ ':path': '/x', origin })
    stream.on('response', resolve)
    stream.on('error', reject)
    stream.resume()
    stream.end()
  })
  const denied = await get(DENIED)
  t.same(Object.keys(denied).filter((name) => name.startsWith('access-control-')), [], 'the raw access-control-* header is removed')
  t.equal(denied['x-other'], 'kept')
  t.equal(denied.vary, 'Accept-Encoding, Origin')
  const allowed = await get(ALLOWED)
  t.equal(allowed['access-control-allow-origin'], ALLOWED)
  t.equal(allowed.vary, 'Accept-Encoding, Origin')
})

/** A reply as a Fastify release without the private header object would present it: the public methods only. */
function publicOnlyReply (): FastifyReply & { stored: Record<string, unknown> } {
  const stored: Record<string, unknown> = {}
  const reply = {
    stored,
    raw: { getHeader: () => undefined, getHeaderNames: () => [] },
    header (name: string, value: unknown) { stored[name.toLowerCase()] = value; return reply },
    getHeader (name: string) { return stored[name.toLowerCase()] },
    getHeaders () { return { ...stored } },
    removeHeader (name: string) { delete stored[name.toLowerCase()]; return reply }
  }
  return reply as unknown as FastifyReply & { stored: Record<string, unknown> }
}

test('a reply without Fastify\'s header object is written through the public methods', async (t) => {
  // a real reply first, so the symbol is known: a stand-in without it is then read through the public methods
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/x', async (_request, reply) => replyHeadersOf(reply) !== undefined)
  t.equal((await app.inject({ method: 'GET', url: '/x' })).body, 'true', 'a Fastify reply holds the header object')

  const { options } = resolveOptions({ origin: [ALLOWED], credentials: true, exposedHeaders: ['x-total'] })
  const policy = compilePolicy(options)
  const facts = { method: 'GET', url: '/x', headers: {}, protocol: 'http', host: 'localhost' }

  const allowed = publicOnlyReply()
  t.equal(replyHeadersOf(allowed), undefined)
  writeDecisionHeaders(allowed, decideActual(policy, ALLOWED, 'allowed', facts, 'GET /x', false))
  t.same(allowed.stored, { 'access-control-allow-origin': ALLOWED, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-total', vary: 'Origin' })
  writeDecisionHeaders(allowed, decideActual(policy, ALLOWED, 'allowed', facts, 'GET /x', false))
  t.equal(allowed.stored.vary, 'Origin', 'written again, not merged twice')

  const denied = publicOnlyReply()
  denied.header('access-control-allow-origin', '*')
  denied.header('vary', 'Accept')
  writeDecisionHeaders(denied, decideActual(policy, DENIED, 'not-allowed', facts, 'GET /x', false))
  t.same(denied.stored, { vary: 'Accept, Origin' })

  const withoutCredentials = compilePolicy(resolveOptions({ origin: [ALLOWED] }).options)
  const handlerGranted = publicOnlyReply()
  handlerGranted.header('access-control-allow-credentials', 'true')
  writeDecisionHeaders(handlerGranted, decideActual(withoutCredentials, ALLOWED, 'allowed', facts, 'GET /x', false))
  t.same(handlerGranted.stored, { 'access-control-allow-origin': ALLOWED, vary: 'Origin' }, 'credentials a policy does not grant are removed')
})
