// Registering the plugin again in an encapsulated child scope (`app.register(async (child) => {
// child.register(corsPolicy, …) }, { prefix: '/admin' })`) used to fail start-up with
// FST_CORS_ALREADY_REGISTERED, because the child inherited the parent's registration: a per-prefix
// policy (an admin area with credentials for another origin) meant repeating config.cors on every
// route, and a 404 under the prefix could only get the parent's policy. Now a registration in a
// child scope gives that scope and its prefix its own policy over the parent's (actual requests,
// preflights, 404s); registering twice in one scope is still refused.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'

test('a child scope registration starts and applies its own policy under its prefix', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [A] })
  app.get('/items', async () => ({ items: [] }))
  app.register(async (child) => {
    child.register(corsPolicy, { origin: [B], credentials: true, maxAge: 300 })
    child.get('/users', async () => ({ users: [] }))
    child.patch('/users/:id', async () => ({ patched: true }))
  }, { prefix: '/admin' })
  await t.resolves(async () => { await app.ready() }, 'no FST_CORS_ALREADY_REGISTERED')

  const b = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: B } })
  t.same(corsHeadersOf(b), { 'access-control-allow-origin': B, 'access-control-allow-credentials': 'true' })
  const a = await app.inject({ method: 'GET', url: '/admin/users', headers: { origin: A } })
  t.same(corsHeadersOf(a), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/admin/users/1', headers: preflightHeaders(B, 'PATCH', 'content-type') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': B,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PATCH',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '300'
  })
  const refused = await app.inject({ method: 'OPTIONS', url: '/admin/users/1', headers: preflightHeaders(A, 'PATCH') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
  const notFound = await app.inject({ method: 'GET', url: '/admin/nothing', headers: { origin: B } })
  t.equal(notFound.statusCode, 404)
  t.same(corsHeadersOf(notFound), { 'access-control-allow-origin': B, 'access-control-allow-credentials': 'true' })
  const notFoundA = await app.inject({ method: 'GET', url: '/admin/nothing', headers: { origin: A } })
  t.same(corsHeadersOf(notFoundA), {})

  const parent = await app.inject({ method: 'GET', url: '/items', headers: { origin: A } })
  t.same(corsHeadersOf(parent), { 'access-control-allow-origin': A })
  const parentB = await app.inject({ method: 'GET', url: '/items', headers: { origin: B } })
  t.same(corsHeadersOf(parentB), {})
})

test('twice in the same scope is still refused', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [A] })
  app.register(corsPolicy, { origin: [B] })
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_CORS_ALREADY_REGISTERED',
    message: 'fastify-cors-policy is already registered in this scope; for a policy of its own, register it again inside an encapsulated plugin (a child scope, e.g. with a prefix), or use route config.cors for one route'
  })
})
