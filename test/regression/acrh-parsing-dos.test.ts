// Denial of service through Access-Control-Request-Headers parsing: rs/cors#170 and
// golang/vulndb#2883 (unbounded split), go-chi/cors#36, hono's regex split (fixed 2026-08).
// The rule: bounded parsing that fails closed. The parser reads each character once
// (test/fuzz/parsers.test.ts counts it); here: the limits, as a client sees them.
import { test } from 'tap'
import { MAX_ACRH_LENGTH, MAX_ACRH_NAMES, MAX_HEADER_NAME_LENGTH } from '../../lib/http/tokens.js'
import { buildApp, corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'

const ORIGIN = 'https://app.example.com'
const REFUSED = { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, POST' }

const names = (count: number): string => Array.from({ length: count }, (_, i) => `x-${i}`).join(',')

test('the limits: 4096 characters, 64 names, 128 characters a name', async (t) => {
  t.equal(MAX_ACRH_LENGTH, 4096)
  t.equal(MAX_ACRH_NAMES, 64)
  t.equal(MAX_HEADER_NAME_LENGTH, 128)
})

const cases: Array<{ desc: string, value: string, allowed: boolean }> = [
  { desc: '10 000 commas', value: ','.repeat(10_000), allowed: false },
  { desc: '10 000 names', value: names(10_000), allowed: false },
  { desc: '65 names', value: names(MAX_ACRH_NAMES + 1), allowed: false },
  { desc: '64 names', value: names(MAX_ACRH_NAMES), allowed: true },
  { desc: 'a 129-character name', value: 'x'.repeat(MAX_HEADER_NAME_LENGTH + 1), allowed: false },
  { desc: 'a 128-character name', value: 'x'.repeat(MAX_HEADER_NAME_LENGTH), allowed: true },
  { desc: '4097 characters of commas and spaces', value: ' ,'.repeat(2048) + ' ', allowed: false },
  { desc: 'a name of 16 KiB', value: 'x'.repeat(16 * 1024), allowed: false }
]

for (const c of cases) {
  test(`${c.desc}: ${c.allowed ? 'answered' : 'refused without echo'}`, async (t) => {
    const api = await buildApp(t, { cors: { origin: [ORIGIN] } })
    const res = await api.app.inject({ method: 'OPTIONS', url: '/items', headers: preflightHeaders(ORIGIN, 'POST', c.value) })
    t.equal(res.statusCode, 204)
    if (c.allowed) {
      t.equal(res.headers['access-control-allow-headers'], c.value.toLowerCase())
      t.match(api.lastDecision(), { allowed: true, reason: 'allowed' })
    } else {
      t.same(corsHeadersOf(res), REFUSED)
      t.match(api.lastDecision(), { allowed: false, reason: 'header-not-allowed' })
    }
  })
}
