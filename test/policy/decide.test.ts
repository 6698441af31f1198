import { test } from 'tap'
import { originVerdict, evaluatePreflight, describeOriginDenial } from '../../lib/policy/decide.js'
import { compilePolicy } from '../../lib/policy/compile.js'
import { resolveOptions } from '../../lib/policy/options.js'

function policy (raw: Record<string, unknown>) {
  const { options, problems } = resolveOptions(raw)
  if (problems.length > 0) throw new Error(JSON.stringify(problems))
  return compilePolicy(options)
}

test('originVerdict: policy kind × origin kind', async (t) => {
  const policies = {
    any: policy({ origin: '*' }),
    reflect: policy({ origin: true }),
    none: policy({ origin: false }),
    list: policy({ origin: ['https://a.com', 'https://*.b.com'] }),
    listWithNull: policy({ origin: ['null'] }),
    fn: policy({ origin: () => true })
  }
  const origins = { listed: 'https://a.com', pattern: 'https://x.b.com', other: 'https://evil.com', null: 'null', invalid: 'https://a.com/' }
  const want: Record<keyof typeof policies, Record<keyof typeof origins, string>> = {
    any: { listed: 'allowed', pattern: 'allowed', other: 'allowed', null: 'allowed', invalid: 'allowed' },
    reflect: { listed: 'allowed', pattern: 'allowed', other: 'allowed', null: 'not-allowed', invalid: 'invalid' },
    none: { listed: 'not-allowed', pattern: 'not-allowed', other: 'not-allowed', null: 'not-allowed', invalid: 'invalid' },
    list: { listed: 'allowed', pattern: 'allowed', other: 'not-allowed', null: 'not-allowed', invalid: 'invalid' },
    listWithNull: { listed: 'not-allowed', pattern: 'not-allowed', other: 'not-allowed', null: 'allowed', invalid: 'invalid' },
    fn: { listed: 'check', pattern: 'check', other: 'check', null: 'check', invalid: 'invalid' }
  }
  for (const [pk, p] of Object.entries(policies)) {
    for (const [ok, o] of Object.entries(origins)) {
      t.equal(originVerdict(p, o), want[pk as keyof typeof policies][ok as keyof typeof origins], `${pk} × ${ok}`)
    }
  }
})

test('evaluatePreflight', async (t) => {
  const byDefault = policy({ origin: 'https://a.com' })
  const listed = policy({ origin: 'https://a.com', methods: ['PUT'], allowedHeaders: ['X-Custom', 'Content-Type'] })
  const wildcard = policy({ origin: 'https://a.com', methods: '*', allowedHeaders: '*' })
  const wildcardAuth = policy({ origin: 'https://a.com', allowedHeaders: ['*', 'Authorization'] })
  const pna = policy({ origin: 'https://a.com', allowPrivateNetwork: true })
  const cases = [
    { desc: 'default: route methods, reflected headers', p: byDefault, m: 'PUT', h: 'content-type,x-custom', routes: 'GET, HEAD, PUT', want: { reason: 'allowed', acam: 'GET, HEAD, PUT', acah: 'content-type,x-custom' } },
    { desc: 'default without a route: the requested method', p: byDefault, m: 'PATCH', routes: undefined, want: { reason: 'allowed', acam: 'PATCH', acah: undefined } },
    { desc: 'default: empty ACRH sends no ACAH', p: byDefault, m: 'PUT', h: '', routes: 'PUT', want: { reason: 'allowed', acam: 'PUT', acah: undefined } },
    { desc: 'default: only commas', p: byDefault, m: 'PUT', h: ',,', routes: 'PUT', want: { reason: 'allowed', acam: 'PUT', acah: undefined } },
    { desc: 'listed method', p: listed, m: 'PUT', h: 'x-custom', want: { reason: 'allowed', acam: 'PUT', acah: 'X-Custom, Content-Type' } },
    { desc: 'safelisted method always passes', p: listed, m: 'POST', want: { reason: 'allowed', acam: 'PUT', acah: 'X-Custom, Content-Type' } },
    { desc: 'unlisted method', p: listed, m: 'DELETE', want: { reason: 'method-not-allowed', acam: 'PUT', acah: 'X-Custom, Content-Type' }, detail: /method DELETE is not allowed for DELETE \/x; add it to `methods` \(allowed: PUT\)/ },
    { desc: 'unlisted header', p: listed, m: 'PUT', h: 'x-custom,x-other', want: { reason: 'header-not-allowed', acam: 'PUT', acah: 'X-Custom, Content-Type' }, detail: /request header 'x-other' is not allowed for DELETE \/x; add it to `allowedHeaders`$/ },
    { desc: 'header names compare case-insensitively', p: listed, m: 'PUT', h: 'X-CUSTOM', want: { reason: 'allowed', acam: 'PUT', acah: 'X-Custom, Content-Type' } },
    { desc: 'wildcards', p: wildcard, m: 'PURGE', h: 'x-anything', want: { reason: 'allowed', acam: '*', acah: '*' } },
    { desc: "'*' never covers authorization", p: wildcard, m: 'GET', h: 'authorization', want: { reason: 'header-not-allowed', acam: '*', acah: '*' }, detail: /'\*' does not cover Authorization/ },
    { desc: "['*', 'Authorization'] covers it", p: wildcardAuth, m: 'GET', h: 'authorization,x-a', want: { reason: 'allowed', acam: 'GET', acah: '*, Authorization' } },
    { desc: 'ACRM list never echoed', p: byDefault, m: 'GET, DELETE', routes: undefined, want: { reason: 'method-not-allowed', acam: undefined, acah: undefined }, detail: /not a single method token/ },
    { desc: 'ACRM with CRLF never echoed', p: byDefault, m: 'PUT\r\nX-Evil: 1', want: { reason: 'method-not-allowed', acam: undefined, acah: undefined }, detail: /not a single method token/ },
    { desc: 'malformed ACRH never echoed', p: byDefault, m: 'PUT', h: 'x-a;evil', routes: 'PUT', want: { reason: 'header-not-allowed', acam: 'PUT', acah: undefined }, detail: /not a bounded list/ },
    { desc: 'PNA refused', p: byDefault, m: 'GET', pn: 'true', routes: 'GET', want: { reason: 'private-network-not-allowed', acam: 'GET', acah: undefined }, detail: /allowPrivateNetwork: true/ },
    { desc: 'PNA allowed', p: pna, m: 'GET', pn: 'true', routes: 'GET', want: { reason: 'allowed', acam: 'GET', acah: undefined } },
    { desc: 'PNA header other than true is ignored', p: byDefault, m: 'GET', pn: 'false', routes: 'GET', want: { reason: 'allowed', acam: 'GET', acah: undefined } }
  ]
  for (const c of cases) {
    const outcome = evaluatePreflight(c.p, c.m, c.h, c.pn, c.routes, 'DELETE /x')
    t.same({ reason: outcome.reason, acam: outcome.acam, acah: outcome.acah }, c.want, c.desc)
    if (c.detail !== undefined) t.match(outcome.detail, c.detail, `${c.desc}: detail`)
    else t.equal(outcome.detail, undefined, `${c.desc}: no detail`)
  }
})

test('describeOriginDenial names the fix', async (t) => {
  const list = policy({ origin: ['https://a.com'] })
  t.equal(describeOriginDenial(list, 'origin-not-allowed', 'http://localhost:8080', 'GET /api/data'),
    "origin 'http://localhost:8080' is not in the allow-list for GET /api/data; add it to `origin`")
  t.match(describeOriginDenial(list, 'origin-not-allowed', 'null', 'GET /'), /only allowed when 'null' is listed/)
  t.match(describeOriginDenial(list, 'invalid-origin', 'x'.repeat(200), 'GET /'), /\.\.\." is not a valid serialised origin/)
  t.match(describeOriginDenial(list, 'origin-check-failed', 'https://b.com', 'GET /'), /threw, rejected or timed out/)
  t.match(describeOriginDenial(list, 'disabled', 'https://b.com', 'GET /'), /config\.cors: false/)
  t.match(describeOriginDenial(policy({ origin: false }), 'origin-not-allowed', 'https://b.com', 'GET /'), /`origin` is false/)
  t.match(describeOriginDenial(policy({ origin: () => false }), 'origin-not-allowed', 'https://b.com', 'GET /'), /origin function returned false/)
})

test('compiled policy strings', async (t) => {
  const p = policy({ origin: ['https://a.com'], credentials: true, methods: ['get', 'put'], allowedHeaders: ['X-A'], exposedHeaders: ['X-Total', 'X-Page'], maxAge: 600, cacheControl: 600 })
  t.equal(p.acam, 'GET, PUT')
  t.equal(p.acah, 'X-A')
  t.equal(p.aceh, 'X-Total, X-Page')
  t.equal(p.maxAge, '600')
  t.equal(p.cacheControl, 'max-age=600')
  t.equal(p.varyOrigin, true)
  t.equal(p.preflightVary, 'Origin')
  t.equal(Object.isFrozen(p), true)
  t.equal(policy({}).preflightVary, 'Access-Control-Request-Method, Access-Control-Request-Headers', "'*': no Vary: Origin")
  t.equal(policy({ origin: false }).varyOrigin, false)
  t.equal(policy({ allowedHeaders: [] }).acah, '', 'an empty list sends an empty ACAH')
})
