// allowPrivateNetwork with origin '*' (or reflect-any): Private Network Access asks a server on the
// user's network (a router, a NAS, a dev server) whether a public page may reach it; answering yes
// to every origin hands every website on the internet a way into the user's LAN. Spring and
// jub0bs/cors refuse it; so does this plugin, for the default '*' too.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

/** Registration as a real promise (register returns the instance, a thenable). */
async function registered (app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  await app.register(corsPolicy, options)
}

const FIX = 'list the origins that may reach this server in `origin`'

for (const [options, which] of [
  [{ origin: '*', allowPrivateNetwork: true }, "origin '*'"],
  [{ allowPrivateNetwork: true }, "the default origin '*'"],
  [{ origin: true, allowPrivateNetwork: true }, 'origin: true (reflect any origin)']
] as const) {
  test(`allowPrivateNetwork with ${which} is refused`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, options), {
      code: 'FST_CORS_UNSAFE_OPTIONS',
      message: `Unsafe fastify-cors-policy options: /allowPrivateNetwork true with ${which} lets every public website reach this server on its visitors' private networks; ${FIX}`
    })
  })
}

test('a route cannot open private network access to every origin either', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: '*' })
  t.throws(() => app.get('/device', { config: { cors: { allowPrivateNetwork: true } } }, async () => 'ok'), {
    code: 'FST_CORS_INVALID_ROUTE_CONFIG',
    message: /^Invalid config\.cors on route GET \/device: \/allowPrivateNetwork true with origin '\*' lets every public website reach this server/
  })
})

test('with listed origins, the listed one is let through and a stranger is not', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'https://app.example.com', allowPrivateNetwork: true } })
  const preflight = (origin: string) => app.inject({
    method: 'OPTIONS',
    url: '/items',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' }
  })
  const listed = await preflight('https://app.example.com')
  t.equal(listed.statusCode, 204)
  t.equal(listed.headers['access-control-allow-private-network'], 'true')
  const stranger = await preflight('https://attacker.test')
  t.equal(stranger.statusCode, 403)
  t.same(corsHeadersOf(stranger), {})
})
