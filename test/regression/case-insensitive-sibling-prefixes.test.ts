/**
 * With case-insensitive routing `/API` and `/api` are one prefix: two sibling registrations there
 * both declared the catch-all OPTIONS routes and the app could not start.
 */
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { preflightHeaders } from '../helpers/build-app.js'

test('sibling registrations whose prefixes differ only in case start under case-insensitive routing', async (t) => {
  const app = Fastify({ routerOptions: { caseSensitive: false } })
  t.teardown(() => app.close())
  app.register(async (s) => { await s.register(corsPolicy, { origin: ['https://a.example'] }); s.put('/a', async () => 'a') }, { prefix: '/API' })
  app.register(async (s) => { await s.register(corsPolicy, { origin: ['https://b.example'] }); s.put('/b', async () => 'b') }, { prefix: '/api' })
  await app.ready()
  const a = await app.inject({ method: 'OPTIONS', url: '/api/a', headers: preflightHeaders('https://a.example', 'PUT') })
  t.equal(a.statusCode, 204)
  const b = await app.inject({ method: 'OPTIONS', url: '/API/b', headers: preflightHeaders('https://a.example', 'PUT') })
  t.equal(b.statusCode, 403, "each route keeps its own registration's policy")
})
