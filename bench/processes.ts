// Child processes of the benchmark: tracking and cleanup, core pinning, benchmark servers, JSON-printing
// scripts, and the CPU time of a process read from /proc.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ScriptEntry } from './entries.js'
import type { Variant } from './scenarios.js'

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)))
const children = new Set<ChildProcess>()

/** Every child goes through here, so that an error, Ctrl-C or a normal exit kills all of them. */
export function spawnTracked (command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options })
  children.add(child)
  child.once('exit', () => { children.delete(child) })
  return child
}

export function isRunning (child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

function killAllChildren (): void {
  for (const child of children) {
    if (isRunning(child)) child.kill('SIGKILL')
  }
  children.clear()
}

/** Asks politely (SIGTERM, so a `--cpu-prof` server writes its profile and a harness kills its own children), then kills. */
export async function stopChild (child: ChildProcess, graceMs = 3000): Promise<void> {
  if (!isRunning(child)) return
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  child.kill('SIGTERM')
  const timer = setTimeout(() => { if (isRunning(child)) child.kill('SIGKILL') }, graceMs)
  await exited
  clearTimeout(timer)
}

let cleanupInstalled = false
export function installCleanup (): void {
  if (cleanupInstalled) return
  cleanupInstalled = true
  process.on('exit', killAllChildren)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAllChildren()
      process.stderr.write(`\nbench: ${signal}, all child processes killed\n`)
      process.exit(130)
    })
  }
  const fail = (error: unknown): void => {
    killAllChildren()
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  }
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)
}

export interface CorePlan {
  /** Prefix for server commands (`taskset -c 0`), empty when pinning is unavailable. */
  readonly server: readonly string[]
  /** Prefix for starting a process on every core (start-up is spread, then the process is pinned). */
  readonly anyCore: readonly string[]
  /** Pins a running process, all its threads, to the server core. */
  readonly pinToServerCore: (pid: number) => void
  /** Prefix for load-generator commands (`taskset -c 1`). */
  readonly load: readonly string[]
  readonly description: string
}

export function commandExists (command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

/** Servers on core 0, this process and the load generators on core 1 (when there are 2+ cores). */
export function planCores (): CorePlan {
  if (availableParallelism() < 2 || !commandExists('taskset')) {
    return { server: [], anyCore: [], pinToServerCore: () => {}, load: [], description: 'no CPU pinning (needs taskset and 2 cores); ratios are noisier' }
  }
  // -a: every thread of this process, including libuv's and V8's, not only the main one.
  spawnSync('taskset', ['-a', '-pc', '1', String(process.pid)], { stdio: 'ignore' })
  return {
    server: ['taskset', '-c', '0'],
    anyCore: ['taskset', '-c', `0-${availableParallelism() - 1}`],
    pinToServerCore: (pid) => { spawnSync('taskset', ['-a', '-pc', '0', String(pid)], { stdio: 'ignore' }) },
    load: ['taskset', '-c', '1'],
    description: 'servers pinned to core 0 (`taskset -a -p 0` once listening, all threads), load generators and this harness to core 1 (`taskset -c 1`)'
  }
}

/** Splits `[prefix..., command, ...args]` into spawn's arguments. */
export function withPrefix (prefix: readonly string[], command: string, args: readonly string[]): [string, string[]] {
  const [first, ...rest] = prefix
  return first === undefined ? [command, [...args]] : [first, [...rest, command, ...args]]
}

/**
 * Runs a script in a fresh process (`node ...nodeArgs ...args` in `cwd`) and parses the last JSON
 * line (object or array) it prints; killed after `timeoutMs`.
 */
export async function runJsonScript<T> (
  prefix: readonly string[], entry: ScriptEntry, args: readonly string[], timeoutMs: number, cwd = repoDir
): Promise<T> {
  const [command, spawnArgs] = withPrefix(prefix, process.execPath, [...entry.nodeArgs, ...args])
  const child = spawnTracked(command, spawnArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const timer = setTimeout(() => { if (isRunning(child)) child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>((resolve) => { child.once('exit', (c) => { resolve(c) }) })
  clearTimeout(timer)
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{') || l.startsWith('[')).pop()
  if (code !== 0 || line === undefined) {
    throw new TypeError(`${entry.description} ${args.join(' ')} failed (exit ${code}): ${stderr.slice(0, 1500)}`)
  }
  return JSON.parse(line) as T
}

// --- benchmark servers (bench/server.ts) -------------------------------------------------------

export interface Snapshot {
  /** CPU time of all the server's threads so far (ns). */
  readonly cpuNs: number
  /** Requests received so far. */
  readonly requests: number
  /** CPU time of the main (JavaScript) thread so far (ns). */
  readonly mainCpuNs: number
}

export interface RunningServer {
  readonly variant: Variant
  readonly scenario: string
  readonly replica: number
  readonly port: number
  readonly child: ChildProcess
  /** Asks the server for its CPU time and request count, read together while the load runs. */
  readonly snapshot: () => Promise<Snapshot>
  /** Starts counting the bytes the server allocates (V8's GC profiler, off until now). */
  readonly allocStart: () => Promise<void>
  /** Bytes allocated and requests received since `allocStart`. */
  readonly allocStop: () => Promise<Allocation>
}

export interface Allocation {
  readonly bytes: number
  readonly requests: number
}

export interface StartOptions {
  readonly extraNodeArgs?: readonly string[]
  /** Upper bound of the server's own `app.inject()` warm-up before it listens (ms). */
  readonly injectWarmupMs?: number
}

// Up to 60 servers start at once on a shared 2-core machine, each compiling an allow-list of up to
// 100 000 origins: a start-up that waits its turn is slow, not broken.
const SERVER_START_TIMEOUT_MS = 600_000

export async function startServer (
  entry: ScriptEntry, cores: CorePlan, variant: Variant, scenario: string, replica: number, options: StartOptions = {}
): Promise<RunningServer> {
  // Start-up may use every core; the measured life of the server is pinned once it listens.
  const [command, args] = withPrefix(cores.anyCore, process.execPath,
    [...(options.extraNodeArgs ?? []), ...entry.nodeArgs, variant, scenario, String(options.injectWarmupMs ?? 1500)])
  const child = spawnTracked(command, args, { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] })
  const waiting: Array<(snapshot: Snapshot) => void> = []
  const allocStarted: Array<() => void> = []
  const allocations: Array<(allocation: Allocation) => void> = []
  const port = await new Promise<number>((resolve, reject) => {
    let pending = ''
    let errors = ''
    const timer = setTimeout(() => { reject(new TypeError(`${variant}/${scenario} did not start within ${SERVER_START_TIMEOUT_MS} ms: ${errors}`)) }, SERVER_START_TIMEOUT_MS)
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { errors = (errors + chunk).slice(-4000) })
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        const [kind, first, second, third] = pending.slice(0, newline).split(' ')
        pending = pending.slice(newline + 1)
        newline = pending.indexOf('\n')
        if (kind === 'READY') { clearTimeout(timer); resolve(Number(first)) }
        if (kind === 'SNAPSHOT') waiting.shift()?.({ cpuNs: Number(first), requests: Number(second), mainCpuNs: Number(third) })
        if (kind === 'ALLOC-STARTED') allocStarted.shift()?.()
        if (kind === 'ALLOC') allocations.shift()?.({ bytes: Number(first), requests: Number(second) })
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new TypeError(`${variant}/${scenario} exited (${code ?? signal}) before listening: ${errors.slice(0, 2000)}`))
    })
  })
  if (child.pid === undefined) throw new TypeError('server has no pid')
  cores.pinToServerCore(child.pid)
  const snapshot = async (): Promise<Snapshot> => await new Promise((resolve) => {
    waiting.push(resolve)
    child.stdin?.write('snapshot\n')
  })
  const allocStart = async (): Promise<void> => await new Promise<void>((resolve) => {
    allocStarted.push(resolve)
    child.stdin?.write('alloc-start\n')
  })
  const allocStop = async (): Promise<Allocation> => await new Promise((resolve) => {
    allocations.push(resolve)
    child.stdin?.write('alloc-stop\n')
  })
  return { variant, scenario, replica, port, child, snapshot, allocStart, allocStop }
}

export async function stopServers (servers: readonly RunningServer[]): Promise<void> {
  await Promise.all(servers.map(async (s) => { await stopChild(s.child) }))
}

// --- CPU time of a process ----------------------------------------------------------------------

const CLOCK_TICK_NS = 1e7 // USER_HZ is 100 on Linux: one tick of utime/stime is 10 ms

/**
 * CPU time consumed so far by every thread of a process, in nanoseconds.
 * `/proc/<pid>/task/<tid>/schedstat` counts in ns (first field: time on CPU); `/proc/<pid>/stat`
 * (utime + stime, 10 ms ticks) is the fallback on kernels built without schedstats.
 */
export function processCpuNs (pid: number): number {
  const taskDir = `/proc/${pid}/task`
  if (existsSync(`${taskDir}/${pid}/schedstat`)) {
    let total = 0
    for (const tid of readdirSync(taskDir)) {
      try {
        total += Number(readFileSync(`${taskDir}/${tid}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // the thread ended between readdir and read
      }
    }
    return total
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_NS
}

/** CPU time of the process's main thread alone (ns); the rest is V8's and libuv's worker threads. */
export function mainThreadCpuNs (pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    return Number.NaN
  }
}

export function cpuSource (): string {
  return existsSync(`/proc/${process.pid}/task/${process.pid}/schedstat`)
    ? '`/proc/<pid>/task/*/schedstat` (ns, all threads)'
    : '`/proc/<pid>/stat` utime+stime (10 ms ticks)'
}
