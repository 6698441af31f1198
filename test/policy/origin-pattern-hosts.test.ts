/**
 * Configured origins whose host is not a plain DNS name (a label that is empty, longer than 63
 * characters, starts or ends with '-', or holds '_') skip the fast path and go through the URL
 * parser: the origin compiled is the same, and it matches the Origin a browser sends for it.
 */
import { test } from 'tap'
import { parseConfiguredOrigin } from '../../lib/policy/origin-pattern.js'
import { compilePolicy } from '../../lib/policy/compile.js'
import { resolveOptions } from '../../lib/policy/options.js'
import { originVerdict } from '../../lib/policy/decide.js'

const HOSTS = [
  '_dmarc.example.com',
  'a_b.example.com',
  '-a.example.com',
  'a-.example.com',
  'x.a-.example.com',
  'a..example.com',
  `${'a'.repeat(64)}.example.com`,
  `x.${'b'.repeat(64)}.com`
]

test('hosts that are not plain DNS names compile to the same exact origin', async (t) => {
  for (const host of HOSTS) {
    for (const origin of [`https://${host}`, `http://${host}:8080`]) {
      t.same(parseConfiguredOrigin(origin), { kind: 'exact', origin }, origin)
      const { options, problems } = resolveOptions({ origin: [origin] })
      t.same(problems, [], `${origin}: no problem`)
      const policy = compilePolicy(options)
      t.equal(originVerdict(policy, origin), 'allowed', `${origin}: its own Origin is allowed`)
      t.equal(originVerdict(policy, origin.replace('://', '://z')), 'not-allowed', `${origin}: another host is not`)
    }
  }
})

test('a label of 63 characters is still a plain name', async (t) => {
  const origin = `https://${'a'.repeat(63)}.example.com`
  t.same(parseConfiguredOrigin(origin), { kind: 'exact', origin })
  t.same(parseConfiguredOrigin('HTTPS://A_B.Example.COM:443'), { kind: 'exact', origin: 'https://a_b.example.com' }, 'case and default port normalised on the slow path')
})
