// Server-sent events (and any handler that writes the response itself: `reply.hijack()` then
// `reply.raw.writeHead(200, reply.getHeaders())`) used to go out without Access-Control-Allow-Origin
// and without Vary: Origin, because the CORS headers were only added in onSend, which a hijacked reply
// never runs: the browser's EventSource/fetch failed with a CORS error although the origin was
// allowed. Now the headers of an allowed actual request are on the reply from the deciding hook
// on, so writeHead(…, reply.getHeaders()) carries them. Checked over a real loopback socket with
// fetch, not inject.
import { test } from 'tap'
import type { OutgoingHttpHeaders } from 'node:http'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example.org'

function stream (reply: FastifyReply): void {
  reply.hijack()
  reply.raw.writeHead(200, { ...reply.getHeaders(), 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as OutgoingHttpHeaders)
  reply.raw.write('event: hello\ndata: 1\n\n')
  setTimeout(() => { reply.raw.end('data: bye\n\n') }, 5)
}

async function listen (t: { teardown: (fn: () => unknown) => void }, cors: FastifyCorsOptions, routes?: (app: FastifyInstance) => void,
  before?: (app: FastifyInstance) => void): Promise<string> {
  const app = Fastify()
  t.teardown(() => app.close())
  before?.(app)
  await app.register(corsPolicy, cors)
  app.get('/events', async (_request, reply) => { stream(reply) })
  routes?.(app)
  return app.listen({ host: '127.0.0.1', port: 0 })
}

interface Received { status: number, headers: Record<string, string>, body: string }

async function get (base: string, path: string, origin?: string): Promise<Received> {
  const res = await fetch(`${base}${path}`, { headers: origin === undefined ? {} : { origin } })
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => { headers[name] = value })
  return { status: res.status, headers, body: await res.text() }
}

function corsOf (headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')))
}

test('an allowed origin reads the event stream: ACAO, ACAC, ACEH and Vary: Origin are on the hijacked response', async (t) => {
  const base = await listen(t, { origin: [APP], credentials: true, exposedHeaders: ['X-Stream-Id'] })
  const res = await get(base, '/events', APP)
  t.equal(res.status, 200)
  t.equal(res.headers['content-type'], 'text/event-stream')
  t.same(corsOf(res.headers), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'X-Stream-Id'
  })
  t.equal(res.headers.vary, 'Origin')
  t.equal(res.body, 'event: hello\ndata: 1\n\ndata: bye\n\n')
})

test('exactly `reply.raw.writeHead(200, reply.getHeaders())` carries the headers', async (t) => {
  const base = await listen(t, { origin: [APP], credentials: true }, (app) => {
    app.get('/exact', async (_request, reply) => {
      reply.hijack()
      reply.raw.writeHead(200, reply.getHeaders() as OutgoingHttpHeaders)
      reply.raw.end('data: x\n\n')
    })
  })
  const allowed = await get(base, '/exact', APP)
  t.equal(allowed.status, 200)
  t.same(corsOf(allowed.headers), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(allowed.headers.vary, 'Origin')
  t.equal(allowed.body, 'data: x\n\n')
  const denied = await get(base, '/exact', EVIL)
  t.same(corsOf(denied.headers), {})
  t.equal(denied.headers.vary, 'Origin')
})

test('a denied origin gets no Access-Control-* header on the stream, but Vary: Origin', async (t) => {
  const base = await listen(t, { origin: [APP], credentials: true })
  const res = await get(base, '/events', EVIL)
  t.equal(res.status, 200)
  t.same(corsOf(res.headers), {})
  t.equal(res.headers.vary, 'Origin')
})

test('a request without Origin gets Vary: Origin (the answer varies), and no ACAO', async (t) => {
  const base = await listen(t, { origin: [APP] })
  const res = await get(base, '/events')
  t.equal(res.status, 200)
  t.same(corsOf(res.headers), {})
  t.equal(res.headers.vary, 'Origin')
})

test("a '*' policy: ACAO * on the stream, without Vary", async (t) => {
  const base = await listen(t, { origin: '*' })
  for (const origin of [APP, undefined]) {
    const res = await get(base, '/events', origin)
    t.equal(res.status, 200)
    t.same(corsOf(res.headers), { 'access-control-allow-origin': '*' }, String(origin))
    t.equal(res.headers.vary, undefined)
  }
})

test('an asynchronous origin function: the headers are on the reply before the handler hijacks it', async (t) => {
  const base = await listen(t, {
    origin: (origin: string, cb: (error: Error | null, allow?: boolean) => void) => { setTimeout(() => { cb(null, origin === APP) }, 5) },
    credentials: true
  })
  const allowed = await get(base, '/events', APP)
  t.same(corsOf(allowed.headers), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(allowed.headers.vary, 'Origin')
  const denied = await get(base, '/events', EVIL)
  t.same(corsOf(denied.headers), {})
})

test('a route override, and a Vary set by an earlier hook: merged on the hijacked response', async (t) => {
  const base = await listen(t, { origin: [APP] }, (app) => {
    app.get('/public-events', { config: { cors: { origin: '*' } } }, async (_request, reply) => { stream(reply) })
    app.get('/lang-events', async (_request, reply) => { stream(reply) })
  }, (app) => {
    // registered before the plugin: its Vary is on the reply when the plugin decides
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/lang-events') reply.header('vary', 'Accept-Language')
    })
  })
  const open = await get(base, '/public-events', EVIL)
  t.same(corsOf(open.headers), { 'access-control-allow-origin': '*' })
  const lang = await get(base, '/lang-events', APP)
  t.same(corsOf(lang.headers), { 'access-control-allow-origin': APP })
  t.equal(lang.headers.vary, 'Accept-Language, Origin')
})

test('hook: preHandler: the headers are written in preHandler, before the handler hijacks', async (t) => {
  const base = await listen(t, { origin: [APP], credentials: true, hook: 'preHandler' })
  const allowed = await get(base, '/events', APP)
  t.equal(allowed.status, 200)
  t.same(corsOf(allowed.headers), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })
  t.equal(allowed.headers.vary, 'Origin')
  const denied = await get(base, '/events', EVIL)
  t.same(corsOf(denied.headers), {})
})
