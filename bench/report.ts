import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { findCell, formatEstimate, over } from './analysis.js'
import type { CellMetrics, TargetResult } from './analysis.js'
import { browserWouldAllow, display, PROBED_HEADERS, probeDifferences, shortName } from './probe.js'
import type { ProbeResult } from './probe.js'
import { SCENARIOS, VARIANT_LABELS, VARIANTS } from './scenarios.js'
import type { Scenario } from './scenarios.js'
import type { HttpBenchSettings } from './http-bench.js'
import type { HookResult } from './hooks.js'
import type { MicroResult } from './micro.js'
import type { SwapResult } from './swap.js'

export interface ProfileEntry {
  readonly functionName: string
  readonly location: string
  readonly selfMs: number
  readonly selfPercent: number
}

export interface ProfileResult {
  readonly scenario: string
  readonly totalMs: number
  readonly top: readonly ProfileEntry[]
  readonly pluginPercent: number
  readonly areas: ReadonlyArray<{ readonly area: string, readonly percent: number }>
  /** Time in each lib/ function and its callees up to Fastify's hook runner (self % holds that share). */
  readonly libInclusive: readonly ProfileEntry[]
  /** Samples in which any lib/ function is at work (same rule), in ms. */
  readonly libOwnMs: number
  readonly requests: number
  readonly cpuUsPerRequest: number
}

export interface ReportInput {
  readonly date: string
  readonly mode: 'quick' | 'full'
  readonly command: string
  readonly machine: readonly string[]
  readonly loadBefore: string
  readonly loadAfter: string
  readonly settings: HttpBenchSettings & { readonly scenariosPerRound: number }
  readonly generator: string
  readonly pinning: string
  readonly cpuSource: string
  readonly serverEntry: string
  readonly pluginStatus: string
  readonly cells: readonly CellMetrics[]
  readonly targets: readonly TargetResult[]
  readonly micro: readonly MicroResult[] | string
  readonly hooks: readonly HookResult[] | string
  readonly startup: string[]
  /** latency while the allow-list is replaced (bench/swap.ts), or why it was not measured */
  readonly swap: SwapResult | string
  readonly profiles: readonly ProfileResult[]
  readonly durationS: number
  /** Where this run's raw JSON went (repository-relative). */
  readonly rawFile: string
  /** Leading windows left out per round as still warming up. */
  readonly excludedWindows: readonly number[]
}

// --- the machine ---------------------------------------------------------------------------------

const require = createRequire(import.meta.url)

function packageVersion (name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

/** `uptime` as printed by the command (load averages over 1, 5 and 15 minutes). */
export function uptime (): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim()
  } catch {
    return `load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`
  }
}

function runningNodeProcesses (): number {
  try {
    return execFileSync('ps', ['-eo', 'comm'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() === 'node').length
  } catch {
    return Number.NaN
  }
}

function cpuMhz (): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('cpu MHz'))
    return line === undefined ? '' : `, ${Number(line.split(':')[1]).toFixed(0)} MHz`
  } catch {
    return ''
  }
}

export function machineFacts (): string[] {
  const cpu = cpus()[0]
  return [
    `CPU: ${cpu?.model ?? 'unknown'}${cpuMhz()}; ${cpus().length} cores`,
    `Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ${type()} ${release()}`,
    `Node ${process.version}; fastify ${packageVersion('fastify')}; @fastify/cors ${packageVersion('@fastify/cors')}`,
    `\`node\` processes on the machine at the end of the run, this harness included: ${runningNodeProcesses()} (the machine is shared)`
  ]
}

// --- the report ----------------------------------------------------------------------------------

const fixed = (digits: number) => (value: number): string => value.toFixed(digits)

function row (cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
}

function table (header: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: readonly string[]): string[] {
  return [row(header), row(align ?? header.map(() => '---')), ...rows.map(row)]
}

function scenarioTitle (name: string): string {
  return SCENARIOS.find((s) => s.name === name)?.title ?? name
}

function resultRows (cells: readonly CellMetrics[]): string[][] {
  const rows: string[][] = []
  for (const scenario of SCENARIOS) {
    for (const variant of VARIANTS) {
      const cell = findCell(cells, scenario.name, variant)
      if (cell === undefined) {
        if (variant === 'fastify-cors' && scenario.fastifyCorsOptions === undefined) {
          rows.push([scenarioTitle(scenario.name), VARIANT_LABELS[variant], 'n/a (not expressible)', '', '', '', '', '', '', '', ''])
        }
        continue
      }
      rows.push([
        variant === 'bare' ? `**${scenario.title}**` : '',
        VARIANT_LABELS[variant],
        formatEstimate(cell.cpuUs, fixed(2)),
        formatEstimate(cell.lowerQuartileUs, fixed(2)),
        `${cell.spreadUs.min.toFixed(1)} · ${cell.spreadUs.q1.toFixed(1)}–${cell.spreadUs.q3.toFixed(1)} · ${cell.spreadUs.max.toFixed(1)} (${cell.processes.length})`,
        variant === 'bare' ? '1' : formatEstimate(cell.ratioBare, fixed(3)),
        variant === 'bare' ? '0' : formatEstimate(cell.extraUs, fixed(2)),
        cell.offMainUs.value.toFixed(2),
        cell.ratioFastifyCors !== undefined ? formatEstimate(cell.ratioFastifyCors, fixed(3)) : '',
        cell.solo !== undefined ? Math.round(cell.solo.requestsPerSecond).toLocaleString('en-US') : 'n/a',
        cell.solo !== undefined ? cell.solo.p99Ms.toFixed(2) : 'n/a'
      ])
    }
  }
  return rows
}

const ALLOCATION_VARIANTS = ['bare', 'headers-floor', 'plugin', 'fastify-cors'] as const

function allocationRows (cells: readonly CellMetrics[]): string[][] {
  const rows: string[][] = []
  for (const scenario of SCENARIOS) {
    const perVariant = ALLOCATION_VARIANTS.map((variant) => findCell(cells, scenario.name, variant))
    if (perVariant.every((cell) => cell?.bytesPerRequest === undefined)) continue
    const [, floor, plugin] = perVariant
    const difference = plugin !== undefined && floor !== undefined && plugin.allocation.length > 0 && floor.allocation.length > 0
      ? formatEstimate(over.difference(plugin.allocation, floor.allocation), fixed(0))
      : 'n/a'
    rows.push([
      scenario.title,
      ...perVariant.map((cell) => cell?.bytesPerRequest === undefined ? 'n/a' : formatEstimate(cell.bytesPerRequest, fixed(0))),
      difference,
      perVariant.map((cell) => cell === undefined ? '—' : cell.allocationRequests.toLocaleString('en-US')).join(' / ')
    ])
  }
  return rows
}

function hookLines (hooks: readonly HookResult[] | string): string[] {
  if (typeof hooks === 'string') return [hooks]
  const ns = (value: number): string => `${value.toFixed(0)} ns`
  const share = (value: number): string => `${(value * 100).toFixed(2)}%`
  return [
    'The plugin\'s request-time hooks (and the OPTIONS route that answers preflights) against the headers floor\'s, in one',
    'process: each hook is timed from its call until it returns or calls `done` (what `done` runs next is Fastify\'s), less',
    'the time inside `reply.send()` (Fastify\'s serialising and writing, the same for both). Each scenario is timed twice,',
    'one request at a time, each time in a process of its own (code that has read both kinds of request objects reads',
    'either more slowly): through `app.inject()` (headers as fresh strings; the code and its data stay hot in the',
    'caches; light-my-request\'s mock response keeps a header map that a server\'s response has not, which makes reading',
    'the response\'s headers dearer than in a server), and over loopback HTTP with one kept-alive connection (the request',
    'and response objects a server gives its hooks, and caches as a server that waits for its next request leaves them:',
    'every hook costs more there, the floor\'s too). Batches of the two apps alternate; per batch the median request (a',
    'request preempted by the shared machine, or one a garbage collection ran in, is left out: garbage is the allocation',
    'table\'s), then the median over batches with its 95% interval; the difference is taken batch by batch.',
    'The share of a bare request divides by a bare Fastify app\'s whole request timed in the same process and batches',
    '(from Fastify\'s router entry until the response ends, with light-my-request\'s socketless request and response):',
    'no sockets and no HTTP parsing, so it is smaller than an HTTP request and the share is the conservative one.',
    `${hooks[0]?.batches ?? 0} batches of ${hooks[0]?.requestsPerBatch ?? 0} requests per app, scenario and transport.`,
    '',
    'Where a scenario has one, "SPEC minimum" is bench/spec-minimum.ts: the least request-time code that answers the',
    'scenario as SPEC.md requires (for a refusal: the allow-list lookup, the Origin syntax check, the same-origin check,',
    '`request.cors` with its sentence, no `Access-Control-*` header whoever set it, in the deciding hook and in onSend, and',
    '`Vary: Origin`), for that one policy and nothing else, timed in the same batches. SPEC minimum − floor is what any',
    'CORS layer on these two hooks must spend; plugin − SPEC minimum is what this plugin\'s generality adds.',
    '',
    ...table(['scenario', 'timed over', 'plugin hooks ns/req', 'headers-floor hooks ns/req', 'plugin − floor ns/req', 'bare request in process', 'plugin − floor ÷ bare', 'SPEC minimum − floor'],
      hooks.map((h) => [
        scenarioTitle(h.scenario), h.transport === 'inject' ? '`app.inject()`' : 'loopback HTTP', formatEstimate(h.pluginNs, ns), formatEstimate(h.floorNs, ns),
        formatEstimate(h.differenceNs, ns), formatEstimate(h.bareNs, ns), formatEstimate(h.differenceOfBare, share),
        h.specMinimumNs === undefined || h.specMinimumOfBare === undefined ? '' : `${formatEstimate(h.specMinimumNs, ns)} = ${formatEstimate(h.specMinimumOfBare, share)}`
      ]))
  ]
}

/** The section on latency while a 100 000-origin list is replaced back to back. */
export function swapLines (swap: SwapResult | string): string[] {
  if (typeof swap === 'string') return [swap]
  const latency = (value: number): string => Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a'
  const ms = (value: number): string => `${value.toFixed(0)} ms`
  const ratio = (value: number): string => `${value.toFixed(1)}×`
  const origins = swap.origins.toLocaleString('en-US')
  return [
    `One server process with ${origins} exact origins (\`register\` + \`ready()\` ${ms(swap.registerMs)}), answering \`GET /items\`, loaded by`,
    `autocannon (${swap.connections} connections, Origin allowed by both lists) from another process. ${swap.pairs} pairs of ${swap.phaseMs / 1000} s`,
    `phases: steady load, then the same load while the server replaces its list by the other ${origins}-origin list back to back`,
    '(`await app.corsPolicy.setOrigins(next)` in a loop, one turn of the event loop between swaps). A response counts for a phase when',
    'it was requested and answered within it. Longest event-loop delay: the server\'s own `monitorEventLoopDelay`, 1 ms resolution.',
    '',
    ...table(['phase', 'kind', 'requests', 'p50', 'p99', 'max', 'longest event-loop delay', 'swaps completed'],
      swap.phases.map((phase, i) => [String(i + 1), phase.kind, String(phase.requests) + (phase.errors > 0 ? ` (${phase.errors} errors)` : ''),
        latency(phase.p50Ms), latency(phase.p99Ms), latency(phase.maxMs), latency(phase.loopDelayMaxMs), String(phase.swaps)]),
      ['---:', '---', '---:', '---:', '---:', '---:', '---:', '---:']),
    '',
    `p99 during swaps ÷ p99 before, median over pairs [95% CI]: **${formatEstimate(swap.p99Ratio, ratio)}** (p99 ${formatEstimate(swap.steadyP99Ms, latency)} before,`,
    `${formatEstimate(swap.swappingP99Ms, latency)} during). ${swap.swapsCompleted} swaps completed, ${formatEstimate(swap.msPerSwap, ms)} each (median, wall time under the load).`,
    `Access-Control-Allow-Origin for the request's origin before the phases: ${swap.probe.before ?? 'none'}; after the last swap: ${swap.probe.after ?? 'none'} (expected ${swap.probe.expected}).`
  ]
}

function probeSummary (probe: ProbeResult | undefined): string {
  if (probe === undefined) return 'n/a'
  const parts = [`${probe.status}`]
  for (const name of PROBED_HEADERS) {
    const value = probe.headers[name]
    if (value !== undefined) parts.push(`${shortName(name)} ${display(value)}`)
  }
  return parts.join('; ')
}

/** Flags a variant that answers differently: it may be cheaper only because it does less. */
export function probeFlags (scenario: Scenario, cells: readonly CellMetrics[]): string[] {
  const flags: string[] = []
  const plugin = findCell(cells, scenario.name, 'plugin')?.probe
  const fastifyCors = findCell(cells, scenario.name, 'fastify-cors')?.probe
  for (const [label, probe] of [['plugin', plugin], ['@fastify/cors', fastifyCors]] as const) {
    if (probe === undefined || scenario.expectAllowed === undefined) continue
    const allowed = browserWouldAllow(scenario.request, probe)
    if (allowed !== scenario.expectAllowed) flags.push(`⚠ ${label}: browser would ${allowed ? 'allow' : 'block'}, expected ${scenario.expectAllowed ? 'allow' : 'block'}`)
  }
  if (plugin !== undefined && fastifyCors !== undefined) {
    const differences = probeDifferences(plugin, fastifyCors)
    if (differences.length > 0) flags.push(`differs (plugin vs @fastify/cors): ${differences.join('; ')}`)
  }
  return flags
}

function probeRows (cells: readonly CellMetrics[]): string[][] {
  return SCENARIOS
    .filter((s) => findCell(cells, s.name, 'bare') !== undefined)
    .map((s) => [
      s.title,
      probeSummary(findCell(cells, s.name, 'plugin')?.probe),
      probeSummary(findCell(cells, s.name, 'fastify-cors')?.probe),
      probeFlags(s, cells).join(' · ') || 'same answer'
    ])
}

/**
 * The hooks floor is the same server in every round, so the spread of its cost over bare across
 * rounds shows how finely this run can compare scenarios measured in different rounds.
 */
function resolutionNote (cells: readonly CellMetrics[]): string {
  const floors = cells.filter((c) => c.variant === 'hooks-floor' && c.extraUs !== undefined)
    .map((c) => c.extraUs?.value as number)
  if (floors.length < 2) return 'Resolution: not estimated (needs the diagnostic floors in two rounds or more).'
  const low = Math.min(...floors)
  const high = Math.max(...floors)
  return `Resolution: the "bare + empty onRequest/onSend hooks" server is identical in every round, yet measured ${low.toFixed(2)} to ${high.toFixed(2)} µs over bare ` +
    `across the ${floors.length} rounds; within a round the intervals above hold, but differences of a few µs between rounds (and sub-µs targets) are below what this machine resolves.`
}

export function renderReport (input: ReportInput): string {
  const s = input.settings
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`${input.command}\` on ${input.date} (${input.mode} mode, ${input.durationS.toFixed(0)} s).`,
    'Timings are information for optimisation; no pass/fail test depends on them.',
    ...(input.mode === 'quick'
      ? ['', `**Quick mode is a smoke test of the harness**: ${input.settings.replicas} server process(es) per variant, short warm-up, few windows`,
          'and a short allocation phase; its numbers are indicative only. Use the full run for decisions.']
      : []),
    '',
    '## Machine',
    '',
    ...input.machine.map((m) => `- ${m}`),
    `- Load before the run (\`uptime\`): ${input.loadBefore}`,
    `- Load after the run (\`uptime\`): ${input.loadAfter}`,
    `- Plugin under test: ${input.pluginStatus}`,
    '',
    '## Targets',
    '',
    'CPU values are medians over server processes (each process: its CPU per request over the steady windows), with a',
    '95% two-level bootstrap interval in brackets (processes resampled, then each one\'s windows); allocation values',
    'likewise over processes. A target is met only when its whole interval is within the limit. Where the HTTP interval',
    'of a CPU target is wider than the limit, the in-process timing of the hooks (section "Hooks in process") stands next to it.',
    '',
    ...table(['target', 'limit', 'measured [95% CI]', 'status', 'for comparison'],
      input.targets.map((t) => [t.target, t.limit, formatEstimate(t.measured, t.format), t.status, t.reference])),
    '',
    resolutionNote(input.cells),
    '',
    '## Results',
    '',
    'CPU µs/req: server CPU time per request under concurrent load (all variants at once), median over the',
    'variant\'s processes [95% interval]; lower quartile: the same over the processes without bad luck;',
    'per process: min · interquartile range · max of the processes\' CPU µs/req (number of processes), the',
    'process-to-process "luck" of this machine; × bare, µs over bare and × @fastify/cors: between medians.',
    '"bare + empty onRequest/onSend hooks" is the floor of any CORS layer built on those two hooks;',
    '"bare + the same CORS headers as constants" adds the plugin\'s own answer (status and headers) written from those hooks with no decision:',
    'the floor of any CORS layer on those hooks that answers the same way (scenarios with a µs target only);',
    '"bare + a Set of the same origins" is what merely keeping the allow-list alive costs (garbage collection).',
    'off-main µs/req: the part of the CPU per request spent outside the JavaScript thread, mostly V8\'s',
    'concurrent and parallel GC workers: it grows with the heap a server keeps alive.',
    'req/s and p99 (ms): one server alone under load, for information only (the generator shares a core with other work).',
    '',
    ...table(['scenario', 'variant', 'CPU µs/req [95% CI]', 'lower quartile [95% CI]', 'per process: min · IQR · max (n)', '× bare', 'µs over bare', 'off-main µs/req', '× @fastify/cors', 'req/s (solo)', 'p99 ms (solo)'],
      resultRows(input.cells), ['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    '',
    '## Allocation',
    '',
    'Bytes each server allocates on the JavaScript heap per request, median over its processes [95% interval over',
    'processes], counted by V8\'s GC profiler (`v8.GCProfiler`) during an allocation phase after the CPU windows, the',
    'load still running: the used heap before each collection minus after the previous one, plus the growth since',
    'the last, divided by the requests the server answered meanwhile. The same code path allocates the same bytes',
    'every request; what varies from process to process is what the JIT, inline caches and timers add, which a',
    'warm server amortises over many requests (the interval shows what is left). plugin − floor is the plugin\'s',
    'price over the same answer written as constants. Requests counted: all',
    'processes of bare / headers floor / plugin / @fastify/cors together. The phase is cut into 4 windows (so that one',
    'process gives an interval too); a server that answered 20 times fewer requests than bare in the last CPU window',
    '(@fastify/cors scanning a long list) is left out (n/a): it would count too few requests to tell anything.',
    '',
    ...table(['scenario', 'bare B/req', 'headers floor B/req', 'fastify-cors-policy B/req', '@fastify/cors B/req', 'plugin − floor B/req', 'requests counted'],
      allocationRows(input.cells), ['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    '',
    '## Hooks in process',
    '',
    ...hookLines(input.hooks),
    '',
    '## Probes',
    '',
    'One request per variant and scenario before measuring; a variant that answers differently may be',
    'cheaper only because it does less. "browser would allow/block" applies the Fetch CORS check to the answer.',
    '',
    ...table(['scenario', 'fastify-cors-policy', '@fastify/cors', 'flags'], probeRows(input.cells)),
    '',
    '## Decision path (no HTTP)',
    ''
  ]
  if (typeof input.micro === 'string') {
    lines.push(input.micro)
  } else {
    lines.push('Functions of lib/ called directly (no Fastify, no HTTP), in a fresh process on the server core.',
      'Inputs are the scenarios\' header values; the same string objects are reused, so V8\'s cached string',
      'hashes make Set lookups cheaper than on a fresh request header: the HTTP table is the authority.', '',
      ...table(['operation', 'time per operation [95% CI]', 'what'],
        input.micro.map((m) => [m.name, formatEstimate(m.nsPerOp, (v) => `${v.toFixed(1)} ${m.unit}`), m.note])))
  }
  lines.push('', '## Start-up', '', ...input.startup.map((l) => `- ${l}`), '')
  lines.push('## List swaps under load', '', ...swapLines(input.swap), '')
  if (input.profiles.length > 0) {
    lines.push('## Where the plugin spends its time', '',
      'CPU profile (`node --cpu-prof`) of one fastify-cors-policy server under load, self time per function.', '')
    for (const profile of input.profiles) {
      lines.push(`### ${scenarioTitle(profile.scenario)}`, '',
        `${profile.totalMs.toFixed(0)} ms of CPU sampled over ${profile.requests} requests (${profile.cpuUsPerRequest.toFixed(1)} µs CPU/request while profiled).`,
        `lib/ functions and what they call (up to Fastify's hook runner, so not the rest of the request): ${profile.libOwnMs.toFixed(1)} ms,`,
        `**${(profile.libOwnMs * 1000 / profile.requests).toFixed(2)} µs per request**; lib/ self time alone: ${profile.pluginPercent.toFixed(1)}% of CPU.`, '',
        `By area: ${profile.areas.slice(0, 8).map((a) => `${a.area} ${a.percent.toFixed(1)}%`).join(', ')}.`, '',
        ...table(['function (self time)', 'where', 'ms', '%'],
          profile.top.map((e) => [e.functionName, e.location, e.selfMs.toFixed(1), e.selfPercent.toFixed(1)])), '',
        ...table(['lib/ function (own work + callees)', 'where', 'ms', '%'],
          profile.libInclusive.map((e) => [e.functionName, e.location, e.selfMs.toFixed(1), e.selfPercent.toFixed(1)])), '')
    }
  }
  lines.push(
    '## Method',
    '',
    `- **Servers**: for each scenario, ${s.replicas} server process(es) per variant (bare Fastify with the same routes,`,
    '  fastify-cors-policy, @fastify/cors with equivalent options, and the headers floor where a target is judged',
    `  over it; in full mode also the other diagnostic floors, ${s.diagnosticReplicas} processes each), each its own Node process, so no policy shares a JIT`,
    '  with another, and all of a round\'s processes loaded at once. Process-to-process "luck" on a shared VM is large',
    '  and bimodal (identical processes differ by up to 30%), so the statistics are over processes, not windows;',
    `  ${s.scenariosPerRound} scenario(s) per round. Source: ${input.serverEntry}.`,
    input.mode === 'full'
      ? `  To keep the run near 20 minutes with ${s.replicas} processes per variant: ${s.diagnosticReplicas} processes per diagnostic floor, ${s.windows} windows (not 12), a warm-up of at most ${s.warmupMaxMs / 1000} s, a solo phase for the three compared variants only.`
      : '  Quick mode: fewer processes, short phases; the tables are those of the full run.',
    `- **Cores**: ${input.pinning}.`,
    `- **Load**: ${input.generator}; every server of a round is loaded at the same time, continuously,`,
    `  and the load is cut into ${s.windows} windows of ${s.windowMs} ms, so that noise from the shared machine`,
    '  hits every variant alike. Warm-up: each server first answers its scenario\'s request up to 3 000 times',
    `  through \`app.inject()\` (at most ${s.injectWarmupMs} ms, before it is pinned), then the load runs at least`,
    `  ${s.warmupMs} ms and until every server's CPU per request`,
    `  agrees within 10% over three consecutive 500 ms steps (at most ${s.warmupMaxMs} ms): a fresh server costs`,
    '  several times its steady cost until V8 has optimised the hot paths.',
    `- **Metric**: CPU time of each server process over a window, read from ${input.cpuSource}, divided by`,
    '  the requests it received in that window. Both are read inside the server at the same instant when the',
    '  harness asks for a snapshot over stdin (one read of /proc per window; the count is one `request`',
    '  listener, identical in every variant). Leading windows in which a bare server still cost over 1.3× its',
    '  median (still warming up) are left out, at most half of',
    `  a round's: ${input.excludedWindows.join(', ')} window(s) in the ${input.excludedWindows.length} rounds of this run.`,
    '  Each process is reduced to its CPU per request over the remaining windows (total CPU ÷ total requests).',
    '  Reported: the median over a variant\'s processes and their lower quartile; ratios and differences are',
    '  between medians (plugin − headers floor, ÷ bare). Intervals: 95% percentile bootstrap, 4 000 resamples,',
    '  two levels (the processes of each variant, then the windows of each chosen process), each variant',
    '  resampled on its own.',
    '- **Allocation**: after the windows, the load still running, every server counts the bytes it allocates',
    `  (V8's GC profiler, off during the CPU windows) until each variant but @fastify/cors has answered about ${s.allocRequests.toLocaleString('en-US')}`,
    `  requests over its processes (estimated from the windows' rate; ${s.allocMinMs / 1000} to ${s.allocMaxMs / 1000} s per round).`,
    '- **Hooks in process**: see that section; it backs the CPU targets the HTTP measurement cannot resolve.',
    '- **Across scenarios** (100 000 origins vs 1, adversarial vs preflight), rounds differ: the scale',
    '  targets compare the × bare ratios, the adversarial ones the CPU added over bare Fastify (bare pays',
    '  Node\'s parsing of a 16 KiB header too), each variant\'s processes resampled on their own.',
    '- **Plugin ÷ @fastify/cors** (≤ 0.8 of its CPU over bare) is judged where both do the same work: the same',
    '  status and Access-Control-Allow-Origin in the probes; other scenarios are listed as not judged.',
    '- **Bare** answers OPTIONS with an empty 204 route so that preflight scenarios have a floor too.',
    `- **V8 flags** of the servers: ${s.nodeArgs !== undefined && s.nodeArgs.length > 0 ? s.nodeArgs.map((flag) => `\`${flag}\``).join(' ') : 'none (Node\'s defaults)'}.`,
    '  With the defaults, V8\'s allocation-site pretenuring sometimes starts allocating per-request objects in the',
    '  old generation (seen after a large allocation at start-up, such as building a big allow-list, and at random',
    '  in other servers): young collections then free half as much and full collections run several times as',
    '  often, which shows as high "off-main" CPU. It hits a process or not, whatever its CORS layer: the "bare + a Set',
    '  of the same origins" servers pay it too. `--node-args=--no-allocation-site-pretenuring` measures without it.',
    '- Every server accepts 64 KiB of request headers (Node\'s default 16 KiB would answer the 16 KiB Origin',
    '  with 431 before any plugin runs).',
    s.soloMs > 0
      ? `- **Solo phase**: the first server of bare, fastify-cors-policy and @fastify/cors alone for ${s.soloMs} ms: requests/s and p99 latency.`
      : '- **Solo phase**: skipped in quick mode.',
    '- **Decision path**: the pure modules timed with `process.hrtime.bigint()` over many iterations in a',
    '  fresh process on the server core; median of repeated batches.',
    '- **Start-up**: fresh process per measurement; `register` + one route + `ready()`; median of repeats.',
    '- **List swaps**: see that section (`bench/swap.ts`); the server is pinned to the server core, the load to the other.',
    `- **Raw data** (every window of every server, probes, decision path, start-up): \`${input.rawFile}\`, written by`,
    '  the command at the top of this file and not committed; rerun that command to regenerate it',
    '  (`npm run bench` writes `bench/results/full.json`, `--quick` `bench/results/quick.json`, `--out FILE.md` `FILE.json`).',
    ''
  )
  return lines.join('\n')
}
