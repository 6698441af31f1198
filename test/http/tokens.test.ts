import { test } from 'tap'
import fc from 'fast-check'
import { isCanonicalHeaderNameList, isToken, normalizeMethod, parseRequestHeaderNames, isForbiddenRequestHeader, MAX_ACRH_LENGTH, MAX_ACRH_NAMES, MAX_HEADER_NAME_LENGTH } from '../../lib/http/tokens.js'

test('isToken', async (t) => {
  t.equal(isToken('PUT', 64), true)
  t.equal(isToken('X-Custom_1.a', 64), true)
  t.equal(isToken('', 64), false, 'empty')
  t.equal(isToken('GET, DELETE', 64), false, 'a list is not a token')
  t.equal(isToken('GET DELETE', 64), false, 'space')
  t.equal(isToken('PÜT', 64), false, 'non-ASCII')
  t.equal(isToken('a"b', 64), false, 'quote')
  t.equal(isToken('A'.repeat(65), 64), false, 'too long')
})

test('normalizeMethod follows Fetch#concept-method-normalize', async (t) => {
  t.equal(normalizeMethod('put'), 'PUT')
  t.equal(normalizeMethod('delete'), 'DELETE')
  t.equal(normalizeMethod('patch'), 'patch', 'patch is not normalised')
})

test('forbidden request headers', async (t) => {
  for (const name of ['cookie', 'host', 'origin', 'proxy-authorization', 'sec-fetch-site', 'content-length']) t.equal(isForbiddenRequestHeader(name), true, name)
  for (const name of ['authorization', 'content-type', 'x-custom']) t.equal(isForbiddenRequestHeader(name), false, name)
})

test('parseRequestHeaderNames', async (t) => {
  const cases = [
    { desc: 'browser form', input: 'content-type,x-custom', want: ['content-type', 'x-custom'] },
    { desc: 'lower-cases', input: 'X-Custom', want: ['x-custom'] },
    { desc: 'split by a proxy and joined by Node', input: 'content-type, x-custom', want: ['content-type', 'x-custom'] },
    { desc: 'OWS and empty elements', input: ' a ,, b\t,', want: ['a', 'b'] },
    { desc: 'empty', input: '', want: [] },
    { desc: 'only commas', input: ',,,', want: [] },
    { desc: 'space inside a name', input: 'x custom', want: undefined },
    { desc: 'non-token byte', input: 'x-a;b', want: undefined },
    { desc: 'non-ASCII', input: 'x-ä', want: undefined },
    { desc: 'control character', input: 'x-a\u0000', want: undefined },
    { desc: 'too long', input: 'a,'.repeat(MAX_ACRH_LENGTH), want: undefined },
    { desc: 'too many names', input: Array.from({ length: MAX_ACRH_NAMES + 1 }, (_, i) => `h${i}`).join(','), want: undefined },
    { desc: 'name too long', input: 'x'.repeat(129), want: undefined },
    { desc: 'as many names as allowed', input: Array.from({ length: MAX_ACRH_NAMES }, (_, i) => `h${i}`).join(','), want: Array.from({ length: MAX_ACRH_NAMES }, (_, i) => `h${i}`) }
  ]
  for (const c of cases) t.same(parseRequestHeaderNames(c.input), c.want, c.desc)
})

test('isCanonicalHeaderNameList accepts only what parsing and re-joining leaves unchanged', async (t) => {
  const names = (count: number, length = 2): string => Array.from({ length: count }, (_, i) => `h${String(i).padStart(length - 1, '0')}`).join(',')
  const cases = [
    { desc: 'browser form', input: 'content-type,x-custom', want: true },
    { desc: 'one name', input: 'x-custom', want: true },
    { desc: 'upper case', input: 'X-Custom', want: false },
    { desc: 'space after a comma', input: 'content-type, x-custom', want: false },
    { desc: 'empty element', input: 'a,,b', want: false },
    { desc: 'leading comma', input: ',a', want: false },
    { desc: 'trailing comma', input: 'a,', want: false },
    { desc: 'empty', input: '', want: false },
    { desc: 'non-token byte', input: 'x-a;b', want: false },
    { desc: 'non-ASCII', input: 'x-ä', want: false },
    { desc: 'as many names as allowed', input: names(MAX_ACRH_NAMES), want: true },
    { desc: 'one name too many', input: names(MAX_ACRH_NAMES + 1), want: false },
    { desc: 'longest name', input: `a,${'x'.repeat(MAX_HEADER_NAME_LENGTH)}`, want: true },
    { desc: 'first name too long', input: `${'x'.repeat(MAX_HEADER_NAME_LENGTH + 1)},a`, want: false },
    { desc: 'last name too long', input: `a,${'x'.repeat(MAX_HEADER_NAME_LENGTH + 1)}`, want: false },
    { desc: 'over the length limit', input: names(40, 120).slice(0, MAX_ACRH_LENGTH + 1), want: false }
  ]
  for (const c of cases) t.equal(isCanonicalHeaderNameList(c.input), c.want, c.desc)

  // the fast path must never echo anything the full parser would refuse or rewrite
  const alphabet = fc.constantFrom('a', 'z', 'A', '-', '0', ',', ' ', '\t', ';', 'ä', '_')
  const inputs = fc.oneof(
    fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join('')),
    fc.array(fc.stringMatching(/^[a-z0-9-]{0,130}$/), { maxLength: 70 }).map((parts) => parts.join(','))
  )
  fc.assert(fc.property(inputs, (input) => {
    if (!isCanonicalHeaderNameList(input)) return true
    const parsed = parseRequestHeaderNames(input)
    return parsed !== undefined && parsed.join(',') === input
  }), { seed: 20261124, numRuns: 20_000 })
  t.pass('20 000 generated values: every accepted value parses and re-joins to itself')
})

test('isCanonicalHeaderNameList without wildcard: refuses exactly the canonical lists that name *', async (t) => {
  const cases = [
    { desc: 'only *', input: '*', want: false },
    { desc: '* first', input: '*,x-custom', want: false },
    { desc: '* last', input: 'content-type,*', want: false },
    { desc: '* between', input: 'a,*,b', want: false },
    { desc: 'a name with a * in it is not the wildcard', input: 'x-*,**,*a', want: true },
    { desc: 'browser form', input: 'content-type,x-custom', want: true },
    { desc: 'not canonical either way', input: 'a, *', want: false }
  ]
  for (const c of cases) t.equal(isCanonicalHeaderNameList(c.input, true), c.want, c.desc)
  t.equal(isCanonicalHeaderNameList('a,*'), true, 'without the flag * is a token like any other')
  const inputs = fc.array(fc.constantFrom('*', '**', 'a', 'x-*', '', 'B', 'a b'), { maxLength: 6 }).map((parts) => parts.join(','))
  fc.assert(fc.property(inputs, (input) =>
    isCanonicalHeaderNameList(input, true) === (isCanonicalHeaderNameList(input) && !input.split(',').includes('*'))), { seed: 20261130, numRuns: 5_000 })
  t.pass('5 000 generated lists: the flag refuses a canonical list exactly when one of its names is *')
})

test('isCanonicalHeaderNameList answers a value asked again as it answered it first, in each form', async (t) => {
  // the last accepted value of each form is remembered: a wrong memory would accept what the scan refuses
  t.equal(isCanonicalHeaderNameList('a,*'), true, 'accepted without the flag')
  t.equal(isCanonicalHeaderNameList('a,*', true), false, 'what the form without the flag accepted is refused with it')
  t.equal(isCanonicalHeaderNameList('a,*'), true, 'and still accepted without it')
  t.equal(isCanonicalHeaderNameList('content-type,x-custom', true), true)
  t.equal(isCanonicalHeaderNameList('content-type,x-custom', true), true, 'asked again')
  t.equal(isCanonicalHeaderNameList('', true), false, 'empty, after an accepted value')
  t.equal(isCanonicalHeaderNameList('Content-Type,x-custom', true), false, 'a value of the same length that differs')
  // answers in any order equal answers asked once each, first in a fresh order
  const alphabet = fc.constantFrom('a', '*', ',', 'A', ' ', '-')
  const calls = fc.array(fc.tuple(fc.array(alphabet, { maxLength: 8 }).map((chars) => chars.join('')), fc.boolean()), { minLength: 1, maxLength: 30 })
  fc.assert(fc.property(calls, (sequence) => {
    const first = new Map<string, boolean>()
    for (const [value, withoutWildcard] of sequence) {
      const key = `${String(withoutWildcard)} ${value}`
      const answer = isCanonicalHeaderNameList(value, withoutWildcard)
      if (first.has(key) && first.get(key) !== answer) return false
      first.set(key, answer)
    }
    return [...first].every(([key, answer]) => {
      const [flag, ...rest] = key.split(' ')
      const value = rest.join(' ')
      const expected = value !== '' && value.split(',').every((name) => /^[a*-]+$/.test(name) && (name !== '*' || flag === 'false'))
      return answer === expected
    })
  }), { seed: 20261201, numRuns: 3_000 })
  t.pass('3 000 generated sequences: every answer is the scan\'s, whatever was asked before')
})
