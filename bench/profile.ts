// CPU profile of one fastify-cors-policy server under load (`node --cpu-prof`): where the time goes,
// self time per function and time in or under lib/ functions (BENCHMARKS.md, "Where the plugin spends its time").
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sleep } from './load.js'
import type { LoadGenerator } from './load.js'
import { startServer, stopServers } from './processes.js'
import type { CorePlan } from './processes.js'
import type { ProfileEntry, ProfileResult } from './report.js'
import { scenarioByName } from './scenarios.js'
import { prepareProfileEntry, UNBUNDLED_MARK } from './entries.js'

interface CpuProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: CpuProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

const repoDir = fileURLToPath(new URL('..', import.meta.url))

function location (url: string, line: number): string {
  if (url === '') return ''
  const mark = url.indexOf(UNBUNDLED_MARK)
  if (mark !== -1) return `${url.slice(mark + UNBUNDLED_MARK.length)}:${line + 1}`
  const path = url.startsWith('file://') ? relative(repoDir, fileURLToPath(url)) : url
  // tsx-compiled modules report line 0 for every function; a file name is all there is then
  return line === 0 ? path : `${path.replace(/^node_modules\//, '')}:${line + 1}`
}

function isLib (url: string): boolean {
  return url.includes('/lib/') && (!url.includes('node_modules') || url.includes(UNBUNDLED_MARK))
}

function area (url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)'
  if (isLib(url)) return 'lib/ (this plugin)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (url.includes(UNBUNDLED_MARK)) return url.slice(url.indexOf(UNBUNDLED_MARK) + UNBUNDLED_MARK.length).split('/')[0] as string
  if (pkg !== null) return pkg[1] as string
  if (url.startsWith('node:')) return 'node core'
  return relative(repoDir, url.startsWith('file://') ? fileURLToPath(url) : url)
}

/** Self and lib/-inclusive time of the samples taken between `fromUs` and `toUs` (monotonic µs). */
export function analyseProfile (profile: CpuProfile, scenario: string, fromUs: number, toUs: number, top = 15): ProfileResult {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const areas = new Map<string, number>()
  let total = 0
  let libOwn = 0
  let time = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0
    const delta = profile.timeDeltas[i + 1] ?? 0
    if (time < fromUs || time > toUs) continue
    const node = byId.get(profile.samples[i] as number)
    if (node === undefined || node.callFrame.functionName === '(idle)') continue
    total += delta
    const frame = node.callFrame
    const key = `${frame.functionName || '(anonymous)'}\t${location(frame.url, frame.lineNumber)}`
    self.set(key, (self.get(key) ?? 0) + delta)
    const where = area(frame.url, frame.functionName)
    areas.set(where, (areas.get(where) ?? 0) + delta)
    // Time "in" a lib/ function: the sample's stack reaches it from the leaf without passing through
    // Fastify's hook runner, i.e. the function's own work and what it calls (Set.has, reply.header),
    // but not the rest of the request that `done()` continues synchronously.
    const seen = new Set<string>()
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)?.callFrame
      if (f === undefined) break
      if (f.url.includes('fastify/lib/hooks.js')) break
      if (!isLib(f.url)) continue
      const k = `${f.functionName || '(anonymous)'}\t${location(f.url, f.lineNumber)}`
      if (seen.has(k)) continue
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + delta)
    }
    if (seen.size > 0) libOwn += delta
  }
  const entries = (map: Map<string, number>): ProfileEntry[] => [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => {
      const [functionName = '', where = ''] = key.split('\t')
      return { functionName, location: where, selfMs: us / 1000, selfPercent: total > 0 ? (us / total) * 100 : 0 }
    })
  const libSelf = [...self.entries()].filter(([k]) => k.includes('\tlib/')).reduce((sum, [, us]) => sum + us, 0)
  return {
    scenario,
    totalMs: total / 1000,
    top: entries(self),
    pluginPercent: total > 0 ? (libSelf / total) * 100 : 0,
    areas: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ area: name, percent: (us / total) * 100 })),
    libInclusive: entries(inclusive).slice(0, 12),
    libOwnMs: libOwn / 1000,
    requests: 0,
    cpuUsPerRequest: Number.NaN
  }
}

/** Starts a server under `--cpu-prof`, loads it, analyses the profile of the loaded period. */
export async function profileScenario (cores: CorePlan, load: LoadGenerator, scenario: string, durationMs: number): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fcp-profile-'))
  // compiled file by file rather than bundled, so that frames point at lib/ files
  const profileEntry = await prepareProfileEntry()
  try {
    const server = await startServer(profileEntry, cores, 'plugin', scenario, 0,
      { extraNodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'] })
    const request = scenarioByName(scenario).request
    try {
      const running = load.start([{ port: server.port, request }])
      await sleep(Math.min(2000, durationMs))
      const first = await server.snapshot()
      const from = Number(process.hrtime.bigint() / 1000n)
      await sleep(durationMs)
      const to = Number(process.hrtime.bigint() / 1000n)
      const last = await server.snapshot()
      await running.stop()
      await stopServers([server])
      // the snapshot worker thread writes a (small) profile of its own: the main thread's is the largest
      const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
        .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]
      if (file === undefined) throw new TypeError('the server wrote no .cpuprofile')
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
      const requests = last.requests - first.requests
      return { ...analyseProfile(profile, scenario, from, to), requests, cpuUsPerRequest: (last.cpuNs - first.cpuNs) / requests / 1000 }
    } finally {
      await stopServers([server])
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
