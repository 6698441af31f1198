import { test } from 'tap'
import { serializedOriginHostEnd, MAX_ORIGIN_LENGTH } from '../../lib/http/origin.js'
import { parseConfiguredOrigin, unanchoredRegExpFix } from '../../lib/policy/origin-pattern.js'

test('configured origins: accepted forms, normalised', async (t) => {
  const cases = [
    { desc: 'exact https', input: 'https://app.example.com', want: { kind: 'exact', origin: 'https://app.example.com' } },
    { desc: 'upper-case scheme and host are lower-cased', input: 'HTTPS://App.Example.COM', want: { kind: 'exact', origin: 'https://app.example.com' } },
    { desc: 'default https port dropped', input: 'https://a.com:443', want: { kind: 'exact', origin: 'https://a.com' } },
    { desc: 'default http port dropped', input: 'http://a.com:80', want: { kind: 'exact', origin: 'http://a.com' } },
    { desc: 'non-default port kept', input: 'http://localhost:8080', want: { kind: 'exact', origin: 'http://localhost:8080' } },
    { desc: 'IPv4', input: 'http://127.0.0.1:3000', want: { kind: 'exact', origin: 'http://127.0.0.1:3000' } },
    { desc: 'IPv6', input: 'http://[::1]:3000', want: { kind: 'exact', origin: 'http://[::1]:3000' } },
    { desc: 'literal null', input: 'null', want: { kind: 'exact', origin: 'null' } },
    { desc: 'non-special scheme (extension)', input: 'chrome-extension://AbCdEf', want: { kind: 'exact', origin: 'chrome-extension://abcdef' } },
    { desc: 'subdomain pattern', input: 'https://*.example.com', want: { kind: 'pattern', scheme: 'https', host: 'example.com', subdomains: true, port: '' } },
    { desc: 'subdomain pattern with port', input: 'https://*.example.com:8443', want: { kind: 'pattern', scheme: 'https', host: 'example.com', subdomains: true, port: '8443' } },
    { desc: 'any-port pattern', input: 'http://localhost:*', want: { kind: 'pattern', scheme: 'http', host: 'localhost', subdomains: false, port: '*' } },
    { desc: 'both wildcards', input: 'http://*.localhost:*', want: { kind: 'pattern', scheme: 'http', host: 'localhost', subdomains: true, port: '*' } }
  ]
  for (const c of cases) t.same(parseConfiguredOrigin(c.input), c.want, c.desc)
})

test('configured origins: refused with the value and the fix', async (t) => {
  const cases = [
    { desc: 'trailing slash', input: 'https://a.com/', want: /'https:\/\/a\.com\/' has a trailing slash.*did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'path', input: 'https://a.com/app', want: /has a path.*did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'query', input: 'https://a.com?x=1', want: /has a query.*did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'fragment', input: 'https://a.com#x', want: /has a fragment/ },
    { desc: 'user info', input: 'https://user:pw@a.com', want: /user info.*did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'non-ASCII host', input: 'https://bücher.example', want: /non-ASCII host.*did you mean 'https:\/\/xn--bcher-kva\.example'\?/ },
    { desc: 'port 65536', input: 'https://a.com:65536', want: /invalid port 65536: ports are 1\.\.65535/ },
    { desc: 'port 0', input: 'https://a.com:0', want: /invalid port 0: ports are 1\.\.65535/ },
    { desc: 'no scheme', input: 'a.com', want: /is not an origin.*did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'garbage', input: 'ftp//x', want: /is not an origin: expected scheme:\/\/host\[:port\]$/ },
    { desc: 'white space', input: ' https://a.com ', want: /white space; did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'empty', input: '', want: /white space/ },
    { desc: "'*' in a list", input: '*', want: /use origin: '\*' on its own/ },
    { desc: 'file scheme', input: 'file:///tmp', want: /file: URLs send the origin 'null'/ },
    { desc: 'wildcard in the middle', input: 'https://a.*.com', want: /unsupported position/ },
    { desc: 'partial-label wildcard', input: 'https://h*.com', want: /unsupported position/ },
    { desc: 'top-level wildcard', input: 'https://*.com', want: /too broad/ },
    { desc: 'wildcard before an IP', input: 'http://*.0.0.1', want: /IP address/ },
    { desc: 'invalid host', input: 'https://a b.com', want: /not a valid origin/ },
    { desc: 'bad non-special host', input: 'app://a%20b', want: /no valid host/ }
  ]
  for (const c of cases) {
    const parsed = parseConfiguredOrigin(c.input)
    t.equal(parsed.kind, 'error', c.desc)
    if (parsed.kind === 'error') t.match(parsed.problem, c.want, c.desc)
  }
})

test('request origins: bounded validation of a serialised origin', async (t) => {
  const valid = [
    ['https://a.com', 13], ['http://localhost:8080', 16], ['http://[::1]:5000', 12], ['https://x-y_z.b.c', 17],
    ['chrome-extension://abc', 22], ['http://127.0.0.1:65535', 16]
  ] as const
  for (const [origin, hostEnd] of valid) t.equal(serializedOriginHostEnd(origin), hostEnd, `valid: ${origin}`)
  const invalid = [
    'null', '', 'https://', 'https://A.com', 'HTTPS://a.com', 'https://a.com/', 'https://a.com:', 'https://a.com:0',
    'https://a.com:080', 'https://a.com:65536', 'https://a.com:443', 'http://a.com:80', 'https://a.com:12a',
    'https://a.com, https://b.com', 'https://user@a.com', 'https://a.com\r\nx: y', 'https://bücher.de', 'http://[::1',
    'http://[]', 'http://[g::1]', '1https://a.com', 'https:/a.com', 'https//a.com', 'https://a.com:123456',
    'https://' + 'a'.repeat(MAX_ORIGIN_LENGTH)
  ]
  for (const origin of invalid) t.equal(serializedOriginHostEnd(origin), -1, `invalid: ${JSON.stringify(origin.slice(0, 40))}`)
})

test('RegExp origins must be anchored', async (t) => {
  t.equal(unanchoredRegExpFix(/^https:\/\/a\.com$/), undefined, 'anchored')
  t.equal(unanchoredRegExpFix(/^https:\/\/a\.com$|^https:\/\/b\.com$/), undefined, 'every alternative anchored')
  t.equal(unanchoredRegExpFix(/^https:\/\/(a|b)\.com$/), undefined, 'alternation inside a group')
  t.equal(unanchoredRegExpFix(/^https:\/\/[|]\.com$/), undefined, 'a bar in a class')
  t.equal(unanchoredRegExpFix(/example\.com/), '/^(?:example\\.com)$/', 'unanchored gets the safe version')
  t.equal(unanchoredRegExpFix(/^https:\/\/a\.com/), '/^(?:https:\\/\\/a\\.com)$/', 'start only')
  t.equal(unanchoredRegExpFix(/a\.com$/i), '/^(?:a\\.com)$/i', 'end only keeps flags')
  t.equal(unanchoredRegExpFix(/^a$|b$/g), '/^(?:a|b)$/', 'half-anchored alternation; g dropped')
  t.equal(unanchoredRegExpFix(/^a\$/), '/^(?:a\\$)$/', 'escaped dollar is not an anchor')
})
