/**
 * What a route's `config.cors` inherits from the registration: the route-level keys of the plugin's
 * options; inherited values that conflict with the route's own give way, with one warning that
 * names each of them.
 */
import { test } from 'tap'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, loggedFastify, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

test("two inherited values that conflict with the route's own give way, named in one warning", async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, { origin: [APP], methods: '*', exposedHeaders: '*' })
  // credentials: true makes the inherited '*' lists literal names: both are dropped for this route
  app.put('/account', { config: { cors: { credentials: true } } }, async () => 'account')
  app.put('/public', async () => 'public')
  await app.ready()
  t.same(log.messages(), [
    "fastify-cors-policy: route PUT /account: the inherited methods: '*', exposedHeaders: '*' do not apply here, because it conflicts with this route's own options"
  ])

  const account = await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(APP, 'PUT') })
  t.same(corsHeadersOf(account), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'PUT'
  }, "the route's own methods, not '*'")
  const actual = await app.inject({ method: 'PUT', url: '/account', headers: { origin: APP } })
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }, "no Access-Control-Expose-Headers '*'")

  const open = await app.inject({ method: 'PUT', url: '/public', headers: { origin: APP } })
  t.same(corsHeadersOf(open), { 'access-control-allow-origin': APP, 'access-control-expose-headers': '*' }, 'other routes keep them')
})

// a route override once inherited nothing from options that were not a plain object, and fell back to origin '*'
test("options given as a class instance are inherited by route overrides like a plain object's", async (t) => {
  class TenantOptions {
    origin = [APP]
  }
  const { app } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, new TenantOptions() as unknown as Record<string, never>)
  app.get('/plain', async () => 'plain')
  app.get('/cached', { config: { cors: { maxAge: 60 } } }, async () => 'cached')
  await app.ready()
  const plain = await app.inject({ method: 'GET', url: '/plain', headers: { origin: EVIL } })
  t.same(corsHeadersOf(plain), {}, 'the registration refuses an unlisted origin')
  const cached = await app.inject({ method: 'GET', url: '/cached', headers: { origin: EVIL } })
  t.same(corsHeadersOf(cached), {}, "the route's override inherits the allow-list")
})
