// `npm run bench [-- --quick] [-- --scenarios a,b] [-- --out FILE.md]`: see BENCHMARKS.md § Method.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { analyseRounds, evaluateTargets, formatEstimate, steadyStart } from './analysis.js'
import type { StartupMeasurement } from './analysis.js'
import { prepareEntries } from './entries.js'
import { runRound } from './http-bench.js'
import type { HttpBenchSettings, RoundResult } from './http-bench.js'
import { createLoadGenerator } from './load.js'
import type { HookResult } from './hooks.js'
import type { MicroResult } from './micro.js'
import type { SwapResult } from './swap.js'
import { cpuSource, installCleanup, planCores, runJsonScript } from './processes.js'
import { profileScenario } from './profile.js'
import { machineFacts, renderReport, uptime } from './report.js'
import type { ProfileResult } from './report.js'
import { SCENARIOS, VARIANTS } from './scenarios.js'
import type { Variant } from './scenarios.js'
import { bootstrapMedian, median } from './stats.js'
import type { Estimate } from './stats.js'

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)))

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    out: { type: 'string' },
    'node-args': { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    'no-micro': { type: 'boolean', default: false },
    'no-startup': { type: 'boolean', default: false },
    'no-swap': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

if (args.help) {
  process.stdout.write(`usage: npm run bench -- [options]
  --quick               a minute or two: 1 server per variant, 5 scenarios per round, short warm-up,
                        windows and allocation phase, no solo phase, only the headers floor of the
                        diagnostic floors, no profiles
  --scenarios a,b       only these scenarios (${SCENARIOS.map((s) => s.name).join(', ')})
  --out FILE.md         the report (default: BENCHMARKS.md; only printed in --quick mode); the raw JSON
                        goes to FILE.json (default: bench/results/full.json or quick.json, not committed)
  --node-args=FLAGS     extra Node/V8 flags for every server (space-separated), e.g. --node-args=--no-allocation-site-pretenuring
  --no-profile          do not CPU-profile the scenarios whose target was missed (full mode profiles them)
  --no-micro, --no-startup  skip the decision-path micro-benchmark / the start-up measurement
  --no-swap             skip the latency measurement while the allow-list is swapped
`)
  process.exit(0)
}

const quick = args.quick
// Full mode: 12 processes per compared variant and headers floor, 4 per other diagnostic floor, all
// loaded at once (up to 60 servers per round on one core); about 20 min in all (BENCHMARKS.md § Method).
const settings: HttpBenchSettings & { scenariosPerRound: number } = {
  replicas: quick ? 1 : 12,
  diagnosticReplicas: quick ? 0 : 4,
  warmupMs: quick ? 500 : 3000,
  warmupMaxMs: quick ? 2000 : 12_000,
  injectWarmupMs: quick ? 400 : 1500,
  windows: quick ? 4 : 10,
  windowMs: quick ? 500 : 1500,
  soloMs: quick ? 0 : 1500,
  nodeArgs: args['node-args']?.split(' ').filter((flag) => flag !== '') ?? [],
  allocRequests: quick ? 10_000 : 100_000,
  allocMinMs: quick ? 1000 : 3000,
  allocMaxMs: quick ? 4000 : 25_000,
  scenariosPerRound: quick ? 5 : 1
}
const scenarioNames = args.scenarios !== undefined ? args.scenarios.split(',') : SCENARIOS.map((s) => s.name)
const outFile = args.out ?? (quick ? undefined : join(repoDir, 'BENCHMARKS.md'))
// next to a report written elsewhere, so that a side run never replaces the full run's raw data
const rawFile = args.out !== undefined
  ? args.out.replace(/(\.md)?$/, '.json')
  : join(repoDir, 'bench', 'results', `${quick ? 'quick' : 'full'}.json`)

/** Which lib/ is measured: the last commit touching it, and whether the work tree differs from it. */
function pluginDescription (): string {
  try {
    const commit = execFileSync('git', ['log', '-1', '--format=%h %s', '--', 'lib'], { cwd: repoDir, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { cwd: repoDir, encoding: 'utf8' }).trim() !== ''
    return `lib/ at commit ${commit}${dirty ? ' (work tree has uncommitted changes in lib/)' : ''}`
  } catch {
    return 'lib/ (not a git checkout)'
  }
}

function log (line: string): void {
  process.stderr.write(line + '\n')
}

installCleanup()
const startedAt = performance.now()
const loadBefore = uptime()
const cores = planCores()

// The floors are diagnostics for optimisation; quick mode keeps to the three compared servers and the
// headers floor, which the targets are judged over.
const isDiagnostic = (v: Variant): boolean => v === 'router-floor' || v === 'hooks-floor' || v === 'heap-floor'
const variants: Variant[] = VARIANTS.filter((v) => !quick || !isDiagnostic(v))
const pluginStatus = pluginDescription()
log(`bench: ${quick ? 'quick' : 'full'} mode; plugin: ${pluginStatus}`)

const entries = await prepareEntries()
const load = createLoadGenerator(cores)
log(`bench: ${cores.description}; ${load.description}`)

const rounds: RoundResult[] = []
try {
  for (let i = 0; i < scenarioNames.length; i += settings.scenariosPerRound) {
    const group = scenarioNames.slice(i, i + settings.scenariosPerRound)
    log(`round ${rounds.length + 1}: ${group.join(', ')}`)
    rounds.push(await runRound(group, variants, settings, entries.server, cores, load, log))
  }
} finally {
  load.dispose()
}
const cells = analyseRounds(rounds)

let micro: MicroResult[] | string = 'Skipped (`--no-micro`).'
let hooks: HookResult[] | string = 'Skipped (`--no-micro`).'
if (!args['no-micro']) {
  log('hooks in process, plugin vs headers floor')
  try {
    // one process per transport (bench/hooks.ts says why)
    const inject = await runJsonScript<HookResult[]>(cores.server, entries.hooks, quick ? ['--quick'] : [], 300_000)
    const overHttp = await runJsonScript<HookResult[]>(cores.server, entries.hooks, [...(quick ? ['--quick'] : []), '--transport=http'], 300_000)
    hooks = SCENARIOS.flatMap((scenario) => [...inject, ...overHttp].filter((result) => result.scenario === scenario.name))
  } catch (error) {
    hooks = `Not measured: ${error instanceof Error ? error.message : String(error)}`
  }
  log('decision path micro-benchmark')
  try {
    micro = await runJsonScript<MicroResult[]>(cores.server, entries.micro, quick ? ['--quick'] : [], 120_000)
  } catch (error) {
    micro = `Not measured: ${error instanceof Error ? error.message : String(error)}`
  }
}

const startupLines: string[] = ['Skipped (`--no-startup`).']
const startup: StartupMeasurement = { plugin: undefined, fastifyCors: undefined, bare: undefined }
if (!args['no-startup']) {
  log('start-up cost of 100 000 origins')
  const repeats = quick ? 1 : 5
  const heap: Partial<Record<Variant, number>> = {}
  const measure = async (variant: Variant): Promise<Estimate> => {
    const times: number[] = []
    const heaps: number[] = []
    for (let i = 0; i < repeats; i++) {
      const result = await runJsonScript<{ elapsedMs: number, heapMiB: number }>(cores.server, entries.startup, [variant, '100000'], 60_000)
      times.push(result.elapsedMs)
      heaps.push(result.heapMiB)
    }
    heap[variant] = median(heaps)
    return bootstrapMedian(times)
  }
  const ms = (v: number): string => `${v.toFixed(0)} ms`
  Object.assign(startup, { bare: await measure('bare'), plugin: await measure('plugin'), fastifyCors: await measure('fastify-cors') })
  const retained = (variant: Variant): string => {
    const own = heap[variant]
    return own === undefined || heap.bare === undefined ? 'n/a' : `${(own - heap.bare).toFixed(1)} MiB`
  }
  startupLines.splice(0, 1,
    `\`register\` + one route + \`ready()\` with 100 000 exact origins, fresh process each time, median of ${repeats}:`,
    `fastify-cors-policy ${formatEstimate(startup.plugin, ms)}; @fastify/cors ${formatEstimate(startup.fastifyCors, ms)}` +
      ` (stores the array; it scans it per request instead); bare Fastify (no CORS, same route) ${formatEstimate(startup.bare, ms)}.`,
    `Heap still in use after \`ready()\` and a full GC, the caller's own array dropped, minus bare Fastify's: fastify-cors-policy ${retained('plugin')},` +
      ` @fastify/cors ${retained('fastify-cors')} (bare Fastify ${heap.bare?.toFixed(1) ?? 'n/a'} MiB). Every major GC marks this.`
  )
}

let swap: SwapResult | string = 'Skipped (`--no-swap`).'
if (!args['no-swap']) {
  log('latency while a 100 000-origin list is swapped')
  try {
    // the script pins its server to the server core and itself (the load) to the other
    swap = await runJsonScript<SwapResult>([], entries.swap, quick ? ['--quick'] : [], quick ? 120_000 : 300_000)
  } catch (error) {
    swap = `Not measured: ${error instanceof Error ? error.message : String(error)}`
  }
}

const targets = evaluateTargets(cells, startup, typeof hooks === 'string' ? [] : hooks, typeof swap === 'string' ? undefined : swap)

const profiles: ProfileResult[] = []
if (!quick && !args['no-profile']) {
  const missed = new Set(targets.flatMap((t) => t.scenario !== undefined && t.status.startsWith('missed') && scenarioNames.includes(t.scenario) ? [t.scenario] : []))
  const profileLoad = createLoadGenerator(cores)
  try {
    for (const scenario of missed) {
      log(`profiling the plugin in ${scenario}`)
      profiles.push(await profileScenario(cores, profileLoad, scenario, 6000))
    }
  } finally {
    profileLoad.dispose()
  }
}

const report = renderReport({
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  mode: quick ? 'quick' : 'full',
  command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
  machine: machineFacts(),
  loadBefore,
  loadAfter: uptime(),
  settings,
  generator: load.description,
  pinning: cores.description,
  cpuSource: cpuSource(),
  serverEntry: entries.server.description,
  pluginStatus,
  cells,
  targets,
  micro,
  hooks,
  startup: startupLines,
  swap,
  profiles,
  durationS: (performance.now() - startedAt) / 1000,
  rawFile: relative(repoDir, rawFile).startsWith('..') ? rawFile : relative(repoDir, rawFile),
  excludedWindows: rounds.map(steadyStart)
})

process.stdout.write(report + '\n')
if (outFile !== undefined) writeFileSync(outFile, report + '\n')
mkdirSync(dirname(rawFile), { recursive: true })
writeFileSync(rawFile, JSON.stringify({ settings, rounds, startup, micro, hooks, swap }, null, 1) + '\n')
log(`bench: wrote ${outFile !== undefined ? `${outFile} and ` : ''}${rawFile}`)
log(`bench: done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)
process.exit(0)
