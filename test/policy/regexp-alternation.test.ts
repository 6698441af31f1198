/**
 * `alternationSource` as one RegExp for many: compiled with the same flags, its source matches a
 * string exactly when one of the sources does. Shown on each kind of atom the trie must never split
 * (escapes, classes, groups, lookarounds, quantified atoms, surrogate pairs), on sources kept whole (a
 * top-level `|`, the `v` flag), on every flag, and as a property over random sources that share
 * prefixes; the shared prefix is written once, so a hundred similar origins cost one prefix.
 *
 * Reproduce a run: PROPERTY_SEED=<seed> PROPERTY_RUNS=<n> npx tap test/policy/regexp-alternation.test.ts
 */
import { test, type Test } from 'tap'
import fc from 'fast-check'
import { alternationSource } from '../../lib/policy/regexp-alternation.js'

const SEED = Number(process.env.PROPERTY_SEED ?? 20261205)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000)

const shown = (probe: string) => JSON.stringify(probe).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`)

function equivalent (t: Test, sources: readonly string[], flags: string, probes: readonly string[]): string {
  const result = alternationSource(sources, flags)
  const combined = new RegExp(result, flags)
  const each = sources.map((s) => new RegExp(s, flags))
  for (const probe of probes) {
    t.equal(combined.test(probe), each.some((r) => r.test(probe)), `${shown(probe)} /${flags}: ${shown(result)}`)
  }
  return result
}

const occurrences = (text: string, part: string) => text.split(part).length - 1

test('a common literal prefix is written once, before the alternatives', async (t) => {
  const result = equivalent(t, [String.raw`^https://a\.x$`, String.raw`^https://b\.x$`], '',
    ['https://a.x', 'https://b.x', 'https://c.x', 'https://a.xx', 'https://aax', 'https://', 'http://a.x', ''])
  t.ok(result.startsWith('^https://'), result)
  t.equal(occurrences(result, 'https://'), 1, result)
})

test('a quantifier stays with its atom', async (t) => {
  const probes = ['', 'a', 'aa', 'aaa', 'b', 'c', 'ab', 'aab', 'aaab', 'ac', 'aaac', 'abc', 'a+', 'a+b', '+b', 'abb', 'd', 'aad', 'aaaaad', 'x', 'ax', 'aax']
  equivalent(t, ['^a+b$', '^a+c$'], '', probes)
  equivalent(t, ['^ab$', '^a+$'], '', probes)
  equivalent(t, ['^a$', '^a*$', '^a?b$'], '', probes)
  equivalent(t, ['^a{2}b$', '^a{2,}c$', '^a{2,5}?d$', '^a{1,2}$'], '', probes)
  equivalent(t, ['^a*?x$', '^a+?b$', '^a??c$', '^a{2}?b$', '^a{2,}?$'], '', probes)
  equivalent(t, ['^(?:ab)+$', '^(?:ab)+c$', '^(?:ab)*?$'], '', ['', 'ab', 'abab', 'abc', 'ababc', 'c', 'a', 'aba'])
  equivalent(t, ['^[ab]+$', '^[ab]+c$', '^[ab]{2}$'], '', ['', 'a', 'ab', 'abc', 'c', 'bbc', 'ba'])
})

test('escapes are never split', async (t) => {
  const result = equivalent(t, [String.raw`^\u0041b$`, String.raw`^\u0042b$`], '', ['Ab', 'Bb', 'Cb', 'b', 'u0041b', 'u0042b', 'u004b', 'AB'])
  t.notMatch(result, /\\u004(?![12])/, result)
  equivalent(t, [String.raw`^\u0041b$`, String.raw`^\u0042b$`], 'u', ['Ab', 'Bb', 'Cb', 'b'])
  equivalent(t, [String.raw`^\x41$`, String.raw`^\x42$`, String.raw`^\x4$`], '', ['A', 'B', 'x4', 'x41', 'C'])
  equivalent(t, [String.raw`^\u{1F600}a$`, String.raw`^\u{1F601}a$`, String.raw`^\u{61}$`], 'u', ['😀a', '😁a', 'a', '😂a', '\uD83Da'])
  equivalent(t, [String.raw`^\012a$`, String.raw`^\013a$`, String.raw`^\0a$`], '', ['\na', '\u000ba', '\0a', '\u00012a', 'a'])
  equivalent(t, [String.raw`^\cJa$`, String.raw`^\cJb$`, String.raw`^\cKa$`], '', ['\na', '\nb', '\u000ba', 'cJa', 'a'])
  equivalent(t, [String.raw`^\p{L}1$`, String.raw`^\p{Lu}2$`, String.raw`^\P{L}3$`], 'u', ['a1', 'A2', 'a2', '13', 'a3', 'p1'])
  equivalent(t, [String.raw`^\d1$`, String.raw`^\d2$`, String.raw`^\D3$`, String.raw`^\\d$`], '', ['11', '52', 'a3', '13', 'd1', '\\d', '1'])
  equivalent(t, [String.raw`^\.a$`, String.raw`^\.b$`, String.raw`^\(a$`, String.raw`^\)b$`, String.raw`^\[c$`, String.raw`^\|d$`], '',
    ['.a', '.b', 'xa', '(a', ')b', '[c', '|d', 'd', 'a'])
  equivalent(t, [String.raw`^\/a$`, String.raw`^\/b$`], 'u', ['/a', '/b', 'a', '\\/a'])
})

test('surrogate pairs are never split', async (t) => {
  const probes = ['😀a', '😁a', '😀😀', '😀', '\uD83Da', '\uD83D\uDE00\uDE00', 'a', '']
  equivalent(t, ['^😀a$', '^😁a$', '^😀+$'], 'u', probes)
  equivalent(t, ['^😀a$', '^😁a$', '^😀+$'], '', probes)
  equivalent(t, ['^😀a$', '^😁a$'], 'iu', probes)
  equivalent(t, [String.raw`^\uD83D\uDE00a$`, String.raw`^\uD83D\uDE01a$`, String.raw`^\uD83D\uDE00+$`], 'u', probes)
  equivalent(t, [String.raw`^\uD83D\uDE00a$`, String.raw`^\uD83D\uDE01a$`, String.raw`^\uD83D\uDE00+$`], '', probes)
})

test('character classes are never split', async (t) => {
  const probes = ['ax', 'bx', 'cx', 'dx', 'ex', 'x', '-x', ']x', '\\x', '(x', '|x', 'ay', ']y', 'y', '^x']
  equivalent(t, ['^[a-c]x$', '^[a-d]x$'], '', probes)
  equivalent(t, [String.raw`^[\]a]x$`, String.raw`^[\]a]y$`, String.raw`^[\\]x$`], '', probes)
  equivalent(t, [String.raw`^[\]a]x$`, String.raw`^[\]b]x$`, String.raw`^[a\]]y$`, String.raw`^[a\]c]y$`], '', [...probes, 'by', 'cy'])
  equivalent(t, ['^[(]x$', '^[(]y$', '^[|]x$', '^[)]y$'], '', probes)
  equivalent(t, ['^[]a$', '^[]b$', '^[^]a$', '^[^]b$'], '', [...probes, 'a', 'b', 'xa', ']a'])
  equivalent(t, ['^[^a]x$', '^[^a]y$', '^[a^]x$'], '', probes)
  equivalent(t, [String.raw`^[\d-]x$`, String.raw`^[\w]x$`, String.raw`^[\u0061-\u0063]y$`], '', [...probes, '1x', '_x'])
  equivalent(t, ['^[a-c]+x$', '^[a-c]+y$'], 'i', [...probes, 'ABx', 'aby', 'CX'])
})

test('groups and lookarounds are never split', async (t) => {
  const probes = ['abx', 'cx', 'aby', 'cy', 'ax', 'x', 'abd', 'acd', 'abe', 'ace', 'ad', 'ab', 'bc', 'aab', 'xy', 'zy', 'y', 'a)', 'a)x', 'ac']
  equivalent(t, ['^(?:ab|c)x$', '^(?:ab|c)y$'], '', probes)
  equivalent(t, ['^(a(b|c))d$', '^(a(b|c))e$', '^(a)$'], '', probes)
  equivalent(t, ['^(?=a)ab$', '^(?!a)bc$', '^(?=a)(?!ab)ac$'], '', probes)
  equivalent(t, ['^x(?<=x)y$', '^z(?<!x)y$', '^a(?<=(?:a|b))c$'], '', probes)
  equivalent(t, [String.raw`^(?:a(?:b|\)))x$`, String.raw`^(?:a(?:b|\)))$`, String.raw`^(?:[)(])x$`], '', probes)
  equivalent(t, ['^(?:a|b)*x$', '^(?:a|b)*y$', '^(a)?c$'], '', probes)
  equivalent(t, ['^(?=a)*ab$', '^(?=a)*ac$'], '', probes)
  const nested = equivalent(t, ['^(?:a(?:b|c))x$', '^(?:a(?:b|c))y$'], '', probes)
  t.ok(nested.startsWith('^(?:a(?:b|c))'), nested)
  t.equal(occurrences(nested, '(?:a(?:b|c))'), 1, nested)
})

test('a source with a top-level `|` is kept whole', async (t) => {
  const probes = ['a', 'b', 'ac', 'xb', 'ab', 'bc', 'c', '']
  const result = equivalent(t, ['^a$|^b$', '^ac$'], '', probes)
  t.ok(result.includes('(?:^a$|^b$)'), result)
  equivalent(t, ['a|b', '^ac$'], '', probes)
  equivalent(t, ['^a|b$', '^a|c$'], '', [...probes, 'xa', 'bx', 'cb', 'xc'])
  equivalent(t, ['^(?:a|b)|c$', '^(?:a|b)x$'], '', [...probes, 'ax', 'bx', 'xc'])
})

test('every flag', async (t) => {
  equivalent(t, ['^abc$', '^abd$'], '', ['abc', 'abd', 'ABC', 'abe'])
  equivalent(t, ['^abc$', '^abd$'], 'i', ['abc', 'ABC', 'AbD', 'abe', 'ab'])
  equivalent(t, ['^a.b$', '^a.c$'], '', ['a\nb', 'axb', 'a\nc', 'ab'])
  equivalent(t, ['^a.b$', '^a.c$'], 's', ['a\nb', 'axb', 'a\nc', 'ab', 'a\u2028c'])
  equivalent(t, ['^a$', '^b$', '^ab$'], 'm', ['a', 'x\na', 'a\nx', 'b\n', 'xa', 'x\nab\ny', 'ba'])
  equivalent(t, [String.raw`^\u{61}b$`, String.raw`^\u{61}c$`, '^.$'], 'u', ['ab', 'ac', 'ad', '😀', 'u{61}b'])
  equivalent(t, ['^a.b$', '^A.c$'], 'imsu', ['a\nb', 'A😀B', 'x\nac', 'a\u2028c', 'ab'])
  const vSources = [String.raw`^[\p{L}--[a-z]]x$`, String.raw`^[\p{L}--[a-z]]y$`, '^ab$', '^ac$']
  const result = equivalent(t, vSources, 'v', ['Ax', 'ax', 'Ay', 'ay', 'ab', 'ac', 'ad', '1x'])
  for (const source of vSources) t.ok(result.includes(`(?:${source})`), `kept whole under v: ${source}`)
  equivalent(t, vSources, 'iv', ['Ax', 'ax', 'Ay', 'AB', 'ac', 'ad'])
})

test('a single source', async (t) => {
  equivalent(t, [String.raw`^https://a\.x$`], '', ['https://a.x', 'https://b.x', 'https://a.xx', ''])
  equivalent(t, ['^a+$'], 'i', ['A', 'aA', '', 'b'])
  equivalent(t, ['^a$|^b$'], '', ['a', 'b', 'ab', ''])
  equivalent(t, [''], '', ['', 'a'])
})

test('no source: matches nothing', async (t) => {
  for (const flags of ['', 'i', 'u', 'v']) {
    const none = new RegExp(alternationSource([], flags), flags)
    t.equal(none.test(''), false, `/${flags}: the empty string`)
    t.equal(none.test('https://app.example.com'), false, `/${flags}: an origin`)
  }
})

test('duplicate sources', async (t) => {
  const result = equivalent(t, ['^ab$', '^ab$', '^ab$'], '', ['ab', 'a', 'abb', ''])
  t.equal(occurrences(result, 'ab'), 1, result)
  equivalent(t, ['^a+b$', '^ac$', '^a+b$', '^ac$'], 'i', ['ab', 'aab', 'AC', 'aac', ''])
})

test('one source a prefix of another', async (t) => {
  const probes = ['', 'a', 'ab', 'abc', 'abx', 'abcd', 'xabc', 'ac']
  equivalent(t, ['^ab', '^abc$'], '', probes)
  equivalent(t, ['^abc$', '^ab'], '', probes)
  equivalent(t, ['^ab$', '^abc$', '^a'], '', probes)
  equivalent(t, ['^ab$', '^ab+$', '^ab*c$'], '', [...probes, 'abb', 'abbc'])
  equivalent(t, ['^', '^a$'], '', probes)
  equivalent(t, ['', '^a$'], '', probes)
  equivalent(t, ['^a$', '^a$b'], 'm', [...probes, 'a\nb'])
})

interface Piece { source: string, text: string }
interface Atom { source: string, texts: readonly string[] }

const ATOMS: readonly Atom[] = [
  { source: 'a', texts: ['a'] },
  { source: 'b', texts: ['b'] },
  { source: 'c', texts: ['c'] },
  { source: '-', texts: ['-'] },
  { source: ':', texts: [':'] },
  { source: '/', texts: ['/'] },
  { source: '.', texts: ['.', 'x', '\n'] },
  { source: String.raw`\.`, texts: ['.'] },
  { source: String.raw`\d`, texts: ['1', '7'] },
  { source: String.raw`\w`, texts: ['a', '_'] },
  { source: '[a-c]', texts: ['b', 'c'] },
  { source: '[^x]', texts: ['a', '\n'] },
  { source: '(?:ab|c)', texts: ['ab', 'c'] },
  { source: '(a|b)', texts: ['a', 'b'] },
  { source: '(?=a)', texts: [''] },
  { source: String.raw`\x41`, texts: ['A'] },
  { source: String.raw`\u0062`, texts: ['b'] },
  { source: String.raw`[\]a]`, texts: [']', 'a'] },
  { source: String.raw`[\]b]`, texts: [']', 'b'] },
  { source: '((?:a)b)', texts: ['ab'] },
  { source: '(?!b)', texts: [''] },
  { source: '(?<=a)', texts: [''] },
  { source: String.raw`(?:a(?:b|\)))`, texts: ['ab', 'a)'] }
]

const QUANTIFIERS: ReadonlyArray<{ source: string, min: number, max: number }> = [
  { source: '*', min: 0, max: 2 },
  { source: '+', min: 1, max: 3 },
  { source: '?', min: 0, max: 1 },
  { source: '{1,2}', min: 1, max: 2 },
  { source: '{2}', min: 2, max: 2 }
]

const PROBE_CHARS = ['a', 'b', 'c', 'A', 'B', 'x', '.', '-', ':', '/', '1', '_', '\n', ')', ']'] as const

const pieceArb: fc.Arbitrary<Piece> = fc.record({
  atom: fc.oneof(
    { arbitrary: fc.constantFrom(...ATOMS.slice(0, 8)), weight: 3 },
    { arbitrary: fc.constantFrom(...ATOMS), weight: 2 }
  ),
  pick: fc.nat({ max: 5 }),
  quantifier: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 },
    { arbitrary: fc.constantFrom(...QUANTIFIERS), weight: 1 }
  ),
  lazy: fc.boolean(),
  times: fc.nat({ max: 3 })
}).map(({ atom, pick, quantifier, lazy, times }) => {
  const text = atom.texts[pick % atom.texts.length] ?? ''
  if (quantifier === undefined) return { source: atom.source, text }
  const count = quantifier.min + (times % (quantifier.max - quantifier.min + 1))
  return { source: atom.source + quantifier.source + (lazy ? '?' : ''), text: text.repeat(count) }
})

const sequenceArb = fc.array(pieceArb, { maxLength: 4 })

const caseArb = fc.record({
  prefix: sequenceArb,
  middles: fc.array(sequenceArb, { minLength: 1, maxLength: 3 }),
  members: fc.array(fc.record({
    middle: fc.nat(),
    tail: sequenceArb,
    start: fc.nat({ max: 9 }).map((n) => n > 0),
    end: fc.nat({ max: 4 }).map((n) => n > 0),
    alternative: fc.option(sequenceArb, { freq: 8 })
  }), { minLength: 1, maxLength: 8 }),
  flags: fc.constantFrom('', 'i', 'u', 's'),
  strings: fc.array(fc.array(fc.constantFrom(...PROBE_CHARS), { maxLength: 6 }).map((chars) => chars.join('')), { maxLength: 8 }),
  edits: fc.array(fc.record({
    member: fc.nat(),
    at: fc.nat(),
    kind: fc.constantFrom('delete', 'insert', 'replace'),
    char: fc.constantFrom(...PROBE_CHARS)
  }), { maxLength: 8 }),
  crossings: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 6 })
})

const joinSources = (pieces: readonly Piece[]) => pieces.map((p) => p.source).join('')
const joinTexts = (pieces: readonly Piece[]) => pieces.map((p) => p.text).join('')

function compiles (source: string, flags: string): boolean {
  try {
    RegExp(source, flags)
    return true
  } catch {
    return false
  }
}

test('property: the alternation matches exactly what one of the sources matches', async (t) => {
  t.comment(`property seed ${SEED}`)
  fc.assert(fc.property(caseArb, ({ prefix, middles, members, flags, strings, edits, crossings }) => {
    const built = members.map((m) => {
      const pieces = [...prefix, ...(middles[m.middle % middles.length] ?? []), ...m.tail]
      let source = (m.start ? '^' : '') + joinSources(pieces) + (m.end ? '$' : '')
      const texts = [joinTexts(pieces)]
      if (m.alternative !== null) {
        source += `|^${joinSources(m.alternative)}$`
        texts.push(joinTexts(m.alternative))
      }
      return { source, pieces, texts }
    }).filter((b) => compiles(b.source, flags))
    if (built.length === 0) return
    const sources = built.map((b) => b.source)

    const probes = new Set<string>(['', ...strings])
    for (const b of built) {
      for (const text of b.texts) {
        probes.add(text)
        probes.add(text.toUpperCase())
        probes.add(text + 'a')
        probes.add('a' + text)
      }
    }
    for (const { member, at, kind, char } of edits) {
      const text = built[member % built.length]?.texts[0] ?? ''
      const i = at % (text.length + 1)
      if (kind === 'delete') probes.add(text.slice(0, i) + text.slice(i + 1))
      else if (kind === 'insert') probes.add(text.slice(0, i) + char + text.slice(i))
      else probes.add(text.slice(0, i) + char + text.slice(i + 1))
    }
    for (const [from, to, cut] of crossings) {
      const a = built[from % built.length]?.pieces ?? []
      const b = built[to % built.length]?.pieces ?? []
      const k = cut % (Math.max(a.length, b.length) + 1)
      probes.add(joinTexts(a.slice(0, k)) + joinTexts(b.slice(k)))
    }

    const result = alternationSource(sources, flags)
    let combined: RegExp
    try {
      combined = new RegExp(result, flags)
    } catch (error) {
      throw new Error(`result does not compile: ${JSON.stringify({ sources, flags, result, error: String(error) })}`)
    }
    const each = sources.map((s) => new RegExp(s, flags))
    for (const probe of probes) {
      const expected = each.some((r) => r.test(probe))
      const got = combined.test(probe)
      if (got !== expected) throw new Error(`mismatch: ${JSON.stringify({ sources, flags, probe, expected, got, result })}`)
    }
  }), { seed: SEED, numRuns: RUNS })
  t.pass(`${RUNS} generated source lists: the alternation agrees with the sources one by one on every probe`)
})

test('100 similar origins: the shared prefix written once', async (t) => {
  const sources = Array.from({ length: 100 }, (_, i) => String.raw`^https://app-[a-z]+\.region${i}\.example\.com$`)
  const result = alternationSource(sources, '')
  const prefix = String.raw`^https://app-[a-z]+\.region`
  t.ok(result.startsWith(prefix), result.slice(0, 80))
  t.equal(occurrences(result, prefix), 1, 'one prefix for the hundred sources')
  const combined = new RegExp(result, '')
  const misses: number[] = []
  for (let i = 0; i < 100; i++) if (!combined.test(`https://app-eu.region${i}.example.com`)) misses.push(i)
  t.same(misses, [], 'every region matches')
  for (const origin of ['https://app-eu.region100.example.com', 'https://evil.example', 'https://app-.region1.example.com', 'https://app-eu.region1.example.com.evil', 'http://app-eu.region1.example.com', 'https://app-EU.region1.example.com']) {
    t.notOk(combined.test(origin), origin)
  }
})
