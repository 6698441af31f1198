/**
 * A refused preflight (403) carried no Vary. A shared cache that stores OPTIONS responses (a CDN set
 * to cache them) keys a response without Vary on its URL alone, so the 403 one origin got was then
 * served to the origin the policy allows, and that origin's pages broke until it expired
 * (Fetch#cors-protocol-and-http-caches). A refusal now carries the Vary its granted counterpart
 * carries: `Origin` whenever the answer depends on it, and the request's method and headers where
 * they choose the answer; none where every origin gets the same answer.
 */
import { test } from 'tap'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

interface Stored { request: Record<string, string>, response: LightMyRequestResponse }

/** A shared cache for OPTIONS responses that honours Vary (RFC 9111 §4.1), as a CDN set to cache OPTIONS would. */
function sharedCache (app: FastifyInstance): { preflight: (url: string, headers: Record<string, string>) => Promise<{ hit: boolean, response: LightMyRequestResponse }> } {
  const stored = new Map<string, Stored[]>()
  const matches = (entry: Stored, headers: Record<string, string>): boolean => {
    const vary = entry.response.headers.vary
    const names = typeof vary === 'string' ? vary.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '') : []
    return names.every((name) => entry.request[name] === headers[name])
  }
  return {
    async preflight (url, headers) {
      const found = stored.get(url)?.find((entry) => matches(entry, headers))
      if (found !== undefined) return { hit: true, response: found.response }
      const response = await app.inject({ method: 'OPTIONS', url, headers })
      stored.set(url, [...(stored.get(url) ?? []), { request: headers, response }])
      return { hit: false, response }
    }
  }
}

async function appWith (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions, routes?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, options)
  if (routes === undefined) app.put('/items/:id', async () => 'updated')
  else routes(app)
  await app.ready()
  return app
}

test("a denied origin's 403 is not served to the allowed origin", async (t) => {
  const app = await appWith(t, { origin: [APP], methods: ['GET', 'PUT'], allowedHeaders: ['x-a'] })
  const cache = sharedCache(app)
  const denied = await cache.preflight('/items/1', preflightHeaders(EVIL, 'PUT'))
  t.equal(denied.response.statusCode, 403)
  t.same(corsHeadersOf(denied.response), {})
  t.equal(denied.response.headers.vary, 'Origin')
  t.equal(denied.response.headers['content-length'], '0')

  const allowed = await cache.preflight('/items/1', preflightHeaders(APP, 'PUT'))
  t.equal(allowed.hit, false, 'the stored 403 does not match the allowed origin')
  t.equal(allowed.response.statusCode, 204)
  t.same(corsHeadersOf(allowed.response), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, PUT', 'access-control-allow-headers': 'x-a' })
  t.equal(allowed.response.headers.vary, 'Origin')

  const again = await cache.preflight('/items/1', preflightHeaders(EVIL, 'PUT'))
  t.equal(again.hit, true, 'the denied origin still gets its own stored 403')
  t.equal(again.response.statusCode, 403)
})

test("a refusal varies on what the policy's grants vary on", async (t) => {
  const cases: Array<{ desc: string, options: FastifyCorsOptions, vary: string | undefined }> = [
    { desc: "the route's methods, requested headers echoed", options: { origin: [APP] }, vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' },
    { desc: 'configured methods, requested headers echoed', options: { origin: [APP], methods: ['PUT'] }, vary: 'Origin, Access-Control-Request-Headers' },
    { desc: 'a pattern', options: { origin: ['https://*.example.com'], methods: ['PUT'], allowedHeaders: [] }, vary: 'Origin' },
    { desc: 'an origin function', options: { origin: (origin: string) => origin === APP, methods: ['PUT'], allowedHeaders: [] }, vary: 'Origin' },
    { desc: 'origin: false refuses every origin alike', options: { origin: false, methods: ['PUT'], allowedHeaders: [] }, vary: undefined },
    { desc: 'a delegator that failed (its answer depends on the request)', options: { delegator: () => { throw new Error('down') } }, vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' }
  ]
  for (const c of cases) {
    const app = await appWith(t, c.options)
    const res = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(EVIL, 'PUT') })
    t.equal(res.statusCode, 403, c.desc)
    t.same(corsHeadersOf(res), {}, c.desc)
    t.equal(res.headers.vary, c.vary, c.desc)
  }
})

test('where the routes at a URL differ, the 403 of one method is not served to a method that is granted', async (t) => {
  const app = await appWith(t, { origin: [APP], methods: ['GET', 'PUT'], allowedHeaders: ['x-a'] }, (instance) => {
    instance.put('/items/:id', { config: { cors: false } }, async () => 'updated')
    instance.get('/items/:id', async () => 'item')
  })
  const cache = sharedCache(app)
  const disabled = await cache.preflight('/items/1', preflightHeaders(APP, 'PUT', 'x-a'))
  t.equal(disabled.response.statusCode, 403)
  t.same(corsHeadersOf(disabled.response), {})
  t.equal(disabled.response.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')

  const granted = await cache.preflight('/items/1', preflightHeaders(APP, 'GET', 'x-a'))
  t.equal(granted.hit, false)
  t.equal(granted.response.statusCode, 204)
  t.same(corsHeadersOf(granted.response), { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'x-a' })
  t.equal(granted.response.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')

  // a route that refuses the origin, among routes that differ: the same Vary
  const evil = await cache.preflight('/items/1', preflightHeaders(EVIL, 'GET', 'x-a'))
  t.equal(evil.hit, false)
  t.equal(evil.response.statusCode, 403)
  t.equal(evil.response.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
})

test("an OPTIONS request without Access-Control-Request-Method: its 400 is not served to the same origin's preflight", async (t) => {
  for (const strictPreflight of [true, false]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(corsPolicy, { origin: [APP], methods: ['GET', 'PUT'], strictPreflight })
    app.put('/items/:id', async () => 'updated')
    await app.ready()
    const cache = sharedCache(app)
    const plain = await cache.preflight('/items/1', { origin: APP })
    t.equal(plain.response.statusCode, strictPreflight ? 400 : 204)
    t.equal(plain.response.headers.vary, 'Access-Control-Request-Method, Origin')
    const real = await cache.preflight('/items/1', preflightHeaders(APP, 'PUT'))
    t.equal(real.hit, false, 'the stored answer does not match a preflight')
    t.equal(real.response.statusCode, 204)
    t.equal(real.response.headers['access-control-allow-origin'], APP)
  }
})
