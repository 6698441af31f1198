import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg, release, totalmem, type } from 'node:os'

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
