// Duplicate Access-Control-Allow-Origin ("contains multiple values") when two layers both add CORS:
// cyu/rack-cors#162, decred/dcrwebapi#8. Fetch#cors-check combines several field
// lines into one value, which never equals the origin, so the browser blocks.
//
// Behaviour: on a route the plugin manages, it owns the Access-Control-* response headers. An
// allowed origin gets exactly one Access-Control-Allow-Origin line, the plugin's, replacing any value
// a handler set; a denied origin gets none, the handler's included (Fetch#http-responses). A route that writes
// its own CORS headers opts out with `config: { cors: false }`, and then the plugin adds nothing.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'

const ALLOWED = 'https://app.example.com'
const DENIED = 'https://evil.example'

async function build (t: { teardown: (fn: () => unknown) => void }): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [ALLOWED], credentials: true })
  app.get('/one', async (_request, reply) => {
    reply.header('access-control-allow-origin', 'https://handler.example')
    return 'one'
  })
  app.get('/two', async (_request, reply) => {
    reply.header('access-control-allow-origin', ['https://h1.example', 'https://h2.example'])
    reply.header('access-control-allow-credentials', 'true')
    reply.header('access-control-expose-headers', 'x-secret')
    return 'two'
  })
  app.get('/own', { config: { cors: false } }, async (request, reply) => {
    reply.header('access-control-allow-origin', request.headers.origin === ALLOWED ? ALLOWED : 'null')
    return 'own'
  })
  return app
}

test('an allowed origin gets one Access-Control-Allow-Origin line, the plugin\'s, whatever the handler set', async (t) => {
  const app = await build(t)
  for (const url of ['/one', '/two']) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: ALLOWED } })
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['access-control-allow-origin'], ALLOWED, `${url}: a single line with the request's origin`)
    t.equal(res.headers['access-control-allow-credentials'], 'true', url)
  }
})

test('a denied origin gets no Access-Control-* header, not even the handler\'s own', async (t) => {
  const app = await build(t)
  for (const url of ['/one', '/two']) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: DENIED } })
    t.equal(res.statusCode, 200, url)
    t.same(Object.keys(res.headers).filter((name) => name.startsWith('access-control-')), [], `${url}: nothing to read for a denied origin`)
    t.equal(res.headers.vary, 'Origin', url)
  }
})

test('without Origin the handler\'s headers are left alone: CORS does not apply', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/one' })
  t.equal(res.headers['access-control-allow-origin'], 'https://handler.example')
  t.equal(res.headers.vary, 'Origin')
})

test('a route with cors: false keeps the headers its handler writes, and the plugin adds none', async (t) => {
  const app = await build(t)
  const allowed = await app.inject({ method: 'GET', url: '/own', headers: { origin: ALLOWED } })
  t.equal(allowed.headers['access-control-allow-origin'], ALLOWED)
  t.equal(allowed.headers['access-control-allow-credentials'], undefined)
  t.equal(allowed.headers.vary, undefined)
  const denied = await app.inject({ method: 'GET', url: '/own', headers: { origin: DENIED } })
  t.equal(denied.headers['access-control-allow-origin'], 'null')
})
