// 'https://*.github.io', 'https://*.vercel.app', 'https://*.co.uk': well-formed patterns, but the
// base is a public suffix (Public Suffix List, ICANN and private sections), where anyone can
// register a name; with credentials, every stranger's site reads the users' data. The rule: a
// '*.' pattern on a public suffix is refused; a pattern under a name the owner registered is not.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

/** Registration as a real promise (register returns the instance, a thenable). */
async function registered (app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  await app.register(corsPolicy, options)
}

for (const [pattern, suffix] of [
  ['https://*.github.io', 'github.io'],
  ['https://*.vercel.app', 'vercel.app'],
  ['https://*.herokuapp.com', 'herokuapp.com'],
  ['https://*.s3.amazonaws.com', 's3.amazonaws.com'],
  ['https://*.co.uk', 'co.uk'],
  ['https://*.com.au:8443', 'com.au']
] as const) {
  for (const credentials of [true, false]) {
    test(`${pattern} is refused${credentials ? ' with credentials' : ''}: ${suffix} is a public suffix`, async (t) => {
      const app = Fastify()
      t.teardown(() => app.close())
      await t.rejects(registered(app, { origin: [pattern], credentials }), {
        code: 'FST_CORS_UNSAFE_OPTIONS',
        message: `Unsafe fastify-cors-policy options: /origin/0 '${pattern}' is too broad: ${suffix} is a public suffix (Public Suffix List), where anyone can register a name such as https://attacker.${suffix}; list the origins you own, e.g. 'https://myapp.${suffix}'`
      })
    })
  }
}

test('a trailing dot or upper case does not hide the suffix', async (t) => {
  for (const pattern of ['https://*.github.io.', 'https://*.GitHub.IO']) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(registered(app, { origin: pattern, credentials: true }), { code: 'FST_CORS_UNSAFE_OPTIONS', message: /github\.io\.? is a public suffix/ }, pattern)
  }
})

test('a pattern under a registered name is accepted and covers only that name', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: ['https://*.myapp.github.io', 'https://*.example.co.uk', 'http://*.localhost:*'], credentials: true } })
  const cases: Array<[string, boolean]> = [
    ['https://preview.myapp.github.io', true],
    ['https://shop.example.co.uk', true],
    ['http://app.localhost:3000', true],
    ['https://attacker.github.io', false],
    ['https://attacker.co.uk', false]
  ]
  for (const [origin, allowed] of cases) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin } })
    t.same(corsHeadersOf(res), allowed ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' } : {}, origin)
  }
})

test('an exact origin on a public suffix is fine: it is one site', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: 'https://github.io' } })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://github.io' } })
  t.same(corsHeadersOf(res), { 'access-control-allow-origin': 'https://github.io' })
})
