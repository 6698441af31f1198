// Misuse, written as documentation: an authentication hook registered BEFORE the plugin runs first,
// so it answers every preflight 401, which is not an ok status (preflights never carry credentials,
// Fetch#cors-protocol-and-credentials), and the browser blocks the page's request before it is sent.
// The fix is the order: register the plugin first. See aspnet/CORS#45, auth0/node-oauth2-jwt-bearer#44.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { fetchFromPage } from '../../lib/browser/index.js'

const PAGE = 'https://app.example.com'
const API = 'https://api.example.com'

function authenticate (app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== 'Bearer good') return await reply.code(401).send({ error: 'Unauthorized' })
  })
}

async function buildAccountApi (authFirst: boolean): Promise<{ app: FastifyInstance, saved: () => number }> {
  const app = Fastify()
  let saves = 0
  if (authFirst) authenticate(app)
  await app.register(corsPolicy, { origin: [PAGE], credentials: true })
  if (!authFirst) authenticate(app)
  app.put('/account', async () => { saves++; return { saved: true } })
  await app.ready()
  return { app, saved: () => saves }
}

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
