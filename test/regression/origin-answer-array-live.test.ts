// An origin function's array answer was compiled once and cached by the array's identity: an origin
// removed from the application's live allow-list kept credentialed access, one added was refused,
// and a fresh array per call pinned up to 1000 compiled copies in memory. Arrays are read as they are.
import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy, { type OriginCallback } from '../../lib/index.js'

test('an array answered by an origin function is matched as it is now, not as it was first seen', async (t) => {
  const tenants = ['https://a.example.com', 'https://revoked.example.net']
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: (_origin: string, cb: OriginCallback) => { cb(null, tenants) }, credentials: true })
  app.get('/x', async () => 'ok')
  const before = await app.inject({ url: '/x', headers: { origin: 'https://revoked.example.net' } })
  t.equal(before.headers['access-control-allow-origin'], 'https://revoked.example.net')
  tenants.pop()
  const after = await app.inject({ url: '/x', headers: { origin: 'https://revoked.example.net' } })
  t.equal(after.headers['access-control-allow-origin'], undefined, 'the revoked origin is refused')
  t.equal(after.headers['access-control-allow-credentials'], undefined)
  tenants.push('https://new.example.com')
  const added = await app.inject({ url: '/x', headers: { origin: 'https://new.example.com' } })
  t.equal(added.headers['access-control-allow-origin'], 'https://new.example.com', 'the added origin is allowed')
  t.equal(added.headers['access-control-allow-credentials'], 'true')
})
