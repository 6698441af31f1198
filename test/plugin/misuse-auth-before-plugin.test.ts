// Misuse, written as documentation: an authentication hook registered BEFORE the plugin runs first,
// so it answers every preflight 401, which is not an ok status (preflights never carry credentials,
// Fetch#cors-protocol-and-credentials), and the browser blocks the page's request before it is sent.
// The fix is the order: register the plugin first. See aspnet/CORS#45, auth0/node-oauth2-jwt-bearer#44.
// The plugin notices the misuse: a preflight answered 401 or 403 before its own hook ran gets one
// warning per registration, naming the fix.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import corsPolicy from '../../lib/index.js'
import { fetchFromPage } from '../../lib/browser/index.js'
import { LOG_LEVEL, captureLogs, type LogCapture } from '../helpers/log-capture.js'

const PAGE = 'https://app.example.com'
const API = 'https://api.example.com'

function authenticate (app: FastifyInstance, status = 401): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== 'Bearer good') return await reply.code(status).send({ error: 'Unauthorized' })
  })
}

async function buildAccountApi (authFirst: boolean, status = 401): Promise<{ app: FastifyInstance, saved: () => number, log: LogCapture }> {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  let saves = 0
  if (authFirst) authenticate(app, status)
  await app.register(corsPolicy, { origin: [PAGE], credentials: true })
  if (!authFirst) authenticate(app, status)
  app.put('/account', async () => { saves++; return { saved: true } })
  await app.ready()
  return { app, saved: () => saves, log }
}

function misuseWarning (url: string, status: number): string {
  return `fastify-cors-policy: a preflight (OPTIONS ${url} from ${PAGE}) was answered ${status} by a hook that runs before this plugin's, so browsers block the request it precedes; register fastify-cors-policy before the authentication plugin (or let OPTIONS requests through it)`
}

/** The warnings and errors logged, as [level, message]. */
function warnings (log: LogCapture): Array<[number, string]> {
  return log.atLeast('warn').map((line) => [line.level, line.msg])
}

const PREFLIGHT = { origin: PAGE, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' }

const pageSaves = { origin: PAGE, url: `${API}/account`, method: 'PUT', credentials: 'include', headers: { authorization: 'Bearer good', 'content-type': 'application/json' }, body: '{}' } as const

test('incorrect: auth hook before the plugin, the preflight is answered 401 and the browser never sends the PUT', async (t) => {
  const { app, saved } = await buildAccountApi(true)
  t.teardown(() => app.close())
  const preflight = await app.inject({ method: 'OPTIONS', url: '/account', headers: { origin: PAGE, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' } })
  t.equal(preflight.statusCode, 401)
  // the plugin's onSend still adds the actual-request headers, but a preflight needs an ok status
  t.equal(preflight.headers['access-control-allow-origin'], PAGE)
  t.equal(preflight.headers['access-control-allow-methods'], undefined)
  const result = await fetchFromPage(app, pageSaves)
  t.equal(result.allowed, false)
  t.equal(result.actualSent, false)
  t.equal(result.consoleMessage,
    `Access to fetch at '${API}/account' from origin '${PAGE}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.`)
  t.equal(saved(), 0)
})

test('correct: the plugin first, the preflight is answered and the authenticated PUT is sent and readable', async (t) => {
  const { app, saved } = await buildAccountApi(false)
  t.teardown(() => app.close())
  const result = await fetchFromPage(app, pageSaves)
  t.equal(result.allowed, true)
  t.equal(result.consoleMessage, undefined)
  t.equal(result.response?.status, 200)
  t.equal(saved(), 1)
})

test('incorrect: the misuse is logged once, at warn, whatever the number of preflights', async (t) => {
  const { app, log } = await buildAccountApi(true)
  t.teardown(() => app.close())
  t.same(warnings(log), [], 'nothing at start-up: the order of hooks is not known until a preflight is refused')
  for (let i = 0; i < 2; i++) {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/account', headers: PREFLIGHT })
    t.equal(preflight.statusCode, 401)
  }
  t.same(warnings(log), [[LOG_LEVEL.warn, misuseWarning('/account', 401)]])
})

test('incorrect: a 403 from the earlier hook is the same misuse', async (t) => {
  const { app, log } = await buildAccountApi(true, 403)
  t.teardown(() => app.close())
  await app.inject({ method: 'OPTIONS', url: '/account?tab=1', headers: PREFLIGHT })
  t.same(warnings(log), [[LOG_LEVEL.warn, misuseWarning('/account?tab=1', 403)]])
})

test('incorrect: an earlier hook that throws a 401 error (as a failed JWT verification does)', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  app.addHook('onRequest', async () => { throw Object.assign(new Error('No Authorization was found in request.headers'), { statusCode: 401 }) })
  await app.register(corsPolicy, { origin: [PAGE], credentials: true })
  app.put('/account', async () => ({ saved: true }))
  const res = await app.inject({ method: 'OPTIONS', url: '/account', headers: PREFLIGHT })
  t.equal(res.statusCode, 401)
  t.same(warnings(log).filter(([level]) => level === LOG_LEVEL.warn), [[LOG_LEVEL.warn, misuseWarning('/account', 401)]])
})

test('incorrect: a long URL or Origin is clipped in the warning', async (t) => {
  const { app, log } = await buildAccountApi(true)
  t.teardown(() => app.close())
  const url = `/account?${'q'.repeat(200)}`
  const origin = `https://${'o'.repeat(200)}.example.com`
  await app.inject({ method: 'OPTIONS', url, headers: { ...PREFLIGHT, origin } })
  const [warning] = warnings(log)
  t.equal(warning?.[1].startsWith(`fastify-cors-policy: a preflight (OPTIONS ${url.slice(0, 99)}… from ${origin.slice(0, 99)}…) was answered 401 by`), true)
})

test('incorrect: an auth plugin wrapped with fastify-plugin, loaded before the plugin (as @fastify/autoload loads plugins/auth before plugins/cors)', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  app.register(fp(async (instance) => { authenticate(instance) }, { name: 'auth' }))
  app.register(corsPolicy, { origin: [PAGE], credentials: true })
  app.register(async (routes) => {
    routes.put('/account', async () => ({ saved: true }))
  })
  await app.ready()
  const result = await fetchFromPage(app, pageSaves)
  t.equal(result.actualSent, false)
  await app.inject({ method: 'OPTIONS', url: '/account', headers: PREFLIGHT })
  t.same(warnings(log), [[LOG_LEVEL.warn, misuseWarning('/account', 401)]])
})

test('incorrect: each registration warns once for its own scope', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  for (const prefix of ['/shop', '/admin']) {
    await app.register(async (scope) => {
      authenticate(scope, prefix === '/shop' ? 401 : 403)
      await scope.register(corsPolicy, { origin: [PAGE], credentials: true })
      scope.put('/account', async () => ({ saved: true }))
    }, { prefix })
  }
  await app.ready()
  for (const url of ['/shop/account', '/admin/account', '/shop/account', '/admin/account']) {
    await app.inject({ method: 'OPTIONS', url, headers: PREFLIGHT })
  }
  t.same(warnings(log), [[LOG_LEVEL.warn, misuseWarning('/shop/account', 401)], [LOG_LEVEL.warn, misuseWarning('/admin/account', 403)]])
})

test('correct: no warning when the plugin is registered first', async (t) => {
  const { app, log } = await buildAccountApi(false)
  t.teardown(() => app.close())
  for (let i = 0; i < 2; i++) {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/account', headers: PREFLIGHT })
    t.equal(preflight.statusCode, 204)
  }
  const denied = await app.inject({ method: 'PUT', url: '/account', headers: { origin: PAGE } })
  t.equal(denied.statusCode, 401, 'the actual request is still refused by the auth hook')
  t.same(warnings(log), [])
})

test('no warning for a 401 to a request that is not a preflight', async (t) => {
  const { app, log } = await buildAccountApi(true)
  t.teardown(() => app.close())
  const requests = [
    { method: 'PUT' as const, headers: { origin: PAGE } },
    { method: 'OPTIONS' as const, headers: { origin: PAGE } },
    { method: 'OPTIONS' as const, headers: { 'access-control-request-method': 'PUT' } },
    { method: 'OPTIONS' as const, headers: {} }
  ]
  for (const request of requests) {
    const res = await app.inject({ ...request, url: '/account' })
    t.equal(res.statusCode, 401)
  }
  t.same(warnings(log), [])
})

test('no warning for a preflight refused by the earlier hook with another status', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  app.addHook('onRequest', async (_request, reply) => reply.code(429).send({ error: 'Too Many Requests' }))
  await app.register(corsPolicy, { origin: [PAGE] })
  app.put('/account', async () => ({ saved: true }))
  const res = await app.inject({ method: 'OPTIONS', url: '/account', headers: PREFLIGHT })
  t.equal(res.statusCode, 429)
  t.same(warnings(log), [])
})
