/**
 * A large allow-list changed at run time: every change is sliced work that yields between slices
 * (validation, compilation, the copy of the list in force), reads the list in force only through
 * its compiled form, costs nothing when it changes nothing, and is prepared again when the list or
 * the policies that read it changed while it ran.
 */
import { test } from 'tap'
import type { OptionProblem } from '../../lib/policy/options.js'
import { SLICE_SIZE, drain, type Sliced } from '../../lib/policy/origin-list-slices.js'
import type { OriginListChange } from '../../lib/policy/swappable-origins.js'
import { listOf, prepared, resolved } from '../helpers/swappable-list.js'

const LARGE = 4 * SLICE_SIZE
const NEW = 'https://new.example.com'

function tenants (count: number, name = 'tenant'): string[] {
  return Array.from({ length: count }, (_, i) => `https://${name}-${i}.example.com`)
}

/** The work run to its end, and how many times it yielded. */
function run (work: Sliced<OriginListChange>): { change: OriginListChange, yields: number } {
  let yields = 0
  for (;;) {
    const step = work.next()
    if (step.done === true) return { change: step.value, yields }
    yields++
  }
}

function problems (change: OriginListChange): string[] {
  if (!Array.isArray(change)) throw new TypeError('expected problems')
  return change.map((p: OptionProblem) => `${p.path} ${p.message}`)
}

test('setOrigins of a large list: validated and compiled over many turns; the list in force until install', async (t) => {
  const list = listOf({ origin: tenants(LARGE, 'old'), credentials: true })
  const fresh = [...tenants(LARGE, 'fresh'), 'https://*.p.example.com', /^https:\/\/r\.example\.com$/]
  const { change, yields } = run(list.prepareSet(fresh))
  t.ok(yields >= 2 * (LARGE / SLICE_SIZE - 1), `validation and compilation each yield between slices (${yields})`)
  t.equal(list.verdictFor('https://old-0.example.com'), 'allowed', 'the old list until install')
  list.install(prepared(change))
  t.equal(list.verdictFor('https://old-0.example.com'), 'not-allowed')
  t.equal(list.verdictFor(`https://fresh-${LARGE - 1}.example.com`), 'allowed')
  t.equal(list.verdictFor('https://x.p.example.com'), 'allowed')
  t.same(list.items, [...tenants(LARGE, 'fresh'), 'https://*.p.example.com', /^https:\/\/r\.example\.com$/])
})

test('a problem at the end of a large list refuses the whole change, at its path', async (t) => {
  const list = listOf({ origin: tenants(LARGE, 'old'), credentials: true })
  const fresh = [...tenants(LARGE, 'fresh'), 'http://insecure.example.com']
  t.same(problems(drain(list.prepareSet(fresh))).map((line) => line.split(' ')[0]), [`/origin/${LARGE}`])
  t.equal(list.items?.length, LARGE)
})

test('addOrigins onto a large list: one copy of the list in force, a slice per turn; nothing new costs nothing', async (t) => {
  const list = listOf({ origin: [...tenants(LARGE), 'https://*.p.example.com'] })
  const before = list.items
  const { change, yields } = run(list.prepareAdd([NEW, 'https://tenant-0.example.com', 'https://*.q.example.com']))
  t.ok(yields >= LARGE / SLICE_SIZE, `the copy yields between slices (${yields})`)
  t.equal(list.verdictFor(NEW), 'not-allowed', 'the list in force is not changed by the copy')
  t.same(list.items, before)
  list.install(prepared(change))
  t.same(list.items, [...tenants(LARGE), NEW, 'https://*.p.example.com', 'https://*.q.example.com'])
  t.equal(list.verdictFor(NEW), 'allowed')
  t.same(run(list.prepareAdd([NEW, 'https://tenant-7.example.com'])), { change: undefined, yields: 0 }, 'listed already: no copy')
})

test('removeOrigins from a large list: one copy, a slice per turn; nothing listed costs nothing', async (t) => {
  const list = listOf({ origin: tenants(LARGE) })
  const { change, yields } = run(list.prepareRemove(['https://tenant-5.example.com', 'https://absent.example.com']))
  t.ok(yields >= LARGE / SLICE_SIZE, `the copy yields between slices (${yields})`)
  list.install(prepared(change))
  t.equal(list.items?.length, LARGE - 1)
  t.equal(list.verdictFor('https://tenant-5.example.com'), 'not-allowed')
  t.same(run(list.prepareRemove(['https://tenant-5.example.com'])), { change: undefined, yields: 0 })
  const entries = tenants(LARGE)
  const removedAll = run(list.prepareRemove(entries))
  t.ok(removedAll.yields > 0, 'a long list of entries to remove is checked in slices')
  list.install(prepared(removedAll.change))
  t.same(list.items, [])
})

test('tiers: entries added to and removed from a large tier; the other tier stands in by its first entry, even a RegExp', async (t) => {
  const list = listOf({ origin: { credentialed: [/^https:\/\/staff\.example\.com$/, ...tenants(LARGE, 'staff')], public: [...tenants(LARGE, 'reader')] } })
  const added = run(list.prepareAdd({ public: [NEW] }))
  t.ok(added.yields > 0)
  list.install(prepared(added.change))
  t.equal(list.verdictFor(NEW), 'allowed-public')
  t.equal(list.tiers?.public.length, LARGE + 1)
  list.install(prepared(drain(list.prepareAdd({ credentialed: ['https://lead.example.com'] }))))
  t.equal(list.verdictFor('https://lead.example.com'), 'allowed')
  t.equal(list.tiers?.credentialed[0], 'https://staff-0.example.com', 'origins first, then the RegExp')
  list.install(prepared(drain(list.prepareRemove({ public: [NEW] }))))
  t.equal(list.verdictFor(NEW), 'not-allowed')
  t.same(problems(drain(list.prepareRemove({ public: tenants(LARGE, 'reader') }))), [
    '/origin/public would leave the public tier empty, which tiers cannot be (as at registration); keep at least one entry in the tier, or replace the tiers with setOrigins'
  ])
  const regExpOnly = listOf({ origin: { credentialed: [/^https:\/\/staff\.example\.com$/], public: tenants(LARGE, 'reader') } })
  regExpOnly.install(prepared(drain(regExpOnly.prepareAdd({ public: [NEW] }))))
  t.equal(regExpOnly.verdictFor(NEW), 'allowed-public', 'a RegExp stands in for a tier of RegExps')
  const anyPublic = listOf({ origin: { credentialed: [/^https:\/\/staff\.example\.com$/], public: '*' } })
  anyPublic.install(prepared(drain(anyPublic.prepareAdd({ credentialed: [NEW] }))))
  t.same(anyPublic.tiers, { credentialed: [NEW, /^https:\/\/staff\.example\.com$/], public: '*' })
})

test('a policy recorded while a change runs (a route compiled at ready): the change is prepared again, for it too', async (t) => {
  const list = listOf({ origin: tenants(LARGE) })
  const work = list.prepareSet([...tenants(LARGE, 'fresh'), 'http://insecure.example.com'])
  work.next()
  t.same(list.addReader(resolved({ origin: ['https://a.example.com'], credentials: true }), 'GET /me'), [], 'the list in force is valid for it')
  t.same(problems(drain(work)).map((line) => line.split(' ')[0]), [`/origin/${LARGE}`], 'the new list is not')

  const valid = list.prepareSet(tenants(LARGE, 'fresh'))
  valid.next()
  list.addReader(resolved({ origin: ['https://a.example.com'], credentials: false, maxAge: 5 }), 'GET /open')
  list.install(prepared(drain(valid)))
  t.equal(list.items?.[0], 'https://fresh-0.example.com')
})

test('the list in force changed while a change ran: the change is prepared again over it', async (t) => {
  const list = listOf({ origin: tenants(LARGE) })
  const add = list.prepareAdd([NEW])
  add.next()
  list.install(prepared(drain(list.prepareSet(tenants(LARGE, 'other')))))
  list.install(prepared(drain(add)))
  t.same(list.items, [...tenants(LARGE, 'other'), NEW], 'the addition applies over the list installed meanwhile')
})

test('tiers with public \'*\' and the opt-in: a change says what it gives away', async (t) => {
  const list = listOf({ origin: { credentialed: tenants(LARGE, 'staff'), public: '*' }, dangerouslyAllowInsecureOrigins: true })
  t.same(prepared(drain(list.prepareAdd({ credentialed: ['http://lab.example.com'] }))).warnings, [
    "dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins ('http://lab.example.com'), which anyone on the network path can inject script into"
  ])
  t.same(prepared(drain(list.prepareRemove({ credentialed: ['https://staff-0.example.com'] }))).warnings, [], 'none once no http origin is listed')
})

test('the line of a change reads only the entries it shows', async (t) => {
  const list = listOf({ origin: [...tenants(LARGE), /^https:\/\/r\.example\.com$/] })
  t.equal(list.describeChange('/api', 'setOrigins'),
    `fastify-cors-policy: /api origin now ['https://tenant-0.example.com', 'https://tenant-1.example.com', 'https://tenant-2.example.com', 'https://tenant-3.example.com', 'https://tenant-4.example.com', … (+${LARGE - 4} more)] (setOrigins)`)
  const tiers = listOf({ origin: { credentialed: tenants(LARGE, 'staff'), public: '*' } })
  t.match(tiers.describeChange('', 'addOrigins'), /^fastify-cors-policy: \/ origin now \{ credentialed \['https:\/\/staff-0\.example\.com', .* … \(\+\d+ more\)\], public '\*' \} \(addOrigins\)$/)
  const anyPort = listOf({ origin: Array.from({ length: 7 }, (_, i) => `http://host-${i}.example.com:*`) })
  t.equal(anyPort.describeChange('', 'setOrigins'),
    "fastify-cors-policy: / origin now ['http://host-0.example.com:*', 'http://host-1.example.com:*', 'http://host-2.example.com:*', 'http://host-3.example.com:*', 'http://host-4.example.com:*', … (+2 more)] (setOrigins)")
  const small = listOf({ origin: { credentialed: [NEW], public: [/^https:\/\/r\.example\.com$/] } })
  t.equal(small.describeChange('', 'setOrigins'), "fastify-cors-policy: / origin now { credentialed ['https://new.example.com'], public [/^https:\\/\\/r\\.example\\.com$/] } (setOrigins)")
})
