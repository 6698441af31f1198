/**
 * A shared HTTP cache in front of the API (rs/cors#10, expressjs/cors#330): nginx
 * caches `Cache-Control: public` responses, and only the `Vary: Origin` the plugin sends keeps one
 * origin's Access-Control-Allow-Origin away from another origin, and a response fetched without
 * Origin away from cross-origin pages (Fetch#cors-protocol-and-http-caches).
 *
 * Needs nginx (Debian package `nginx`). Under CI=true a missing nginx fails; locally it is skipped
 * with a warning.
 */
import { test } from 'tap'
import http from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../../lib/index.js'
import { findNginx, startNginx, type RunningNginx } from './support/nginx.js'

interface Answer {
  status: number
  cache: string | undefined
  acao: string | undefined
  acac: string | undefined
  vary: string | undefined
  /** how many times the upstream handler had run when it produced this body */
  upstream: number
}

function get (port: number, path: string, origin?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: origin === undefined ? {} : { origin } }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { body += chunk })
      response.on('end', () => {
        const header = (name: string): string | undefined => {
          const value = response.headers[name]
          return Array.isArray(value) ? value.join(', ') : value
        }
        resolve({
          status: response.statusCode ?? 0,
          cache: header('x-cache-status'),
          acao: header('access-control-allow-origin'),
          acac: header('access-control-allow-credentials'),
          vary: header('vary'),
          upstream: (JSON.parse(body) as { upstream: number }).upstream
        })
      })
    })
    request.on('error', reject)
    request.end()
  })
}

/** The API: one route per origin policy kind, each response cacheable by a shared cache for a minute. */
async function startApi (): Promise<{ app: FastifyInstance, port: number }> {
  const app = Fastify()
  let upstream = 0
  const cacheable = async (_request: unknown, reply: { header: (name: string, value: string) => unknown }): Promise<{ upstream: number }> => {
    reply.header('cache-control', 'public, max-age=60')
    return { upstream: ++upstream }
  }
  await app.register(corsPolicy)
  app.get('/any', { config: { cors: { origin: '*' } } }, cacheable)
  app.get('/list', { config: { cors: { origin: ['https://a.example', 'https://b.example'], credentials: true } } }, cacheable)
  app.get('/pattern', { config: { cors: { origin: 'https://*.tenant.example' } } }, cacheable)
  app.get('/function', { config: { cors: { origin: (origin: string) => origin.endsWith('.fn.example') } } }, cacheable)
  // the threat itself: a handler that reflects Origin by hand, without Vary
  app.get('/naive', { config: { cors: false } }, async (request, reply) => {
    if (request.headers.origin !== undefined) reply.header('access-control-allow-origin', request.headers.origin)
    return cacheable(request, reply)
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, port: (app.server.address() as { port: number }).port }
}

const nginxBinary = findNginx()
const missing = nginxBinary === undefined
if (missing && process.env.CI !== 'true') {
  process.stderr.write('\n*** test/cache/nginx-cache.test.ts SKIPPED: nginx is not installed (apt-get install nginx); CI runs it ***\n\n')
}

test('a shared nginx cache in front of the plugin', { skip: missing && process.env.CI !== 'true' ? 'nginx is not installed (apt-get install nginx)' : false }, async (t) => {
  if (nginxBinary === undefined) {
    t.fail('nginx is required under CI=true: install the Debian package nginx')
    return
  }
  const api = await startApi()
  t.teardown(() => api.app.close())
  let nginx: RunningNginx
  try {
    nginx = await startNginx(nginxBinary, api.port)
  } catch (error) {
    t.fail(`nginx did not start: ${(error as Error).message}`)
    return
  }
  t.teardown(() => nginx.stop())
  const at = (path: string, origin?: string): Promise<Answer> => get(nginx.port, path, origin)

  t.test('control: a hand-written reflection without Vary is served to the wrong origin', async (t) => {
    const first = await at('/naive?case=control', 'https://a.example')
    const second = await at('/naive?case=control', 'https://evil.example')
    t.match(first, { status: 200, cache: 'MISS', acao: 'https://a.example' })
    t.match(second, { status: 200, cache: 'HIT', acao: 'https://a.example', upstream: first.upstream }, 'the cache poisons the evil origin\'s view: the threat is real in this setup')
  })

  t.test("origin '*': one static answer for everyone, with no Vary", async (t) => {
    const withoutOrigin = await at('/any?case=static')
    const crossOrigin = await at('/any?case=static', 'https://a.example')
    t.match(withoutOrigin, { status: 200, cache: 'MISS', acao: '*', vary: undefined })
    t.match(crossOrigin, { status: 200, cache: 'HIT', acao: '*', vary: undefined, upstream: withoutOrigin.upstream }, 'sharing the cached * answer is correct')
  })

  const kinds = [
    { kind: 'an exact list with credentials', path: '/list', allowed: ['https://a.example', 'https://b.example'], acac: 'true' },
    { kind: 'a pattern', path: '/pattern', allowed: ['https://x.tenant.example', 'https://y.z.tenant.example'], acac: undefined },
    { kind: 'a function', path: '/function', allowed: ['https://x.fn.example', 'https://y.fn.example'], acac: undefined }
  ]
  for (const { kind, path, allowed, acac } of kinds) {
    const [first, second] = allowed as [string, string]

    t.test(`${kind}: one origin never receives another origin's cached CORS headers`, async (t) => {
      const url = `${path}?case=two-origins`
      const a1 = await at(url, first)
      const a2 = await at(url, first)
      const b1 = await at(url, second)
      const evil = await at(url, 'https://evil.example')
      const b2 = await at(url, second)
      t.match(a1, { status: 200, cache: 'MISS', acao: first, acac, vary: 'Origin' })
      t.match(a2, { status: 200, cache: 'HIT', acao: first, upstream: a1.upstream }, 'the same origin is served from the cache')
      t.match(b1, { status: 200, cache: 'MISS', acao: second, acac }, "the second origin gets its own answer, not the first origin's")
      t.match(evil, { status: 200, cache: 'MISS', vary: 'Origin' })
      t.equal(evil.acao, undefined, 'a denied origin gets no Access-Control-Allow-Origin from the cache')
      t.equal(evil.acac, undefined)
      t.match(b2, { status: 200, cache: 'HIT', acao: second, upstream: b1.upstream })
    })

    t.test(`${kind}: a response fetched without Origin is not served to a cross-origin request`, async (t) => {
      const url = `${path}?case=no-origin-first`
      const plain1 = await at(url)
      const plain2 = await at(url)
      const cross = await at(url, first)
      t.match(plain1, { status: 200, cache: 'MISS', vary: 'Origin' })
      t.equal(plain1.acao, undefined)
      t.match(plain2, { status: 200, cache: 'HIT', upstream: plain1.upstream }, 'requests without Origin share the cached answer')
      t.match(cross, { status: 200, cache: 'MISS', acao: first, acac }, 'the cross-origin request is not answered with the cached header-less response')
      t.not(cross.upstream, plain1.upstream)
    })
  }
  t.equal(nginx.log().includes('[emerg]'), false, 'nginx logged no emergency')
})
