import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ScriptEntry } from './entries.js'
import { isRunning, spawnTracked, withPrefix } from './processes.js'

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)))

/** Runs a bench script in a fresh process and parses the last JSON line (object or array) it prints. */
export async function runJsonScript<T> (prefix: readonly string[], entry: ScriptEntry, args: readonly string[], timeoutMs: number): Promise<T> {
  const [command, spawnArgs] = withPrefix(prefix, process.execPath, [...entry.nodeArgs, ...args])
  const child = spawnTracked(command, spawnArgs, { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] })
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
