// The AbortSignal an origin function (4th argument) and a delegator (3rd) receive: it aborts when
// originCheckTimeout passes and when the client disconnects (real sockets on 127.0.0.1), and never
// because a request ended normally (Node's request 'close' follows a fully read body).
import { test, type Test } from 'tap'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { buildApp, corsHeadersOf, LOG_LEVEL, type LogLine } from '../helpers/build-app.js'
import type { FastifyCorsOptions, OriginCallback } from '../../lib/index.js'

const TENANT = 'https://tenant.example.net'

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Waits until `condition` holds, polling for at most 10 s (then fails the test's await). */
async function until (condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return
    await sleep(5)
  }
  throw new Error(`timed out waiting until ${what}`)
}

/** A function that records its signal and answers only when its signal aborts (rejecting with the reason). */
function waitingFunction () {
  const signals: AbortSignal[] = []
  return {
    signals,
    origin: async (_origin: string, _cb: OriginCallback, _request: FastifyRequest, signal: AbortSignal): Promise<boolean> => {
      signals.push(signal)
      return await new Promise<boolean>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) })
    }
  }
}

async function listen (t: Test, app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

/** A raw HTTP/1.1 request on its own socket, left open: the test destroys it. */
async function openRequest (t: Test, port: number, head: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
  socket.write(head)
  return socket
}

const getHead = (port: number, origin = TENANT): string => `GET /items HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\n\r\n`

function debugLines (logs: LogLine[], text: string): LogLine[] {
  return logs.filter((line) => line.level === LOG_LEVEL.debug && line.msg.includes(text))
}

test('the signal is the 4th argument; callback and async functions that declare it both work', async (t) => {
  const seen: AbortSignal[] = []
  const functions: Array<{ desc: string, origin: NonNullable<FastifyCorsOptions['origin']> }> = [
    { desc: '(origin, cb, request, signal) calling back', origin: (origin: string, cb: OriginCallback, _request: FastifyRequest, signal: AbortSignal) => { seen.push(signal); setImmediate(() => { cb(null, origin === TENANT) }) } },
    { desc: 'async (origin, _cb, _request, signal)', origin: async (origin: string, _cb: OriginCallback, _request: FastifyRequest, signal: AbortSignal) => { seen.push(signal); return origin === TENANT } },
    { desc: '@fastify/cors style (origin, cb)', origin: (origin: string, cb: OriginCallback) => { cb(null, origin === TENANT) } },
    { desc: '@fastify/cors style async (origin)', origin: async (origin: string) => origin === TENANT }
  ]
  for (const c of functions) {
    const { app } = await buildApp(t, { cors: { origin: c.origin } })
    const allowed = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
    t.equal(allowed.headers['access-control-allow-origin'], TENANT, c.desc)
    const refused = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://other.example.net' } })
    t.same(corsHeadersOf(refused), {}, c.desc)
  }
  t.equal(seen.length, 4)
  for (const signal of seen) {
    t.ok(signal instanceof AbortSignal)
    t.equal(signal.aborted, false, 'an answer in time leaves the signal alone')
  }
})

test('originCheckTimeout aborts the signal with a TimeoutError; one error line; the next request asks again', async (t) => {
  const fn = waitingFunction()
  const { app, logs, decisions } = await buildApp(t, { logLevel: 'warn', cors: { origin: fn.origin, originCheckTimeout: 20, originCache: true } })
  const first = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(first), {})
  const signal = fn.signals[0] as AbortSignal
  t.equal(signal.aborted, true)
  t.ok(signal.reason instanceof DOMException)
  t.equal((signal.reason as DOMException).name, 'TimeoutError')
  t.equal((signal.reason as DOMException).message, 'did not settle within 20 ms (originCheckTimeout)')
  await sleep(10)
  t.same(logs.filter((line) => line.level >= LOG_LEVEL.warn).map((line) => line.msg), [
    `fastify-cors-policy: the origin function did not settle within 20 ms for origin '${TENANT}'; the request is denied`
  ], 'the rejection that follows the abort is not a second line')
  await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.equal(fn.signals.length, 2, 'a timed-out lookup is not kept')
  t.same(decisions.map((d) => d.reason), ['origin-check-failed', 'origin-check-failed'])
})

test('a client that disconnects aborts the signal; the server goes on', async (t) => {
  const fn = waitingFunction()
  const { app, logs } = await buildApp(t, { logLevel: 'debug', cors: { origin: fn.origin } })
  const port = await listen(t, app)
  const socket = await openRequest(t, port, getHead(port))
  await until(() => fn.signals.length === 1, 'the origin function is called')
  socket.destroy()
  const signal = fn.signals[0] as AbortSignal
  await until(() => signal.aborted, 'the signal aborts')
  t.equal((signal.reason as DOMException).name, 'AbortError')
  t.equal((signal.reason as DOMException).message, 'the client disconnected before the origin function answered')
  await until(() => debugLines(logs, 'disconnected').length > 0, 'the disconnect is logged')
  t.same(debugLines(logs, 'disconnected').map((line) => line.msg), [`fastify-cors-policy: the client disconnected before the origin function answered for origin '${TENANT}'`])
  t.same(logs.filter((line) => line.level >= LOG_LEVEL.error), [], 'a disconnect is no error')
  const after = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://other.example.net' } })
  t.equal(after.statusCode, 200, 'the server keeps serving')
})

test('a shared lookup is aborted only once every client waiting for it has disconnected', async (t) => {
  const fn = waitingFunction()
  const { app, logs } = await buildApp(t, { logLevel: 'debug', cors: { origin: fn.origin, originCache: true } })
  const port = await listen(t, app)
  const first = await openRequest(t, port, getHead(port))
  await until(() => fn.signals.length === 1, 'the origin function is called')
  const second = await openRequest(t, port, getHead(port))
  // Fastify logs 'incoming request' just before the plugin's hook joins the request to the lookup, in the same turn
  await until(() => logs.filter((line) => line.msg === 'incoming request').length === 2, 'the second request arrives')
  first.destroy()
  await until(() => debugLines(logs, 'disconnected before the origin function answered').length === 1, 'the first disconnect is seen')
  const signal = fn.signals[0] as AbortSignal
  t.equal(signal.aborted, false, 'another client still waits')
  second.destroy()
  await until(() => signal.aborted, 'the signal aborts')
  t.equal((signal.reason as DOMException).name, 'AbortError')
  t.equal((signal.reason as DOMException).message, 'all 2 clients waiting for the origin function disconnected')
  t.equal(fn.signals.length, 1, 'one call for both')
})

test('a request whose body was read (its request \'close\' already fired) does not abort the signal', async (t) => {
  const seen: AbortSignal[] = []
  const { app } = await buildApp(t, {
    cors: {
      hook: 'preHandler',
      origin: async (origin: string, _cb: OriginCallback, _request: FastifyRequest, signal: AbortSignal) => {
        seen.push(signal)
        await sleep(30)
        return origin === TENANT
      }
    }
  })
  const port = await listen(t, app)
  const body = JSON.stringify({ a: 1 })
  const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { origin: TENANT, 'content-type': 'application/json', 'content-length': String(body.length) }, body })
  t.equal(response.status, 200)
  t.same(await response.json(), { a: 1 })
  t.equal(response.headers.get('access-control-allow-origin'), TENANT)
  t.equal(seen.length, 1)
  t.equal(seen[0]?.aborted, false)
})

test('the delegator gets the signal as its 3rd argument: timeout and disconnect abort it', async (t) => {
  const signals: AbortSignal[] = []
  const delegator = async (_request: FastifyRequest, _cb: unknown, signal: AbortSignal): Promise<FastifyCorsOptions> => {
    signals.push(signal)
    return await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) })
  }
  const { app, logs } = await buildApp(t, { logLevel: 'debug', cors: { delegator, originCheckTimeout: 30 } })
  const timedOut = await app.inject({ method: 'GET', url: '/items', headers: { origin: TENANT } })
  t.same(corsHeadersOf(timedOut), {})
  t.equal(signals[0]?.aborted, true)
  t.equal((signals[0]?.reason as DOMException).name, 'TimeoutError')

  const { app: patient, logs: patientLogs } = await buildApp(t, { logLevel: 'debug', cors: { delegator, originCheckTimeout: 60000 } })
  const port = await listen(t, patient)
  const socket = await openRequest(t, port, getHead(port))
  await until(() => signals.length === 2, 'the delegator is called')
  socket.destroy()
  const signal = signals[1] as AbortSignal
  await until(() => signal.aborted, 'the signal aborts')
  t.equal((signal.reason as DOMException).name, 'AbortError')
  t.equal((signal.reason as DOMException).message, 'the client disconnected before the delegator answered')
  await until(() => debugLines(patientLogs, 'disconnected').length > 0, 'the disconnect is logged')
  t.same(debugLines(patientLogs, 'disconnected').map((line) => line.msg), ['fastify-cors-policy: the client disconnected before the delegator answered (GET /items)'])
  t.same(patientLogs.filter((line) => line.level >= LOG_LEVEL.error), [], 'a disconnect is no error')
  t.ok(logs.some((line) => line.level === LOG_LEVEL.error), 'the timeout is one')
})

test('a client gone before the check: neither the origin function nor the delegator is called (logged at debug)', async (t) => {
  const cases: Array<{ desc: string, cors: (count: () => void) => FastifyCorsOptions, line: string }> = [
    { desc: 'origin function', cors: (count) => ({ origin: async () => { count(); return true }, originCache: true }), line: `fastify-cors-policy: the client disconnected before the origin function was asked about origin '${TENANT}'` },
    { desc: 'delegator', cors: (count) => ({ delegator: () => { count(); return { origin: '*' } } }), line: 'fastify-cors-policy: the client disconnected before the delegator was called (GET /items)' }
  ]
  for (const c of cases) {
    let calls = 0
    let arrived = false
    const { app, logs } = await buildApp(t, {
      logLevel: 'debug',
      cors: c.cors(() => { calls++ }),
      // an earlier hook that is still busy when the client leaves
      before: (instance) => {
        instance.addHook('onRequest', async (_request, reply) => {
          arrived = true
          await new Promise((resolve) => reply.raw.once('close', resolve))
        })
      }
    })
    const port = await listen(t, app)
    const socket = await openRequest(t, port, getHead(port))
    await until(() => arrived, 'the request reaches the earlier hook')
    socket.destroy()
    await until(() => debugLines(logs, 'disconnected').length > 0, 'the plugin sees the client gone')
    t.same(debugLines(logs, 'disconnected').map((line) => line.msg), [c.line], c.desc)
    t.equal(calls, 0, `${c.desc}: not called`)
  }
})
