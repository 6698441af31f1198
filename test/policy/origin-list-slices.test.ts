/**
 * Validation of a large allow-list (or tiers) a slice at a time: the same setting and the same
 * problems, at the same paths, as the whole value resolved at once; each problem once; a slice never
 * reads differently from the same entries within the whole list.
 */
import { test } from 'tap'
import type { OptionProblem, OriginSetting } from '../../lib/policy/options.js'
import { SLICE_SIZE, drain, resolveChange, resolveInSlices, sliceBounds, type Sliced } from '../../lib/policy/origin-list-slices.js'

function tenants (count: number, name = 'tenant'): string[] {
  return Array.from({ length: count }, (_, i) => `https://${name}-${i}.example.com`)
}

/** The work run to its end, and how many times it yielded. */
function run<T> (work: Sliced<T>): { result: T, yields: number } {
  let yields = 0
  for (;;) {
    const step = work.next()
    if (step.done === true) return { result: step.value, yields }
    yields++
  }
}

function paths (result: OriginSetting | OptionProblem[]): string[] {
  if (!Array.isArray(result)) throw new TypeError('expected problems')
  return result.map((problem) => `${problem.path} ${String(problem.value)}`)
}

test('sliceBounds: slices of SLICE_SIZE; none holds one entry alone', async (t) => {
  t.same(sliceBounds(0), [])
  t.same(sliceBounds(1), [[0, 1]], 'a list of one entry is one slice')
  t.same(sliceBounds(SLICE_SIZE), [[0, SLICE_SIZE]])
  t.same(sliceBounds(SLICE_SIZE + 1), [[0, SLICE_SIZE + 1]], 'the last entry joins the slice before it')
  t.same(sliceBounds(2 * SLICE_SIZE + 2), [[0, SLICE_SIZE], [SLICE_SIZE, 2 * SLICE_SIZE], [2 * SLICE_SIZE, 2 * SLICE_SIZE + 2]])
})

test('drain runs sliced work to its end', async (t) => {
  function * work (): Sliced<string> {
    yield
    yield
    return 'done'
  }
  t.equal(drain(work()), 'done')
})

test('a large valid list: the setting of the whole list, a slice per turn', async (t) => {
  const list: Array<string | RegExp> = [...tenants(3 * SLICE_SIZE), /^https:\/\/r\.example\.com$/, 'HTTPS://Upper.example.com', 'https://*.p.example.com']
  const { result, yields } = run(resolveInSlices(list, { credentials: true, dangerouslyAllowInsecureOrigins: false }))
  t.equal(yields, sliceBounds(list.length).length - 1, 'one turn between slices')
  t.same(result, resolveChange(list, { credentials: true }))
  t.same(run(resolveInSlices(tenants(SLICE_SIZE))), { result: resolveChange(tenants(SLICE_SIZE)), yields: 0 }, 'a list of one slice in one turn')
  t.same(run(resolveInSlices('https://a.example.com')).result, resolveChange('https://a.example.com'), 'not a list')
})

test('problems in several slices: the paths of the whole list, each problem once, those of the list as a whole last', async (t) => {
  const list = tenants(3 * SLICE_SIZE)
  list[3] = 'https://bad.example.com/'
  list[SLICE_SIZE + 7] = 'http://plain.example.com'
  list[2 * SLICE_SIZE + 1] = 'null'
  list[SLICE_SIZE + 9] = 'null'
  list[3 * SLICE_SIZE - 1] = 'https://*.com'
  const rules = { credentials: true, dangerouslyAllowInsecureOrigins: false }
  const sliced = drain(resolveInSlices(list, rules))
  t.same(paths(sliced), [
    '/origin/3 https://bad.example.com/',
    `/origin/${SLICE_SIZE + 7} http://plain.example.com`,
    `/origin/${3 * SLICE_SIZE - 1} https://*.com`,
    '/origin null'
  ])
  t.same(new Set(paths(sliced)), new Set(paths(resolveChange(list, rules))), 'what the whole list gives')
  const whole = resolveChange(list, rules) as OptionProblem[]
  t.same((sliced as OptionProblem[]).map((p) => p.message).sort(), whole.map((p) => p.message).sort(), 'with the same messages')
})

test('an entry of the wrong type in any slice: the whole list is refused as a whole, as start-up refuses it', async (t) => {
  for (const at of [2, 2 * SLICE_SIZE + 5]) {
    const list: unknown[] = tenants(3 * SLICE_SIZE)
    list[at] = 5
    t.same(drain(resolveInSlices(list)), resolveChange(list), `at ${at}`)
    t.same(paths(drain(resolveInSlices(list))).map((line) => line.split(' ')[0]), ['/origin'])
  }
})

test("'*' last: it stays an entry among origins, never ['*'] alone", async (t) => {
  const list = [...tenants(SLICE_SIZE), '*']
  t.same(drain(resolveInSlices(list)), resolveChange(list))
  t.same(paths(drain(resolveInSlices(list))), [`/origin/${SLICE_SIZE} *`])
})

test('tiers: each large tier in slices, with the other tier standing in by its first entry', async (t) => {
  const tiers = { credentialed: tenants(2 * SLICE_SIZE, 'staff'), public: [...tenants(2 * SLICE_SIZE, 'reader'), 'https://*.readers.example.com'] }
  const { result, yields } = run(resolveInSlices(tiers, { credentials: true, dangerouslyAllowInsecureOrigins: false }))
  t.equal(yields, 2, 'the later slice of each tier')
  t.same(result, resolveChange(tiers, { credentials: true }))

  const bad = { credentialed: [...tenants(2 * SLICE_SIZE, 'staff'), 'http://staff.example.com'], public: ['https://bad.example.com/', ...tenants(2 * SLICE_SIZE, 'reader'), '*'], extra: 1 }
  const rules = { credentials: true, dangerouslyAllowInsecureOrigins: false }
  t.same(paths(drain(resolveInSlices(bad, rules))), [
    '/origin/extra 1',
    '/origin/public/0 https://bad.example.com/',
    `/origin/credentialed/${2 * SLICE_SIZE} http://staff.example.com`,
    `/origin/public/${2 * SLICE_SIZE + 1} *`
  ], 'the problem of a tier\'s first entry once, though it stands in for the tier in every slice of the other')
  t.same(new Set(paths(drain(resolveInSlices(bad, rules)))), new Set(paths(resolveChange(bad, rules))))

  const onePublic = { credentialed: tenants(2 * SLICE_SIZE, 'staff'), public: '*' }
  t.same(drain(resolveInSlices(onePublic)), resolveChange(onePublic))
})
