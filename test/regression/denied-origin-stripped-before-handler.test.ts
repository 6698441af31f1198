// Behaviour difference found reviewing the plugin split (4240051, "a single writeDecisionHeaders"):
// a denied origin's Access-Control-* headers that a hook *registered before the plugin* put on the
// reply are now removed in the deciding hook, before the handler runs. Before the split
// (639ecbb) the deciding hook only added Vary and the headers were removed in onSend, so:
//   - a handler saw them in reply.getHeader()/getHeaders();
//   - a handler that writes the response itself (reply.hijack(); reply.raw.writeHead(200,
//     reply.getHeaders()), as SSE does) sent them to the denied origin, since onSend never runs.
// Responses that go through onSend are the same before and after. These tests pin the new
// behaviour; against 639ecbb (lib/index.ts there) the two "not ... seen/sent" assertions fail.
import { test } from 'tap'
import type { OutgoingHttpHeaders } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example.org'

async function build (t: { teardown: (fn: () => unknown) => void }, hook: 'onRequest' | 'preHandler'): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  // an application hook that runs before the plugin's and writes a CORS header of its own
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', 'https://early.example')
    reply.header('access-control-allow-credentials', 'true')
  })
  await app.register(corsPolicy, { origin: [APP], hook })
  app.get('/seen', async (_request, reply) => ({ acao: reply.getHeader('access-control-allow-origin') ?? null }))
  app.get('/hijacked', async (_request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { ...reply.getHeaders(), 'content-type': 'text/plain' } as OutgoingHttpHeaders)
    reply.raw.end('raw')
  })
  return app
}

for (const hook of ['onRequest', 'preHandler'] as const) {
  test(`hook ${hook}: the handler no longer sees a denied origin's earlier Access-Control-* header`, async (t) => {
    const app = await build(t, hook)
    const denied = await app.inject({ url: '/seen', headers: { origin: EVIL } })
    t.same(denied.json(), { acao: null }, 'before the split: { acao: "https://early.example" }')
    t.equal(denied.headers['access-control-allow-origin'], undefined, 'stripped in onSend, before and after')
    const allowed = await app.inject({ url: '/seen', headers: { origin: APP } })
    t.same(allowed.json(), { acao: APP }, 'an allowed origin: unchanged')
  })

  test(`hook ${hook}: a hijacked reply no longer sends a denied origin an earlier Access-Control-* header`, async (t) => {
    const app = await build(t, hook)
    const denied = await app.inject({ url: '/hijacked', headers: { origin: EVIL } })
    t.equal(denied.body, 'raw')
    t.equal(denied.headers['access-control-allow-origin'], undefined, 'before the split: https://early.example')
    t.equal(denied.headers['access-control-allow-credentials'], undefined, 'before the split: true')
    t.equal(denied.headers.vary, 'Origin', 'Vary: Origin, before and after')
    const allowed = await app.inject({ url: '/hijacked', headers: { origin: APP } })
    t.equal(allowed.headers['access-control-allow-origin'], APP, 'an allowed origin: unchanged')
  })
}
