import type { ChildProcess } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnTracked, stopChild, withPrefix } from './processes.js'
import type { CorePlan } from './processes.js'
import type { ScriptEntry } from './entries.js'
import type { Variant } from './scenarios.js'

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)))

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
  readonly pid: number
  readonly port: number
  readonly child: ChildProcess
  /** Asks the server for its CPU time and request count, read together while the load runs. */
  readonly snapshot: () => Promise<Snapshot>
}

export interface StartOptions {
  readonly extraNodeArgs?: readonly string[]
  /** Upper bound of the server's own `app.inject()` warm-up before it listens (ms). */
  readonly injectWarmupMs?: number
  readonly timeoutMs?: number
}

export async function startServer (
  entry: ScriptEntry, cores: CorePlan, variant: Variant, scenario: string, replica: number, options: StartOptions = {}
): Promise<RunningServer> {
  // Start-up may use every core; the measured life of the server is pinned once it listens.
  const [command, args] = withPrefix(cores.anyCore, process.execPath,
    [...(options.extraNodeArgs ?? []), ...entry.nodeArgs, variant, scenario, String(options.injectWarmupMs ?? 1500)])
  const child = spawnTracked(command, args, { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] })
  const timeoutMs = options.timeoutMs ?? 120_000
  const waiting: Array<(snapshot: Snapshot) => void> = []
  const port = await new Promise<number>((resolve, reject) => {
    let pending = ''
    let errors = ''
    const timer = setTimeout(() => { reject(new TypeError(`${variant}/${scenario} did not start within ${timeoutMs} ms: ${errors}`)) }, timeoutMs)
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
  return { variant, scenario, replica, pid: child.pid, port, child, snapshot }
}

export async function stopServers (servers: readonly RunningServer[]): Promise<void> {
  await Promise.all(servers.map(async (s) => { await stopChild(s.child) }))
}
