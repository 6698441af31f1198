// `npm run bench [-- --quick] [-- --scenarios a,b] [-- --out FILE]`: see BENCHMARKS.md § Method.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { analyseRounds, steadyStart } from './analysis.js'
import { runJsonScript } from './child-json.js'
import { cpuSource } from './cpu.js'
import { runRound } from './http-bench.js'
import type { HttpBenchSettings, RoundResult } from './http-bench.js'
import { createLoadGenerator } from './load.js'
import { machineFacts, uptime } from './machine.js'
import { installCleanup, planCores } from './processes.js'
import { profileScenario } from './profile.js'
import { renderReport } from './report.js'
import type { MicroResult, ProfileResult } from './report.js'
import { SCENARIOS, VARIANTS } from './scenarios.js'
import type { Variant } from './scenarios.js'
import { bootstrapMedian, median } from './stats.js'
import type { Estimate } from './stats.js'
import { evaluateTargets, formatEstimate } from './targets.js'
import type { StartupMeasurement } from './targets.js'
import { prepareEntries } from './entries.js'

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)))

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    out: { type: 'string' },
    replicas: { type: 'string' },
    windows: { type: 'string' },
    'window-ms': { type: 'string' },
    'node-args': { type: 'string' },
    generator: { type: 'string', default: 'auto' },
    profile: { type: 'boolean' },
    'no-profile': { type: 'boolean', default: false },
    'no-micro': { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    'no-startup': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

if (args.help === true) {
  process.stdout.write(`usage: npm run bench -- [options]
  --quick               under a minute on a quiet machine: 1 server per variant, 5 scenarios per round,
                        short warm-up and windows, no solo phase, no floors, no profiles
  --scenarios a,b       only these scenarios (${SCENARIOS.map((s) => s.name).join(', ')})
  --out FILE            markdown output (default: BENCHMARKS.md; none in --quick mode)
  --replicas N          server processes per variant and scenario
  --windows N           measurement windows per round
  --window-ms MS        length of one window
  --generator G         wrk | autocannon | auto (wrk when installed)
  --node-args=FLAGS     extra Node/V8 flags for every server (space-separated), e.g. --node-args=--no-allocation-site-pretenuring
  --profile             CPU-profile the plugin in scenarios whose target was missed (default in full mode)
  --no-profile          do not profile
  --no-floor            leave out the diagnostic 'floor' servers (always left out in --quick)
  --no-micro, --no-startup  skip the decision-path micro-benchmark / the start-up measurement
`)
  process.exit(0)
}

const quick = args.quick === true
const settings: HttpBenchSettings & { scenariosPerRound: number } = {
  replicas: Number(args.replicas ?? (quick ? 1 : 3)),
  warmupMs: quick ? 500 : 3000,
  warmupMaxMs: quick ? 2000 : 15_000,
  injectWarmupMs: quick ? 400 : 1500,
  windows: Number(args.windows ?? (quick ? 4 : 12)),
  windowMs: Number(args['window-ms'] ?? (quick ? 500 : 1500)),
  soloMs: quick ? 0 : 2000,
  nodeArgs: args['node-args']?.split(' ').filter((flag) => flag !== '') ?? [],
  scenariosPerRound: quick ? 5 : 1
}
const scenarioNames = args.scenarios !== undefined ? args.scenarios.split(',') : SCENARIOS.map((s) => s.name)
const outFile = args.out ?? (quick ? undefined : join(repoDir, 'BENCHMARKS.md'))
const generatorChoice = args.generator === 'wrk' || args.generator === 'autocannon' ? args.generator : 'auto'

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

// The floors are diagnostics for optimisation; quick mode keeps to the three compared servers.
const isFloor = (v: Variant): boolean => v === 'router-floor' || v === 'hooks-floor' || v === 'headers-floor' || v === 'heap-floor'
const variants: Variant[] = VARIANTS.filter((v) => !isFloor(v) || (!quick && args['no-floor'] !== true))
const pluginStatus = pluginDescription()
log(`bench: ${quick ? 'quick' : 'full'} mode; plugin: ${pluginStatus}`)

const entries = await prepareEntries()
const entry = entries.server
const load = createLoadGenerator(cores, generatorChoice)
log(`bench: ${cores.description}; ${load.description}`)

const rounds: RoundResult[] = []
try {
  for (let i = 0; i < scenarioNames.length; i += settings.scenariosPerRound) {
    const group = scenarioNames.slice(i, i + settings.scenariosPerRound)
    log(`round ${rounds.length + 1}: ${group.join(', ')}`)
    rounds.push(await runRound(group, variants, settings, entry, cores, load, log))
  }
} finally {
  load.dispose()
}
const cells = analyseRounds(rounds)

let micro: MicroResult[] | string = 'Skipped (`--no-micro`).'
if (args['no-micro'] !== true) {
  if (variants.includes('plugin')) {
    log('decision path micro-benchmark')
    try {
      micro = await runJsonScript<MicroResult[]>(cores.server, entries.micro, quick ? ['--quick'] : [], 120_000)
    } catch (error) {
      micro = `Not measured: ${error instanceof Error ? error.message : String(error)}`
    }
  } else {
    micro = 'Not measured: the plugin is not available.'
  }
}

const startupLines: string[] = []
const startup: StartupMeasurement = { plugin: undefined, fastifyCors: undefined, bare: undefined }
const heap: Partial<Record<Variant, number>> = {}
if (args['no-startup'] !== true) {
  log('start-up cost of 100 000 origins')
  const repeats = quick ? 1 : 5
  const measure = async (variant: Variant): Promise<Estimate | undefined> => {
    if (!variants.includes(variant)) return undefined
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
    const base = heap.bare
    return own === undefined || base === undefined ? 'n/a' : `${(own - base).toFixed(1)} MiB`
  }
  startupLines.push(
    `\`register\` + one route + \`ready()\` with 100 000 exact origins, fresh process each time, median of ${repeats}:`,
    `fastify-cors-policy ${formatEstimate(startup.plugin, ms)}; @fastify/cors ${formatEstimate(startup.fastifyCors, ms)}` +
      ` (stores the array; it scans it per request instead); bare Fastify (no CORS, same route) ${formatEstimate(startup.bare, ms)}.`,
    `Heap still in use after \`ready()\` and a full GC, the caller's own array dropped, minus bare Fastify's: fastify-cors-policy ${retained('plugin')},` +
      ` @fastify/cors ${retained('fastify-cors')} (bare Fastify ${heap.bare?.toFixed(1) ?? 'n/a'} MiB). Every major GC marks this.`
  )
} else {
  startupLines.push('Skipped (`--no-startup`).')
}

const targets = evaluateTargets(cells, startup)

const profiles: ProfileResult[] = []
const wantProfiles = args['no-profile'] !== true && (args.profile ?? !quick)
if (wantProfiles && variants.includes('plugin')) {
  const missedScenarios = new Set<string>()
  const byTarget: Record<string, string> = {
    'simple allowed GET: extra CPU': 'simple-get',
    'GET without Origin: extra CPU': 'no-origin',
    'preflight: extra CPU': 'preflight',
    'disallowed origin: plugin ÷ @fastify/cors': 'disallowed',
    '100 000 exact origins vs 1 origin': 'list-100k',
    '10 000 patterns vs 1 origin': 'patterns-10k',
    '100 RegExps: CORS overhead ÷ @fastify/cors overhead': 'regexp-100',
    'adversarial 16 KiB Origin ÷ preflight': 'adv-long-origin',
    'adversarial 8 KiB-comma ACRH ÷ preflight': 'adv-acrh-commas',
    'adversarial 1 000-name ACRH ÷ preflight': 'adv-acrh-1000'
  }
  for (const t of targets) {
    const scenario = byTarget[t.target]
    if (scenario !== undefined && t.status.startsWith('missed') && scenarioNames.includes(scenario)) missedScenarios.add(scenario)
  }
  const profileLoad = createLoadGenerator(cores, generatorChoice)
  try {
    for (const scenario of missedScenarios) {
      log(`profiling the plugin in ${scenario}`)
      profiles.push(await profileScenario(entry, cores, profileLoad, scenario, quick ? 2000 : 6000))
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
  serverEntry: entry.description,
  pluginStatus,
  cells,
  targets,
  micro,
  startup: startupLines,
  profiles,
  durationS: (performance.now() - startedAt) / 1000,
  excludedWindows: rounds.map(steadyStart)
})

process.stdout.write(report + '\n')
if (outFile !== undefined) {
  writeFileSync(outFile, report + '\n')
  // the raw windows go next to a report written elsewhere, so a side run never replaces the full run's
  const rawFile = args.out === undefined ? join(repoDir, 'bench', 'results', `${quick ? 'quick' : 'full'}.json`) : outFile.replace(/(\.md)?$/, '.json')
  mkdirSync(dirname(rawFile), { recursive: true })
  writeFileSync(rawFile, JSON.stringify({ settings, rounds, startup, micro }, null, 1) + '\n')
  log(`bench: wrote ${outFile} and ${rawFile}`)
}
log(`bench: done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)
process.exit(0)
