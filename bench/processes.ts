import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { availableParallelism } from 'node:os'

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

export function killAllChildren (): void {
  for (const child of children) {
    if (isRunning(child)) child.kill('SIGKILL')
  }
  children.clear()
}

/** Asks politely (SIGTERM, so a `--cpu-prof` server writes its profile), then kills. */
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
  process.on('uncaughtException', (error) => {
    killAllChildren()
    process.stderr.write(`bench: ${error.stack ?? String(error)}\n`)
    process.exit(1)
  })
  process.on('unhandledRejection', (error) => {
    killAllChildren()
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  })
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
