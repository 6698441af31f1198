import { startDemo } from './start.js'

function portFromEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${name} must be a port number between 0 and 65535, instead got '${raw}'`)
  }
  return port
}

const demo = await startDemo({
  apiPort: portFromEnv('API_PORT', 5000),
  webPort: portFromEnv('WEB_PORT', 8080),
  otherPort: portFromEnv('OTHER_PORT', 8081)
})

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
