// An anchored RegExp written with plain dots, /^https:\/\/app.example.com$/: each '.' matches any
// character, so whoever registers appxexample.com (or app-example.com) reads the responses. The
// rule: an unescaped '.' between host characters is refused, and the error shows the escaped RegExp.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

/** Registration as a real promise (register returns the instance, a thenable). */
async function registered (app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  await app.register(corsPolicy, options)
}

const LOOKALIKE = /^https:\/\/app.example.com$/

test('the look-alike domain would have been let in: the RegExp matches it', async (t) => {
  t.ok(LOOKALIKE.test('https://appxexample.com'))
  t.ok(LOOKALIKE.test('https://app-example.com'))
})

test('refused at registration, with the escaped RegExp to use instead', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(registered(app, { origin: ['https://other.example.com', LOOKALIKE], credentials: true }), {
    code: 'FST_CORS_UNSAFE_OPTIONS',
    message: "Unsafe fastify-cors-policy options: /origin/1 /^https:\\/\\/app.example.com$/ has an unescaped '.', which matches any character, so it also matches 'https://appxexample.com'; use /^https:\\/\\/app\\.example\\.com$/"
  })
})

test('a dot next to a class, a group or an escape is caught too, with an origin it really lets in', async (t) => {
  for (const [origin, example] of [
    [/^https:\/\/[a-z]+.example\.com$/, 'https://xxexample.com'],
    [/^https:\/\/(app|api).example\.com$/, 'https://appxexample.com'],
    [/^https:\/\/(www.)?example\.com$/, 'https://wwwxexample.com'],
    [/^https:\/\/app\.example.com$/i, 'https://app.examplexcom'],
    [/^https:\/\/app.[a-z]+\.example\.com$/, 'https://appxx.example.com']
  ] as const) {
    t.ok(origin.test(example), `${String(origin)} matches ${example}`)
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, { origin }), { code: 'FST_CORS_UNSAFE_OPTIONS', message: new RegExp(`has an unescaped '\\.', which matches any character, so it also matches '${example.replace(/\./g, '\\.')}'`) }, String(origin))
  }
})

test('the suggested RegExp lets the app in and keeps the look-alike out', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: /^https:\/\/app\.example\.com$/, credentials: true } })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.com' } })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'true' })
  for (const origin of ['https://appxexample.com', 'https://app-example.com']) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), {}, origin)
  }
})

test("dots that are meant as 'any character' are left alone: '.*' and '.+' before an escaped dot, a dot in a class", async (t) => {
  for (const origin of [/^https:\/\/.+\.example\.com$/, /^https:\/\/[a-z.]+\.example\.com$/, /^https:\/\/([a-z0-9-]+\.)*example\.com$/]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.resolves(registered(app, { origin }), String(origin))
  }
})
