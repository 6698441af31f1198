// Proxies (AWS API Gateway among them) split Access-Control-Request-Headers into several field lines
// or add white space, and strict parsers then refused the preflight: rs/cors#184, cited by jub0bs/cors#7
// and kubernetes-sigs/gateway-api#4668 (RFC 9110 §5.3, §5.6.1; Fetch#cors-unsafe-request-header-names).
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { linesOf, rawRequest, sendRaw } from '../fuzz/support/raw-client.js'

const ORIGIN = 'https://app.example.com'

test('two ACRH field lines over a real socket are one list', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [ORIGIN], allowedHeaders: ['content-type', 'x-request-id'] })
  app.put('/items', async () => 'stored')
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const res = await sendRaw(port, rawRequest('OPTIONS', '/items', [
    ['Origin', ORIGIN], ['Access-Control-Request-Method', 'PUT'],
    ['Access-Control-Request-Headers', 'content-type'], ['Access-Control-Request-Headers', 'x-request-id']
  ]))
  t.equal(res.status, 204)
  t.same(linesOf(res, 'access-control-allow-origin'), [ORIGIN])
  t.same(linesOf(res, 'access-control-allow-headers'), ['content-type, x-request-id'])
})

test('white space, empty elements and upper case are tolerated', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [ORIGIN] } })
  for (const value of ['X-A , x-b', 'x-a,,x-b', ' x-a,\tx-b ', 'x-a, x-b', 'X-A,X-B']) {
    const res = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', value) })
    t.equal(res.statusCode, 204, JSON.stringify(value))
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST', 'access-control-allow-headers': 'x-a,x-b' }, JSON.stringify(value))
  }
})

test('but a name with white space inside is not a list of tokens', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [ORIGIN] } })
  const res = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', 'x a') })
  t.equal(res.statusCode, 204)
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST' }, 'nothing echoed')
})
