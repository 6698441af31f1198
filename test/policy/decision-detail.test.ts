/**
 * A refused origin's `detail` reads, enumerates, serialises and assigns as a data property; a
 * request without Origin shares one frozen decision per policy.
 */
import { test } from 'tap'
import { compilePolicy } from '../../lib/policy/compile.js'
import { decideActual, describeOriginDenial } from '../../lib/policy/decide.js'
import { Decision, kPolicy } from '../../lib/policy/decision.js'
import { resolveOptions } from '../../lib/policy/options.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'
const policy = compilePolicy(resolveOptions({ origin: [APP] }).options)
const facts = (url: string) => ({ method: 'GET', url, headers: { 'sec-fetch-site': 'cross-site' }, protocol: 'http', host: 'localhost' })

test('a refused origin\'s detail reads, enumerates and serialises as the sentence', async (t) => {
  const denied = decideActual(policy, EVIL, 'not-allowed', facts('/items?page=2'), undefined, false)
  const sentence = describeOriginDenial(policy, 'origin-not-allowed', EVIL, 'GET /items')
  t.same(Object.keys(denied), ['origin', 'preflight', 'allowed', 'credentialed', 'reason', 'detail'])
  t.equal(JSON.stringify(denied), JSON.stringify({ origin: EVIL, preflight: false, allowed: false, credentialed: false, reason: 'origin-not-allowed', detail: sentence }))
  t.equal(denied.detail, sentence)
  t.equal(denied.detail, sentence, 'read twice, the same sentence')
  t.equal({ ...denied }.detail, sentence, 'a copy holds the sentence')
  t.equal(Object.getOwnPropertyDescriptor(denied, 'detail')?.enumerable, true)
  t.equal(decideActual(policy, EVIL, 'not-allowed', facts('/items'), 'GET /items/:id', false).detail,
    describeOriginDenial(policy, 'origin-not-allowed', EVIL, 'GET /items/:id'), 'the route names the target when known')
  ;(denied as { detail?: string }).detail = 'rewritten'
  t.equal(denied.detail, 'rewritten', 'assignable, as a data property')
})

test('a route with CORS disabled: the refused cross-origin request has its detail, a readable one none', async (t) => {
  const refused = decideActual(null, EVIL, 'not-allowed', facts('/off'), 'GET /off', false)
  t.equal(refused.detail, 'CORS is disabled for GET /off (config.cors: false)')
  t.equal(refused[kPolicy], null)
  const readable = decideActual(null, undefined, 'not-allowed', facts('/off'), 'GET /off', false)
  t.equal(readable.detail, undefined)
  t.ok(Object.keys(readable).includes('detail'), 'an own property, undefined')
})

test('a request without Origin: one frozen decision per policy', async (t) => {
  const first = Decision.noOrigin(policy)
  t.equal(Decision.noOrigin(policy), first)
  t.ok(Object.isFrozen(first))
  t.same(Object.keys(first), ['origin', 'preflight', 'allowed', 'credentialed', 'reason', 'detail'])
  const other = compilePolicy(resolveOptions({ origin: '*' }).options)
  t.not(Decision.noOrigin(other), first)
  t.equal(Decision.noOrigin(other)[kPolicy], other)
})
