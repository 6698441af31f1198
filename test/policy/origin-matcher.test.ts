import { test } from 'tap'
import { ANSWERS_KEPT, compileOriginMatcher, matchOrigin } from '../../lib/policy/origin-matcher.js'
import { parseConfiguredOrigin, type ConfiguredOrigin } from '../../lib/policy/origin-pattern.js'

function compile (origins: string[], regexps: RegExp[] = []) {
  return compileOriginMatcher(origins.map((o) => parseConfiguredOrigin(o) as ConfiguredOrigin), regexps)
}

test('origin matching per configured form', async (t) => {
  const cases = [
    { desc: 'exact hit', list: ['https://a.com'], origin: 'https://a.com', want: 'allowed' },
    { desc: 'exact is byte-for-byte: other scheme', list: ['https://a.com'], origin: 'http://a.com', want: 'not-allowed' },
    { desc: 'exact: other port', list: ['https://a.com'], origin: 'https://a.com:8443', want: 'not-allowed' },
    { desc: 'exact: suffix attack', list: ['https://a.com'], origin: 'https://evil-a.com', want: 'not-allowed' },
    { desc: 'invalid origin', list: ['https://a.com'], origin: 'https://a.com/', want: 'invalid' },
    { desc: 'null listed', list: ['null'], origin: 'null', want: 'allowed' },
    { desc: 'null not listed', list: ['https://a.com'], origin: 'null', want: 'not-allowed' },
    { desc: 'subdomain pattern: one label', list: ['https://*.example.com'], origin: 'https://app.example.com', want: 'allowed' },
    { desc: 'subdomain pattern: several labels', list: ['https://*.example.com'], origin: 'https://a.b.example.com', want: 'allowed' },
    { desc: 'subdomain pattern: not the apex', list: ['https://*.example.com'], origin: 'https://example.com', want: 'not-allowed' },
    { desc: 'subdomain pattern: not a look-alike', list: ['https://*.example.com'], origin: 'https://evilexample.com', want: 'not-allowed' },
    { desc: 'subdomain pattern: suffix must be a whole label', list: ['https://*.example.com'], origin: 'https://a.notexample.com', want: 'not-allowed' },
    { desc: 'subdomain pattern: scheme matters', list: ['https://*.example.com'], origin: 'http://a.example.com', want: 'not-allowed' },
    { desc: 'subdomain pattern: port must match', list: ['https://*.example.com'], origin: 'https://a.example.com:8443', want: 'not-allowed' },
    { desc: 'subdomain pattern with port', list: ['https://*.example.com:8443'], origin: 'https://a.example.com:8443', want: 'allowed' },
    { desc: 'any port: with port', list: ['http://localhost:*'], origin: 'http://localhost:5173', want: 'allowed' },
    { desc: 'any port: none', list: ['http://localhost:*'], origin: 'http://localhost', want: 'allowed' },
    { desc: 'any port: other host', list: ['http://localhost:*'], origin: 'http://127.0.0.1:5173', want: 'not-allowed' },
    { desc: 'any port: not a subdomain', list: ['http://localhost:*'], origin: 'http://a.localhost:1', want: 'not-allowed' },
    { desc: 'both wildcards', list: ['http://*.localhost:*'], origin: 'http://a.localhost:1234', want: 'allowed' },
    { desc: 'null never matches a pattern', list: ['http://localhost:*'], origin: 'null', want: 'not-allowed' }
  ]
  for (const c of cases) t.equal(matchOrigin(compile(c.list), c.origin), c.want, c.desc)
})

test('RegExp origins: tested only on valid origins, lastIndex never relied on', async (t) => {
  const global = /^https:\/\/(a|b)\.com$/g
  const matcher = compile([], [global])
  for (let i = 0; i < 3; i++) t.equal(matchOrigin(matcher, 'https://a.com'), 'allowed', `repeat ${i}: no lastIndex state`)
  t.equal(matchOrigin(matcher, 'https://c.com'), 'not-allowed')
  t.equal(matchOrigin(compile([], [/^.*$/]), 'null'), 'not-allowed', 'null is never given to a RegExp')
  t.equal(matchOrigin(compile([], [/^.*$/]), 'https://a.com/x'), 'invalid', 'invalid input never reaches a RegExp')
})

test('lookup structures: sets, not lists', async (t) => {
  const origins = Array.from({ length: 10000 }, (_, i) => `https://tenant${i}.example.com`)
  const matcher = compile([...origins, 'https://*.apps.example.net', 'http://localhost:*'])
  t.equal(matcher.exact.size, 10000)
  t.equal(matcher.exactOnly, false)
  t.equal(matchOrigin(matcher, 'https://tenant9999.example.com'), 'allowed')
  t.equal(matchOrigin(matcher, 'https://x.apps.example.net'), 'allowed')
  t.equal(compile(['https://a.com']).exactOnly, true)
})

test('`*.` patterns: one Map entry per domain, rule lists shared, scheme and port compared in place', async (t) => {
  const tenants = Array.from({ length: 1000 }, (_, i) => `https://*.tenant${i}.example.com`)
  const matcher = compile([...tenants, 'http://*.dev.example:*', 'https://*.dev.example:8443', 'https://*.dev.example'])
  t.equal(matcher.subdomains.size, 1001)
  t.equal(matcher.subdomains.get('.tenant0.example.com'), matcher.subdomains.get('.tenant999.example.com'), 'one frozen list for every tenant')
  t.same(matcher.subdomains.get('.tenant0.example.com'), [{ scheme: 'https', port: '' }])
  t.same(matcher.subdomains.get('.dev.example'), [{ scheme: 'http', port: '*' }, { scheme: 'https', port: ':8443' }, { scheme: 'https', port: '' }])
  const cases: Array<[string, string]> = [
    ['https://app.tenant999.example.com', 'allowed'],
    ['https://a.b.tenant5.example.com', 'allowed'],
    ['http://app.tenant5.example.com', 'not-allowed'],
    ['https://app.tenant5.example.com:8443', 'not-allowed'],
    ['https://tenant5.example.com', 'not-allowed'],
    ['http://x.dev.example:1234', 'allowed'],
    ['http://x.dev.example', 'allowed'],
    ['https://x.dev.example:8443', 'allowed'],
    ['https://x.dev.example:844', 'not-allowed'],
    ['https://x.dev.example:18443', 'not-allowed'],
    ['https://x.dev.example', 'allowed'],
    ['ws://x.dev.example', 'not-allowed']
  ]
  for (const [origin, want] of cases) t.equal(matchOrigin(matcher, origin), want, origin)
})

test('a host of many labels is probed only where a configured suffix could start', async (t) => {
  const matcher = compile(['https://*.x.example', 'https://*.b.example.org'])
  t.equal(matcher.longestSuffix, '.b.example.org'.length)
  const hostile = 'https://' + 'a.'.repeat(503) + 'x.example'
  t.equal(matchOrigin(matcher, hostile), 'allowed', 'still matched by its real suffix')
  t.equal(matchOrigin(matcher, 'https://' + 'a.'.repeat(503) + 'y.example'), 'not-allowed')
  t.equal(matchOrigin(compile(['https://*.example.com']), 'https://x.example.com'), 'allowed', 'the scan never starts inside the scheme')
})

test('RegExps with the same flags are joined into one alternation; back-references keep their own', async (t) => {
  const matcher = compile([], [/^https:\/\/a\.com$/, /^https:\/\/b\.com$/, /^HTTPS:\/\/C\.COM$/i, /^https:\/\/(x)\1\.com$/, /^https:\/\/(?<n>y)\.com$/])
  t.equal(matcher.regexps.length, 4, 'one joined + one per other flag set + two kept alone')
  for (const origin of ['https://a.com', 'https://b.com', 'https://c.com', 'https://xx.com', 'https://y.com']) {
    t.equal(matchOrigin(matcher, origin), 'allowed', origin)
  }
  for (const origin of ['https://a.comb.com', 'https://ab.com', 'https://x.com']) {
    t.equal(matchOrigin(matcher, origin), 'not-allowed', origin)
  }
})

test('answers for valid origins outside the exact Set are remembered, at most ANSWERS_KEPT of them, invalid values never', async (t) => {
  t.equal(compile(['https://a.com', 'null']).answers, undefined, 'an exact-only list has nothing worth remembering')
  const matcher = compile(['https://a.com', 'https://*.apps.example', 'http://localhost:*'], [/^https:\/\/r[0-9]+\.example\.net$/])
  const answers = matcher.answers as Map<string, string>
  const cases: Array<[string, string]> = [
    ['https://r1.example.net', 'allowed'],
    ['https://x.apps.example', 'allowed'],
    ['http://localhost:5173', 'allowed'],
    ['https://evil.example', 'not-allowed'],
    ['https://a.com', 'allowed'],
    ['null', 'not-allowed'],
    ['https://a.com/', 'invalid'],
    ['HTTPS://r1.example.net', 'invalid']
  ]
  for (let round = 0; round < 3; round++) {
    for (const [origin, want] of cases) t.equal(matchOrigin(matcher, origin), want, `${origin}, round ${round}`)
  }
  t.same([...answers], [['https://r1.example.net', 'allowed'], ['https://x.apps.example', 'allowed'], ['http://localhost:5173', 'allowed'], ['https://evil.example', 'not-allowed']],
    'the exact hit, null and invalid values are not kept')

  const bounded = compile([], [/^https:\/\/r[0-9]+\.example\.net$/])
  const kept = bounded.answers as Map<string, string>
  const answersFor = (from: number, to: number, suffix = ''): Set<string> => {
    const seen = new Set<string>()
    for (let i = from; i < to; i++) seen.add(matchOrigin(bounded, `https://r${i}.example.net${suffix}`))
    return seen
  }
  t.same(answersFor(0, ANSWERS_KEPT), new Set(['allowed']))
  t.equal(kept.size, ANSWERS_KEPT, 'kept up to the bound')
  t.same(answersFor(0, 2 * ANSWERS_KEPT, '/'), new Set(['invalid']))
  t.equal(kept.size, ANSWERS_KEPT, 'a flood of invalid values pushes nothing out')
  t.same(answersFor(ANSWERS_KEPT, ANSWERS_KEPT + 5), new Set(['allowed']))
  t.equal(kept.size, 5, 'emptied when full, then filled again')
  t.equal(matchOrigin(bounded, 'https://r0.example.net'), 'allowed', 'answered again once forgotten')
  t.equal(matchOrigin(bounded, 'https://evil.example'), 'not-allowed')

  const changed = compile(['https://a.com'], [/^https:\/\/r2\.example\.net$/])
  t.equal(matchOrigin(changed, 'https://r1.example.net'), 'not-allowed', 'a new list answers afresh: nothing is shared between matchers')
})
