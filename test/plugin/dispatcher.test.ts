import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { dispatcherOf } from '../../lib/plugin/dispatcher.js'

const APP = 'https://app.example.com'

test('ownerOf: the innermost registration whose scope holds the route', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let api: FastifyInstance | undefined
  let admin: FastifyInstance | undefined
  let other: FastifyInstance | undefined
  await app.register(async (scope) => {
    api = scope
    await scope.register(corsPolicy, { origin: [APP] })
    await scope.register(async (child) => { admin = child }, { prefix: '/admin' })
  }, { prefix: '/api' })
  await app.register(async (scope) => { other = scope }, { prefix: '/other' })
  await app.ready()
  const dispatcher = dispatcherOf(app)
  t.equal(dispatcher.registrations.length, 1)
  t.equal(dispatcher.ownerOf(api as FastifyInstance), dispatcher.registrations[0])
  t.equal(dispatcher.ownerOf(admin as FastifyInstance), dispatcher.registrations[0], 'a child scope of the registration')
  t.equal(dispatcher.ownerOf(other as FastifyInstance), undefined, 'a sibling scope')
  t.equal(dispatcher.ownerOf(app), undefined, 'the parent')
})

test('scopeFor: the registration whose prefix covers the path by whole segments, longest first', async (t) => {
  const app = Fastify({ routerOptions: { caseSensitive: false } })
  t.teardown(() => app.close())
  app.register(async (scope) => { scope.register(corsPolicy, { origin: [APP] }) }, { prefix: '/api' })
  app.register(async (scope) => { scope.register(corsPolicy, { origin: [APP] }) }, { prefix: '/api/admin' })
  await app.ready()
  const dispatcher = dispatcherOf(app)
  const [api, admin] = dispatcher.registrations
  t.equal(dispatcher.scopeFor('/api/admin/users?x=1'), admin)
  t.equal(dispatcher.scopeFor('/API/Admin'), admin, 'case-insensitive routing compares case-insensitively')
  t.equal(dispatcher.scopeFor('/api/admin-tools'), api, 'a longer name is not a sub-path')
  t.equal(dispatcher.scopeFor('/elsewhere'), undefined)
  t.ok(dispatcher.covers(admin!, '/api/admin/'))
  t.notOk(dispatcher.covers(admin!, '/api/administrator'))
})

test('servedUnseen asks Fastify itself whether a method is served at a URL', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, { origin: [APP] })
  app.put('/items/:id', async () => 'put')
  app.put('/hosted', { constraints: { host: 'a.test' } }, async () => 'hosted')
  await app.ready()
  const dispatcher = dispatcherOf(app)
  t.ok(dispatcher.servedUnseen('PUT', '/items/1', undefined))
  t.notOk(dispatcher.servedUnseen('DELETE', '/items/1', undefined))
  t.ok(dispatcher.servedUnseen('PUT', '/hosted', 'a.test'), 'host constraints are passed on')
  t.notOk(dispatcher.servedUnseen('PUT', '/hosted', 'b.test'))
})

test('optionsValue: plain OPTIONS go to the application where it has its own catch-all next to the plugin\'s', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(async (scope) => {
    scope.register(corsPolicy, { origin: [APP] })
    scope.options('*', async () => 'mine')
  }, { prefix: '/api' })
  app.register(async (scope) => { scope.register(corsPolicy, { origin: [APP] }) }, { prefix: '/web' })
  await app.ready()
  const dispatcher = dispatcherOf(app)
  t.equal(dispatcher.optionsValue('/api/x', undefined, undefined), undefined, "the /api scope's own catch-all answers")
  t.equal(dispatcher.optionsValue('/web/x', undefined, undefined), 'plain', "the /web plugin's strictPreflight answers")
  t.equal(dispatcher.optionsValue('/api/x', undefined, 'PUT'), 'preflight', 'preflights stay with the plugin')
  t.equal(dispatcher.optionsValue('/elsewhere', undefined, 'PUT'), undefined, 'outside every registration: the application decides')
  const res = await app.inject({ method: 'OPTIONS', url: '/web/x' })
  t.equal(res.statusCode, 400)
  t.equal(res.body, 'Invalid Preflight Request')
  const mine = await app.inject({ method: 'OPTIONS', url: '/api/x' })
  t.equal(mine.body, 'mine')
})

test('one dispatcher per app, shared by its scopes; another app has its own', async (t) => {
  const a = Fastify()
  const b = Fastify()
  t.teardown(() => a.close())
  t.teardown(() => b.close())
  let child: FastifyInstance | undefined
  await a.register(async (scope) => { child = scope })
  t.equal(dispatcherOf(child as FastifyInstance), dispatcherOf(a))
  t.not(dispatcherOf(a), dispatcherOf(b))
})
