import { spawn } from 'node:child_process'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { test, type Test } from 'tap'

// `npm run demo` when a port it wants is taken (macOS's AirPlay Receiver holds 5000) or set wrongly:
// one line naming the port and the variable that moves it, exit 1, no stack trace.

const entry = fileURLToPath(new URL('../../demo/server.ts', import.meta.url))

interface Ran { code: number | null, stdout: string, stderr: string }

/** Runs demo/server.ts as `npm run demo` does, killed if it has not exited within 30 s. */
function runDemo (t: Test, env: NodeJS.ProcessEnv): Promise<Ran> {
  const child = spawn(process.execPath, ['--import=tsx', entry], {
    env: { ...process.env, API_PORT: '0', WEB_PORT: '0', OTHER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Holds a port on 127.0.0.1 (where the demo's `localhost` listens first) for the test's duration. */
async function occupyPort (t: Test): Promise<number> {
  const holder: Server = createServer()
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject)
    holder.listen({ host: '127.0.0.1', port: 0 }, resolve)
  })
  t.teardown(() => new Promise<void>((resolve) => holder.close(() => resolve())))
  return (holder.address() as AddressInfo).port
}

const caseOptions = { timeout: 45_000 }

for (const [variable, name] of [['API_PORT', 'the API'], ['WEB_PORT', 'the web app'], ['OTHER_PORT', 'the other app']] as const) {
  test(`a taken ${variable} port: one line naming the port, ${variable} and an example, exit 1`, caseOptions, async (t) => {
    const port = await occupyPort(t)
    const ran = await runDemo(t, { [variable]: String(port) })
    t.equal(ran.code, 1, 'exits 1 (and by itself: the servers already started are closed)')
    t.equal(ran.stdout, '', 'prints no URLs')
    const line = new RegExp(`^demo: port ${port} \\(${name}\\) is already in use by another program; set ${variable} to a free port, e\\.g\\. ${variable}=(\\d+) npm run demo\\n$`)
    t.match(ran.stderr, line, 'one line: the port, the server, the variable, an example command')
    t.not(line.exec(ran.stderr)?.[1], String(port), 'the example is another port')
    t.notMatch(ran.stderr, /EADDRINUSE|\n {4}at /, 'no error code or stack trace')
  })
}

test('a port variable that is not a port: one line naming it, exit 1', caseOptions, async (t) => {
  const ran = await runDemo(t, { API_PORT: 'fivethousand' })
  t.equal(ran.code, 1)
  t.equal(ran.stdout, '')
  t.equal(ran.stderr, "demo: API_PORT must be a port number between 0 and 65535, instead got 'fivethousand'; e.g. API_PORT=5000 npm run demo\n")
})
