// `methods: []` means "the CORS-safelisted methods only" (Fetch#cors-safelisted-method). The plugin
// refused a PUT preflight but still sent the route's methods in Access-Control-Allow-Methods, so the
// browser went ahead with the PUT: the decision and the headers disagreed. Found by
// test/property/plugin-vs-browser.test.ts.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'

const ORIGIN = 'https://app.example.com'

test('methods: [] sends no Access-Control-Allow-Methods, so only safelisted methods pass', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [ORIGIN], methods: [] })
  app.get('/things', async () => 'listed')
  app.put('/things', async () => 'stored')

  const put = await app.inject({ method: 'OPTIONS', url: '/things', headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' } })
  t.equal(put.statusCode, 204)
  t.equal(put.headers['access-control-allow-origin'], ORIGIN)
  t.equal(put.headers['access-control-allow-methods'], undefined, 'PUT is not advertised')

  const get = await app.inject({ method: 'OPTIONS', url: '/things', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } })
  t.equal(get.statusCode, 204)
  t.equal(get.headers['access-control-allow-methods'], undefined, 'a safelisted method needs no listing')
})

test('an unset methods option still answers with the methods the route serves', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [ORIGIN] })
  app.get('/things', async () => 'listed')
  app.put('/things', async () => 'stored')

  const put = await app.inject({ method: 'OPTIONS', url: '/things', headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' } })
  t.equal(put.statusCode, 204)
  t.equal(put.headers['access-control-allow-methods'], 'GET, HEAD, PUT')
})
