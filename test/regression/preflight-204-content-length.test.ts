// 204 versus 200 for preflights: old Safari hangs on a body-less 204 without `Content-Length: 0`,
// and some clients only accept 200: expressjs/cors#120 and PR #121, nelmio/NelmioCorsBundle#94,
// mdn/content PR #24373. The rule: optionsSuccessStatus (default 204, any ok status 200..299 per
// Fetch#ok-status) and an explicit Content-Length: 0, checked here on the wire.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { linesOf, rawRequest, sendRaw } from '../fuzz/support/raw-client.js'

const ORIGIN = 'https://app.example.com'

async function listen (t: { teardown: (fn: () => unknown) => void }, options: Record<string, unknown>): Promise<number> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [ORIGIN], ...options })
  app.put('/items', async () => 'stored')
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as { port: number }).port
}

const preflight = (origin: string): Buffer => rawRequest('OPTIONS', '/items', [['Origin', origin], ['Access-Control-Request-Method', 'PUT']])

test('a successful preflight is 204 with Content-Length: 0 and no body', async (t) => {
  const port = await listen(t, {})
  const res = await sendRaw(port, preflight(ORIGIN))
  t.equal(res.status, 204)
  t.same(linesOf(res, 'content-length'), ['0'])
  t.equal(res.raw.endsWith('\r\n\r\n'), true, 'nothing after the head')
})

test('optionsSuccessStatus: 200 for clients that only accept 200', async (t) => {
  const port = await listen(t, { optionsSuccessStatus: 200 })
  const res = await sendRaw(port, preflight(ORIGIN))
  t.equal(res.status, 200)
  t.same(linesOf(res, 'content-length'), ['0'])
  t.equal(res.raw.endsWith('\r\n\r\n'), true)
})

test('a refused preflight is 403 with Content-Length: 0', async (t) => {
  const port = await listen(t, {})
  const res = await sendRaw(port, preflight('https://evil.example'))
  t.equal(res.status, 403)
  t.same(linesOf(res, 'content-length'), ['0'])
  t.same(res.lines.filter(([name]) => name.startsWith('access-control-')), [])
})
