// An answer whose reading throws (an enumerable getter that throws, a Proxy whose traps throw)
// escaped the callback settling: a promise answer became an unhandled rejection that ended the
// process (or, with a handler installed, a request that never finished), a synchronous one a 500.
import { test } from 'tap'
import corsPolicy, { type CorsDelegatorCallback, type OriginCallback } from '../../lib/index.js'
import { loggedFastify } from '../helpers/build-app.js'
import { watchCrashes } from '../helpers/crash-watch.js'

function throwingOptions (): Record<string, unknown> {
  const options: Record<string, unknown> = { origin: 'https://a.example.com' }
  Object.defineProperty(options, 'methods', { enumerable: true, get () { throw new Error('getter boom') } })
  return options
}

const delegators = {
  'a synchronous callback': (_request: unknown, cb: CorsDelegatorCallback) => { cb(null, throwingOptions()) },
  'a later callback': (_request: unknown, cb: CorsDelegatorCallback) => { setImmediate(() => { cb(null, throwingOptions()) }) },
  'a promise': async () => throwingOptions(),
  'a Proxy whose getPrototypeOf throws': async () => new Proxy({}, { getPrototypeOf () { throw new Error('proxy boom') } })
}

for (const [name, delegator] of Object.entries(delegators)) {
  test(`a delegator answering options that throw when read (${name}) denies, logs, and the server keeps serving`, async (t) => {
    const { app, log } = loggedFastify(t, 'error')
    const rejections = watchCrashes(t, ['unhandledRejection'])
    await app.register(corsPolicy, { delegator: delegator as never })
    app.put('/x', async () => 'ok')
    for (let i = 0; i < 2; i++) {
      const actual = await app.inject({ method: 'PUT', url: '/x', headers: { origin: 'https://a.example.com' } })
      t.equal(actual.statusCode, 200)
      t.equal(actual.headers['access-control-allow-origin'], undefined)
      t.equal(actual.headers.vary, 'Origin')
      const preflight = await app.inject({ method: 'OPTIONS', url: '/x', headers: { origin: 'https://a.example.com', 'access-control-request-method': 'PUT' } })
      t.equal(preflight.statusCode, 403)
    }
    await new Promise((resolve) => setImmediate(resolve))
    t.equal(rejections.length, 0, 'no unhandled rejection')
    t.equal(log.messages().length, 4, 'one error line per request')
    t.match(log.messages()[0], /^The fastify-cors-policy delegator answered invalid options for PUT \/x, so the request is denied: the options could not be read \((getter|proxy) boom\)$/)
  })
}

test('an origin function answering an array that throws when read denies with origin-check-failed', async (t) => {
  const { app, log } = loggedFastify(t, 'error')
  await app.register(corsPolicy, {
    origin: (_origin: string, cb: OriginCallback) => {
      setImmediate(() => { cb(null, new Proxy(['https://a.example.com'], { get (target, key) { if (key === 'length') throw new Error('length boom'); return target[key as unknown as number] } })) })
    }
  })
  app.get('/x', async (request) => request.cors)
  const res = await app.inject({ url: '/x', headers: { origin: 'https://a.example.com' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined)
  t.match(res.json(), { allowed: false, reason: 'origin-check-failed' })
  t.same(log.messages(), ["fastify-cors-policy: the origin function answered a value that could not be read for origin 'https://a.example.com'; the request is denied"])
})
