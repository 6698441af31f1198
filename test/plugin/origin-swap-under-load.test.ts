/**
 * The allow-list replaced 200 times (old, new, old, …) while concurrent loopback requests from
 * old-list, new-list and both-lists origins keep arriving: every response is exactly the answer of
 * the list in force when its request was decided, never a 5xx, never a mix of the two lists (a
 * preflight whose grant combines two route policies that inherit the list), and never the answer of a
 * half-built list (the origins both lists hold, placed last, are always allowed). The lists are long
 * enough to be validated and compiled over several turns of the event loop, so requests are decided
 * while a swap is in progress, under the list still in force.
 */
import { test } from 'tap'
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { SLICE_SIZE } from '../../lib/policy/origin-list-slices.js'

const SWAPS = 200
const CONCURRENCY = 8
/** entries of each list before the shared ones, so that a half-built list would lack them; many slices' worth */
const FILLER = 20 * SLICE_SIZE

const OLD_ONLY = 'https://old.example.com'
const NEW_ONLY = 'https://new.example.com'
const SHARED = 'https://shared.example.com'
const SHARED_BY_PATTERN = 'https://a.shared-tenants.example.com'
const SHARED_BY_REGEXP = 'https://b.shared-regexp.example.com'

function listOf (name: 'old' | 'new', only: string): Array<string | RegExp> {
  const filler = Array.from({ length: FILLER }, (_, i) => `https://${name}-tenant-${i}.example.com`)
  return [only, `https://*.${name}-tenants.example.com`, ...filler, /^https:\/\/(?:a|b)\.shared-regexp\.example\.com$/, 'https://*.shared-tenants.example.com', SHARED]
}

const LISTS = { old: listOf('old', OLD_ONLY), new: listOf('new', NEW_ONLY) } as const

interface Probe { name: string, method: string, path: string, headers: Record<string, string> }

const PROBES: Probe[] = [
  ...[OLD_ONLY, NEW_ONLY, SHARED, SHARED_BY_PATTERN, SHARED_BY_REGEXP, 'https://x.old-tenants.example.com', 'https://x.new-tenants.example.com'].map((origin) => (
    { name: `GET /items from ${origin}`, method: 'GET', path: '/items', headers: { origin } }
  )),
  ...[OLD_ONLY, NEW_ONLY, SHARED].flatMap((origin) => [
    // the routes at /items/:id differ (GET inherits the list as it is, PUT inherits it with options of its own,
    // DELETE has its own origin): the grant reads both inheriting policies' verdicts
    { name: `preflight PUT /items/1 from ${origin}`, method: 'OPTIONS', path: '/items/1', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-token' } },
    { name: `preflight DELETE /items/1 from ${origin}`, method: 'OPTIONS', path: '/items/1', headers: { origin, 'access-control-request-method': 'DELETE' } },
    { name: `GET /me from ${origin}`, method: 'GET', path: '/me', headers: { origin } }
  ])
]

/** What a response says about CORS: its status and every header a browser or a cache reads for it. */
interface Observed { status: number, cors: Record<string, string | string[] | undefined> }

function observed (status: number, headers: IncomingHttpHeaders): Observed {
  const cors: Record<string, string | string[] | undefined> = { vary: headers.vary }
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('access-control-')) cors[name] = value
  return { status, cors }
}

test('200 swaps under concurrent requests: every answer is whole and of the list it was decided by', async (t) => {
  let generation = 0
  let swapInProgress = false
  let decidedDuringSwaps = 0
  const app = Fastify()
  // before the plugin's hook: which list is in force when the request is decided (swaps happen between requests' hooks,
  // never inside them; a swap in progress leaves the list in force until it is installed)
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-list', generation % 2 === 0 ? 'old' : 'new')
    if (swapInProgress) decidedDuringSwaps++
    done()
  })
  await app.register(corsPolicy, { origin: LISTS.old, credentials: true })
  app.get('/items', async () => 'items')
  app.get('/items/:id', async () => 'item')
  app.put('/items/:id', { config: { cors: { allowedHeaders: ['x-token'], maxAge: 600 } } }, async () => 'put')
  app.delete('/items/:id', { config: { cors: { origin: [SHARED] } } }, async () => 'deleted')
  app.get('/me', { config: { cors: { exposedHeaders: ['x-total'] } } }, async () => 'me')
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  t.teardown(async () => {
    agent.destroy()
    await app.close()
  })

  const send = (probe: Probe): Promise<Observed & { list: string }> => new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, agent, method: probe.method, path: probe.path, headers: probe.headers }, (res) => {
      res.resume()
      res.on('end', () => { resolve({ ...observed(res.statusCode ?? 0, res.headers), list: String(res.headers['x-list']) }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })

  // each list's answers, with no change in flight
  const expected: Record<string, Map<string, Observed>> = { old: new Map(), new: new Map() }
  for (const name of ['old', 'new'] as const) {
    await app.corsPolicy.setOrigins(LISTS[name])
    generation = name === 'old' ? 0 : 1
    for (const probe of PROBES) {
      const { list, ...answer } = await send(probe)
      t.equal(list, name)
      expected[name]?.set(probe.name, answer)
    }
  }
  await app.corsPolicy.setOrigins(LISTS.old)
  generation = 0
  // the two lists answer differently, and the origins both hold get the same answer from both
  t.same(expected.old?.get(`GET /items from ${OLD_ONLY}`), { status: 200, cors: { vary: 'Origin', 'access-control-allow-origin': OLD_ONLY, 'access-control-allow-credentials': 'true' } })
  t.same(expected.new?.get(`GET /items from ${OLD_ONLY}`), { status: 200, cors: { vary: 'Origin' } })
  t.same(expected.old?.get(`preflight PUT /items/1 from ${OLD_ONLY}`)?.status, 204)
  t.same(expected.new?.get(`preflight PUT /items/1 from ${OLD_ONLY}`)?.status, 403)
  for (const probe of PROBES.filter((p) => p.headers.origin === SHARED || p.headers.origin === SHARED_BY_PATTERN || p.headers.origin === SHARED_BY_REGEXP)) {
    t.same(expected.new?.get(probe.name), expected.old?.get(probe.name), `${probe.name}: the same from both lists`)
  }

  const mismatches: string[] = []
  const seen = { old: 0, new: 0 }
  const run = { swapsDone: false }
  /** resolves once a response decided under the current list arrives */
  let onCurrent: (() => void) | undefined

  const worker = async (offset: number): Promise<void> => {
    for (let i = offset; !run.swapsDone; i++) {
      const probe = PROBES[i % PROBES.length] as Probe
      const { list, ...answer } = await send(probe)
      if (list !== 'old' && list !== 'new') throw new TypeError(`no list recorded for ${probe.name}`)
      seen[list]++
      const want = expected[list]?.get(probe.name)
      if (answer.status >= 500 || JSON.stringify(answer) !== JSON.stringify(want)) {
        mismatches.push(`${probe.name} under the ${list} list: ${JSON.stringify(answer)}, expected ${JSON.stringify(want)}`)
      }
      if (list === (generation % 2 === 0 ? 'old' : 'new')) onCurrent?.()
    }
  }

  const swapper = async (): Promise<void> => {
    for (let swap = 1; swap <= SWAPS; swap++) {
      swapInProgress = true
      await app.corsPolicy.setOrigins(swap % 2 === 0 ? LISTS.old : LISTS.new)
      // in the same turn of the event loop as the list is installed: no request is decided in between
      swapInProgress = false
      generation = swap
      // requests stay in flight across every swap: the next one waits for an answer under this list
      await new Promise<void>((resolve) => { onCurrent = resolve })
    }
    run.swapsDone = true
  }

  await Promise.all([swapper(), ...Array.from({ length: CONCURRENCY }, (_, i) => worker(i * 3))])
  t.same(mismatches.slice(0, 5), [], `${mismatches.length} answers matched neither list as a whole`)
  t.ok(seen.old >= SWAPS / 2 && seen.new >= SWAPS / 2, 'every list in force answered at least one request')
  t.ok(decidedDuringSwaps > 0, `requests were decided while swaps were in progress (${decidedDuringSwaps}), under the list in force`)
  t.same(app.corsPolicy.origins?.length, LISTS.old.length, 'the last swap put the old list back, whole')
  const last = await send(PROBES[0] as Probe)
  t.same({ status: last.status, cors: last.cors }, expected.old?.get(PROBES[0]?.name as string))
})
