/**
 * The builder of an allow-list's lookup structures: from nothing, or from a matcher in force whose
 * entries it copies (at once or a slice at a time) without ever changing it; entries added and
 * removed as written; `*.` rule lists shared; the longest-suffix bound kept right.
 */
import { test } from 'tap'
import { OriginMatcherBuilder, listsEntry, type OriginMatcher } from '../../lib/policy/origin-matcher-builder.js'
import { compileOriginMatcher, matchOrigin } from '../../lib/policy/origin-matcher.js'
import { parseConfiguredOrigin, type ConfiguredOrigin } from '../../lib/policy/origin-pattern.js'

function entries (...origins: string[]): ConfiguredOrigin[] {
  return origins.map((origin) => parseConfiguredOrigin(origin) as ConfiguredOrigin)
}

/** What a matcher holds, comparable with t.same. */
function contents (matcher: OriginMatcher): unknown {
  return {
    exact: [...matcher.exact],
    anyPortHosts: [...matcher.anyPortHosts],
    subdomains: [...matcher.subdomains].map(([domain, rules]) => [domain, rules.map((rule) => `${rule.scheme} ${rule.port}`)]),
    regexps: matcher.regexps.map(String),
    longestSuffix: matcher.longestSuffix,
    exactOnly: matcher.exactOnly
  }
}

const LIST = entries('https://a.example.com', 'null', 'http://localhost:*', 'https://*.b.example.com', 'https://*.b.example.com:8443', 'https://*.long.c.example.com')

test('a build from nothing is what compileOriginMatcher gives; duplicates count once', async (t) => {
  const builder = new OriginMatcherBuilder()
  t.equal(builder.add(LIST), 6)
  t.equal(builder.add(entries('https://a.example.com', 'https://*.b.example.com', 'http://localhost:*')), 0, 'listed already')
  t.equal(builder.entries, 6)
  t.equal(builder.patternRules, 3)
  const matcher = builder.finish([/^https:\/\/r\.example\.com$/g])
  t.same(contents(matcher), contents(compileOriginMatcher(LIST, [/^https:\/\/r\.example\.com$/])))
  t.same(contents(matcher), {
    exact: ['https://a.example.com', 'null'],
    anyPortHosts: ['http://localhost'],
    subdomains: [['.b.example.com', ['https ', 'https :8443']], ['.long.c.example.com', ['https ']]],
    regexps: ['/^https:\\/\\/r\\.example\\.com$/'],
    longestSuffix: '.long.c.example.com'.length,
    exactOnly: false
  })
  t.ok(Object.isFrozen(matcher))
  t.equal(new OriginMatcherBuilder().finish([]).exactOnly, true, 'nothing at all')
})

test('`*.` rule lists are shared between domains with the same schemes and ports, across builds that share them', async (t) => {
  const shared = new Map()
  const first = new OriginMatcherBuilder(shared)
  first.add(entries('https://*.a.example.com', 'https://*.b.example.com', 'https://*.c.example.com:8443', 'http://*.c.example.com:8443'))
  const matcher = first.finish([])
  t.equal(matcher.subdomains.get('.a.example.com'), matcher.subdomains.get('.b.example.com'), 'one frozen list for https on the default port')
  t.ok(Object.isFrozen(matcher.subdomains.get('.a.example.com')))
  const second = new OriginMatcherBuilder(shared)
  second.add(entries('https://*.d.example.com'))
  t.equal(second.finish([]).subdomains.get('.d.example.com'), matcher.subdomains.get('.a.example.com'), 'and with the next build')
})

test('a build from a base: the base is copied, never changed; changes apply to the copy', async (t) => {
  const base = compileOriginMatcher(LIST, [])
  const before = contents(base)
  const builder = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 3 })
  t.equal(builder.add(entries('https://new.example.com', 'https://a.example.com', 'https://*.b.example.com:9000')), 2)
  t.equal(builder.remove(entries('null', 'http://localhost:*', 'https://*.b.example.com', 'https://absent.example.com', 'https://*.absent.example.com', 'http://absent:*')), 3)
  t.equal(builder.entries, 5)
  t.equal(builder.patternRules, 3)
  const changed = builder.finish([])
  t.same(contents(base), before, 'the base is as it was')
  t.equal(matchOrigin(base, 'null'), 'allowed')
  t.same(contents(changed), {
    exact: ['https://a.example.com', 'https://new.example.com'],
    anyPortHosts: [],
    subdomains: [['.b.example.com', ['https :8443', 'https :9000']], ['.long.c.example.com', ['https ']]],
    regexps: [],
    longestSuffix: '.long.c.example.com'.length,
    exactOnly: false
  })
  t.equal(matchOrigin(changed, 'https://x.b.example.com'), 'not-allowed')
  t.equal(matchOrigin(changed, 'https://x.b.example.com:9000'), 'allowed')
})

test('copyBase: a slice at a time, in the order of the base; changing before the end copies the rest first', async (t) => {
  const base = compileOriginMatcher(entries('https://a.example.com', 'https://b.example.com', 'https://c.example.com', 'http://localhost:*', 'https://*.d.example.com'), [])
  const sliced = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 1 })
  const rounds: boolean[] = []
  for (let more = true; more;) {
    more = sliced.copyBase(2)
    rounds.push(more)
  }
  t.same(rounds, [true, true, false], '5 entries, 2 at a time')
  t.equal(sliced.copyBase(2), false, 'nothing left')
  t.same(contents(sliced.finish([])), contents(base))

  const interrupted = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 1 })
  t.equal(interrupted.copyBase(1), true)
  interrupted.add(entries('https://e.example.com'))
  t.same([...interrupted.finish([]).exact], ['https://a.example.com', 'https://b.example.com', 'https://c.example.com', 'https://e.example.com'], 'the base first, then the new entry')

  const patterns = compileOriginMatcher(entries('https://*.a.example.com', 'https://*.b.example.com', 'https://*.c.example.com'), [])
  const byDomain = new OriginMatcherBuilder(new Map(), { matcher: patterns, patternRules: 3 })
  t.same([byDomain.copyBase(2), byDomain.copyBase(2)], [true, false], 'domains of patterns, too')
  t.same(contents(byDomain.finish([])), contents(patterns))

  const atOnce = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 1 })
  t.equal(atOnce.copyBase(), false)
  t.same(contents(atOnce.finish([])), contents(base))
  t.equal(new OriginMatcherBuilder().copyBase(), false, 'no base')
})

test('removing the last pattern of the longest domain lowers the bound; other removals keep it', async (t) => {
  const base = compileOriginMatcher(entries('https://*.a.example.com', 'https://*.a.example.com:8443', 'https://*.longest.example.com'), [])
  const keep = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 3 })
  keep.remove(entries('https://*.a.example.com:8443'))
  t.equal(keep.finish([]).longestSuffix, '.longest.example.com'.length)
  const lower = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 3 })
  lower.remove(entries('https://*.longest.example.com'))
  const matcher = lower.finish([])
  t.equal(matcher.longestSuffix, '.a.example.com'.length)
  t.equal(matchOrigin(matcher, 'https://x.a.example.com'), 'allowed')
  t.equal(matchOrigin(matcher, 'https://x.longest.example.com'), 'not-allowed')
  const none = new OriginMatcherBuilder(new Map(), { matcher: base, patternRules: 3 })
  none.remove(entries('https://*.longest.example.com', 'https://*.a.example.com', 'https://*.a.example.com:8443'))
  t.same(contents(none.finish([])), { exact: [], anyPortHosts: [], subdomains: [], regexps: [], longestSuffix: 0, exactOnly: true })
})

test('listsEntry: whether a matcher lists an entry as written, not whether a pattern admits it', async (t) => {
  const matcher = compileOriginMatcher(LIST, [])
  const cases = [
    { desc: 'an origin listed', entry: 'https://a.example.com', want: true },
    { desc: 'an origin a pattern admits', entry: 'https://x.b.example.com', want: false },
    { desc: 'a :* pattern listed', entry: 'http://localhost:*', want: true },
    { desc: 'a :* pattern on another host', entry: 'http://127.0.0.1:*', want: false },
    { desc: 'a *. pattern listed', entry: 'https://*.b.example.com:8443', want: true },
    { desc: 'a *. pattern on another port', entry: 'https://*.b.example.com:9000', want: false },
    { desc: 'a *. pattern of a domain not listed', entry: 'https://*.z.example.com', want: false }
  ]
  for (const c of cases) t.equal(listsEntry(matcher, entries(c.entry)[0] as ConfiguredOrigin), c.want, c.desc)
})
