/**
 * Hostile request-header values: huge, comma-stuffed, control characters, non-ASCII, prototype
 * keys, endless label lists, and near-valid origins and token lists with one byte wrong.
 */
import fc from 'fast-check'

export const KIB16 = 16 * 1024

/** Seed for every fuzz run; override with PROPERTY_SEED to reproduce or explore. */
export const FUZZ_SEED = Number(process.env.PROPERTY_SEED ?? 20261124)

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__']

const CONTROL = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code))

const PIECES = ['a', ',', ', ', ' ,', '.', 'a.', '-', ':', '/', '*', '\t', ' ', '\0', '\u00e9', '\ud83d\ude00', '\ud800', '%00', '__proto__,', 'x-a,']

/** Large values built from a repeated piece: up to 16 KiB, or 10 000 commas. */
const repeated: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...PIECES), fc.integer({ min: 1, max: KIB16 })).map(([piece, n]) => piece.repeat(n).slice(0, KIB16)),
  fc.constant(','.repeat(10_000)),
  fc.constant('a,'.repeat(10_000)),
  fc.constant(' ,'.repeat(5_000)),
  fc.constant('x'.repeat(KIB16)),
  fc.constant('https://' + 'a'.repeat(KIB16))
)

const scheme = fc.constantFrom('http', 'https', 'ws', 'wss', 'ftp', 'chrome-extension', 'HTTP', 'h', 'a+b-c.d', '1http', '')
const label = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('', '-', '_', 'xn--9ca', 'A', '\u00e9', ' ', '%2e', '__proto__') }
)
const port = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 0, max: 70_000 }).map((n) => `:${n}`),
  fc.constantFrom(':', ':080', ':80', ':443', ':65535', ':65536', ':*', ':+1', ':1e3', ': 1')
)

/** Origin-shaped values: a scheme, up to hundreds of labels, a port, sometimes a tail. */
export const originLike: fc.Arbitrary<string> = fc.tuple(
  scheme,
  fc.constantFrom('://', '://', '://', ':/', ':///', '//'),
  fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 100, max: 600 }).map((n) => Array.from({ length: n }, () => 'a'))
  ),
  fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('[::1]', '[', '[]', '[g::1]', '[:]', '127.0.0.1', '0x7f.1', '999.1.1.1') }),
  port,
  fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '?', '#', ' ', ',https://a.b', '\r\n', '\0', '/..') })
).map(([s, sep, labels, ipHost, p, tail]) => `${s}${sep}${ipHost === '' ? labels.join('.') : ipHost}${p}${tail}`)

/** Real serialised origins, as `new URL(...).origin` gives them for http(s). */
export const realOrigin: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom('http', 'https'),
  fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`), fc.constant('localhost')),
  fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
).map(([s, host, p]) => new URL(`${s}://${host}${p === undefined ? '' : `:${p}`}`).origin)

/** Token-list-shaped values for Access-Control-Request-Headers. */
export const tokenListLike: fc.Arbitrary<string> = fc.tuple(
  fc.array(fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/) },
    { weight: 1, arbitrary: fc.constantFrom('', 'a b', 'x\u00e9', 'x\0', '"q"', '(x)', 'a'.repeat(129), ...PROTOTYPE_KEYS) }
  ), { maxLength: 80 }),
  fc.constantFrom(',', ', ', ' , ', ',,', '\t,', ' ')
).map(([names, separator]) => names.join(separator))

/** Everything above, mixed with arbitrary Unicode and control characters. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: fc.oneof(CONTROL, fc.constantFrom(...PIECES)), maxLength: 200 }),
  fc.constantFrom(...PROTOTYPE_KEYS, '', 'null', 'NULL', ' null', '*'),
  repeated,
  originLike,
  realOrigin,
  tokenListLike
)
