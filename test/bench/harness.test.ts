// The benchmark's own logic (statistics, the browser-side check that flags a variant doing less,
// targets and the profiles they trigger, profile attribution, the headers floor). No timing is asserted anywhere.
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { test } from 'tap'
import { analyseRounds, evaluateTargets, findCell, type TargetResult } from '../../bench/analysis.js'
import type { RoundResult, ServerWindow } from '../../bench/http-bench.js'
import { buildApp, pluginAnswer } from '../../bench/app.js'
import { prepareProfileEntry } from '../../bench/entries.js'
import { runJsonScript } from '../../bench/processes.js'
import { swapLines } from '../../bench/report.js'
import type { SwapPhase, SwapResult } from '../../bench/swap.js'
import { analyseProfile } from '../../bench/profile.js'
import { browserWouldAllow, probeDifferences } from '../../bench/probe.js'
import type { ProbeResult } from '../../bench/probe.js'
import { SCENARIOS, scenarioByName } from '../../bench/scenarios.js'
import { SPEC_MINIMUM_SCENARIOS, buildSpecMinimum } from '../../bench/spec-minimum.js'
import type { Variant } from '../../bench/scenarios.js'
import { bootstrap, bootstrapMedian, bootstrapProcesses, median, perRequest, quantile, ratioOfMedians, spreadOf } from '../../bench/stats.js'

const repoDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))))

function answer (status: number, headers: Record<string, string>): ProbeResult {
  return {
    status,
    headers: {
      'access-control-allow-origin': headers.acao,
      'access-control-allow-credentials': headers.acac,
      'access-control-allow-methods': headers.acam,
      'access-control-allow-headers': headers.acah,
      vary: headers.vary
    }
  }
}

test('median and quantile interpolate and ignore non-finite values', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(quantile([0, 10], 0.25), 2.5)
  t.equal(median([1, Number.NaN, 3]), 2)
  t.ok(Number.isNaN(median([])))
})

test('bootstrap intervals are deterministic and contain the point estimate', async (t) => {
  const values = [10, 11, 9, 10.5, 9.5, 10.2, 9.8, 30]
  const first = bootstrapMedian(values)
  const second = bootstrapMedian(values)
  t.same(first, second)
  t.equal(first.value, median(values))
  t.ok(first.low <= first.value && first.value <= first.high)
  t.ok(first.high < 30, 'one outlier window does not drag the median interval to it')
  const single = bootstrapMedian([5])
  t.equal(single.value, 5)
  t.ok(Number.isNaN(single.low), 'no interval from one window')
  const ratio = bootstrap([[2, 2, 2], [1, 1, 1]], ([a, b]) => median(a as number[]) / median(b as number[]))
  t.same(ratio, { value: 2, low: 2, high: 2 })
})

test('ratioOfMedians: the quotient of two independent series with an interval that holds it', async (t) => {
  t.same(ratioOfMedians([2, 2, 2], [1, 1, 1]), { value: 2, low: 2, high: 2 })
  const after = [102, 98, 101, 99, 100]
  const before = [100, 103, 97, 100, 99]
  const change = ratioOfMedians(after, before)
  t.equal(change.value, 1)
  t.ok(change.low < 1 && change.high > 1, 'two runs of the same code: the interval contains 1')
  t.same(change, ratioOfMedians(after, before), 'deterministic')
  t.ok(ratioOfMedians([200, 210, 190], [100, 101, 99]).low > 1.8, 'a doubling is told apart')
  t.ok(Number.isNaN(ratioOfMedians([1], [1, 2]).low), 'no interval from a single run')
})

test('bootstrapProcesses: a statistic over processes, each its total over its windows, resampled on two levels', async (t) => {
  t.equal(perRequest([{ amount: 30, requests: 1 }, { amount: 10, requests: 3 }]), 10, 'total ÷ total, not a mean of ratios')
  t.ok(Number.isNaN(perRequest([])))
  const process = (cost: number): Array<{ amount: number, requests: number }> => [1, 2, 3].map((w) => ({ amount: cost * 100 * w, requests: 100 * w }))
  const lucky = [10, 10, 10, 13, 13].map(process)
  const median5 = bootstrapProcesses([lucky], ([x]) => median(x as number[]))
  t.equal(median5.value, 10)
  t.ok(median5.low >= 10 && median5.high <= 13, 'within the processes\' range')
  t.same(median5, bootstrapProcesses([lucky], ([x]) => median(x as number[])), 'deterministic')
  const difference = bootstrapProcesses([[12, 12, 12].map(process), [10, 10, 10].map(process)], ([a, b]) => median(a as number[]) - median(b as number[]))
  t.same(difference, { value: 2, low: 2, high: 2 })
  const single = bootstrapProcesses([[[{ amount: 5, requests: 1 }]]], ([x]) => median(x as number[]))
  t.equal(single.value, 5)
  t.ok(Number.isNaN(single.low), 'no interval from one process with one window')
  t.same(spreadOf([4, 1, 3, 2, 5]), { min: 1, q1: 2, q3: 4, max: 5 })
})

test('analyseRounds: medians over processes, lower quartile, spread, allocation and the targets judged over the headers floor', async (t) => {
  const windows = 4
  const variants: Variant[] = ['bare', 'headers-floor', 'plugin', 'fastify-cors']
  const cost: Record<string, number[]> = {
    bare: [20, 20, 26, 20], 'headers-floor': [21, 21, 21, 27], plugin: [21.2, 21.2, 21.2, 28], 'fastify-cors': [24, 24, 24, 30]
  }
  const bytes: Record<string, number> = { bare: 7000, 'headers-floor': 7800, plugin: 7900, 'fastify-cors': 8000 }
  const round: RoundResult = {
    scenarios: ['simple-get'],
    variants,
    servers: 16,
    windows: Array.from({ length: windows }, () => Object.fromEntries(variants.map((v) => [`simple-get|${v}`,
      (cost[v] as number[]).map((us, replica): ServerWindow => ({ replica, cpuNs: us * 1000 * 100, mainCpuNs: us * 900 * 100, requests: 100, errors: 0 }))]))),
    solo: {},
    probes: Object.fromEntries(variants.map((v) => [`simple-get|${v}`, { status: 200, headers: { 'access-control-allow-origin': 'https://app0.example.com' } }])),
    allocation: Object.fromEntries(variants.map((v) => [`simple-get|${v}`, [0, 1].map((replica) => ({ replica, window: 0, bytes: (bytes[v] as number) * 50_000 + replica, requests: 50_000 }))])),
    allocationMs: 1000
  }
  const cells = analyseRounds([round])
  const plugin = findCell(cells, 'simple-get', 'plugin')
  t.equal(plugin?.cpuUs.value, 21.2, 'median over the 4 processes')
  t.ok((plugin?.lowerQuartileUs.value as number) <= 21.2)
  t.same(plugin?.spreadUs, { min: 21.2, q1: 21.2, q3: 22.9, max: 28 })
  t.equal(Math.round(plugin?.bytesPerRequest?.value as number), 7900)
  t.equal(plugin?.allocationRequests, 100_000)
  const targets = evaluateTargets(cells, { plugin: undefined, fastifyCors: undefined, bare: undefined })
  const allocation = targets.find((target) => target.target === 'simple allowed GET: allocation')
  t.equal(Math.round(allocation?.measured?.value as number), 100)
  t.equal(allocation?.status, 'met', '100 B ≤ 150 B')
  const cpu = targets.find((target) => target.target === 'simple allowed GET: CPU over the headers floor')
  t.equal(Math.round((cpu?.measured?.value as number) * 1000), 10, '0.2 µs of a 20 µs bare request: 1%')
  const versus = targets.find((target) => target.target.startsWith('simple-get: plugin'))
  t.equal(Math.round((versus?.measured?.value as number) * 100), 30, '1.2 µs ÷ 4 µs over bare')
  t.match(versus?.status, /met/, 'judged, since both give the same answer')
  const refused = analyseRounds([{ ...round, probes: { ...round.probes, 'simple-get|fastify-cors': { status: 204, headers: {} } } }])
  t.equal(evaluateTargets(refused, { plugin: undefined, fastifyCors: undefined, bare: undefined })
    .find((target) => target.target.startsWith('simple-get: plugin'))?.status, 'not judged: different answer')
})

test('browserWouldAllow applies the CORS check to actual requests', async (t) => {
  const get = scenarioByName('simple-get').request
  const origin = get.headers.origin as string
  t.equal(browserWouldAllow(get, answer(200, { acao: origin, acac: 'true' })), true)
  t.equal(browserWouldAllow(get, answer(200, {})), false)
  t.equal(browserWouldAllow(get, answer(200, { acao: '*', acac: 'true' })), false, "'*' fails with credentials")
  t.equal(browserWouldAllow(get, answer(200, { acao: '*' })), true)
  t.equal(browserWouldAllow(scenarioByName('no-origin').request, answer(200, {})), true, 'no Origin: nothing to check')
})

test('browserWouldAllow checks a preflight’s status, method and every requested header', async (t) => {
  const preflight = scenarioByName('preflight').request
  const origin = preflight.headers.origin as string
  const ok = { acao: origin, acac: 'true', acam: 'GET, PUT', acah: 'Content-Type, X-Custom' }
  t.equal(browserWouldAllow(preflight, answer(204, ok)), true)
  t.equal(browserWouldAllow(preflight, answer(403, ok)), false)
  t.equal(browserWouldAllow(preflight, answer(204, { ...ok, acam: 'GET' })), false)
  t.equal(browserWouldAllow(preflight, answer(204, { ...ok, acah: 'content-type' })), false)
  t.equal(browserWouldAllow(preflight, answer(204, { ...ok, acam: '*', acah: '*' })), false, 'wildcards do not apply with credentials')
  t.equal(browserWouldAllow(preflight, answer(204, { acao: origin, acam: '*', acah: '*' })), true)
})

test('probeDifferences compares lists as sets but notices a header sent by one side only', async (t) => {
  const a = answer(204, { acao: 'https://a.example', acam: 'GET, PUT', vary: 'Origin, Access-Control-Request-Headers' })
  const b = answer(204, { acao: 'https://a.example', acam: 'put,get', vary: 'access-control-request-headers, origin' })
  t.same(probeDifferences(a, b), [])
  t.same(probeDifferences(a, { ...b, status: 200 }), ['status 204 vs 200'])
  const echoed = answer(204, { acao: 'https://a.example', acam: 'GET, PUT', acah: ',,,', vary: 'Origin, Access-Control-Request-Headers' })
  t.same(probeDifferences(a, echoed), ['ACAH — vs `,,,`'])
})

test('every scenario has a request and options for the plugin; @fastify/cors only where expressible', async (t) => {
  const names = SCENARIOS.map((s) => s.name)
  t.equal(new Set(names).size, names.length, 'names are unique')
  for (const scenario of SCENARIOS) {
    t.ok(scenario.pluginOptions().origin !== undefined, `${scenario.name}: plugin origin`)
    t.ok(scenario.fastifyCorsOptions === undefined || scenario.fastifyCorsOptions().origin !== undefined, `${scenario.name}: @fastify/cors origin`)
  }
  t.equal((scenarioByName('adv-long-origin').request.headers.origin as string).length, 16 * 1024)
  t.equal((scenarioByName('adv-acrh-commas').request.headers['access-control-request-headers'] as string), ','.repeat(8192))
  t.equal((scenarioByName('adv-acrh-1000').request.headers['access-control-request-headers'] as string).split(',').length, 1000)
  t.throws(() => scenarioByName('nope'), /unknown scenario 'nope'/)
})

test('targets without measurements are reported as not measured, never as met', async (t) => {
  const targets = evaluateTargets([], { plugin: undefined, fastifyCors: undefined, bare: undefined })
  t.equal(targets.length, 23)
  t.same([...new Set(targets.map((target) => target.status))], ['not measured'])
  // a missed target profiles its scenario
  t.same(targets.map((target) => target.scenario), [
    'simple-get', 'no-origin', 'preflight', 'disallowed', // allocation over the headers floor
    'simple-get', 'no-origin', 'preflight', 'disallowed', 'regexp-100', 'list-10k', // CPU over the headers floor
    'simple-get', 'no-origin', 'preflight', 'disallowed', 'list-100k', 'patterns-10k', 'origin-function-cached',
    'regexp-100', 'adv-long-origin', 'adv-acrh-commas', 'adv-acrh-1000', undefined, undefined])
  for (const target of targets) if (target.scenario !== undefined) scenarioByName(target.scenario)
  const startup = evaluateTargets([], { plugin: { value: 1200, low: 1100, high: 1300 }, fastifyCors: undefined, bare: undefined }).at(-1)
  t.equal(startup?.status, 'missed')
  const close = evaluateTargets([], { plugin: { value: 950, low: 900, high: 1050 }, fastifyCors: undefined, bare: undefined }).at(-1)
  t.equal(close?.status, 'not met, CI crosses limit', 'an interval that crosses the limit is not met')
})

test('analyseProfile attributes time to lib/ functions up to Fastify’s hook runner only', async (t) => {
  const file = (path: string): string => `file:///repo/${path}`
  const frame = (id: number, functionName: string, url: string, children: number[] = []): {
    id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children: number[]
  } => ({ id, callFrame: { functionName, url, lineNumber: 0 }, children })
  const profile = {
    nodes: [
      frame(1, '(root)', '', [2, 6, 7]),
      frame(2, 'corsOnSend', file('lib/plugin.ts'), [3, 5]),
      frame(3, 'next', file('node_modules/fastify/lib/hooks.js'), [4]),
      frame(4, 'writev', ''),
      frame(5, 'mergeVary', file('lib/vary.ts')),
      frame(6, '(garbage collector)', ''),
      frame(7, '(idle)', '')
    ],
    startTime: 0,
    // one sample per 10 µs; the delta that follows a sample is its weight
    samples: [4, 5, 2, 6, 7, 4],
    timeDeltas: [0, 10, 10, 10, 10, 10, 10]
  }
  const result = analyseProfile(profile, 'simple-get', 0, 1000)
  t.equal(result.totalMs, 0.05, 'idle samples are not CPU time')
  t.equal(result.libOwnMs, 0.02, 'mergeVary and corsOnSend itself, not the response written under next()')
  t.same(result.libInclusive.map((e) => e.functionName), ['corsOnSend', 'mergeVary'])
  t.equal(result.top[0]?.functionName, 'writev')
})

test('the headers floor answers each µs-target scenario exactly as the plugin does', async (t) => {
  const floored = SCENARIOS.filter((s) => s.headersFloor === true).map((s) => s.name)
  t.same(floored, ['simple-get', 'no-origin', 'preflight', 'disallowed', 'list-10k', 'regexp-100'])
  for (const name of floored) {
    const scenario = scenarioByName(name)
    const inject = async (variant: 'plugin' | 'headers-floor'): Promise<{ statusCode: number, headers: Record<string, unknown> }> => {
      const app = await buildApp(variant, scenario)
      const response = await app.inject({ method: scenario.request.method, url: scenario.request.path, headers: scenario.request.headers })
      await app.close()
      const { date, ...headers } = response.headers
      return { statusCode: response.statusCode, headers }
    }
    const floor = await inject('headers-floor')
    t.same(floor, await inject('plugin'), `${name}: same status and headers`)
  }
  const preflight = await pluginAnswer(scenarioByName('preflight'))
  t.equal(preflight.statusCode, 204)
  t.same(preflight.names, ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'vary'])
  t.same(preflight.values, ['https://app0.example.com', 'true', 'GET, HEAD, POST, PUT', 'content-type,x-custom', 'Origin, Access-Control-Request-Headers'])
})

test('the SPEC minimum refuses as the plugin does: same status and headers, the same request.cors, and it strips headers others set', async (t) => {
  t.same([...SPEC_MINIMUM_SCENARIOS], ['preflight', 'disallowed'])
  const scenario = scenarioByName('disallowed')
  const answer = async (app: FastifyInstance, decision: (request: FastifyRequest) => unknown): Promise<unknown> => {
    let seen: unknown
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header('access-control-allow-origin', 'https://evil.example.net')
      reply.raw.setHeader('access-control-expose-headers', 'x-secret')
      done()
    })
    app.get('/seen', (request, reply) => {
      seen = decision(request)
      reply.header('access-control-allow-credentials', 'true').send('ok')
    })
    const sent = async (url: string): Promise<unknown> => {
      const response = await app.inject({ method: 'GET', url, headers: scenario.request.headers })
      const { date, ...headers } = response.headers
      return { statusCode: response.statusCode, headers, body: response.body }
    }
    const items = await sent(scenario.request.path)
    const own = await sent('/seen')
    await app.close()
    return { items, own, seen }
  }
  const fields = (decision: unknown): unknown => {
    const { origin, preflight, allowed, credentialed, reason, detail } = decision as Record<string, unknown>
    return { origin, preflight, allowed, credentialed, reason, detail: (detail as string).replace('/seen', '/items') }
  }
  // the earlier hooks write headers before either layer's: a plain app first, then the layer on top of it
  const plugin = await answer(await buildApp('plugin', scenario, (app) => {
    app.addHook('onRequest', (_request, reply, done) => { reply.header('access-control-max-age', '60'); done() })
  }), (request) => fields(request.cors))
  const minimum = await answer(await buildSpecMinimum((app) => {
    app.addHook('onRequest', (_request, reply, done) => { reply.header('access-control-max-age', '60'); done() })
  }), (request) => fields(request.specMinimum))
  t.same(minimum, plugin)
  t.notMatch(JSON.stringify(plugin), /access-control-/, 'no Access-Control-* header on either')
})

test('the SPEC minimum answers the preflight as the plugin does: same status, headers and request.cors', async (t) => {
  const scenario = scenarioByName('preflight')
  const answer = async (app: FastifyInstance, decision: (request: FastifyRequest) => unknown): Promise<unknown> => {
    let seen: unknown
    app.addHook('onResponse', (request, _reply, done) => { seen = decision(request); done() })
    const response = await app.inject({ method: scenario.request.method, url: scenario.request.path, headers: scenario.request.headers })
    await app.close()
    const { date, ...headers } = response.headers
    return { statusCode: response.statusCode, headers, body: response.body, seen }
  }
  const fields = (decision: unknown): unknown => {
    const { origin, preflight, allowed, credentialed, reason, detail } = decision as Record<string, unknown>
    return { origin, preflight, allowed, credentialed, reason, detail }
  }
  const plugin = await answer(await buildApp('plugin', scenario), (request) => fields(request.cors))
  t.same(await answer(await buildSpecMinimum(), (request) => fields(request.specMinimum)), plugin)
  t.match(plugin, { statusCode: 204, headers: { 'access-control-allow-headers': 'content-type,x-custom' }, seen: { reason: 'allowed', credentialed: true } })
})

test('the profiled server is compiled file by file from every lib/ file, subfolders included', async (t) => {
  const entry = await prepareProfileEntry()
  const server = entry.nodeArgs.at(-1) as string
  t.ok(existsSync(server), 'bench/server.js')
  const unbundled = dirname(dirname(server))
  const sources = readdirSync(join(repoDir, 'lib'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))
  t.ok(sources.some((file) => file.includes('/')), 'lib/ has subfolders')
  for (const file of sources) t.ok(existsSync(join(unbundled, 'lib', file.replace(/\.ts$/, '.js'))), `lib/${file}`)
})

/** A swap result with these per-pair p99s (steady, swapping), for the target and the report. */
function swapResult (pairs: Array<[number, number]>): SwapResult {
  const phase = (kind: SwapPhase['kind'], p99Ms: number): SwapPhase => ({ kind, requests: 1000, errors: 0, p50Ms: p99Ms / 4, p99Ms, maxMs: p99Ms * 2, loopDelayMaxMs: p99Ms, swaps: kind === 'swapping' ? 3 : 0, swapMs: kind === 'swapping' ? [200, 210, 220] : [] })
  const ratios = pairs.map(([steady, swapping]) => swapping / steady)
  return {
    origins: 100_000,
    connections: 8,
    phaseMs: 2000,
    pairs: pairs.length,
    registerMs: 400,
    phases: pairs.flatMap(([steady, swapping]) => [phase('steady', steady), phase('swapping', swapping)]),
    probe: { before: 'https://app.example.com', after: 'https://app.example.com', expected: 'https://app.example.com' },
    steadyP99Ms: bootstrapMedian(pairs.map(([steady]) => steady)),
    swappingP99Ms: bootstrapMedian(pairs.map(([, swapping]) => swapping)),
    p99Ratio: bootstrapMedian(ratios),
    swapsCompleted: 3 * pairs.length,
    msPerSwap: bootstrapMedian([200, 210, 220])
  }
}

test('the list-swap target: p99 during swaps ÷ before, judged on its interval', async (t) => {
  const judged = (swap: SwapResult): TargetResult | undefined => evaluateTargets([], { plugin: undefined, fastifyCors: undefined, bare: undefined }, [], swap)
    .find((target) => target.target === 'list swap of 100 000 origins: p99 latency during swaps ÷ before')
  t.equal(judged(swapResult([[1, 1.5], [1, 1.6], [1, 1.4]]))?.status, 'met')
  t.equal(judged(swapResult([[1, 11], [1, 12], [1, 10]]))?.status, 'missed')
  t.equal(judged(swapResult([[1, 1.5], [1, 1.9], [1, 2.5], [1, 1.6], [1, 2.6]]))?.status, 'not met, CI crosses limit')
  t.match(judged(swapResult([[1, 1.5], [1, 1.6]]))?.reference, /^p99 1\.00 ms .* before, 1\.55 ms .* during 6 swaps \(210 ms/)
  t.equal(judged(swapResult([[1, 1.5], [1, 1.6]]))?.scenario, undefined, 'no HTTP scenario to profile')
})

test('the list-swap section: one row per phase and the ratio, or why it was not measured', async (t) => {
  const lines = swapLines(swapResult([[1, 12], [2, 10]]))
  t.equal(lines.filter((line) => /^\| [0-9]+ \| (steady|swapping) \|/.test(line)).length, 4)
  t.ok(lines.some((line) => line.startsWith('p99 during swaps ÷ p99 before, median over pairs [95% CI]: **8.5× [5.0×, 12.0×]**')), 'the ratio, emphasised')
  t.same(swapLines('Skipped (`--no-swap`).'), ['Skipped (`--no-swap`).'])
})

test('bench/swap.ts prints one result: a steady and a swapping phase per pair, swaps counted, the origin allowed throughout', async (t) => {
  const result = await runJsonScript<SwapResult>([], { nodeArgs: ['--import', 'tsx', join(repoDir, 'bench', 'swap.ts')], description: 'bench/swap.ts' },
    ['--quick', '--no-pin', '--origins', '2000', '--pairs', '1', '--phase-ms', '300'], 120_000)
  t.same(result.phases.map((phase) => phase.kind), ['steady', 'swapping'])
  t.same({ origins: result.origins, pairs: result.pairs, phaseMs: result.phaseMs, connections: result.connections }, { origins: 2000, pairs: 1, phaseMs: 300, connections: 8 })
  const [steady, swapping] = result.phases as [SwapPhase, SwapPhase]
  t.equal(steady.swaps, 0)
  t.ok(swapping.swaps >= 1, 'the swap in progress when the phase ends is waited for and counted')
  t.equal(swapping.swapMs.length, swapping.swaps)
  t.equal(result.swapsCompleted, swapping.swaps)
  t.same([steady.errors, swapping.errors], [0, 0])
  t.ok(steady.requests > 0, 'the load ran')
  for (const value of [steady.p50Ms, steady.p99Ms, result.p99Ratio.value, result.msPerSwap.value, result.registerMs]) t.ok(Number.isFinite(value))
  t.same(result.probe, { before: 'https://app.example.com', after: 'https://app.example.com', expected: 'https://app.example.com' })
})
