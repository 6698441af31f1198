// One benchmark server: `server.ts <variant> <scenario>`. Prints `READY <port>` once listening on
// loopback; answers each `snapshot` line on stdin with `SNAPSHOT <cpu ns> <requests> <main-thread cpu ns>`; exits on
// SIGTERM/SIGINT or as soon as its parent goes away (stdin closes).
import { buildApp } from './app.js'
import { mainThreadCpuNs, processCpuNs } from './processes.js'
import { isVariant, scenarioByName } from './scenarios.js'

const [variant, scenarioName, injectLimitText] = process.argv.slice(2)
if (variant === undefined || !isVariant(variant) || scenarioName === undefined) {
  process.stderr.write('usage: server.ts <variant> <scenario> [inject warm-up limit ms]\n')
  process.exit(2)
}

const scenario = scenarioByName(scenarioName)
const app = await buildApp(variant, scenario)
await app.listen({ host: '127.0.0.1', port: 0 })

// Warm the JIT before the server is pinned to the shared core: the same request through
// app.inject() exercises routing, hooks and the CORS layer; the HTTP path warms under real load.
const WARMUP_INJECTIONS = 3000
const WARMUP_LIMIT_MS = Number(injectLimitText ?? 1500)
const warmupStarted = performance.now()
for (let i = 0; i < WARMUP_INJECTIONS && performance.now() - warmupStarted < WARMUP_LIMIT_MS; i++) {
  await app.inject({ method: scenario.request.method, url: scenario.request.path, headers: scenario.request.headers })
}

const address = app.server.address()
if (address === null || typeof address === 'string') throw new TypeError('expected a TCP address')

// Read here rather than from outside so that the CPU time and the request count of a snapshot are
// taken at the same instant, while the load keeps running.
let requests = 0
app.server.on('request', () => { requests++ })
let pending = ''
process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
  pending += chunk
  let newline = pending.indexOf('\n')
  while (newline !== -1) {
    if (pending.slice(0, newline) === 'snapshot') process.stdout.write(`SNAPSHOT ${processCpuNs(process.pid)} ${requests} ${mainThreadCpuNs(process.pid)}\n`)
    pending = pending.slice(newline + 1)
    newline = pending.indexOf('\n')
  }
})
process.stdout.write(`READY ${address.port}\n`)

let closing = false
function shutdown (): void {
  if (closing) return
  closing = true
  // process.exit (not a kill) so that `node --cpu-prof` writes its profile.
  app.close().finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
process.stdin.on('end', shutdown)
process.stdin.on('error', shutdown)
process.stdin.resume()
