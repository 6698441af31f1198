/**
 * The registration safety rules as properties: random origin configurations drawn from safe items
 * and from items each rule must refuse. Every problem is reported at the item's path (an independent
 * model says which), nothing safe is refused, and an app built from any accepted configuration
 * (plain lists, '*' or tiers) reflects none of an attacker's origins nor gives it credentials, and
 * gives no http site a credentialed response.
 *
 * Reproduce a run: PROPERTY_SEED=<seed> PROPERTY_RUNS=<n> npx tap test/property/safety-rules.test.ts
 */
import { test } from 'tap'
import fc from 'fast-check'
import Fastify from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { resolveOptions } from '../../lib/policy/options.js'

const SEED = Number(process.env.PROPERTY_SEED ?? 20261130)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300)

interface Item {
  value: string | RegExp
  /** refused whatever else is configured: it matches hosts anyone can register */
  strangers: boolean
  /** an http origin on a host that is not loopback */
  insecure: boolean
}

const item = (value: string | RegExp, strangers = false, insecure = false): Item => ({ value, strangers, insecure })

const ITEMS: readonly Item[] = [
  item('https://app.example.com'),
  item('https://*.example.com'),
  item('http://localhost:*'),
  item('http://127.0.0.1:8080'),
  item('https://*.myapp.github.io'),
  item(/^https:\/\/(alpha|beta)\.example\.net$/),
  item(/^https:\/\/([a-z0-9-]+\.)*example\.org$/),
  item('https://*.github.io', true),
  item('https://*.co.uk', true),
  item('https://*.vercel.app', true),
  item(/^https:\/\/app.example.com$/, true),
  item(/^https:\/\/.*$/, true),
  item(/^(?=https:\/\/partner\.com).*$/, true),
  item(/^https:\/\/.*example\.com$/, true),
  item(/^https:\/\/[a-z]+\.github\.io$/, true),
  item('http://app.example.com', false, true),
  item('http://*.example.org', false, true),
  item(/^https?:\/\/api\.example\.com$/, false, true)
]

/** Origins an attacker can own, each matched by some item above that the rules refuse. */
const ATTACKER_ORIGINS = [
  'https://attacker.test', 'https://appxexample.com', 'https://attacker.github.io', 'https://attacker.co.uk',
  'https://attacker.vercel.app', 'https://partner.com.attacker.test', 'https://attackerexample.com'
]
/** http sites a network attacker can inject script into, each matched by an insecure item. */
const HTTP_ORIGINS = ['http://app.example.com', 'http://www.example.org', 'http://api.example.com']

/** `origin: { credentialed, public }`: the credentialed tier has the rules of a list with credentials, the public one those without. */
interface Tiers { credentialed: Item[], public: '*' | Item[] }

interface Config {
  origin: '*' | Item[] | Tiers
  /** not given with tiers (they decide who gets credentials) */
  credentials: boolean
  allowPrivateNetwork: boolean
  dangerouslyAllowInsecureOrigins: boolean
}

const items = fc.uniqueArray(fc.constantFrom(...ITEMS), { minLength: 1, maxLength: 5 })

const config: fc.Arbitrary<Config> = fc.record({
  origin: fc.oneof(
    { weight: 1, arbitrary: fc.constant<'*'>('*') },
    { weight: 6, arbitrary: items },
    { weight: 3, arbitrary: fc.record({ credentialed: items, public: fc.oneof(fc.constant<'*'>('*'), items) }) }
  ),
  credentials: fc.boolean(),
  allowPrivateNetwork: fc.boolean(),
  dangerouslyAllowInsecureOrigins: fc.boolean()
})

const isTiers = (origin: Config['origin']): origin is Tiers => origin !== '*' && !Array.isArray(origin)
const values = (list: Item[]): Array<string | RegExp> => list.map((i) => i.value)

function toOptions (c: Config): FastifyCorsOptions {
  const origin = c.origin
  return {
    origin: isTiers(origin) ? { credentialed: values(origin.credentialed), public: origin.public === '*' ? '*' : values(origin.public) } : origin === '*' ? '*' : values(origin),
    ...(isTiers(origin) ? {} : { credentials: c.credentials }),
    allowPrivateNetwork: c.allowPrivateNetwork,
    dangerouslyAllowInsecureOrigins: c.dangerouslyAllowInsecureOrigins
  }
}

/** The paths the rules must report, from the items' own flags. */
function expectedPaths (c: Config): string[] {
  const paths: string[] = []
  const origin = c.origin
  if (isTiers(origin)) {
    origin.credentialed.forEach((i, index) => {
      if (i.strangers || (i.insecure && !c.dangerouslyAllowInsecureOrigins)) paths.push(`/origin/credentialed/${index}`)
    })
    if (origin.public === '*') {
      if (c.allowPrivateNetwork) paths.push('/allowPrivateNetwork')
    } else {
      origin.public.forEach((i, index) => { if (i.strangers) paths.push(`/origin/public/${index}`) })
    }
    return paths.sort()
  }
  if (origin === '*') {
    if (c.credentials) paths.push('/credentials')
    if (c.allowPrivateNetwork) paths.push('/allowPrivateNetwork')
    return paths.sort()
  }
  origin.forEach((i, index) => {
    if (i.strangers || (i.insecure && c.credentials && !c.dangerouslyAllowInsecureOrigins)) paths.push(`/origin/${index}`)
  })
  return paths.sort()
}

const show = (c: Config): string => JSON.stringify(toOptions(c), (_key, value: unknown) => value instanceof RegExp ? String(value) : value)

test('every rule reports exactly the items it refuses, at their paths', async (t) => {
  const result = fc.check(fc.property(config, (c) => {
    const actual = resolveOptions(toOptions(c)).problems.map((problem) => problem.path).sort()
    const expected = expectedPaths(c)
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${show(c)}: problems at ${actual.join(', ')}; expected ${expected.join(', ')}`)
  }), { seed: SEED, numRuns: RUNS * 10 })
  t.equal(result.failed, false, result.failed ? fc.defaultReportMessage(result) ?? 'failed' : `${RUNS * 10} configurations`)
})

test('an app built from any accepted configuration reflects no attacker origin nor gives it credentials, and no http site gets credentials', async (t) => {
  let accepted = 0
  const result = await fc.check(fc.asyncProperty(config.filter((c) => resolveOptions(toOptions(c)).problems.length === 0), async (c) => {
    accepted++
    const app = Fastify()
    try {
      await app.register(corsPolicy, toOptions(c))
      app.get('/data', async () => 'data')
      for (const origin of [...ATTACKER_ORIGINS, ...HTTP_ORIGINS]) {
        const res = await app.inject({ method: 'GET', url: '/data', headers: { origin } })
        const granted = res.headers['access-control-allow-origin']
        const credentialed = res.headers['access-control-allow-credentials'] === 'true'
        if (ATTACKER_ORIGINS.includes(origin) && granted === origin) throw new Error(`${show(c)}: ${origin} was granted`)
        // public '*' of tiers answers them '*', never with credentials
        if (ATTACKER_ORIGINS.includes(origin) && credentialed) throw new Error(`${show(c)}: ${origin} was granted credentials`)
        if (HTTP_ORIGINS.includes(origin) && granted === origin && credentialed && !c.dangerouslyAllowInsecureOrigins) {
          throw new Error(`${show(c)}: the http site ${origin} was granted credentials`)
        }
      }
    } finally {
      await app.close()
    }
  }), { seed: SEED, numRuns: RUNS })
  t.equal(result.failed, false, result.failed ? fc.defaultReportMessage(result) ?? 'failed' : `${accepted} apps`)
  t.ok(accepted >= RUNS, 'every run built an app')
})
