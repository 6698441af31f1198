// `origin: process.env.ORIGINS` with the variable missing is `origin: undefined`, which means "not
// set": the default '*' applies and every website can read the responses, silently. The plugin
// still starts (undefined is "not set" for every option), but says so at start-up: a warning, and the
// policy line marks the origin as not configured.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { LOG_LEVEL, captureLogs } from '../helpers/log-capture.js'

const WARNING = "fastify-cors-policy: origin is undefined (an unset environment variable?), so the default '*' applies and every website can read the responses; set origin, or remove the key if '*' is meant"
const POLICY = "fastify-cors-policy: / policy: origin '*' (not configured), credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"

test('an origin read from a missing environment variable: a warning, then the policy line', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: process.env.FASTIFY_CORS_POLICY_TEST_UNSET_ORIGINS })
  app.get('/data', async () => 'data')
  await app.ready()
  t.same(log.lines.map((line) => [line.level, line.msg]), [[LOG_LEVEL.warn, WARNING], [LOG_LEVEL.info, POLICY]])
  const res = await app.inject({ method: 'GET', url: '/data', headers: { origin: 'https://anyone.example' } })
  t.equal(res.headers['access-control-allow-origin'], '*', 'the default applies, as the warning says')
})

test('no origin key at all, or an explicit one: no warning', async (t) => {
  for (const options of [{}, { origin: '*' as const }, { origin: ['https://app.example.com'] }]) {
    const log = captureLogs('warn')
    const app = Fastify({ logger: log.logger })
    await app.register(corsPolicy, options)
    await app.ready()
    t.same(log.lines, [], JSON.stringify(options))
    await app.close()
  }
})

test('a route whose config.cors leaves origin undefined inherits the plugin\'s: no warning', async (t) => {
  const log = captureLogs('warn')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: ['https://app.example.com'] })
  app.get('/data', { config: { cors: { origin: process.env.FASTIFY_CORS_POLICY_TEST_UNSET_ORIGINS, exposedHeaders: ['X-Total'] } } }, async () => 'data')
  await app.ready()
  t.same(log.lines, [])
})
