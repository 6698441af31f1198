// Rejecting an origin through the callback's error gave a 500 instead of a quiet denial, which also
// broke curl and same-origin callers: expressjs/cors#92, #117, PR #175, #241.
// The rule: a throw, a rejection or a check that outlives originCheckTimeout denies (reason
// origin-check-failed, logged at error level); it never turns a request into a 500.
import { test } from 'tap'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const checks = {
  throws: (origin: string): boolean => { if (origin.includes('evil')) throw new TypeError('no'); return true },
  rejects: async (origin: string): Promise<boolean> => { if (origin.includes('evil')) throw new TypeError('no'); return true },
  hangs: (origin: string): boolean | Promise<boolean> => origin.includes('evil') ? new Promise<boolean>(() => {}) : true,
  // a thenable whose then() throws: the call to then() itself must not escape as a 500
  'returns a broken thenable': (origin: string): boolean | Promise<boolean> => origin.includes('evil')
    ? { then () { throw new TypeError('broken thenable') } } as unknown as Promise<boolean>
    : true
}

for (const [name, check] of Object.entries(checks)) {
  test(`an origin function that ${name} denies quietly`, async (t) => {
    const api = await buildApp(t, { cors: { origin: check, originCheckTimeout: 20 }, logLevel: 'error' })
    const { app } = api

    const preflight = await app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders('https://evil.example', 'POST') })
    t.equal(preflight.statusCode, 403, 'the preflight is refused, not failed')
    t.same(corsHeadersOf(preflight), {})
    t.match(api.lastDecision(), { preflight: true, allowed: false, reason: 'origin-check-failed' })

    const actual = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://evil.example' } })
    t.equal(actual.statusCode, 200, 'the handler still answers; the browser just cannot read it')
    t.same(corsHeadersOf(actual), {})
    t.match(api.lastDecision(), { preflight: false, allowed: false, reason: 'origin-check-failed' })
    t.equal(api.logs.filter((line) => line.level === 50).length, 2, 'one error line per failed check')

    const curl = await app.inject({ method: 'GET', url: '/items' })
    t.equal(curl.statusCode, 200, 'a request without Origin never runs the check')
    t.match(api.lastDecision(), { allowed: true, reason: 'no-origin' })

    const sameOrigin = await app.inject({ method: 'POST', url: '/items', headers: { origin: 'http://evil.localhost', host: 'evil.localhost' }, payload: {} })
    t.equal(sameOrigin.statusCode, 201, 'a same-origin POST (which carries Origin) is served')
    t.match(api.lastDecision(), { allowed: true, reason: 'same-origin' })

    const fine = await app.inject({ method: 'GET', url: '/items', headers: { origin: 'https://app.example' } })
    t.equal(fine.headers['access-control-allow-origin'], 'https://app.example', 'other origins are unaffected')
  })
}
