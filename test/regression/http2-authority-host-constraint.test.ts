/**
 * Over HTTP/2 (what browsers speak over https) the host arrives as `:authority`, not `Host`. The
 * router matches host constraints on either; a preflight that read only `Host` answered for the
 * unconstrained route (or the plugin's default policy) and let another site's PUT reach an
 * admin-only route.
 */
import { test } from 'tap'
import http2 from 'node:http2'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'

const ADMIN = 'https://admin-ui.example'
const PARTNER = 'https://partner.example'

interface H2Response { status: number, cors: Record<string, unknown> }

function request (client: http2.ClientHttp2Session, headers: Record<string, string>): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = client.request(headers)
    let status = 0
    let cors: Record<string, unknown> = {}
    stream.on('response', (received) => {
      status = Number(received[':status'])
      cors = Object.fromEntries(Object.entries(received).filter(([name]) => name.startsWith('access-control-')))
    })
    stream.on('error', reject)
    stream.resume()
    stream.on('end', () => { resolve({ status, cors }) })
    stream.end()
  })
}

test('host constraints are matched on :authority over HTTP/2', async (t) => {
  const runs: string[] = []
  const app = Fastify({ http2: true })
  await app.register(corsPolicy, { origin: [PARTNER, ADMIN], credentials: true })
  app.put('/data', { constraints: { host: 'admin.localhost' }, config: { cors: { origin: [ADMIN] } } }, async () => { runs.push('admin /data'); return 'admin' })
  app.put('/other', { constraints: { host: 'admin.localhost' }, config: { cors: { origin: [ADMIN] } } }, async () => { runs.push('admin /other'); return 'admin' })
  app.put('/data', async () => { runs.push('public /data'); return 'public' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const client = http2.connect(`http://127.0.0.1:${port}`)
  t.teardown(() => { client.close() })

  for (const path of ['/data', '/other']) {
    const partner = await request(client, { ':method': 'OPTIONS', ':path': path, ':authority': 'admin.localhost', origin: PARTNER, 'access-control-request-method': 'PUT' })
    t.equal(partner.status, 403, `${path}: the admin route refuses the partner`)
    t.same(partner.cors, {}, `${path}: no CORS headers`)
    const admin = await request(client, { ':method': 'OPTIONS', ':path': path, ':authority': 'admin.localhost', origin: ADMIN, 'access-control-request-method': 'PUT' })
    t.equal(admin.status, 204, `${path}: the admin route grants its own front end`)
    t.equal(admin.cors['access-control-allow-origin'], ADMIN)
  }
  const elsewhere = await request(client, { ':method': 'OPTIONS', ':path': '/data', ':authority': 'www.localhost', origin: PARTNER, 'access-control-request-method': 'PUT' })
  t.equal(elsewhere.status, 204, 'another host reaches the public route, which grants the partner')
  t.same(runs, [], 'no handler ran')
})
