// An origin function in @fastify/cors's callback style that answers after an asynchronous lookup
// (`setTimeout(() => cb(null, allowed))`, a database or cache call) used to throw from inside the
// timer, outside any request's try/catch, and the uncaught exception exited the Node process: one
// tenant lookup took the whole server down. The rules: callbacks answer through `cb(err, allow)`,
// and no user callback can crash the process (a late, doubled or failed answer denies that request
// and the server keeps serving).
import { test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { OriginCallback } from '../../lib/index.js'
import { buildApp, corsHeadersOf, LOG_LEVEL, preflightHeaders } from '../helpers/build-app.js'
import { watchCrashes } from '../helpers/crash-watch.js'

const TENANT = 'https://tenant.example.net'
const OTHER = 'https://other.example.org'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

test('cb(null, allow) from a timer answers the request; nothing escapes to the process', async (t) => {
  const caught = watchCrashes(t)
  const { app, decisions, logs } = await buildApp(t, {
    logLevel: 'warn',
    cors: { credentials: true, origin: (origin: string, cb: OriginCallback) => { setTimeout(() => { cb(null, origin === TENANT) }, 10) } }
  })
  const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(allowed.statusCode, 200)
  t.same(allowed.json(), { items: [] })
  t.same(corsHeadersOf(allowed), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true' })
  t.equal(allowed.headers.vary, 'Origin')
  const denied = await app.inject({ method: 'POST', url: '/items', headers: { origin: OTHER } })
  t.equal(denied.statusCode, 201)
  t.same(corsHeadersOf(denied), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 204)
  t.same(corsHeadersOf(preflight), { 'access-control-allow-origin': TENANT, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'GET, HEAD, PUT, DELETE' })
  const refused = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(OTHER, 'PUT') })
  t.equal(refused.statusCode, 403)
  t.same(corsHeadersOf(refused), {})
  await sleep(30)
  t.same(decisions.map((d) => [d.preflight, d.reason]), [[false, 'allowed'], [false, 'origin-not-allowed'], [true, 'allowed'], [true, 'origin-not-allowed']])
  t.same(logs.filter((line) => line.level >= LOG_LEVEL.warn), [])
  t.same(caught, [], 'no uncaughtException, no unhandledRejection')
})

test('cb(err) from a timer denies; nothing escapes to the process', async (t) => {
  const caught = watchCrashes(t)
  const { app, lastDecision, logs } = await buildApp(t, {
    logLevel: 'error',
    cors: { origin: (_origin: string, cb: OriginCallback) => { setTimeout(() => { cb(new Error('tenant store timed out')) }, 10) } }
  })
  const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(res.statusCode, 200)
  t.same(corsHeadersOf(res), {})
  t.match(lastDecision(), { allowed: false, reason: 'origin-check-failed' })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 403)
  t.same(logs.map((line) => line.msg), [
    `fastify-cors-policy: the origin function called back with an error for origin '${TENANT}'; the request is denied`,
    `fastify-cors-policy: the origin function called back with an error for origin '${TENANT}'; the request is denied`
  ])
  await sleep(20)
  t.same(caught, [])
})

test('a timer callback after the reply was sent (after originCheckTimeout), or twice, never crashes', async (t) => {
  const caught = watchCrashes(t)
  const { app, decisions, logs } = await buildApp(t, {
    logLevel: 'error',
    cors: {
      originCheckTimeout: 15,
      origin: (_origin: string, cb: OriginCallback) => {
        setTimeout(() => { cb(null, true); cb(null, true); cb(new Error('third')) }, 40)
      }
    }
  })
  const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(actual.statusCode, 200)
  t.same(corsHeadersOf(actual), {})
  const preflight = await app.inject({ method: 'OPTIONS', url: '/items/1', headers: preflightHeaders(TENANT, 'PUT') })
  t.equal(preflight.statusCode, 403)
  t.same(corsHeadersOf(preflight), {})
  await sleep(80)
  t.same(decisions.map((d) => [d.preflight, d.reason]), [[false, 'origin-check-failed'], [true, 'origin-check-failed']], 'one reply each')
  t.equal(logs.filter((line) => line.msg === `fastify-cors-policy: the origin function did not settle within 15 ms for origin '${TENANT}'; the request is denied`).length, 2)
  t.ok(logs.every((line) => line.level === LOG_LEVEL.error && line.msg.startsWith('fastify-cors-policy: the origin function')), 'only the plugin\'s error lines')
  t.same(caught, [])
  const after = await app.inject({ method: 'GET', url: '/items' })
  t.equal(after.statusCode, 200, 'the server keeps serving')
})

test('in a separate process: the server survives callback answers from timers and exits 0', async (t) => {
  const lib = pathToFileURL(fileURLToPath(new URL('../../lib/index.ts', import.meta.url))).href
  const script = `
    import Fastify from 'fastify'
    import corsPolicy from ${JSON.stringify(lib)}
    const app = Fastify()
    await app.register(corsPolicy, {
      originCheckTimeout: 15,
      origin: (origin, cb) => {
        setTimeout(() => { cb(null, origin === '${TENANT}') }, 5)
        setTimeout(() => { cb(null, true) }, 30)
        setTimeout(() => { cb(new Error('late')) }, 35)
      }
    })
    app.get('/x', async () => 'ok')
    const out = []
    for (const origin of ['${TENANT}', '${OTHER}']) {
      const res = await app.inject({ url: '/x', headers: { origin } })
      out.push([res.statusCode, res.headers['access-control-allow-origin'] ?? null, res.body])
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    const last = await app.inject({ url: '/x' })
    out.push([last.statusCode])
    await app.close()
    console.log(JSON.stringify(out))
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => { child.on('close', resolve) })
  t.equal(code, 0, stderr)
  t.same(JSON.parse(stdout.trim()), [[200, TENANT, 'ok'], [200, null, 'ok'], [200]])
})
