/**
 * Hostile raw HTTP/1.1 over a real socket (no request input may crash the server): repeated Origin
 * and ACRH lines, 16 KiB fields, 10 000-comma lists, a thousand header names, control and non-ASCII
 * bytes, absurd ACRM values.
 * Invariants: the server always answers and then answers the next request, never with a 5xx, and
 * no Access-Control-* value carries anything that was not validated. Seeded: PROPERTY_SEED.
 */
import { test } from 'tap'
import http from 'node:http'
import fc from 'fast-check'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { serializedOriginHostEnd } from '../../lib/http/origin.js'
import { FUZZ_SEED, KIB16, hostileString, originLike, realOrigin, tokenListLike } from './support/hostile.js'
import { linesOf, rawRequest, sendRaw, wireValue, type RawResponse } from './support/raw-client.js'

const RUNS = 800
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const CONFIGURED_HEADERS = ['content-type', 'x-api-key']
const SERVED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']

type Field = readonly [string, string]

/**
 * The most reflective policy the plugin allows (reflect any valid origin, echo the validated ACRH,
 * and ACRM for unserved URLs), plus routes with a list, a throwing function and `cors: false`.
 * The server accepts 64 KiB of header so that 16 KiB fields reach the plugin instead of a 431.
 */
async function startApi (): Promise<{ app: FastifyInstance, port: number }> {
  const app = Fastify({ serverFactory: (handler) => http.createServer({ maxHeaderSize: 64 * 1024 }, handler) })
  await app.register(corsPolicy, { origin: true })
  app.get('/health', async () => 'ok')
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/items', handler: async () => ({ items: [] }) })
  app.put('/list', {
    config: { cors: { origin: ['https://app.example.com', 'https://*.x.example'], credentials: true, allowedHeaders: CONFIGURED_HEADERS, exposedHeaders: ['X-Total'] } }
  }, async () => 'stored')
  app.get('/fn', {
    config: {
      cors: {
        origin: (origin: string) => {
          if (origin.includes('evil')) throw new TypeError('refused')
          return origin.endsWith('.x.example')
        }
      }
    }
  }, async () => 'fn')
  app.post('/off', { config: { cors: false } }, async () => 'off')
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new TypeError('no TCP address')
  return { app, port: address.port }
}

function trimOws (value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '')
}

/** What a request sent, as the server reads it back (after Node trims OWS). */
function sentValues (fields: readonly Field[], name: string): string[] {
  return fields.filter(([n]) => n.toLowerCase() === name).map(([, value]) => trimOws(wireValue(value)))
}

/** Every invariant of one answer; returns a sentence per violation. */
function violations (fields: readonly Field[], response: RawResponse): string[] {
  const problems: string[] = []
  if (response.status === 0) problems.push('no status line: the server closed without answering')
  if (response.status >= 500) problems.push(`status ${response.status}`)
  for (const [name, value] of response.lines) {
    if (/[^\x20-\x7e\t]/.test(value)) problems.push(`${name} carries a control or non-ASCII byte: ${JSON.stringify(value.slice(0, 80))}`)
  }
  for (const name of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-allow-credentials', 'access-control-expose-headers', 'vary']) {
    if (linesOf(response, name).length > 1) problems.push(`${linesOf(response, name).length} ${name} field lines`)
  }
  const origins = sentValues(fields, 'origin')
  const [acao] = linesOf(response, 'access-control-allow-origin')
  if (acao !== undefined && acao !== '*') {
    // Node keeps only the first 1 000 field lines in request.headers (its maxHeadersCount), so an
    // Origin line after a thousand others never reaches the plugin: the reflected value must be one
    // that was sent, on its own line, and valid; two lines Node does read are joined into an invalid list
    const reflectable = origins.includes(acao) && (acao === 'null' || serializedOriginHostEnd(acao) !== -1)
    if (!reflectable) problems.push(`Access-Control-Allow-Origin ${JSON.stringify(acao.slice(0, 80))} is not a valid Origin value that was sent (${origins.length} Origin lines)`)
    const lastOriginLine = fields.map(([name]) => name.toLowerCase()).lastIndexOf('origin')
    if (origins.length > 1 && lastOriginLine < 990) problems.push(`Access-Control-Allow-Origin reflected one of ${origins.length} Origin lines`)
  }
  const methods = sentValues(fields, 'access-control-request-method')
  const [acam] = linesOf(response, 'access-control-allow-methods')
  if (acam !== undefined) {
    for (const method of acam.split(', ')) {
      const echoed = methods.length === 1 && methods[0] === method && method.length <= 64
      if (!TOKEN.test(method) || (!SERVED_METHODS.includes(method) && !echoed)) problems.push(`Access-Control-Allow-Methods lists ${JSON.stringify(method.slice(0, 80))}`)
    }
  }
  const requested = new Set(sentValues(fields, 'access-control-request-headers').join(',').split(',').map((name) => trimOws(name).toLowerCase()))
  const [acah] = linesOf(response, 'access-control-allow-headers')
  if (acah !== undefined) {
    for (const name of acah.split(',').map(trimOws)) {
      if (!TOKEN.test(name) || (!CONFIGURED_HEADERS.includes(name) && !requested.has(name))) problems.push(`Access-Control-Allow-Headers lists ${JSON.stringify(name.slice(0, 80))}`)
    }
  }
  return problems
}

const noLineBreaks = (value: string): string => value.replace(/[\r\n]/g, '')

const originValue = fc.oneof(realOrigin, originLike, hostileString, fc.constantFrom('null', 'https://app.example.com', 'https://a.x.example', 'https://evil.x.example')).map(noLineBreaks)
const methodValue = fc.oneof(
  fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'put', 'GET, DELETE', 'PUT,DELETE', ' PUT ', '', 'X'.repeat(65), 'X'.repeat(64), 'M\u00e9THOD', 'PU\tT', '*', '__proto__'),
  hostileString
).map(noLineBreaks)
const acrhValue = fc.oneof(tokenListLike, hostileString, fc.constantFrom(','.repeat(10_000), 'x-a,'.repeat(2000), 'content-type', 'x-api-key,content-type', 'authorization')).map(noLineBreaks)

/** One or more field lines; a few entries expand into many (1 000 names) or one huge value. */
const fieldGroup: fc.Arbitrary<Field[]> = fc.oneof(
  { weight: 4, arbitrary: originValue.map((v): Field[] => [['Origin', v]]) },
  { weight: 3, arbitrary: methodValue.map((v): Field[] => [['Access-Control-Request-Method', v]]) },
  { weight: 3, arbitrary: acrhValue.map((v): Field[] => [['Access-Control-Request-Headers', v]]) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'TRUE', 'true, true').map((v): Field[] => [['Access-Control-Request-Private-Network', v]]) },
  { weight: 1, arbitrary: fc.constantFrom('same-origin', 'cross-site', 'same-origin, same-origin').map((v): Field[] => [['Sec-Fetch-Site', v]]) },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 1000 }, (_, i): Field => [`x-h${i}`, 'v'])) },
  { weight: 1, arbitrary: fc.constant<Field[]>([['X-Big', 'a'.repeat(KIB16)]]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Vary', 'X-Forwarded-Host', 'Host', '__proto__', 'constructor', 'Content-Type'), hostileString.map(noLineBreaks)).map(([n, v]): Field[] => [[n, v]]) }
)

const rawCase = fc.record({
  method: fc.constantFrom('OPTIONS', 'OPTIONS', 'OPTIONS', 'GET', 'POST', 'PUT', 'DELETE'),
  path: fc.constantFrom('/items', '/list', '/fn', '/off', '/nowhere', '/items?x=1', '*'),
  fields: fc.array(fieldGroup, { maxLength: 6 }).map((groups) => groups.flat())
})

test('raw hostile requests: always answered, never 5xx, nothing unvalidated reflected', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  const { app, port } = await startApi()
  t.teardown(() => app.close())
  const statuses = new Map<number, number>()

  await fc.assert(fc.asyncProperty(rawCase, async ({ method, path, fields }) => {
    const response = await sendRaw(port, rawRequest(method, path, fields))
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    const problems = violations(fields, response)
    const next = await sendRaw(port, rawRequest('GET', '/health', []))
    if (next.status !== 200) problems.push(`the next request got ${next.status}`)
    if (problems.length > 0) throw new Error(problems.join('; '))
  }), { seed: FUZZ_SEED, numRuns: RUNS })
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
  t.ok(statuses.has(204) && statuses.has(403) && statuses.has(200), 'the runs reached the plugin (204, 403 and 200 answers)')
})

interface NamedCase {
  desc: string
  method: string
  path: string
  fields: Field[]
  status: number
  /** exact Access-Control-* lines expected (others must be absent) */
  cors: Record<string, string>
}

const ORIGIN = 'https://app.example.com'

const cases: NamedCase[] = [
  {
    desc: 'two Origin lines are combined by Node into a list, which is never reflected',
    method: 'GET',
    path: '/items',
    fields: [['Origin', ORIGIN], ['Origin', 'https://evil.example']],
    status: 200,
    cors: {}
  },
  {
    desc: 'two identical Origin lines are a list too',
    method: 'GET',
    path: '/items',
    fields: [['Origin', ORIGIN], ['Origin', ORIGIN]],
    status: 200,
    cors: {}
  },
  {
    desc: 'ACRH split over two lines (a proxy did it) is parsed as one list',
    method: 'OPTIONS',
    path: '/items',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'PUT'], ['Access-Control-Request-Headers', 'x-a'], ['Access-Control-Request-Headers', 'x-b']],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE', 'access-control-allow-headers': 'x-a,x-b' }
  },
  {
    desc: 'a 16 KiB Origin is refused without being read into a reflection',
    method: 'GET',
    path: '/items',
    fields: [['Origin', `https://${'a'.repeat(KIB16)}.example`]],
    status: 200,
    cors: {}
  },
  {
    desc: 'a 16 KiB ACRH exceeds the list limit: origin granted, headers refused, nothing echoed',
    method: 'OPTIONS',
    path: '/items',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'PUT'], ['Access-Control-Request-Headers', 'x'.repeat(KIB16)]],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE' }
  },
  {
    desc: '10 000 commas in ACRH: refused, nothing echoed',
    method: 'OPTIONS',
    path: '/items',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'PUT'], ['Access-Control-Request-Headers', ','.repeat(10_000)]],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE' }
  },
  {
    desc: '1 000 header names do not disturb a preflight',
    method: 'OPTIONS',
    path: '/items',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'DELETE'], ...Array.from({ length: 1000 }, (_, i): Field => [`x-h${i}`, 'v'])],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE' }
  },
  {
    desc: 'a control character in Origin is refused by the HTTP parser',
    method: 'GET',
    path: '/items',
    fields: [['Origin', 'https://app.example.com\u0001']],
    status: 400,
    cors: {}
  },
  {
    desc: 'non-ASCII bytes in Origin arrive as latin1 and are never reflected',
    method: 'GET',
    path: '/items',
    fields: [['Origin', 'https://\u00e9xample.com']],
    status: 200,
    cors: {}
  },
  {
    desc: "ACRM 'GET, DELETE' is not a method: not echoed (go-safeweb#372)",
    method: 'OPTIONS',
    path: '/nowhere',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'GET, DELETE']],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN }
  },
  {
    desc: 'ACRM on two lines is a list: not echoed',
    method: 'OPTIONS',
    path: '/nowhere',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'PATCH'], ['Access-Control-Request-Method', 'DELETE']],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN }
  },
  {
    desc: 'a 65-character ACRM is over the method limit: not echoed',
    method: 'OPTIONS',
    path: '/nowhere',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'X'.repeat(65)]],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN }
  },
  {
    desc: 'a valid unknown method for an unserved URL is echoed, so the page can read the 404',
    method: 'OPTIONS',
    path: '/nowhere',
    fields: [['Origin', ORIGIN], ['Access-Control-Request-Method', 'PURGE']],
    status: 204,
    cors: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'PURGE' }
  },
  {
    desc: 'an origin function that throws denies the preflight with 403, not 500',
    method: 'OPTIONS',
    path: '/fn',
    fields: [['Origin', 'https://evil.x.example'], ['Access-Control-Request-Method', 'GET']],
    status: 403,
    cors: {}
  }
]

test('named hostile requests over a socket', async (t) => {
  const { app, port } = await startApi()
  t.teardown(() => app.close())
  for (const c of cases) {
    t.test(c.desc, async (t) => {
      const response = await sendRaw(port, rawRequest(c.method, c.path, c.fields))
      t.equal(response.status, c.status, 'status')
      const cors = Object.fromEntries(response.lines.filter(([name]) => name.startsWith('access-control-')))
      t.same(cors, c.cors, 'Access-Control-* field lines')
      t.same(violations(c.fields, response), [], 'invariants')
      t.equal((await sendRaw(port, rawRequest('GET', '/health', []))).status, 200, 'the next request is answered')
    })
  }
})

test("with Node's default 16 KiB header limit, a 16 KiB field gets 431 and the server goes on answering", async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: true })
  app.get('/health', async () => 'ok')
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const big = await sendRaw(port, rawRequest('OPTIONS', '/health', [['Origin', ORIGIN], ['Access-Control-Request-Method', 'GET'], ['Access-Control-Request-Headers', 'x,'.repeat(KIB16 / 2)]]))
  t.equal(big.status, 431)
  t.same(big.lines.filter(([name]) => name.startsWith('access-control-')), [])
  t.equal((await sendRaw(port, rawRequest('GET', '/health', []))).status, 200)
})
