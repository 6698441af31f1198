/**
 * `app.corsPolicy` for `origin: { credentialed, public }`: both tiers replaced together, or entries
 * added to and removed from the tiers named; every answer after a change is the one an app started
 * with the new tiers gives; a public '*' stays '*'.
 */
import { test } from 'tap'
import { CorsInvalidOptionsError, type FastifyCorsOptions } from '../../lib/index.js'
import { corsHeadersOf } from '../helpers/build-app.js'
import { LOG_LEVEL } from '../helpers/log-capture.js'
import { answersTo, policyLines, startRecordingApp, type Answer, type RecordingApp } from '../helpers/swap-oracle.js'

const STAFF = 'https://staff.example.com'
const PARTNER = 'https://partner.example.com'
const READER = 'https://reader.example.com'
const OTHER = 'https://other.example.com'
const OWN = 'https://own.example.com'

async function startApp (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions): Promise<RecordingApp> {
  return await startRecordingApp(t, options, (app) => {
    app.get('/items', async () => 'list')
    app.get('/items/:id', async () => 'item')
    app.put('/items/:id', { config: { cors: { maxAge: 60, allowedHeaders: ['x-token'] } } }, async () => 'put')
    app.delete('/items/:id', { config: { cors: { origin: [OWN], credentials: true } } }, async () => 'deleted')
  })
}

async function answers (app: RecordingApp): Promise<Answer[]> {
  return await answersTo(app, [STAFF, PARTNER, READER, OTHER, OWN],
    [['GET', '/items'], ['PUT', '/items/1'], ['DELETE', '/items/1'], ['GET', '/missing']],
    [['PUT', '/items/1', 'x-token'], ['DELETE', '/items/1', undefined], ['PATCH', '/items', undefined]])
}

test('after setOrigins, every answer is the one an app started with the new tiers gives', async (t) => {
  const swapped = await startApp(t, { origin: { credentialed: [STAFF], public: [READER] } })
  const before = await answers(swapped)
  await swapped.app.corsPolicy.setOrigins({ credentialed: [PARTNER], public: [STAFF, OTHER] })
  const after = await answers(swapped)
  t.same(after, await answers(await startApp(t, { origin: { credentialed: [PARTNER], public: [STAFF, OTHER] } })))
  t.notSame(after, before)

  const { app } = swapped
  const staff = await app.inject({ method: 'GET', url: '/items', headers: { origin: STAFF } })
  t.same(corsHeadersOf(staff), { 'access-control-allow-origin': STAFF }, 'now in the public tier: no credentials')
  const partner = await app.inject({ method: 'PUT', url: '/items/1', headers: { origin: PARTNER } })
  t.same(corsHeadersOf(partner), { 'access-control-allow-origin': PARTNER, 'access-control-allow-credentials': 'true' }, 'a route that inherits the tiers')
  const reader = await app.inject({ method: 'GET', url: '/items', headers: { origin: READER } })
  t.same(corsHeadersOf(reader), {})
  t.equal(reader.headers.vary, 'Origin')
})

test('addOrigins and removeOrigins name the tier; originTiers reads both, origins is undefined', async (t) => {
  const { app, log } = await startApp(t, { origin: { credentialed: [STAFF], public: [READER] } })
  t.equal(app.corsPolicy.origins, undefined)
  t.same(app.corsPolicy.originTiers, { credentialed: [STAFF], public: [READER] })
  t.ok(Object.isFrozen(app.corsPolicy.originTiers))

  await app.corsPolicy.addOrigins({ credentialed: [PARTNER], public: ['https://*.readers.example.com'] })
  t.same(app.corsPolicy.originTiers, { credentialed: [STAFF, PARTNER], public: [READER, 'https://*.readers.example.com'] })
  const added = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://a.readers.example.com' } })
  t.same(corsHeadersOf(added), { 'access-control-allow-origin': 'https://a.readers.example.com' })

  await app.corsPolicy.removeOrigins({ credentialed: [STAFF] })
  t.same(app.corsPolicy.originTiers, { credentialed: [PARTNER], public: [READER, 'https://*.readers.example.com'] })
  const removed = await app.inject({ method: 'GET', url: '/items', headers: { origin: STAFF } })
  t.same(corsHeadersOf(removed), {})

  t.same(policyLines(log).slice(1), [
    [LOG_LEVEL.info, "fastify-cors-policy: / origin now { credentialed ['https://staff.example.com', 'https://partner.example.com'], public ['https://reader.example.com', 'https://*.readers.example.com'] } (addOrigins)"],
    [LOG_LEVEL.info, "fastify-cors-policy: / origin now { credentialed ['https://partner.example.com'], public ['https://reader.example.com', 'https://*.readers.example.com'] } (removeOrigins)"]
  ])
})

test("public '*' stays '*'; the credentialed tier changes", async (t) => {
  const { app } = await startApp(t, { origin: { credentialed: [STAFF], public: '*' } })
  await app.corsPolicy.setOrigins({ credentialed: [PARTNER], public: '*' })
  t.same(app.corsPolicy.originTiers, { credentialed: [PARTNER], public: '*' })
  const partner = await app.inject({ method: 'GET', url: '/items', headers: { origin: PARTNER } })
  t.same(corsHeadersOf(partner), { 'access-control-allow-origin': PARTNER, 'access-control-allow-credentials': 'true' })
  const staff = await app.inject({ method: 'GET', url: '/items', headers: { origin: STAFF } })
  t.same(corsHeadersOf(staff), { 'access-control-allow-origin': '*' }, 'every other site gets the public answer')
  await t.rejects(app.corsPolicy.addOrigins({ public: [READER] }), {
    code: 'FST_CORS_INVALID_OPTIONS',
    message: "Invalid fastify-cors-policy options: /origin/public cannot change: public is '*' (Access-Control-Allow-Origin: * for every other site), which a list cannot replace at run time, nor a list '*'; register public as a list to change it at run time, or keep the tier as registered"
  })
})

test('an invalid change of tiers rejects with the start-up error and changes nothing', async (t) => {
  const { app } = await startApp(t, { origin: { credentialed: [STAFF], public: [READER] } })
  await t.rejects(app.corsPolicy.setOrigins({ credentialed: ['http://partner.example.com'], public: [READER] }), {
    code: 'FST_CORS_UNSAFE_OPTIONS',
    message: "Unsafe fastify-cors-policy options: /origin/credentialed/0 'http://partner.example.com' is an http origin in the credentialed tier: anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users' credentialed responses; serve the site over https and list 'https://partner.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that"
  })
  await t.rejects(app.corsPolicy.setOrigins([STAFF]), CorsInvalidOptionsError, 'tiers stay tiers')
  await t.rejects(app.corsPolicy.removeOrigins({ credentialed: [STAFF] }), {
    code: 'FST_CORS_INVALID_OPTIONS',
    message: 'Invalid fastify-cors-policy options: /origin/credentialed would leave the credentialed tier empty, which tiers cannot be (as at registration); keep at least one entry in the tier, or replace the tiers with setOrigins'
  })
  t.same(app.corsPolicy.originTiers, { credentialed: [STAFF], public: [READER] })
  const staff = await app.inject({ method: 'GET', url: '/items', headers: { origin: STAFF } })
  t.same(corsHeadersOf(staff), { 'access-control-allow-origin': STAFF, 'access-control-allow-credentials': 'true' })
})

test('a list registration has no tiers, and takes no tiers', async (t) => {
  const { app } = await startApp(t, { origin: [STAFF] })
  t.equal(app.corsPolicy.originTiers, undefined)
  await t.rejects(app.corsPolicy.setOrigins({ credentialed: [STAFF], public: '*' }), {
    code: 'FST_CORS_INVALID_OPTIONS',
    message: "Invalid fastify-cors-policy options: /origin expected an array of origins, patterns or anchored RegExps, received {\"credentialed\":[\"https://staff.example.com\"],\"public\":\"*\"}; pass an array, e.g. ['https://app.example.com']"
  })
})
