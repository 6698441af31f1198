import { existsSync, readdirSync, readFileSync } from 'node:fs'

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
        const fields = readFileSync(`${taskDir}/${tid}/schedstat`, 'utf8').split(' ')
        total += Number(fields[0])
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
