// Vary done wrong: a missing `Vary: Origin` poisons shared caches (rs/cors#10, expressjs/cors PR #428
// for #330); an unconditional Vary defeats CDNs (koajs/cors#47); Vary overwritten or mis-set
// (honojs/hono#2932, #4471, #5159); hono copied the request's Vary into the response (fix
// d9b8b4b7). Fetch#cors-protocol-and-http-caches: `Vary: Origin` on every response whose ACAO
// depends on the request, merged into the handler's own Vary; none for a static ACAO.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'

function routes (app: FastifyInstance): void {
  app.get('/plain', async () => 'plain')
  app.get('/encoded', async (_request, reply) => reply.header('vary', 'Accept-Encoding').send('encoded'))
  app.get('/star', async (_request, reply) => reply.header('vary', '*').send('star'))
  app.get('/already', async (_request, reply) => reply.header('vary', 'accept, ORIGIN').send('already'))
  app.get('/lines', async (_request, reply) => reply.header('vary', ['Accept', 'Accept-Language']).send('lines'))
}

test('Vary: Origin on every response of a reflecting policy, with or without Origin, allowed or not', async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  for (const headers of [{}, { origin: ORIGIN }, { origin: 'https://evil.example' }]) {
    const res = await app.inject({ method: 'GET', url: '/plain', headers })
    t.equal(res.headers.vary, 'Origin', JSON.stringify(headers))
  }
})

test("merged into the handler's Vary: kept entries, no duplicates, * stays *", async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  const cases: Array<[string, string]> = [
    ['/encoded', 'Accept-Encoding, Origin'],
    ['/star', '*'],
    ['/already', 'accept, ORIGIN'],
    ['/lines', 'Accept, Accept-Language, Origin']
  ]
  for (const [url, vary] of cases) {
    const res = await app.inject({ method: 'GET', url, headers: { origin: ORIGIN } })
    t.equal(res.headers.vary, vary, url)
  }
})

test("the request's own Vary header is never copied into the response", async (t) => {
  const { app } = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  const res = await app.inject({ method: 'GET', url: '/plain', headers: { origin: ORIGIN, vary: 'X-Injected' } })
  t.equal(res.headers.vary, 'Origin')
})

test("no Vary where the answer is static: origin '*' and origin false", async (t) => {
  for (const origin of ['*' as const, false]) {
    const { app } = await buildApp(t, { cors: { origin }, routes })
    for (const headers of [{}, { origin: ORIGIN }]) {
      const res = await app.inject({ method: 'GET', url: '/plain', headers })
      t.equal(res.headers.vary, undefined, `${String(origin)} ${JSON.stringify(headers)}`)
    }
  }
})

test('preflights vary by what their answer depends on', async (t) => {
  const reflecting = await buildApp(t, { cors: { origin: [ORIGIN] }, routes })
  const res = await reflecting.app.inject({ method: 'OPTIONS', url: '/plain', headers: preflightHeaders(ORIGIN, 'GET', 'x-a') })
  t.equal(res.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  const fixed = await buildApp(t, { cors: { origin: '*', methods: ['GET', 'PUT'], allowedHeaders: ['x-a'] }, routes })
  const fixedRes = await fixed.app.inject({ method: 'OPTIONS', url: '/plain', headers: preflightHeaders(ORIGIN, 'GET', 'x-a') })
  t.equal(fixedRes.headers.vary, undefined, 'nothing in the answer depends on the request')
})
