// origin: process.env.CORS_ORIGINS with CORS_ORIGINS='https://a.example.com,https://b.example.com':
// one string holding several origins. It can never match an Origin header; the rule: refuse it and
// print the array it stands for (and how to split the variable), instead of a puzzling
// "did you mean 'https://a.example.com,https'".
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

/** Registration as a real promise (register returns the instance, a thenable). */
async function registered (app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  await app.register(corsPolicy, options)
}

const SPLIT = "process.env.ORIGINS.split(',').map((origin) => origin.trim())"

for (const written of ['https://a.example.com,https://b.example.com', 'https://a.example.com, https://b.example.com', 'https://a.example.com https://b.example.com']) {
  test(`'${written}' is refused with the array it stands for`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, { origin: written }), {
      code: 'FST_CORS_INVALID_OPTIONS',
      message: `Invalid fastify-cors-policy options: /origin '${written}' is several origins in one string, but origin takes an array; did you mean ['https://a.example.com', 'https://b.example.com']? (from an environment variable: ${SPLIT})`
    })
  })
}

test('a list item holding two origins is refused the same way, at its index', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(registered(app, { origin: ['https://c.example.com', 'https://a.example.com,http://localhost:3000'] }), {
    message: /^Invalid fastify-cors-policy options: \/origin\/1 'https:\/\/a\.example\.com,http:\/\/localhost:3000' is several origins in one string, but origin takes an array; did you mean \['https:\/\/a\.example\.com', 'http:\/\/localhost:3000'\]\?/
  })
})

test('following the suggestion works: both origins are allowed', async (t) => {
  const variable = 'https://a.example.com, https://b.example.com'
  const { app } = await buildApp(t, { cors: { origin: variable.split(',').map((origin) => origin.trim()) } })
  for (const origin of ['https://a.example.com', 'https://b.example.com']) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), { 'access-control-allow-origin': origin }, origin)
  }
})

test('a string with a comma that does not split into origins keeps its own problem: a comma is no host character', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(registered(app, { origin: 'https://a.example.com,b' }), { message: /'https:\/\/a\.example\.com,b' has no valid host/ })
})
