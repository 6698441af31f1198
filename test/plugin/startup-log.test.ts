// The start-up log: one info line per registration stating the policy it applies, named by its scope's prefix.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { LOG_LEVEL, captureLogs, type LogCapture } from '../helpers/log-capture.js'

const A = 'https://a.example.com'

function policyLines (log: LogCapture): Array<[number, string]> {
  return log.lines.filter((line) => line.msg.startsWith('fastify-cors-policy:')).map((line) => [line.level, line.msg])
}

test('one info line at registration, naming the root scope /', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [A, 'https://*.b.example.com'], credentials: true })
  t.same(policyLines(log), [[LOG_LEVEL.info,
    "fastify-cors-policy: / policy: origin ['https://a.example.com', 'https://*.b.example.com'], credentials true, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  ]])
  await app.ready()
  t.equal(policyLines(log).length, 1, 'nothing more when the app is ready')
})

test('no options: the default origin is said to be unconfigured, without a warning', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy)
  t.same(policyLines(log), [[LOG_LEVEL.info,
    "fastify-cors-policy: / policy: origin '*' (not configured), credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  ]])
})

test('one line per registration, each named by its prefix', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [A] })
  await app.register(async (api) => {
    await api.register(corsPolicy, { origin: [A], methods: ['GET', 'PUT'], maxAge: 600 })
    await api.register(async (v1) => {
      await v1.register(corsPolicy, { origin: false })
    }, { prefix: '/v1/' })
  }, { prefix: '/api' })
  await app.ready()
  t.same(policyLines(log).map(([level, msg]) => [level, msg.slice(0, msg.indexOf(', credentials'))]), [
    [LOG_LEVEL.info, "fastify-cors-policy: / policy: origin ['https://a.example.com']"],
    [LOG_LEVEL.info, "fastify-cors-policy: /api policy: origin ['https://a.example.com']"],
    [LOG_LEVEL.info, 'fastify-cors-policy: /api/v1 policy: origin: none']
  ])
  t.match(policyLines(log)[1]?.[1], /, methods \[GET, PUT\], .*, maxAge 600, /)
})

test('options given as a function of the instance that returns a delegator', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, () => (_request: unknown, cb: (error: Error | null, options: Record<string, unknown>) => void) => { cb(null, { origin: [A] }) })
  t.same(policyLines(log), [[LOG_LEVEL.info,
    "fastify-cors-policy: / policy: origin: per request (delegator; default '*'), credentials false, methods: each route's own, allowedHeaders: requested (validated), exposedHeaders none, maxAge none, preflight answered (strict), private network no, enforce false, hook onRequest"
  ]])
})

test('a registration that fails validation logs no policy', async (t) => {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(corsPolicy, { origin: ['https://a.example.com/'] }) }, { code: 'FST_CORS_INVALID_OPTIONS' })
  t.same(policyLines(log), [])
})

test('at log level warn the line is not written', async (t) => {
  const log = captureLogs('warn')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [A] })
  t.same(log.lines, [])
})
