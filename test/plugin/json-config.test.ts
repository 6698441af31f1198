import { test } from 'tap'
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import corsPolicy, { CorsJsonOptionsSchema, validateCorsOptions, type FastifyCorsJsonOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const CONFIG_FILE = new URL('../fixtures/cors-config.json', import.meta.url)
const loadConfig = (): FastifyCorsJsonOptions => JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as FastifyCorsJsonOptions

test('the JSON config file registers and answers preflights and actual requests', async (t) => {
  const { app } = await buildApp(t, { cors: loadConfig() })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/7', headers: preflightHeaders('https://admin.example.org', 'PUT', 'content-type,authorization') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), {
    'access-control-allow-origin': 'https://admin.example.org',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE',
    'access-control-allow-headers': 'Content-Type, Authorization, X-Request-Id',
    'access-control-max-age': '600'
  })
  t.equal(preflight.headers.vary, 'Origin')

  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'http://localhost:5173' } })
  t.equal(actual.statusCode, 200)
  t.same(corsHeadersOf(actual), {
    'access-control-allow-origin': 'http://localhost:5173',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'Content-Disposition, X-Total-Count'
  })

  const apex = await app.inject({ method: 'OPTIONS', url: '/items/7', headers: preflightHeaders('https://example.org', 'PUT') })
  t.same(corsHeadersOf(apex), {}, 'the pattern does not match the apex')
})

test('the same checks as register: every problem validateCorsOptions returns is in the registration error', async (t) => {
  for (const c of [
    { desc: 'trailing slash', options: { origin: 'https://a.com/' }, code: 'FST_CORS_INVALID_OPTIONS' },
    { desc: "'*' with credentials", options: { origin: '*', credentials: true }, code: 'FST_CORS_UNSAFE_OPTIONS' },
    { desc: 'forbidden method and a typo', options: { origin: 'https://a.com', methods: ['TRACE'], maxage: 5 }, code: 'FST_CORS_INVALID_OPTIONS' }
  ]) {
    t.test(c.desc, async (t) => {
      const problems = validateCorsOptions(c.options)
      t.not(problems.length, 0)
      const app = Fastify()
      t.teardown(() => app.close())
      let error: unknown
      try { await app.register(corsPolicy, c.options) } catch (caught) { error = caught }
      t.match(error, { code: c.code }, 'register fails')
      for (const problem of problems) t.match((error as Error | undefined)?.message, `${problem.path} ${problem.message}`)
    })
  }
  t.same(validateCorsOptions(loadConfig()), [], 'and nothing for what registers')
})

test('Fastify compiles CorsJsonOptionsSchema as a body schema with its own Ajv: a bad body gets 400', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  // e.g. an admin endpoint that checks a CORS config before storing it
  app.post('/cors-config', { schema: { body: CorsJsonOptionsSchema } }, async (request) => ({ problems: validateCorsOptions(request.body) }))
  await app.ready()

  const valid = await app.inject({ method: 'POST', url: '/cors-config', payload: loadConfig() })
  t.equal(valid.statusCode, 200)
  t.same(valid.json(), { problems: [] })

  const semantic = await app.inject({ method: 'POST', url: '/cors-config', payload: { origin: 'https://a.com/' } })
  t.equal(semantic.statusCode, 200, 'structurally valid')
  t.match(semantic.json(), { problems: [{ path: '/origin', message: /did you mean 'https:\/\/a\.com'\?/, unsafe: false }] })

  for (const c of [
    { desc: 'wrong type', payload: { maxAge: 'soon' }, message: /^body\/maxAge must be integer$/ },
    { desc: 'out of range', payload: { optionsSuccessStatus: 404 }, message: /^body\/optionsSuccessStatus must be <= 299$/ },
    { desc: 'origin list item', payload: { origin: ['https://a.com', { regexp: 'x' }] }, message: /^body\/origin/ }
  ]) {
    const bad = await app.inject({ method: 'POST', url: '/cors-config', payload: c.payload })
    t.equal(bad.statusCode, 400, c.desc)
    t.match(bad.json(), { code: 'FST_ERR_VALIDATION', message: c.message }, c.desc)
  }

  // Fastify's Ajv runs with removeAdditional: true, so an unknown key is dropped, not refused;
  // validate config files with your own Ajv instance (see the README) to have typos reported
  const typo = await app.inject({ method: 'POST', url: '/cors-config', payload: { orign: 'https://a.com' } })
  t.equal(typo.statusCode, 200)
  t.same(typo.json(), { problems: [] })
})
