import { test } from 'tap'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import type { FastifyCorsOptions } from '../../lib/index.js'
import { runCorsCheck } from '../../lib/check/cors-check.js'
import type { CheckReport } from '../../lib/check/cors-check.js'
import { PAGE } from './servers.js'

async function runJson (argv: string[]): Promise<{ code: number, report: CheckReport }> {
  let out = ''
  const code = await runCorsCheck([...argv, '--json'], { write: (chunk: string) => { out += chunk } })
  return { code, report: JSON.parse(out) as CheckReport }
}

/** An API with an auth hook registered after the plugin, as the README recommends. */
async function startApi (options: FastifyCorsOptions): Promise<{ app: FastifyInstance, url: string }> {
  const app = Fastify()
  await app.register(corsPolicy, options)
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization === undefined) return await reply.code(401).send({ error: 'Unauthorized' })
  })
  app.get('/items', async () => [{ id: 1 }])
  app.put('/items', async () => ({ updated: true }))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url }
}

test('cors-check against a Fastify server using fastify-cors-policy', async (t) => {
  const { app, url } = await startApi({ origin: [PAGE], credentials: true, exposedHeaders: ['x-request-id'] })
  t.teardown(async () => { await app.close() })

  t.test('an allowed credentialed PUT: the preflight is answered before the auth hook', async (t) => {
    const { code, report } = await runJson([`${url}/items`, '--origin', PAGE, '--method', 'PUT', '--header', 'Authorization: Bearer t', '--header', 'Content-Type: application/json', '--data', '{"name":"x"}', '--credentials'])
    t.equal(code, 0)
    t.same(report.exchanges.map((e) => [e.kind, e.response.status, e.verdict.allowed]), [['preflight', 204, true], ['actual', 200, true]])
    t.equal(report.exchanges[1]?.bodyBytes, 12)
    t.same(report.warnings, [], 'no dangerous configuration')
  })

  t.test('a page from another origin is refused at the preflight', async (t) => {
    const { code, report } = await runJson([`${url}/items`, '--origin', 'https://evil.example', '--method', 'PUT', '--credentials'])
    t.equal(code, 1)
    t.equal(report.failure, 'PreflightMissingAllowOriginHeader')
    t.equal(report.fix, 'the server must answer the preflight with `Access-Control-Allow-Origin: https://evil.example` and `Access-Control-Allow-Credentials: true` and a 2xx status (it answered 403)')
    t.equal(report.actualSent, false)
  })

  t.test('the 401 of the auth hook stays readable for the allowed page', async (t) => {
    const { code, report } = await runJson([`${url}/items`, '--origin', PAGE, '--credentials'])
    t.equal(code, 0)
    t.same(report.exchanges.map((e) => [e.kind, e.response.status]), [['actual', 401]])
  })
})

test('reflecting any origin with credentials through the explicit opt-in is flagged', async (t) => {
  const { app, url } = await startApi({ origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true, logLevel: 'silent' })
  t.teardown(async () => { await app.close() })
  const { code, report } = await runJson([`${url}/items`, '--origin', PAGE, '--credentials'])
  t.equal(code, 0)
  t.same(report.warnings.map((w) => w.code), ['reflects-any-origin-with-credentials'], 'null is never reflected by `origin: true`')
})
