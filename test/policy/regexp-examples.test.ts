// The example writer behind the RegExp safety rule: every example it writes for a RegExp it
// understands must be something the RegExp can match once assertions are set aside, and the
// attacker's fills must appear where a variable part admits them.
import { test } from 'tap'
import { regExpExamples } from '../../lib/policy/regexp-examples.js'

test('variable host parts are filled with samples and with the attacker\'s name', async (t) => {
  t.same(regExpExamples(/^https:\/\/[a-z]+\.example\.com$/), [
    'https://x.example.com', 'https://xx.example.com', 'https://attacker.example.com'
  ])
  t.ok(regExpExamples(/^https:\/\/.*$/).includes('https://attacker.test'), "'.*' admits a whole host")
  t.ok(regExpExamples(/^https:\/\/\d+\.\d+$/).includes('https://203.203'), 'digits get an IP-like fill')
  t.same(regExpExamples(/^https:\/\/(a|b)\.com(:\d{2,4})?$/), [
    'https://a.com', 'https://a.com:77', 'https://a.com:777', 'https://a.com:203', 'https://b.com', 'https://b.com:77', 'https://b.com:777', 'https://b.com:203'
  ])
})

test('escapes stand for their characters or sets; assertions and back-references write nothing', async (t) => {
  const cases: Array<[RegExp, string]> = [
    [/^a\x2eb\u002ec\u{2e}d$/u, 'a.b.c.d'],
    [/^\n\r\t\f\v\0\cJ$/, '\n\r\t\f\v\0\n'],
    [/^\D\W\s\S$/, 'x-\tx'],
    [/^\bx\B$/, 'x'],
    [/^(?<word>a)\k<word>(b)\1$/, 'ab'],
    [/^(?=a)(?!b)(?<=c)(?<!d)e$/, 'e'],
    // eslint-disable-next-line prefer-regex-literals -- the escaped '-' is the point, which a literal would be linted for
    [new RegExp('^[\\d][\\w][\\s][^a-z][\\-.][a-\\x7a]$'), '7x\t7-x'],
    [/^[.]$/, '.'],
    [/^x{3}$/, 'xxx'],
    [/^x{2,}y+?z??$/, 'xxy'],
    [/^a{x$/, 'a{x'],
    [/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)\12$/, 'abcdefghijkl'],
    [/^[\bx]$/, 'x']
  ]
  for (const [re, first] of cases) t.equal(regExpExamples(re)[0], first, String(re))
})

test('the i flag: a class admits either case; examples are lower case, as browsers send origins', async (t) => {
  t.ok(regExpExamples(/^https:\/\/[A-Z]+\.EXAMPLE\.COM$/i).includes('https://attacker.example.com'))
  t.notOk(regExpExamples(/^https:\/\/[A-Z]+\.EXAMPLE\.COM$/).includes('https://attacker.example.com'), 'without i, [A-Z] admits no lower case fill')
})

test('a class that admits nothing writes nothing; what the writer does not understand yields no example', async (t) => {
  t.same(regExpExamples(/^a[^\s\S]b$/), [])
  // eslint-disable-next-line prefer-regex-literals -- an empty class is the point, which a literal would be linted for
  t.same(regExpExamples(new RegExp('^a[]b$')), [])
  for (const source of ['^(?P<x>a)$', '^(a$', '^[a$', '^\\x4$', '^a)$']) {
    let re: RegExp
    try { re = new RegExp(source) } catch { re = { source, flags: '' } as RegExp }
    t.same(regExpExamples(re), [], source)
  }
})

test('bounded: a RegExp with many alternatives writes at most 24 examples', async (t) => {
  const re = new RegExp(`^(${Array.from({ length: 100 }, (_, i) => `h${i}`).join('|')})(${Array.from({ length: 100 }, (_, i) => `p${i}`).join('|')})$`)
  t.equal(regExpExamples(re).length, 24)
})
