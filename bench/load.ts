import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandExists, isRunning, spawnTracked, withPrefix } from './processes.js'
import type { CorePlan } from './processes.js'
import type { BenchRequest } from './scenarios.js'

export interface LoadTarget {
  readonly port: number
  readonly request: BenchRequest
}

export interface LoadResult {
  /** Responses received (any status). */
  readonly requests: number
  readonly durationMs: number
  readonly p99Ms: number
  /** Socket errors and timeouts; responses with an error status are not counted here. */
  readonly errors: number
}

export interface RunningLoad {
  /** Stops every generator of this load and returns their results, in target order. */
  stop: () => Promise<LoadResult[]>
}

export interface LoadGenerator {
  readonly description: string
  /** Starts loading every target at once, one generator per target, until `stop()`. */
  start: (targets: readonly LoadTarget[]) => RunningLoad
  dispose: () => void
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/** Loads every target at once for `durationMs`. */
export async function loadFor (generator: LoadGenerator, targets: readonly LoadTarget[], durationMs: number): Promise<LoadResult[]> {
  const running = generator.start(targets)
  await sleep(durationMs)
  return await running.stop()
}

const CONNECTIONS = 16

/** wrk when installed (`apt-get install -y wrk`), otherwise autocannon. */
export function createLoadGenerator (cores: CorePlan): LoadGenerator {
  return commandExists('wrk') ? new WrkGenerator(cores) : new AutocannonGenerator()
}

function luaString (value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

const RESULT_MARK = 'WRK_RESULT '

/** wrk (C, one thread per target): far less CPU per request than a Node generator. */
class WrkGenerator implements LoadGenerator {
  readonly description: string
  private readonly scriptDir = mkdtempSync(join(tmpdir(), 'fcp-bench-'))
  private readonly scripts = new Map<BenchRequest, string>()

  constructor (private readonly cores: CorePlan) {
    const version = spawnSync('wrk', ['--version'], { encoding: 'utf8' })
    const first = `${version.stdout}${version.stderr}`.split('\n')[0]?.trim() ?? 'wrk'
    this.description = `${first.split(' Copyright')[0] ?? 'wrk'}, 1 thread and ${CONNECTIONS} keep-alive connections per server`
  }

  private scriptFor (request: BenchRequest): string {
    const existing = this.scripts.get(request)
    if (existing !== undefined) return existing
    const lines = [`wrk.method = ${luaString(request.method)}`, `wrk.path = ${luaString(request.path)}`]
    for (const [name, value] of Object.entries(request.headers)) lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`)
    lines.push(
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      `  io.write(string.format('\\n${RESULT_MARK}{"requests":%d,"duration_us":%d,"errors":%d,"p99_us":%d}\\n',`,
      '    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, latency:percentile(99)))',
      'end'
    )
    const file = join(this.scriptDir, `request-${this.scripts.size}.lua`)
    writeFileSync(file, lines.join('\n') + '\n')
    this.scripts.set(request, file)
    return file
  }

  start (targets: readonly LoadTarget[]): RunningLoad {
    const runs = targets.map((target) => {
      // wrk only takes whole seconds; it is stopped with SIGINT, on which it still reports.
      const [command, args] = withPrefix(this.cores.load, 'wrk', [
        '-t1', `-c${CONNECTIONS}`, '-d600s', '--timeout', '5s', '-s', this.scriptFor(target.request),
        `http://127.0.0.1:${target.port}${target.request.path}`
      ])
      const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      let output = ''
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
      const done = new Promise<LoadResult>((resolve) => {
        child.once('exit', (code, signal) => {
          const line = output.split('\n').find((l) => l.startsWith(RESULT_MARK))
          if (line === undefined) {
            // Window counts come from the servers; a generator that died only costs its latency figures.
            process.stderr.write(`bench: wrk for port ${target.port} ended (${code ?? signal}) without a report: ${output.slice(0, 300)}\n`)
            resolve({ requests: Number.NaN, durationMs: Number.NaN, p99Ms: Number.NaN, errors: Number.NaN })
            return
          }
          const parsed = JSON.parse(line.slice(RESULT_MARK.length)) as { requests: number, duration_us: number, errors: number, p99_us: number }
          resolve({ requests: parsed.requests, durationMs: parsed.duration_us / 1000, p99Ms: parsed.p99_us / 1000, errors: parsed.errors })
        })
      })
      return { child, done }
    })
    return {
      stop: async () => {
        for (const { child } of runs) if (isRunning(child)) child.kill('SIGINT')
        return await Promise.all(runs.map(async (r) => await r.done))
      }
    }
  }

  dispose (): void {
    rmSync(this.scriptDir, { recursive: true, force: true })
  }
}

interface AutocannonResult {
  requests: { total: number }
  latency: { p99: number }
  duration: number
  errors: number
  timeouts: number
}
interface AutocannonInstance { stop: () => void }
type Autocannon = (options: object, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance

/** Fallback when wrk is missing: autocannon inside this (core-1-pinned) process. */
class AutocannonGenerator implements LoadGenerator {
  private readonly autocannon = createRequire(import.meta.url)('autocannon') as Autocannon
  readonly description: string

  constructor () {
    const version = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version
    this.description = `autocannon ${version} (in the harness process), ${CONNECTIONS} connections per server`
  }

  start (targets: readonly LoadTarget[]): RunningLoad {
    const startedAt = performance.now()
    const runs = targets.map((target) => {
      let instance: AutocannonInstance | undefined
      const done = new Promise<LoadResult>((resolve, reject) => {
        instance = this.autocannon({
          url: `http://127.0.0.1:${target.port}${target.request.path}`,
          method: target.request.method,
          headers: target.request.headers,
          connections: CONNECTIONS,
          duration: 600
        }, (error, result) => {
          if (error !== null) { reject(error); return }
          resolve({
            requests: result.requests.total,
            durationMs: performance.now() - startedAt,
            p99Ms: result.latency.p99,
            errors: result.errors + result.timeouts
          })
        })
      })
      return { stop: () => instance?.stop(), done }
    })
    return {
      stop: async () => {
        for (const run of runs) run.stop()
        return await Promise.all(runs.map(async (r) => await r.done))
      }
    }
  }

  dispose (): void {}
}
