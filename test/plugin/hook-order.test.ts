/**
 * Nested registrations that decide actual requests in different hooks: a request is decided once,
 * by the hook of the registration that owns its route (the innermost), whichever registration's
 * hook runs first.
 */
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf } from '../helpers/build-app.js'

const APP = 'https://app.example.com'
const PARTNER = 'https://partner.example'

test("a parent's earlier hook leaves a child route to the child's later hook", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: string[] = []
  let handled = 0
  await app.register(corsPolicy, { origin: [APP, PARTNER], hook: 'preValidation' })
  await app.register(async (child) => {
    await child.register(corsPolicy, { origin: [APP], hook: 'preHandler', enforce: true })
    child.addHook('preValidation', async (request) => { seen.push(`preValidation ${request.cors === null ? 'undecided' : request.cors.reason}`) })
    child.addHook('preHandler', async (request) => { seen.push(`preHandler ${request.cors === null ? 'undecided' : request.cors.reason}`) })
    child.get('/x', async () => { handled++; return 'x' })
  }, { prefix: '/child' })
  app.get('/root', async (request) => request.cors)
  await app.ready()

  const allowed = await app.inject({ method: 'GET', url: '/child/x', headers: { origin: APP } })
  t.equal(allowed.statusCode, 200)
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': APP })
  t.same(seen, ['preValidation undecided', 'preHandler allowed'], "the parent's preValidation hook did not decide it")

  // the child's policy refuses PARTNER (the parent's allows it): refused in the child's preHandler, with enforce
  seen.length = 0
  const refused = await app.inject({ method: 'GET', url: '/child/x', headers: { origin: PARTNER } })
  t.equal(refused.statusCode, 403)
  t.same(refused.json(), {
    statusCode: 403,
    code: 'FST_CORS_FORBIDDEN',
    error: 'Forbidden',
    message: "Cross-origin request refused: origin 'https://partner.example' is not in the allow-list for GET /child/x; add it to `origin`"
  })
  t.same(corsHeadersOf(refused), {})
  t.same(seen, ['preValidation undecided'], 'refused in preHandler, after the preValidation hooks ran')
  t.equal(handled, 1)

  // the parent's own routes are decided in its preValidation hook, with its policy
  const root = await app.inject({ method: 'GET', url: '/root', headers: { origin: PARTNER } })
  t.same(root.json(), { origin: PARTNER, preflight: false, allowed: true, credentialed: false, reason: 'allowed' })
  t.same(corsHeadersOf(root), { 'access-control-allow-origin': PARTNER })
})

test('a parent deciding in the same hook decides for the child route, and the child does not decide again', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const decisions: unknown[] = []
  await app.register(corsPolicy, { origin: [APP], hook: 'preHandler' })
  app.addHook('preHandler', async (request) => { decisions.push(request.cors) })
  await app.register(async (child) => {
    await child.register(corsPolicy, { origin: [PARTNER], hook: 'preHandler' })
    child.addHook('preHandler', async (request) => { decisions.push(request.cors) })
    child.get('/x', async (request) => request.cors)
  }, { prefix: '/child' })
  await app.ready()

  const res = await app.inject({ method: 'GET', url: '/child/x', headers: { origin: PARTNER } })
  t.same(res.json(), { origin: PARTNER, preflight: false, allowed: true, credentialed: false, reason: 'allowed' }, "the child's policy")
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': PARTNER })
  t.equal(decisions.length, 2)
  t.not(decisions[0], null, "decided in the parent's preHandler hook")
  t.equal(decisions[1], decisions[0], 'the same decision object: the child hook made none of its own')
})
