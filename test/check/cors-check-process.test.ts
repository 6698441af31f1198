import { test } from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { CheckReport } from '../../lib/check/cors-check.js'
import { correctServer, methodsGetPostServer, PAGE, startHttpsServer, startServer, TLS_CERT } from './servers.js'

const CLI = fileURLToPath(new URL('../../lib/check/cli.ts', import.meta.url))

/** Runs the CLI as a user would (through tsx, since dist/ may not be built yet). */
function cli (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import=tsx', CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

test('the CLI process reports through its exit code and --json', async (t) => {
  const good = await startServer(correctServer)
  t.teardown(good.close)
  const bad = await startServer(methodsGetPostServer)
  t.teardown(bad.close)

  const allowed = await cli([`${good.url}/items`, '--origin', PAGE, '--method', 'PUT', '--credentials', '--json'])
  t.equal(allowed.code, 0, 'allowed: exit 0')
  const report = JSON.parse(allowed.stdout) as CheckReport
  t.equal(report.verdict, 'allowed')
  t.same(report.exchanges.map((e) => [e.kind, e.response.status, e.verdict.allowed]), [['preflight', 204, true], ['actual', 200, true]])
  t.same(report.exchanges[1]?.exposedHeaders, ['content-type', 'x-request-id'])

  const blocked = await cli([`${bad.url}/items`, '--origin', PAGE, '--method', 'PUT', '--json'])
  t.equal(blocked.code, 1, 'blocked: exit 1')
  t.equal((JSON.parse(blocked.stdout) as CheckReport).failure, 'MethodDisallowedByPreflightResponse')

  const text = await cli([`${bad.url}/items`, '--origin', PAGE, '--method', 'PUT'])
  t.equal(text.code, 1)
  t.match(text.stdout, 'RESULT  BLOCKED: MethodDisallowedByPreflightResponse (exit 1)\n')

  const usage = await cli(['--origin', PAGE])
  t.equal(usage.code, 2, 'usage error: exit 2')
  t.match(usage.stderr, 'cors-check: expected exactly one <url>, got 0')
})

test('https with a certificate the machine trusts (NODE_EXTRA_CA_CERTS)', async (t) => {
  const server = await startHttpsServer(correctServer)
  t.teardown(server.close)
  const { code, stdout } = await cli([`${server.url}/items`, '--origin', PAGE, '--json'], { NODE_EXTRA_CA_CERTS: fileURLToPath(TLS_CERT) })
  t.equal(code, 0)
  const report = JSON.parse(stdout) as CheckReport
  t.same(report.exchanges.map((e) => [e.kind, e.request.url, e.response.status]), [['actual', `${server.url}/items`, 200]])
})
