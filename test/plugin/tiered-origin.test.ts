/**
 * `origin: { credentialed, public }` on real requests: credentialed origins get their origin and
 * `Access-Control-Allow-Credentials: true`, other origins the public tier admits get `*` (or their
 * origin for a public list) without credentials, every response varies by Origin, and
 * `request.cors.credentialed` tells the handler which tier it serves.
 */
import { test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { corsHeadersOf, loggedFastify, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const TENANT = 'https://acme.tenant.example'
const PARTNER = 'https://partner.example'
const STRANGER = 'https://stranger.example'
const VARY_PREFLIGHT = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

const TIERED_ANY: FastifyCorsOptions = { origin: { credentialed: [APP, 'https://*.tenant.example'], public: '*' }, exposedHeaders: ['X-Total'] }
const TIERED_LIST: FastifyCorsOptions = { origin: { credentialed: [APP], public: [PARTNER] } }

/** An app with the plugin and routes that answer with `request.cors` (and what the handler would serve). */
async function build (t: Parameters<typeof loggedFastify>[0], options: FastifyCorsOptions, routes?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const { app } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, options)
  if (routes === undefined) {
    const answer = async (request: { cors: { credentialed: boolean, allowed: boolean, reason: string } | null }): Promise<unknown> => ({
      data: request.cors?.credentialed === true ? 'private' : 'public',
      allowed: request.cors?.allowed,
      credentialed: request.cors?.credentialed,
      reason: request.cors?.reason
    })
    app.get('/items', answer)
    app.post('/items', answer)
    app.put('/items/:id', answer)
  } else {
    routes(app)
  }
  await app.ready()
  return app
}

function summary (res: LightMyRequestResponse): { status: number, cors: Record<string, unknown>, vary: unknown } {
  return { status: res.statusCode, cors: corsHeadersOf(res), vary: res.headers.vary }
}

test("public '*': GET and POST, each tier's exact headers and request.cors", async (t) => {
  const app = await build(t, TIERED_ANY)
  for (const method of ['GET', 'POST'] as const) {
    const credentialed = await app.inject({ method, url: '/items', headers: { origin: APP } })
    t.same(summary(credentialed), {
      status: 200,
      cors: { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Total' },
      vary: 'Origin'
    }, `${method} from a credentialed origin`)
    t.same(credentialed.json(), { data: 'private', allowed: true, credentialed: true, reason: 'allowed' })

    const tenant = await app.inject({ method, url: '/items', headers: { origin: TENANT } })
    t.same(corsHeadersOf(tenant)['access-control-allow-credentials'], 'true', `${method} from a credentialed pattern`)

    const stranger = await app.inject({ method, url: '/items', headers: { origin: STRANGER } })
    t.same(summary(stranger), {
      status: 200,
      cors: { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total' },
      vary: 'Origin'
    }, `${method} from any other origin: '*' without credentials, still Vary: Origin`)
    t.same(stranger.json(), { data: 'public', allowed: true, credentialed: false, reason: 'allowed' })
  }
  const malformed = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.com/' } })
  t.same(summary(malformed).cors, { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total' }, "a malformed Origin gets the public '*' (nothing is reflected)")
  const ownPage = await app.inject({ method: 'POST', url: '/items', headers: { origin: 'http://localhost' } })
  t.same(summary(ownPage), { status: 200, cors: {}, vary: 'Origin' }, "the server's own page (inject's Host is localhost): CORS does not apply")
  t.same(ownPage.json(), { data: 'private', allowed: true, credentialed: true, reason: 'same-origin' })
  const none = await app.inject({ method: 'GET', url: '/items' })
  t.same(summary(none), { status: 200, cors: {}, vary: 'Origin' }, 'no Origin: no CORS header, but the answer varies by Origin')
  t.same(none.json(), { data: 'private', allowed: true, credentialed: true, reason: 'no-origin' }, 'CORS does not apply without Origin')
})

test('public list: its origins get their origin without credentials; others are denied', async (t) => {
  const app = await build(t, TIERED_LIST)
  const partner = await app.inject({ method: 'GET', url: '/items', headers: { origin: PARTNER } })
  t.same(summary(partner), { status: 200, cors: { 'access-control-allow-origin': PARTNER }, vary: 'Origin' })
  t.same(partner.json(), { data: 'public', allowed: true, credentialed: false, reason: 'allowed' })
  const app1 = await app.inject({ method: 'POST', url: '/items', headers: { origin: APP } })
  t.same(summary(app1), { status: 200, cors: { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }, vary: 'Origin' })
  const stranger = await app.inject({ method: 'GET', url: '/items', headers: { origin: STRANGER } })
  t.same(summary(stranger), { status: 200, cors: {}, vary: 'Origin' }, 'in neither tier: denied as today')
  t.same(stranger.json(), { data: 'public', allowed: false, credentialed: false, reason: 'origin-not-allowed' })
  const strangerPreflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(STRANGER, 'PUT') })
  t.same(summary(strangerPreflight), { status: 403, cors: {}, vary: VARY_PREFLIGHT }, 'a denied preflight: 403, no CORS header, the Vary of a granted one')
})

test('preflights: the credentialed tier answers as a credentialed policy, the public tier as one without credentials', async (t) => {
  const app = await build(t, { ...TIERED_ANY, maxAge: 600 })
  const credentialed = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(APP, 'PUT', 'content-type') })
  t.same(summary(credentialed), {
    status: 204,
    cors: {
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600'
    },
    vary: VARY_PREFLIGHT
  })
  const stranger = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(STRANGER, 'PUT', 'content-type') })
  t.same(summary(stranger), {
    status: 204,
    cors: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600'
    },
    vary: VARY_PREFLIGHT
  }, "'*' without credentials, varying by Origin")
  const listApp = await build(t, TIERED_LIST)
  const partner = await listApp.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(PARTNER, 'POST', 'x-request-id') })
  t.same(summary(partner), {
    status: 204,
    cors: { 'access-control-allow-origin': PARTNER, 'access-control-allow-methods': 'GET, HEAD, POST', 'access-control-allow-headers': 'x-request-id' },
    vary: VARY_PREFLIGHT
  })
})

test('a public-tier answer carries no Access-Control-Allow-Credentials, not even one the handler set', async (t) => {
  const app = await build(t, TIERED_ANY, (instance) => {
    instance.get('/items', async (_request, reply) => {
      reply.header('access-control-allow-credentials', 'true')
      return 'items'
    })
  })
  const stranger = await app.inject({ method: 'GET', url: '/items', headers: { origin: STRANGER } })
  t.same(corsHeadersOf(stranger), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total' })
  const credentialed = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.equal(credentialed.headers['access-control-allow-credentials'], 'true')

  const plain = await build(t, { origin: [PARTNER] }, (instance) => {
    instance.get('/items', async (_request, reply) => {
      reply.raw.setHeader('access-control-allow-credentials', 'true')
      return 'items'
    })
  })
  const partner = await plain.inject({ method: 'GET', url: '/items', headers: { origin: PARTNER } })
  t.same(corsHeadersOf(partner), { 'access-control-allow-origin': PARTNER }, 'any policy without credentials, set on reply.raw too')
})

test('enforce: both tiers pass, an origin in neither tier is refused before the handler', async (t) => {
  let handled = 0
  const app = await build(t, { ...TIERED_LIST, enforce: true }, (instance) => {
    instance.get('/items', async (request) => { handled++; return { credentialed: request.cors?.credentialed } })
  })
  const partner = await app.inject({ method: 'GET', url: '/items', headers: { origin: PARTNER } })
  t.same([partner.statusCode, partner.json()], [200, { credentialed: false }])
  const own = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.same([own.statusCode, own.json()], [200, { credentialed: true }])
  const stranger = await app.inject({ method: 'GET', url: '/items', headers: { origin: STRANGER } })
  t.equal(stranger.statusCode, 403)
  t.match(stranger.json(), { code: 'FST_CORS_FORBIDDEN', message: "Cross-origin request refused: origin 'https://stranger.example' is in neither tier of `origin` for GET /items; add it to `origin.public`, or to `origin.credentialed` for credentialed responses" })
  t.same(corsHeadersOf(stranger), {})
  t.equal(handled, 2, 'the handler ran for the two tiers only')
})

test('route overrides: tiers on one route, inherited by overrides, replaced by a plain origin', async (t) => {
  const { app, log } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, { origin: [APP], credentials: false })
  app.get('/plain', async () => 'plain')
  app.get('/tiered', { config: { cors: { origin: { credentialed: [APP], public: '*' } } } }, async (request) => ({ credentialed: request.cors?.credentialed }))
  await app.ready()
  t.same(log.messages(), ["fastify-cors-policy: route GET /tiered: the inherited credentials: false does not apply here, because it conflicts with this route's own options"],
    "an inherited credentials: false yields to the route's tiers")
  t.same(corsHeadersOf(await app.inject({ method: 'GET', url: '/plain', headers: { origin: APP } })), { 'access-control-allow-origin': APP })
  t.same(corsHeadersOf(await app.inject({ method: 'GET', url: '/plain', headers: { origin: STRANGER } })), {})
  const own = await app.inject({ method: 'GET', url: '/tiered', headers: { origin: APP } })
  t.same([corsHeadersOf(own), own.json()], [{ 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }, { credentialed: true }])
  const stranger = await app.inject({ method: 'GET', url: '/tiered', headers: { origin: STRANGER } })
  t.same([corsHeadersOf(stranger), stranger.headers.vary], [{ 'access-control-allow-origin': '*' }, 'Origin'])

  const inherited = await build(t, TIERED_LIST, (instance) => {
    instance.get('/cached', { config: { cors: { maxAge: 60 } } }, async () => 'cached')
    instance.get('/open', { config: { cors: { origin: '*' } } }, async () => 'open')
    instance.get('/partner', { config: { cors: { origin: [PARTNER] } } }, async () => 'partner')
  })
  t.same(corsHeadersOf(await inherited.inject({ method: 'GET', url: '/cached', headers: { origin: APP } })), { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }, 'an override inherits the tiers')
  t.same(corsHeadersOf(await inherited.inject({ method: 'GET', url: '/cached', headers: { origin: PARTNER } })), { 'access-control-allow-origin': PARTNER })
  t.same(corsHeadersOf(await inherited.inject({ method: 'GET', url: '/cached', headers: { origin: STRANGER } })), {})
  const cachedPreflight = await inherited.inject({ method: 'OPTIONS', url: '/cached', headers: preflightHeaders(PARTNER, 'GET') })
  t.equal(cachedPreflight.headers['access-control-max-age'], '60')
  const open = await inherited.inject({ method: 'GET', url: '/open', headers: { origin: APP } })
  t.same([corsHeadersOf(open), open.headers.vary], [{ 'access-control-allow-origin': '*' }, undefined], "origin '*' replaces the tiers: no credentials, even for the credentialed origins")
  t.same(corsHeadersOf(await inherited.inject({ method: 'GET', url: '/partner', headers: { origin: PARTNER } })), { 'access-control-allow-origin': PARTNER },
    'a plain list replaces the tiers: credentials come from the tiers, not inherited')
})

test('route overrides that contradict inherited tiers fail at start-up, naming the route', async (t) => {
  for (const c of [
    { desc: 'credentials: false', cors: { credentials: false }, message: '/credentials false contradicts origin { credentialed, public }, which sends credentials to its credentialed tier; remove credentials (the tiers decide who gets credentials), or use a plain origin list if no origin may get them' },
    { desc: "methods '*'", cors: { methods: '*' }, message: "/methods '*' is not a wildcard for the credentialed tier of origin (browsers treat it as a literal name); list the methods explicitly" }
  ]) {
    const { app } = loggedFastify(t, 'warn')
    await app.register(corsPolicy, TIERED_LIST)
    // checked where the route is declared, so the error points at it
    t.throws(() => app.get('/x', { config: { cors: c.cors } }, async () => 'x'),
      { code: 'FST_CORS_INVALID_ROUTE_CONFIG', message: `Invalid config.cors on route GET /x: ${c.message}` }, c.desc)
  }
})

test('registration errors: every problem of the tiers in one error, in a pinned format', async (t) => {
  const { app } = loggedFastify(t, 'warn')
  const error = await app.register(corsPolicy, { origin: { credentialed: ['*', 'http://app.example.com'], public: [PARTNER, 'https://*.github.io'] }, credentials: false } as unknown as FastifyCorsOptions)
    .ready().then(() => undefined, (error: unknown) => error as Error & { code: string })
  t.equal(error?.code, 'FST_CORS_INVALID_OPTIONS')
  t.equal(error?.message, [
    'Invalid fastify-cors-policy options: 4 problems:',
    '  - /credentials false contradicts origin { credentialed, public }, which sends credentials to its credentialed tier; remove credentials (the tiers decide who gets credentials), or use a plain origin list if no origin may get them',
    "  - /origin/credentialed/0 '*' cannot be credentialed: browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; list the origins that may read credentialed responses, and use public: '*' for every other site",
    "  - /origin/credentialed/1 'http://app.example.com' is an http origin in the credentialed tier: anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses; serve the site over https and list 'https://app.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that",
    "  - /origin/public/1 'https://*.github.io' is too broad: github.io is a public suffix (Public Suffix List), where anyone can register a name such as https://attacker.github.io; list the origins you own, e.g. 'https://myapp.github.io'"
  ].join('\n'))
  const { app: unsafe } = loggedFastify(t, 'warn')
  await t.rejects(async () => { await unsafe.register(corsPolicy, { ...TIERED_ANY, allowPrivateNetwork: true }).ready() }, { code: 'FST_CORS_UNSAFE_OPTIONS' },
    "allowPrivateNetwork with public '*' is unsafe")
})

test('the start-up line names both tiers', async (t) => {
  const { app, log } = loggedFastify(t, 'info')
  await app.register(corsPolicy, TIERED_LIST)
  t.ok(log.messages().includes("fastify-cors-policy: / policy: origin { credentialed ['https://app.example.com'], public ['https://partner.example'] }, credentials: credentialed tier only, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"))
})

test('a delegator may answer tiers', async (t) => {
  const { app } = loggedFastify(t, 'warn')
  await app.register(corsPolicy, { delegator: () => ({ origin: { credentialed: [APP], public: '*' } }) })
  app.get('/items', async (request) => ({ credentialed: request.cors?.credentialed }))
  await app.ready()
  const own = await app.inject({ method: 'GET', url: '/items', headers: { origin: APP } })
  t.same([corsHeadersOf(own), own.json()], [{ 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' }, { credentialed: true }])
  const stranger = await app.inject({ method: 'GET', url: '/items', headers: { origin: STRANGER } })
  t.same([corsHeadersOf(stranger), stranger.headers.vary, stranger.json()], [{ 'access-control-allow-origin': '*' }, 'Origin', { credentialed: false }])
})

test('route truth: at a URL whose routes differ, each origin is granted by the tier each route gives it', async (t) => {
  const app = await build(t, { origin: { credentialed: [APP], public: '*' }, maxAge: 600 }, (instance) => {
    instance.get('/account', async () => 'read')
    instance.put('/account', { config: { cors: { origin: [APP, PARTNER], credentials: true } } }, async () => 'write')
    instance.delete('/account', { config: { cors: { origin: { credentialed: [APP], public: [PARTNER] }, methods: ['DELETE'] } } }, async () => 'delete')
  })
  const ask = async (origin: string, method: string, requestHeaders?: string): Promise<ReturnType<typeof summary>> =>
    summary(await app.inject({ method: 'OPTIONS', url: '/account', headers: preflightHeaders(origin, method, requestHeaders) }))
  const cases: Array<{ desc: string, origin: string, method: string, headers?: string, want: ReturnType<typeof summary> }> = [
    {
      desc: 'the credentialed origin: every route credentials it, so all of them are in the credentialed grant',
      origin: APP,
      method: 'PUT',
      want: { status: 204, cors: { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE', 'access-control-max-age': '600' }, vary: VARY_PREFLIGHT }
    },
    {
      desc: "a stranger: the GET route's public '*' only, without credentials",
      origin: STRANGER,
      method: 'GET',
      headers: 'x-a',
      want: { status: 204, cors: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'x-a', 'access-control-max-age': '600' }, vary: VARY_PREFLIGHT }
    },
    { desc: 'a stranger to PUT: refused by its route', origin: STRANGER, method: 'PUT', want: { status: 403, cors: {}, vary: VARY_PREFLIGHT } },
    {
      desc: 'the partner to PUT (credentialed there): the grant never lists the methods whose routes give it the public tier',
      origin: PARTNER,
      method: 'PUT',
      want: { status: 204, cors: { 'access-control-allow-origin': PARTNER, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'PUT', 'access-control-max-age': '600' }, vary: VARY_PREFLIGHT }
    },
    {
      desc: 'the partner to DELETE (public tier there): its origin, without credentials',
      origin: PARTNER,
      method: 'DELETE',
      want: { status: 204, cors: { 'access-control-allow-origin': PARTNER, 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE', 'access-control-max-age': '600' }, vary: VARY_PREFLIGHT }
    }
  ]
  for (const c of cases) t.same(await ask(c.origin, c.method, c.headers), c.want, c.desc)
})
