// `npm run bench:compare -- --baseline DIR [--rounds N] [--quick-micro] [--http-rounds N] [--scenarios a,b] [--budget-s S]`
//
// Before/after comparison of this tree with another checkout (e.g. `git worktree add /tmp/before
// <commit> && cd /tmp/before && npm ci`): each tree's own bench/micro.ts (its own import paths), run
// with that tree's tsx in a fresh process on the server core, alternately for the two trees
// (baseline, current, current, baseline, …) so that machine noise hits both; then, with
// --http-rounds, each tree's `npm run bench -- --quick` the same way (servers on 127.0.0.1 only).
// Reported: per micro-benchmark case the median ns/op of each tree over its runs and current ÷
// baseline with a 95% bootstrap interval; per HTTP scenario each tree's plugin ÷ bare Fastify ratio
// (windows of all its runs) and their quotient. The whole run stops by itself at --budget-s: a
// child still running then is stopped and the report covers the runs that finished.
import type { ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { analyseRounds, findCell, formatEstimate, ratioSeries } from './analysis.js'
import type { RoundResult } from './http-bench.js'
import type { MicroResult } from './micro.js'
import { installCleanup, isRunning, planCores, runJsonScript, spawnTracked, stopChild } from './processes.js'
import { SCENARIOS } from './scenarios.js'
import { bootstrapMedian, median, ratioOfMedians } from './stats.js'

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)))

const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    'quick-micro': { type: 'boolean', default: false },
    'http-rounds': { type: 'string', default: '1' },
    scenarios: { type: 'string' },
    'budget-s': { type: 'string', default: '420' },
    help: { type: 'boolean', default: false }
  }
})

if (args.help || args.baseline === undefined) {
  process.stdout.write(`usage: npm run bench:compare -- --baseline DIR [options]
  --baseline DIR     another checkout with its dependencies installed (git worktree add DIR <commit>; npm ci)
  --rounds N         decision-path micro-benchmark runs per tree (default 4)
  --quick-micro      run bench/micro.ts --quick (5 batches of 8 ms per case instead of 21 of 20 ms)
  --http-rounds N    \`npm run bench -- --quick\` runs per tree (default 1; 0 skips the HTTP part)
  --scenarios a,b    only these scenarios in the HTTP runs (default: all of them, as --quick runs)
  --budget-s S       stop after S seconds in all (default 420), keeping the runs that finished
Results: stdout; every run's numbers: bench/results/compare.json (not committed).
`)
  process.exit(args.help ? 0 : 2)
}

interface Tree { readonly label: 'baseline' | 'current', readonly dir: string, readonly description: string }

function describe (dir: string): string {
  try {
    const commit = execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: dir, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib', 'bench'], { cwd: dir, encoding: 'utf8' }).trim() !== ''
    return `${dir} at ${commit.length > 90 ? commit.slice(0, 89) + '…' : commit}${dirty ? ' (uncommitted changes in lib/ or bench/)' : ''}`
  } catch {
    return `${dir} (not a git checkout)`
  }
}

const baselineDir = resolve(args.baseline)
for (const file of ['bench/micro.ts', 'bench/run.ts', 'node_modules/tsx/package.json']) {
  if (!existsSync(join(baselineDir, file))) {
    process.stderr.write(`bench:compare: ${join(baselineDir, file)} is missing (a checkout of this repository with \`npm ci\` run in it?)\n`)
    process.exit(2)
  }
}
const trees: readonly Tree[] = [
  { label: 'baseline', dir: baselineDir, description: describe(baselineDir) },
  { label: 'current', dir: repoDir, description: describe(repoDir) }
]
const microRounds = Number(args.rounds)
const httpRounds = Number(args['http-rounds'])
const budgetMs = Number(args['budget-s']) * 1000
if (![microRounds, httpRounds, budgetMs].every((n) => Number.isInteger(n) && n >= 0)) {
  process.stderr.write('bench:compare: --rounds, --http-rounds and --budget-s take whole numbers\n')
  process.exit(2)
}

installCleanup()
const startedAt = performance.now()
const deadline = startedAt + budgetMs
const remainingMs = (): number => deadline - performance.now()
/** The HTTP harness running, if any: stopped with SIGTERM so that it stops its own servers and load generators. */
let httpChild: ChildProcess | undefined
// A backstop: whatever happens, the process does not outlive its budget by more than a minute.
setTimeout(() => {
  process.stderr.write('bench:compare: over budget, stopping\n')
  if (httpChild !== undefined && isRunning(httpChild)) httpChild.kill('SIGTERM')
  setTimeout(() => process.exit(1), 5000)
}, budgetMs + 60_000).unref()
const cores = planCores()

function log (line: string): void {
  process.stderr.write(`${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s  ${line}\n`)
}

/**
 * Runs of both trees, interleaved: baseline, current, then current, baseline, and so on. `left` is
 * the runs of its round still to go, itself included: a round is only started when both runs fit.
 */
function schedule (rounds: number): Array<{ round: number, tree: Tree, left: number }> {
  const runs: Array<{ round: number, tree: Tree, left: number }> = []
  for (let round = 0; round < rounds; round++) {
    const ordered = round % 2 === 0 ? trees : [...trees].reverse()
    ordered.forEach((tree, i) => runs.push({ round, tree, left: ordered.length - i }))
  }
  return runs
}

/** Whether `runs` runs as long as the longest so far (`firstMs` before any) end before `until`, with 20% to spare. */
function fits (runs: number, longestMs: number, firstMs: number, until = deadline): boolean {
  return until - performance.now() > runs * (longestMs === 0 ? firstMs : longestMs) * 1.2
}

// what a first quick HTTP run is expected to take (about a minute on a quiet 2-core machine)
const HTTP_RUN_MS = 80_000
// the HTTP runs keep up to half the budget
const microDeadline = deadline - Math.min(budgetMs / 2, httpRounds * 2 * HTTP_RUN_MS * 1.2)

// --- decision path -------------------------------------------------------------------------------

const microRuns: Record<Tree['label'], MicroResult[][]> = { baseline: [], current: [] }
let longestMicroMs = 0
let microSkipped = ''
for (const { round, tree, left } of schedule(microRounds)) {
  if (!fits(left, longestMicroMs, args['quick-micro'] ? 15_000 : 30_000, microDeadline)) { microSkipped = `budget reached in round ${round + 1}`; break }
  const started = performance.now()
  try {
    // the tree's own tsx (`--import tsx` resolves from the working directory) and its own imports
    const results = await runJsonScript<MicroResult[]>(cores.server,
      { nodeArgs: ['--import', 'tsx', join(tree.dir, 'bench', 'micro.ts')], description: `${tree.label} bench/micro.ts` },
      args['quick-micro'] ? ['--quick'] : [], Math.max(1000, Math.min(180_000, remainingMs())), tree.dir)
    microRuns[tree.label].push(results)
  } catch (error) {
    log(`micro ${tree.label}: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}`)
  }
  longestMicroMs = Math.max(longestMicroMs, performance.now() - started)
  log(`micro round ${round + 1}/${microRounds}: ${tree.label} done`)
}

// --- HTTP quick mode -----------------------------------------------------------------------------

/** Runs the tree's `npm run bench -- --quick` (no micro, no start-up) and returns its raw rounds. */
async function quickHttpRun (tree: Tree, out: string, timeoutMs: number): Promise<RoundResult[]> {
  const child = httpChild = spawnTracked(process.execPath,
    ['--import', 'tsx', join(tree.dir, 'bench', 'run.ts'), '--quick', '--no-micro', '--no-startup', '--out', `${out}.md`,
      ...(args.scenarios !== undefined ? ['--scenarios', args.scenarios] : [])],
    { cwd: tree.dir, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-3000) })
  const timer = setTimeout(() => { if (isRunning(child)) stopChild(child, 5000).catch(() => {}) }, timeoutMs)
  const code = await new Promise<number | null>((resolve) => { child.once('exit', (c) => { resolve(c) }) })
  clearTimeout(timer)
  if (code !== 0 || !existsSync(`${out}.json`)) throw new TypeError(`exit ${code}: ${stderr.slice(-1500)}`)
  return (JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { rounds: RoundResult[] }).rounds
}

/** Per scenario, the plugin ÷ bare ratio of every steady window of every run. */
const httpWindows: Record<Tree['label'], Record<string, number[]>> = { baseline: {}, current: {} }
const httpRunCount: Record<Tree['label'], number> = { baseline: 0, current: 0 }
let longestHttpMs = 0
let httpSkipped = ''
if (httpRounds > 0) {
  const scratch = mkdtempSync(join(tmpdir(), 'fcp-compare-'))
  try {
    for (const { round, tree, left } of schedule(httpRounds)) {
      if (!fits(left, longestHttpMs, HTTP_RUN_MS)) { httpSkipped = `budget reached in round ${round + 1}`; break }
      const started = performance.now()
      log(`http round ${round + 1}/${httpRounds}: ${tree.label} (\`npm run bench -- --quick\`)`)
      try {
        const rounds = await quickHttpRun(tree, join(scratch, `${tree.label}-${round}`), remainingMs())
        const cells = analyseRounds(rounds)
        for (const cell of cells) {
          const bare = findCell(cells, cell.scenario, 'bare')
          if (cell.variant !== 'plugin' || bare === undefined) continue
          const series = ratioSeries(cell, bare)
          ;(httpWindows[tree.label][cell.scenario] ??= []).push(...series.filter(Number.isFinite))
        }
        httpRunCount[tree.label]++
      } catch (error) {
        log(`http ${tree.label}: ${error instanceof Error ? error.message : String(error)}`)
      }
      longestHttpMs = Math.max(longestHttpMs, performance.now() - started)
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

// --- report --------------------------------------------------------------------------------------

function table (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [row(header), row(header.map(() => '---')), ...rows.map(row)]
}

const ratio = (v: number): string => `${v.toFixed(3)}×`
const lines: string[] = [
  '# Before/after comparison',
  '',
  ...trees.map((t) => `- ${t.label}: ${t.description}`),
  `- ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, ${((performance.now() - startedAt) / 1000).toFixed(0)} s; ${cores.description}`,
  '',
  `## Decision path (each tree's bench/micro.ts${args['quick-micro'] ? ' --quick' : ''}, fresh process per run)`,
  '',
  `Runs: baseline ${microRuns.baseline.length}, current ${microRuns.current.length}${microSkipped !== '' ? ` (${microSkipped})` : ''}.`,
  'Each run reports the median of its batches; below, the median over runs and current ÷ baseline with a 95%',
  'bootstrap interval (runs of each tree resampled on their own). "(fresh)" cases have a string construction',
  'subtracted, so their small values are noisier.',
  ''
]
const caseNames = [...new Set([...microRuns.baseline, ...microRuns.current].flat().map((m) => m.name))]
const perCase = (label: Tree['label'], name: string): { values: number[], unit: string } => {
  const found = microRuns[label].flatMap((run) => run.filter((m) => m.name === name))
  return { values: found.map((m) => m.nsPerOp.value), unit: found[0]?.unit ?? 'ns' }
}
const microRows = caseNames.map((name) => {
  const base = perCase('baseline', name)
  const current = perCase('current', name)
  const unit = base.values.length > 0 ? base.unit : current.unit
  const show = (values: number[]): string => values.length === 0 ? 'n/a (no such case)' : `${median(values).toFixed(1)} ${unit}`
  const change = base.values.length > 0 && current.values.length > 0 ? formatEstimate(ratioOfMedians(current.values, base.values), ratio) : 'n/a'
  return [name, show(base.values), show(current.values), change]
})
lines.push(...table(['case', 'baseline', 'current', 'current ÷ baseline [95% CI]'], microRows), '')

if (httpRounds > 0) {
  lines.push(`## HTTP (each tree's \`npm run bench -- --quick --no-micro --no-startup${args.scenarios !== undefined ? ` --scenarios ${args.scenarios}` : ''}\`)`, '',
    `Runs: baseline ${httpRunCount.baseline}, current ${httpRunCount.current}${httpSkipped !== '' ? ` (${httpSkipped})` : ''}.`,
    'Server CPU per request of fastify-cors-policy ÷ bare Fastify in the same window (median over the steady',
    'windows of all runs of a tree, 95% bootstrap interval), and the current ratio ÷ the baseline ratio.', '')
  const httpRows = SCENARIOS.filter((s) => httpWindows.baseline[s.name] !== undefined || httpWindows.current[s.name] !== undefined).map((s) => {
    const base = httpWindows.baseline[s.name] ?? []
    const current = httpWindows.current[s.name] ?? []
    return [s.title, formatEstimate(base.length > 0 ? bootstrapMedian(base) : undefined, ratio),
      formatEstimate(current.length > 0 ? bootstrapMedian(current) : undefined, ratio),
      base.length > 0 && current.length > 0 ? formatEstimate(ratioOfMedians(current, base), ratio) : 'n/a']
  })
  lines.push(...table(['scenario', 'baseline plugin ÷ bare', 'current plugin ÷ bare', 'current ÷ baseline [95% CI]'], httpRows), '')
}

process.stdout.write(lines.join('\n') + '\n')
const rawFile = join(repoDir, 'bench', 'results', 'compare.json')
mkdirSync(dirname(rawFile), { recursive: true })
writeFileSync(rawFile, JSON.stringify({ trees, microRuns, httpWindows, httpRunCount }, null, 1) + '\n')
log(`wrote ${rawFile}`)
process.exit(0)
