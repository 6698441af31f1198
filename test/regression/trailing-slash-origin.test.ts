// A trailing slash or a path in the configured origin silently never matched: keycloak/keycloak#25522,
// discourse/discourse PR #10996; the opposite bug, any Origin ending in `/` accepted: ktorio/ktor
// PR #4163. Fetch#origin-header: an Origin is scheme://host[:port], nothing more;
// so such configuration is a registration error with the corrected value.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, corsHeadersOf } from '../helpers/build-app.js'

const configured: Array<[string, string]> = [
  ['https://app.example.com/', "did you mean 'https://app.example.com'?"],
  ['https://app.example.com/app', "did you mean 'https://app.example.com'?"],
  ['https://app.example.com:8443/', "did you mean 'https://app.example.com:8443'?"],
  ['https://app.example.com?x=1', "did you mean 'https://app.example.com'?"]
]

for (const [origin, fix] of configured) {
  test(`configuring ${origin} is refused with the corrected value`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    const error = await app.register(corsPolicy, { origin: [origin] }).then(() => undefined, (e: unknown) => e) as { code?: string, message?: string }
    t.equal(error?.code, 'FST_CORS_INVALID_OPTIONS')
    t.ok(error?.message?.includes(fix), String(error?.message))
  })
}

test('a request Origin with a trailing slash or a path is never matched nor reflected', async (t) => {
  for (const origin of [['https://app.example.com'], true] as const) {
    const api = await buildApp(t, { cors: { origin: origin as string[] | true } })
    for (const sent of ['https://app.example.com/', 'https://app.example.com/app', 'https://app.example.com/?x']) {
      const res = await api.app.inject({ method: 'GET', url: '/items', headers: { origin: sent } })
      t.same(corsHeadersOf(res), {}, `${JSON.stringify(origin)} ${sent}`)
      t.match(api.lastDecision(), { allowed: false, reason: 'invalid-origin' })
    }
    const exact = await api.app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example.com' } })
    t.equal(exact.headers['access-control-allow-origin'], 'https://app.example.com')
  }
})
