// Preflights ran only the delegator of the registration covering the URL's prefix: a child scope
// without a prefix whose registration has a delegator got every preflight refused (the parent's
// scope covered the URL), and with `preflight: false` its static default ('*') answered instead of
// its delegator. Each delegating registration whose routes a preflight targets now answers for them.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const preflight = (origin: string, method: string) => ({ origin, 'access-control-request-method': method })

test("a child scope without a prefix answers its routes' preflights with its delegator", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: A })
  app.put('/root', async () => 'root')
  let calls = 0
  app.register(async (child) => {
    await child.register(corsPolicy, { delegator: () => { calls++; return { origin: B } } })
    child.put('/c', async () => 'child')
  })
  const own = await app.inject({ method: 'OPTIONS', url: '/c', headers: preflight(B, 'PUT') })
  t.equal(own.statusCode, 204)
  t.equal(own.headers['access-control-allow-origin'], B)
  t.equal(own.headers['access-control-allow-methods'], 'PUT')
  t.equal(calls, 1, 'the child delegator answered the preflight')
  const parent = await app.inject({ method: 'OPTIONS', url: '/c', headers: preflight(A, 'PUT') })
  t.equal(parent.statusCode, 403, "the parent's origin is not the child's")
  const root = await app.inject({ method: 'OPTIONS', url: '/root', headers: preflight(A, 'PUT') })
  t.equal(root.statusCode, 204)
  t.equal(root.headers['access-control-allow-origin'], A)
  t.equal(calls, 2, 'the delegator is not called for a URL where none of its routes can be targeted')
})

test("with preflight: false the delegator's answer, never the static default, decides the preflight", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: A })
  let calls = 0
  app.register(async (child) => {
    await child.register(corsPolicy, { delegator: () => { calls++; return { origin: false } }, preflight: false })
    child.put('/c', async () => 'child')
    child.options('/c', async (_request, reply) => { reply.header('access-control-allow-methods', 'PUT').code(204).send() })
  })
  const res = await app.inject({ method: 'OPTIONS', url: '/c', headers: preflight('https://evil.example', 'PUT') })
  t.equal(res.statusCode, 204, "the application's OPTIONS route answered")
  t.equal(res.headers['access-control-allow-origin'], undefined)
  t.equal(res.headers['access-control-allow-methods'], undefined, 'its CORS headers are stripped: the delegator refused the origin')
  t.equal(calls, 1)
})
