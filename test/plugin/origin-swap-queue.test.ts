/**
 * `app.corsPolicy` changes are asynchronous: each returns a promise that resolves once the new list
 * is in force and rejects (leaving the list as it was) when it is refused. Changes apply one after
 * another in call order, each over the list the previous one left, whether or not they are awaited;
 * a refused change does not stop the ones after it; the array given is read when the method is called.
 */
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { CorsInvalidOptionsError, CorsInvalidRouteConfigError, CorsUnsafeOptionsError, type FastifyCorsOptions } from '../../lib/index.js'
import { SLICE_SIZE } from '../../lib/policy/origin-list-slices.js'
import { LOG_LEVEL, captureLogs, type LogCapture } from '../helpers/log-capture.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const C = 'https://c.example.com'
/** many slices' worth: validated and compiled over many turns of the event loop */
const LARGE = 20 * SLICE_SIZE

function tenants (count: number, name = 'tenant'): string[] {
  return Array.from({ length: count }, (_, i) => `https://${name}-${i}.example.com`)
}

async function startApp (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions): Promise<{ app: FastifyInstance, log: LogCapture }> {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, options)
  app.get('/items', async () => 'items')
  await app.ready()
  return { app, log }
}

async function allowed (app: FastifyInstance, origin: string): Promise<unknown> {
  return (await app.inject({ method: 'GET', url: '/items', headers: { origin } })).headers['access-control-allow-origin']
}

function changeLines (log: LogCapture): string[] {
  return log.lines.filter((line) => line.level === LOG_LEVEL.info && line.msg.includes(' origin now ')).map((line) => line.msg)
}

test('changes not awaited apply in call order, each over the one before', async (t) => {
  const { app, log } = await startApp(t, { origin: [A] })
  const changes = [
    app.corsPolicy.addOrigins([B]),
    app.corsPolicy.addOrigins([C]),
    app.corsPolicy.removeOrigins([A]),
    app.corsPolicy.addOrigins([A])
  ]
  t.same(app.corsPolicy.origins, [A], 'nothing is in force before the promises resolve')
  await Promise.all(changes)
  t.same(app.corsPolicy.origins, [B, C, A])
  t.same(changeLines(log).map((line) => line.replace('fastify-cors-policy: / origin now ', '')), [
    "['https://a.example.com', 'https://b.example.com'] (addOrigins)",
    "['https://a.example.com', 'https://b.example.com', 'https://c.example.com'] (addOrigins)",
    "['https://b.example.com', 'https://c.example.com'] (removeOrigins)",
    "['https://b.example.com', 'https://c.example.com', 'https://a.example.com'] (addOrigins)"
  ])
})

test('a large setOrigins then addOrigins, not awaited: the addition applies over the new list', async (t) => {
  const { app } = await startApp(t, { origin: [A] })
  const set = app.corsPolicy.setOrigins(tenants(LARGE))
  const add = app.corsPolicy.addOrigins([B])
  t.same(app.corsPolicy.origins, [A], 'the list in force while the large list is prepared')
  t.equal(await allowed(app, A), A, 'and requests are decided by it meanwhile')
  await Promise.all([set, add])
  t.same(app.corsPolicy.origins, [...tenants(LARGE), B])
  t.equal(await allowed(app, A), undefined)
  t.equal(await allowed(app, B), B)
  t.equal(await allowed(app, `https://tenant-${LARGE - 1}.example.com`), `https://tenant-${LARGE - 1}.example.com`)
})

test('a refused change rejects, leaves the list as it was, and the changes after it still apply', async (t) => {
  const { app, log } = await startApp(t, { origin: [A], credentials: true })
  const first = app.corsPolicy.addOrigins([B])
  const refused = app.corsPolicy.setOrigins([...tenants(LARGE), 'https://bad.example.com/', 'http://insecure.example.com'])
  const last = app.corsPolicy.addOrigins([C])
  await first
  const error = await refused.then(() => undefined, (failure: unknown) => failure)
  t.ok(error instanceof CorsInvalidOptionsError, 'the start-up error, rejected')
  t.same((error as InstanceType<typeof CorsInvalidOptionsError>).problems?.map((p) => p.path), [`/origin/${LARGE}`, `/origin/${LARGE + 1}`], 'every problem, at the index of the array given')
  await last
  t.same(app.corsPolicy.origins, [A, B, C])
  t.equal(changeLines(log).length, 2, 'the refused change logs nothing')
  await t.rejects(app.corsPolicy.addOrigins(['https://*.com']), CorsUnsafeOptionsError)
  t.same(app.corsPolicy.origins, [A, B, C])
})

test('the array given is read when the method is called', async (t) => {
  const { app } = await startApp(t, { origin: { credentialed: [A], public: [B] } })
  const entries = [C]
  const tiers = { credentialed: ['https://staff.example.com'], public: [B] }
  const changes = [app.corsPolicy.addOrigins({ public: entries }), app.corsPolicy.setOrigins(tiers)]
  entries.length = 0
  tiers.credentialed.push('http://insecure.example.com')
  await Promise.all(changes)
  t.same(app.corsPolicy.originTiers, { credentialed: ['https://staff.example.com'], public: [B] })
})

test('a large change before the app is ready: routes compiled at ready read the new list, or the change is refused for them', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [A] })
  app.get('/items', { config: { cors: { maxAge: 5 } } }, async () => 'items')
  const change = app.corsPolicy.setOrigins(tenants(LARGE))
  await app.ready()
  await change
  t.equal(await allowed(app, 'https://tenant-0.example.com'), 'https://tenant-0.example.com')
  t.equal(await allowed(app, A), undefined)

  // a route with credentials of its own refuses http origins: whichever finishes first, the change or
  // the route's compilation at ready, the other fails, and the list never holds the http origin for it
  const strict = Fastify()
  t.teardown(() => strict.close())
  await strict.register(corsPolicy, { origin: [A] })
  strict.get('/me', { config: { cors: { credentials: true } } }, async () => 'me')
  const insecure = strict.corsPolicy.setOrigins([...tenants(LARGE), 'http://insecure.example.com'])
  const [changed, ready] = await Promise.allSettled([insecure, strict.ready()])
  t.equal([changed, ready].filter((outcome) => outcome.status === 'rejected').length, 1, 'one of them fails')
  if (changed.status === 'rejected') {
    t.ok(changed.reason instanceof CorsUnsafeOptionsError, 'the change, refused for the route')
    t.match((changed.reason as Error).message, /\(route GET \/me inherits this origin with credentials: true\)/)
    t.same(strict.corsPolicy.origins, [A])
  } else {
    t.ok(ready.status === 'rejected' && ready.reason instanceof CorsInvalidRouteConfigError, 'start-up, naming the route')
  }
})
