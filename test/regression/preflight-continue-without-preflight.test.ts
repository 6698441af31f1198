// `preflightContinue: true` with `preflight: false` (a harmless contradiction @fastify/cors accepts)
// used to be a registration error (FST_CORS_INVALID_OPTIONS "/preflightContinue has no effect when
// preflight is false"), so apps migrating from @fastify/cors did not start; worse, a route setting
// `config.cors: { preflight: false }` under a plugin registered with `preflightContinue: true` failed
// start-up for a value it merely inherited. Now contradictory but harmless combinations start,
// with at most a warning; a value a route inherits never makes that route's config invalid.
import { test } from 'tap'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, loggedFastify, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const WARNING = 'fastify-cors-policy: preflightContinue has no effect when preflight is false: the application answers its own preflights'

test('plugin preflightContinue: true with preflight: false starts with one warning; the application answers preflights', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: [APP], preflightContinue: true, preflight: false },
    routes: (instance) => {
      instance.options('/items', async (_request, reply) => reply.code(299).send('app options'))
      instance.get('/items', async () => ({ items: [] }))
    }
  })
  await app.ready()
  t.same(logs.filter((line) => line.level >= LOG_LEVEL.warn).map((line) => [line.level, line.msg]), [[LOG_LEVEL.warn, WARNING]])
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(APP, 'GET') })
  t.equal(preflight.statusCode, 299)
  t.equal(preflight.body, 'app options')
  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': APP })
})

test('a route with config.cors { preflight: false } under a plugin with preflightContinue: true starts with no warning', async (t) => {
  const { app, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { origin: [APP], preflightContinue: true },
    routes: (instance) => {
      instance.put('/self', { config: { cors: { preflight: false } } }, async () => 'self')
      instance.options('/self', async (_request, reply) => reply.code(204).header('x-own-preflight', '1').send())
      instance.get('/items', async () => ({ items: [] }))
    }
  })
  await t.resolves(async () => { await app.ready() })
  t.same(logs.filter((line) => line.level >= LOG_LEVEL.warn), [], 'no warning: the route only inherited preflightContinue')
  const own = await app.inject({ method: 'OPTIONS', url: '/self', headers: preflightHeaders(APP, 'PUT') })
  t.equal(own.headers['x-own-preflight'], '1', "the route's own OPTIONS handler answers")
  const actual = await app.inject({ method: 'PUT', url: '/self', headers: { origin: APP } })
  t.same(corsHeadersOf(actual), { 'access-control-allow-origin': APP })
})

test('a route setting both itself gets the warning naming the route, and starts', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, { origin: [APP] })
  app.put('/both', { config: { cors: { preflight: false, preflightContinue: true } } }, async () => 'both')
  await t.resolves(async () => { await app.ready() })
  t.same(log.atLeast('warn').map((line) => line.msg), [
    'fastify-cors-policy: route PUT /both: preflightContinue has no effect when preflight is false: the application answers its own preflights'
  ])
})
