import { createServer } from 'node:net'
import { type DemoServer, PortInUseError, type RunningDemo, startDemo } from './start.js'

/** Each server's environment variable, default port and name in messages. */
const portSettings: Record<DemoServer, { variable: string, fallback: number, name: string }> = {
  api: { variable: 'API_PORT', fallback: 5000, name: 'the API' },
  web: { variable: 'WEB_PORT', fallback: 8080, name: 'the web app' },
  other: { variable: 'OTHER_PORT', fallback: 8081, name: 'the other app' }
}

/** A problem with the demo's setup, told in one line without a stack trace. */
class SetupProblem extends Error {}

function portFromEnv (server: DemoServer): number {
  const { variable, fallback } = portSettings[server]
  const raw = process.env[variable]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SetupProblem(`${variable} must be a port number between 0 and 65535, instead got '${raw}'; e.g. ${variable}=${fallback} npm run demo`)
  }
  return port
}

const isFree = (port: number): Promise<boolean> => new Promise((resolve) => {
  const probe = createServer()
  probe.once('error', () => resolve(false))
  probe.listen({ host: 'localhost', port }, () => probe.close(() => resolve(true)))
})

/** A port near `port` that is free now and not one of the demo's others; 0 (any free port) if none is. */
async function freePortNear (port: number, others: number[]): Promise<number> {
  for (let candidate = port + 1; candidate <= Math.min(port + 20, 65535); candidate++) {
    if (!others.includes(candidate) && await isFree(candidate)) return candidate
  }
  return 0
}

async function start (): Promise<RunningDemo> {
  const chosen = { api: portFromEnv('api'), web: portFromEnv('web'), other: portFromEnv('other') }
  try {
    return await startDemo({ apiPort: chosen.api, webPort: chosen.web, otherPort: chosen.other })
  } catch (error) {
    if (!(error instanceof PortInUseError)) throw error
    // e.g. macOS's AirPlay Receiver holds port 5000
    const { variable, name } = portSettings[error.server]
    const example = await freePortNear(error.port, Object.values(chosen))
    throw new SetupProblem(`port ${error.port} (${name}) is already in use by another program; set ${variable} to a free port, e.g. ${variable}=${example} npm run demo`)
  }
}

const demo = await start().catch((error: unknown) => {
  if (!(error instanceof SetupProblem)) throw error
  // exitCode, not exit(): stderr may be an asynchronous pipe, and nothing else keeps the process alive
  process.stderr.write(`demo: ${error.message}\n`)
  process.exitCode = 1
  return undefined
})

if (demo !== undefined) {
  process.stdout.write([
    'fastify-cors-policy demo',
    `  web app (allowed origin):   ${demo.web}`,
    `  other app (not allowed):    ${demo.other}`,
    `  API (policy allows ${demo.web}, credentials on): ${demo.api}`,
    'Open the web app, press the buttons, then try the same on the other app. Ctrl-C stops.',
    ''
  ].join('\n'))

  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal}: stopping the demo\n`)
    demo.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`${String(error)}\n`)
      process.exit(1)
    })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
