// Public data for any site, credentials for an allow-list, on one route (dotnet/aspnetcore#34084,
// cyu/rack-cors#220). The threat: a public-tier origin reading a credentialed response, because
// the server answered it `Access-Control-Allow-Credentials: true`, or because a shared cache handed
// it the response a credentialed-tier origin got (Fetch#cors-protocol-and-http-caches).
//
// Behaviour: a public-tier origin never receives Access-Control-Allow-Credentials, whatever was asked
// before at the same URL, and every response (preflights and requests without Origin included)
// carries `Vary: Origin`, so a cache that honours Vary never serves one tier's answer to the other.
import { test } from 'tap'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'

const APP = 'https://app.example.com'
const STRANGER = 'https://stranger.example'
const PARTNER = 'https://partner.example'

async function build (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, options)
  // cacheable by shared caches, as a public feed would be
  app.get('/feed', async (_request, reply) => { reply.header('cache-control', 'public, max-age=60'); return 'feed' })
  app.post('/feed', async () => 'posted')
  app.put('/feed', async () => 'replaced')
  await app.ready()
  return app
}

interface Step { method: 'GET' | 'POST' | 'OPTIONS', origin: string | undefined }

function headersOf (step: Step): Record<string, string> {
  const headers: Record<string, string> = step.origin === undefined ? {} : { origin: step.origin }
  if (step.method === 'OPTIONS') headers['access-control-request-method'] = 'PUT'
  return headers
}

function varies (res: LightMyRequestResponse): boolean {
  return String(res.headers.vary ?? '').split(',').some((name) => name.trim().toLowerCase() === 'origin')
}

test('a public-tier origin never gets Access-Control-Allow-Credentials, before or after a credentialed-tier request to the same URL', async (t) => {
  for (const options of [
    { origin: { credentialed: [APP], public: '*' } },
    { origin: { credentialed: [APP], public: [STRANGER, PARTNER] } }
  ] satisfies FastifyCorsOptions[]) {
    const app = await build(t, options)
    // every interleaving of the tiers on one URL, for each kind of request
    const steps: Step[] = []
    for (const method of ['GET', 'POST', 'OPTIONS'] as const) {
      for (const origin of [APP, STRANGER, APP, APP, PARTNER, STRANGER, undefined, STRANGER]) steps.push({ method, origin })
    }
    for (const step of steps) {
      const res = await app.inject({ method: step.method, url: '/feed', headers: headersOf(step) })
      const where = `${JSON.stringify(options.origin)}: ${step.method} from ${step.origin ?? 'no Origin'}`
      t.ok(varies(res), `${where}: Vary: Origin`)
      if (step.origin === APP) {
        t.equal(res.headers['access-control-allow-credentials'], 'true', `${where}: credentialed`)
        t.equal(res.headers['access-control-allow-origin'], APP, where)
      } else {
        t.equal(res.headers['access-control-allow-credentials'], undefined, `${where}: never credentialed`)
        if (step.origin !== undefined) t.equal(res.headers['access-control-allow-origin'], options.origin.public === '*' ? '*' : step.origin, where)
      }
    }
  }
})

/** A shared cache that honours Vary (RFC 9111 §4.1): a stored response is reused only for requests whose Vary'd headers match. */
class VaryCache {
  readonly #stored = new Map<string, Array<{ request: Record<string, string>, response: LightMyRequestResponse }>>()
  hits = 0

  async fetch (app: FastifyInstance, url: string, headers: Record<string, string>): Promise<LightMyRequestResponse> {
    const entries = this.#stored.get(url) ?? []
    for (const entry of entries) {
      const names = String(entry.response.headers.vary ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
      if (names.includes('*')) continue
      if (names.every((name) => entry.request[name] === headers[name])) {
        this.hits++
        return entry.response
      }
    }
    const response = await app.inject({ method: 'GET', url, headers })
    if (/\bpublic\b/.test(String(response.headers['cache-control'] ?? ''))) this.#stored.set(url, [...entries, { request: headers, response }])
    return response
  }
}

test('through a shared cache keyed on Vary, a public-tier origin never gets the credentialed answer', async (t) => {
  const app = await build(t, { origin: { credentialed: [APP], public: '*' } })
  const cache = new VaryCache()
  const credentialed = await cache.fetch(app, '/feed', { origin: APP })
  t.equal(credentialed.headers['access-control-allow-credentials'], 'true', 'the credentialed answer is stored first')
  const stranger = await cache.fetch(app, '/feed', { origin: STRANGER })
  t.equal(stranger.headers['access-control-allow-credentials'], undefined, 'the stranger misses the stored answer: it varies by Origin')
  t.equal(stranger.headers['access-control-allow-origin'], '*')
  const none = await cache.fetch(app, '/feed', {})
  t.equal(none.headers['access-control-allow-credentials'], undefined, 'a request without Origin misses both')
  t.equal((await cache.fetch(app, '/feed', { origin: STRANGER })).headers['access-control-allow-origin'], '*', 'the stranger hits its own answer')
  t.equal((await cache.fetch(app, '/feed', { origin: APP })).headers['access-control-allow-credentials'], 'true', 'and the credentialed origin its own')
  t.equal(cache.hits, 2)
  const other = await cache.fetch(app, '/feed', { origin: PARTNER })
  t.equal(other.headers['access-control-allow-credentials'], undefined, "another public-tier origin gets '*' again, never the credentialed answer")
})
