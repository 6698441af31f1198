// `Access-Control-Allow-Origin: false` (or another wrong value) sent for disallowed origins:
// fastify/fastify-cors#48, #124, #127 (fixed by omitting the header); tower-rs/tower-http#194.
// Fetch#http-responses: deny by omitting the CORS headers. So a denied request gets no
// Access-Control-* header at all, and a denied preflight is a 403 without them.
import { test } from 'tap'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const policies = [
  { desc: 'a list', cors: { origin: ['https://app.example.com'], credentials: true, exposedHeaders: ['X-Total'] } },
  { desc: 'origin: false', cors: { origin: false, exposedHeaders: ['X-Total'] } },
  { desc: 'a function', cors: { origin: (origin: string) => origin === 'https://app.example.com', credentials: true } }
]

for (const { desc, cors } of policies) {
  test(`${desc}: a denied origin gets no Access-Control-* header, not even false or an empty value`, async (t) => {
    const api = await buildApp(t, { cors })
    for (const origin of ['https://evil.example', 'null', 'not an origin']) {
      const actual = await api.app.inject({ method: 'GET', url: '/items', headers: { origin } })
      t.equal(actual.statusCode, 200)
      t.same(corsHeadersOf(actual), {}, `actual from ${origin}`)
      const preflight = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(origin, 'POST', 'content-type') })
      t.equal(preflight.statusCode, 403, `preflight from ${origin}`)
      t.same(corsHeadersOf(preflight), {}, `preflight from ${origin}`)
    }
  })
}
