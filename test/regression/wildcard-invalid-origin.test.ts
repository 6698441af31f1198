// With `origin: '*'`, a request whose Origin header was not a valid serialised origin (`x`,
// `https://EVIL` with an upper-case host, two Origin header lines joined by Node into one value) used
// to be refused as invalid-origin: the response went out without any Access-Control-Allow-Origin,
// so a shared cache could store that CORS-less variant and serve it to every browser (no Vary, since
// a '*' policy does not vary by Origin). Now '*' (alone or as ['*']) answers ACAO * whatever the
// Origin header holds (nothing is reflected, so it is safe), reason 'allowed'.
import { test } from 'tap'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const INVALID_ORIGINS = ['https://EVIL', 'x', 'https://a.example.com, https://b.example.com', 'https://a.example.com/', 'null', ' ', 'https://%zz']

for (const origin of ['*', ['*']] as const) {
  const label = JSON.stringify(origin)
  test(`origin: ${label} answers ACAO * and allowed for an invalid Origin, on every status`, async (t) => {
    const { app, decisions } = await buildApp(t, { cors: { origin: origin as '*', exposedHeaders: ['X-Total'] } })
    for (const value of INVALID_ORIGINS) {
      for (const [method, url, status] of [['GET', '/items', 200], ['POST', '/items', 201], ['GET', '/missing', 404], ['GET', '/error', 500]] as const) {
        const res = await app.inject({ method, url, headers: { origin: value } })
        t.equal(res.statusCode, status, `${value} ${method} ${url}`)
        t.same(corsHeadersOf(res), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Total' }, `${value} ${method} ${url}`)
        t.equal(res.headers.vary, undefined, `${value}: no Vary, the answer does not depend on Origin`)
        t.same(decisions[decisions.length - 1], { origin: value, preflight: false, allowed: true, reason: 'allowed' }, `${value} ${method} ${url}`)
      }
      const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(value, 'PUT') })
      t.equal(preflight.statusCode, 204, `preflight ${value}`)
      t.equal(preflight.headers['access-control-allow-origin'], '*', `preflight ${value}`)
    }
  })
}

test("origin: '*' and two Origin header lines over a real socket: ACAO *, allowed", async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: '*' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const answer = await new Promise<{ status: number, headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/items', method: 'GET' }, (res) => {
      res.resume()
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers }) })
    })
    // an array value is written as two separate header lines
    req.setHeader('Origin', ['https://a.example.com', 'https://b.example.com'])
    req.on('error', reject)
    req.end()
  })
  t.equal(answer.status, 200)
  t.equal(answer.headers['access-control-allow-origin'], '*')
  t.equal(answer.headers.vary, undefined)
  t.match(lastDecision(), { preflight: false, allowed: true, reason: 'allowed' })
})

test('an allow-list still refuses the same values as invalid-origin (nothing reflected)', async (t) => {
  const { app, lastDecision } = await buildApp(t, { cors: { origin: ['https://a.example.com'] } })
  for (const value of ['https://EVIL', 'x', 'https://a.example.com, https://b.example.com']) {
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: value } })
    t.same(corsHeadersOf(res), {}, value)
    t.equal(res.headers.vary, 'Origin')
    t.match(lastDecision(), { allowed: false, reason: 'invalid-origin' }, value)
  }
})
