/**
 * Fuzz of every parser that reads request input (no input can crash, reflect an
 * unvalidated value or cost more than bounded work). Work is measured by counting character reads
 * and Set probes, never by time. Seeded: PROPERTY_SEED reproduces a run.
 */
import { test } from 'tap'
import fc from 'fast-check'
import { MAX_ORIGIN_LENGTH, serializedOriginHostEnd } from '../../lib/http/origin.js'
import { parseConfiguredOrigin, type ConfiguredOrigin } from '../../lib/policy/origin-pattern.js'
import { compileOriginMatcher, matchOrigin, type OriginMatcher } from '../../lib/policy/origin-matcher.js'
import { MAX_ACRH_LENGTH, MAX_ACRH_NAMES, MAX_HEADER_NAME_LENGTH, isToken, parseRequestHeaderNames } from '../../lib/http/tokens.js'
import { mergeVary } from '../../lib/http/vary.js'
import { FUZZ_SEED, KIB16, hostileString, realOrigin, tokenListLike } from './support/hostile.js'
import { referenceMatch } from '../property/support/reference-origin.js'

const RUNS = 3000

/** A string that counts how often its characters are read: the parsers' loops read through charCodeAt. */
class CountingString extends String {
  reads = 0
  override charCodeAt (index: number): number {
    this.reads++
    return super.charCodeAt(index)
  }
}

function counting (value: string): CountingString & string {
  return new CountingString(value) as CountingString & string
}

// Fetch#origin-header: scheme "://" host [ ":" port ], lower-case, as browsers serialise it
const SERIALISED_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::[1-9][0-9]{0,4})?$/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ws: '80', wss: '443' }

test('serializedOriginHostEnd accepts only serialised origins, every real one, with bounded reads', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  fc.assert(fc.property(hostileString, (value) => {
    const input = counting(value)
    const hostEnd = serializedOriginHostEnd(input)
    // one pass over the value, plus a constant number of look-aheads and re-reads at the separators
    if (input.reads > value.length + 8) throw new Error(`${input.reads} reads for ${value.length} characters`)
    if (value.length > MAX_ORIGIN_LENGTH && input.reads !== 0) throw new Error('an over-long value was read')
    if (hostEnd === -1) return
    if (!SERIALISED_ORIGIN.test(value)) throw new Error(`accepted a value that is not a serialised origin: ${JSON.stringify(value)}`)
    const port = value.slice(hostEnd)
    if (port !== '' && (!/^:\d+$/.test(port) || Number(port.slice(1)) > 65535)) throw new Error(`host ends at ${hostEnd}, leaving ${JSON.stringify(port)}`)
    const scheme = value.slice(0, value.indexOf(':'))
    if (DEFAULT_PORTS[scheme] === port.slice(1)) throw new Error(`accepted the default port: ${value}`)
  }), { seed: FUZZ_SEED, numRuns: RUNS })

  fc.assert(fc.property(realOrigin, (origin) => {
    const hostEnd = serializedOriginHostEnd(origin)
    const url = new URL(origin)
    if (hostEnd !== origin.length - (url.port === '' ? 0 : url.port.length + 1)) {
      throw new Error(`a browser's origin was refused or mis-split: ${origin} -> ${hostEnd}`)
    }
  }), { seed: FUZZ_SEED, numRuns: RUNS })
  t.pass(`${RUNS * 2} values`)
})

/** A Set and a Map that count their probes, so matching cost can be bounded by counting, not timing. */
const probes = { count: 0 }
class CountingSet extends Set<string> {
  override has (value: string): boolean {
    probes.count++
    return super.has(value)
  }
}
class CountingMap<V> extends Map<string, V> {
  override get (key: string): V | undefined {
    probes.count++
    return super.get(key)
  }
}

function countingMatcher (matcher: OriginMatcher): OriginMatcher {
  return {
    ...matcher,
    exact: new CountingSet(matcher.exact),
    anyPortHosts: new CountingSet(matcher.anyPortHosts),
    subdomains: new CountingMap(matcher.subdomains)
  }
}

const CONFIGURED = [
  'https://app.example.com', 'http://localhost:8080', 'null', 'https://*.x.example', 'https://*.x.example:8443',
  'http://localhost:*', 'http://*.dev.example:*', 'https://*.a.b.c.example', 'https://[::1]:*', 'https://127.0.0.1:*',
  'ws://*.sock.example', 'https://*.localhost'
]
const REGEXPS = [/^https:\/\/[a-z0-9-]+\.re\.example$/, /^https:\/\/(?:alpha|beta)\.example\.net$/]

const pickedOrigin = fc.oneof(
  hostileString,
  // near misses of the configured entries
  fc.tuple(fc.constantFrom('https://', 'http://', 'ws://'), fc.array(fc.constantFrom('a', 'x', 'b', 'app', 'dev', 'sock', 're', 'alpha'), { maxLength: 4 }),
    fc.constantFrom('x.example', 'dev.example', 'a.b.c.example', 'b.c.example', 'example.com', 'localhost', 'sock.example', 're.example', 'example.net'),
    fc.constantFrom('', ':8443', ':8080', ':1', ':443', ':80'))
    .map(([s, labels, base, p]) => `${s}${[...labels, base].join('.')}${p}`)
)

test('matchOrigin agrees with a reference matcher and probes at most once per label', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  const configuration = fc.tuple(
    fc.subarray(CONFIGURED, { minLength: 0 }),
    fc.subarray(REGEXPS, { minLength: 0 })
  )
  fc.assert(fc.property(configuration, pickedOrigin, ([strings, regexps], origin) => {
    const origins = strings.map((s) => {
      const parsed = parseConfiguredOrigin(s)
      if (parsed.kind === 'error') throw new Error(`fixture ${s}: ${parsed.problem}`)
      return parsed
    })
    const matcher = countingMatcher(compileOriginMatcher(origins, regexps))
    probes.count = 0
    const result = matchOrigin(matcher, origin)
    const expected = referenceMatch(origins, regexps, origin)
    if (result !== expected) throw new Error(`matchOrigin(${JSON.stringify(origin)}) = ${result}, reference ${expected}`)
    // one exact probe, one any-port probe, then one per dot of the host (bounded by the origin's length)
    const hostEnd = serializedOriginHostEnd(origin)
    const dots = hostEnd === -1 ? 0 : origin.slice(0, hostEnd).split('.').length - 1
    if (probes.count > 2 + dots) throw new Error(`${probes.count} probes for ${dots} dots`)
    if (result === 'allowed' && origin !== 'null' && hostEnd === -1) throw new Error(`allowed an invalid origin: ${JSON.stringify(origin)}`)
  }), { seed: FUZZ_SEED, numRuns: RUNS })
  t.pass(`${RUNS} origins`)
})

test('a matcher that remembers answers answers each origin as the reference does, however often and in whatever order it is asked', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  const configuration = fc.tuple(fc.subarray(CONFIGURED, { minLength: 0 }), fc.subarray(REGEXPS, { minLength: 0 }))
  const SEQUENCES = 300
  fc.assert(fc.property(configuration, fc.array(pickedOrigin, { minLength: 1, maxLength: 30 }), ([strings, regexps], origins) => {
    const configured = strings.map((s) => parseConfiguredOrigin(s) as ConfiguredOrigin)
    const matcher = compileOriginMatcher(configured, regexps)
    // each origin asked, then asked again in the reverse order: the second answers come from what the first ones left
    for (const origin of [...origins, ...origins.slice().reverse()]) {
      const result = matchOrigin(matcher, origin)
      const expected = referenceMatch(configured, regexps, origin)
      if (result !== expected) throw new Error(`matchOrigin(${JSON.stringify(origin)}) = ${result} after ${JSON.stringify(origins)}, reference ${expected}`)
    }
  }), { seed: FUZZ_SEED, numRuns: SEQUENCES })
  t.pass(`${SEQUENCES} sequences`)
})

/** RFC 9110 §5.6.1 lists as a proxy may rewrite them: split on commas, trim OWS, drop empty elements. */
function referenceHeaderNames (value: string): string[] | undefined {
  if (value.length > MAX_ACRH_LENGTH) return undefined
  const names: string[] = []
  for (const element of value.split(',')) {
    const name = element.replace(/^[ \t]+|[ \t]+$/g, '')
    if (name === '') continue
    if (!TOKEN.test(name) || name.length > MAX_HEADER_NAME_LENGTH || names.length === MAX_ACRH_NAMES) return undefined
    names.push(name.toLowerCase())
  }
  return names
}

test('parseRequestHeaderNames returns bounded lists of lower-case tokens, in one pass', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  fc.assert(fc.property(fc.oneof(hostileString, tokenListLike), (value) => {
    const input = counting(value)
    const names = parseRequestHeaderNames(input)
    if (input.reads > 2 * value.length + 2) throw new Error(`${input.reads} reads for ${value.length} characters`)
    if (value.length > MAX_ACRH_LENGTH && input.reads !== 0) throw new Error('an over-long value was read')
    const expected = referenceHeaderNames(value)
    if (JSON.stringify(names) !== JSON.stringify(expected)) throw new Error(`parsed ${JSON.stringify(value).slice(0, 200)} as ${JSON.stringify(names)?.slice(0, 200)}, reference ${JSON.stringify(expected)?.slice(0, 200)}`)
    if (names === undefined) return
    if (names.length > MAX_ACRH_NAMES) throw new Error(`${names.length} names`)
    for (const name of names) {
      if (!TOKEN.test(name) || name.length > MAX_HEADER_NAME_LENGTH || name !== name.toLowerCase()) throw new Error(`bad name ${JSON.stringify(name)}`)
    }
  }), { seed: FUZZ_SEED, numRuns: RUNS })

  t.equal(parseRequestHeaderNames(','.repeat(10_000)), undefined, '10 000 commas exceed the length limit')
  t.same(parseRequestHeaderNames(','.repeat(MAX_ACRH_LENGTH)), [], 'commas alone within the limit are an empty list')
  t.equal(parseRequestHeaderNames(Array.from({ length: MAX_ACRH_NAMES + 1 }, (_, i) => `x-${i}`).join(',')), undefined, 'one name too many')
  t.same(parseRequestHeaderNames('__proto__,constructor'), ['__proto__', 'constructor'], 'prototype keys are just names')
})

test('isToken matches the RFC 9110 token grammar within its length limit, reading at most that many characters', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  fc.assert(fc.property(fc.oneof(hostileString, tokenListLike), fc.integer({ min: 0, max: 200 }), (value, max) => {
    const input = counting(value)
    const result = isToken(input, max)
    if (input.reads > Math.min(value.length, max)) throw new Error(`${input.reads} reads with max ${max}`)
    const expected = value.length <= max && TOKEN.test(value)
    if (result !== expected) throw new Error(`isToken(${JSON.stringify(value).slice(0, 100)}, ${max}) = ${String(result)}`)
  }), { seed: FUZZ_SEED, numRuns: RUNS })
  t.pass(`${RUNS} values`)
})

test('mergeVary keeps every existing entry, adds each missing name once, keeps * and stays bounded', async (t) => {
  t.comment(`fuzz seed ${FUZZ_SEED}`)
  const existing = fc.oneof(
    fc.constant(undefined),
    hostileString,
    fc.array(hostileString, { maxLength: 5 }),
    fc.integer({ min: -1, max: 100 }),
    fc.constantFrom('*', 'origin', 'ORIGIN, accept', ' * ', 'accept-encoding,*', '__proto__')
  )
  const names = fc.subarray(['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'], { minLength: 1 })
  fc.assert(fc.property(existing, names, (current, add) => {
    const merged = mergeVary(current, add)
    const text = current === undefined ? '' : Array.isArray(current) ? current.join(', ') : String(current)
    const present = text.split(',').map((part) => part.trim().toLowerCase())
    if (merged === undefined) {
      if (text !== '' && (present.includes('*') || add.every((name) => present.includes(name.toLowerCase())))) return
      throw new Error(`nothing merged into ${JSON.stringify(text).slice(0, 100)}`)
    }
    if (present.includes('*')) throw new Error('added names next to *')
    if (text !== '' && !merged.startsWith(text)) throw new Error('dropped or rewrote existing entries')
    const entries = merged.split(',').map((part) => part.trim().toLowerCase())
    for (const name of add) {
      if (entries.filter((entry) => entry === name.toLowerCase()).length !== Math.max(1, present.filter((p) => p === name.toLowerCase()).length)) {
        throw new Error(`${name} is not present exactly once more than before in ${merged.slice(0, 100)}`)
      }
    }
    const bound = text.length + add.reduce((sum, name) => sum + name.length + 2, 0)
    if (merged.length > bound) throw new Error(`grew to ${merged.length} characters (bound ${bound})`)
  }), { seed: FUZZ_SEED, numRuns: RUNS })
  t.equal(mergeVary('a,'.repeat(10_000), ['Origin'])?.length, 20_000 + ', Origin'.length, 'a 20 000-character Vary grows by the name only')
  t.equal(mergeVary('x'.repeat(KIB16), ['Origin']), `${'x'.repeat(KIB16)}, Origin`)
})
