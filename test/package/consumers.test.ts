import { t, test } from 'tap'
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

// The package as its users load it: ES module and CommonJS runtimes, TypeScript under each module
// resolution, both builds in one app, and Jest's module runtime on Node 20 and 22. Everything runs
// against dist/ (`npm test` builds first) in child processes bounded in time; the longer ones run in
// a process group of their own, killed whole when they overrun.

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
const jest = fileURLToPath(new URL('../../node_modules/jest/bin/jest.js', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

// the TypeScript build and a first `npx node@22` download can take minutes on a slow machine
t.setTimeout(600_000)

// Node's require(esm) (on by default since 20.19) would let require() load the ES module build;
// turned off, a require() that works proves the CommonJS build
const noRequireEsm = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : []

interface Ran { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, timedOut: boolean }
const groups = new Set<number>()
const killGroup = (pid: number): void => {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {}
}
process.once('exit', () => { for (const pid of groups) killGroup(pid) })

/** Runs a command in its own process group; never rejects; the whole group is killed on timeout and once it exits. */
function spawnBounded (command: string, args: string[], options: { cwd: string, timeout: number }): Promise<Ran> {
  return new Promise((resolve) => {
    // c8 (npm run test:unit) need not collect what these processes run: dist/, TypeScript, Jest
    const env = { ...process.env, NODE_V8_COVERAGE: undefined }
    const child = spawn(command, args, { cwd: options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const pid = child.pid
    if (pid !== undefined) groups.add(pid)
    const timer = setTimeout(() => {
      timedOut = true
      if (pid !== undefined) killGroup(pid)
    }, options.timeout)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(error), timedOut })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (pid !== undefined) {
        killGroup(pid) // whatever it left behind
        groups.delete(pid)
      }
      resolve({ code, signal, stdout, stderr, timedOut })
    })
  })
}

const parseJson = (text: string | undefined): unknown => {
  try {
    return JSON.parse(text ?? '')
  } catch {
    return text
  }
}
const describe = (ran: Ran): string => `exit ${ran.code ?? ran.signal}${ran.timedOut ? ' (timed out)' : ''}\n${ran.stdout}\n${ran.stderr}`.trim()

// A consumer project outside the repository: the package and Fastify are installed in its
// node_modules (symbolic links), so every resolution goes through package.json as a user's would.
const consumer = mkdtempSync(join(tmpdir(), 'fastify-cors-policy-consumer-'))
t.teardown(() => rmSync(consumer, { recursive: true, force: true }))
const link = (directory: string): void => {
  mkdirSync(join(directory, 'node_modules/@types'), { recursive: true })
  symlinkSync(root, join(directory, 'node_modules/fastify-cors-policy'), 'dir')
  symlinkSync(join(root, 'node_modules/fastify'), join(directory, 'node_modules/fastify'), 'dir')
  symlinkSync(join(root, 'node_modules/@types/node'), join(directory, 'node_modules/@types/node'), 'dir')
}
link(consumer)

// the http probe shared by the runtime checks: one policy, one actual CORS request over a socket
// (Fastify's inject() loads light-my-request, which requires the ES module `cookie` 2)
const httpProbe = `
const app = Fastify()
app.register(plugin, { origin: 'https://a.com' })
app.get('/', async () => 'x')
app.listen({ host: '127.0.0.1', port: 0 }).then(() => {
  require('node:http').request({ host: '127.0.0.1', port: app.server.address().port, path: '/', headers: { origin: 'https://a.com' } }, (res) => {
    res.resume()
    res.on('end', () => {
      process.stdout.write(String(res.statusCode) + ' ' + res.headers['access-control-allow-origin'])
      app.close()
    })
  }).end()
})`

// the published entry points are dist/; `npm test` builds before running the suite
test('dist is built', async (t) => {
  t.ok(existsSync(new URL('../../dist/index.js', import.meta.url)), 'dist/index.js exists (run npm run build)')
  t.ok(existsSync(new URL('../../dist/index.d.ts', import.meta.url)), 'dist/index.d.ts exists')
  t.ok(existsSync(new URL('../../dist/cjs/entry.js', import.meta.url)), 'dist/cjs/entry.js exists')
  t.ok(existsSync(new URL('../../dist/cjs/entry.d.ts', import.meta.url)), 'dist/cjs/entry.d.ts exists')
  for (const file of ['dist/browser/index.js', 'dist/browser/index.d.ts', 'dist/cjs/browser/index.js', 'dist/cjs/browser/index.d.ts']) {
    t.ok(existsSync(new URL(`../../${file}`, import.meta.url)), `${file} exists (fastify-cors-policy/browser)`)
  }
  t.same(JSON.parse(readFileSync(new URL('../../dist/cjs/package.json', import.meta.url), 'utf8')), { type: 'commonjs' })
})

const probe = (load: string) => `
${load}
const Fastify = FastifyModule.default ?? FastifyModule
const app = Fastify()
app.register(plugin, { origin: 'https://a.com' })
app.get('/', async () => 'x')
app.inject({ url: '/', headers: { origin: 'https://a.com' } }).then((r) => {
  process.stdout.write(String(r.statusCode) + ' ' + r.headers['access-control-allow-origin'])
})`

test('ESM consumers: default and named import', async (t) => {
  const code = probe("import FastifyModule from 'fastify'\nimport plugin, { fastifyCorsPolicy } from 'fastify-cors-policy'\nif (plugin !== fastifyCorsPolicy) throw new Error('named export differs')")
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: root, timeout: 60_000 })
  t.equal(stdout, '200 https://a.com')
})

test('CommonJS consumers: require() with Node\'s defaults', async (t) => {
  const code = probe("const FastifyModule = require('fastify')\nconst plugin = require('fastify-cors-policy')\nif (typeof plugin.default !== 'function') throw new Error('no default')")
  const { stdout } = await run(process.execPath, ['--no-warnings', '-e', code], { cwd: root, timeout: 60_000 })
  t.equal(stdout, '200 https://a.com')
})

test('CommonJS consumers: require() loads the CommonJS build, which is the plugin function itself', async (t) => {
  const code = `
const Fastify = require('fastify')
const plugin = require('fastify-cors-policy')
const { fastifyCorsPolicy, corsPolicy, CorsOptionsSchema } = require('fastify-cors-policy')
const checks = {
  entry: require.resolve('fastify-cors-policy').slice(${JSON.stringify(root.length)}),
  type: typeof plugin,
  default: plugin.default === plugin,
  named: fastifyCorsPolicy === plugin && corsPolicy === plugin,
  schema: typeof CorsOptionsSchema,
  // dist/cjs/plugin/own-url.js stands in for import.meta.url: find-my-way still comes from Fastify's location
  findMyWay: require(${JSON.stringify(join(root, 'dist/cjs/plugin/fastify-internals.js'))}).fastifyFindMyWay() ===
    require('node:module').createRequire(require.resolve('fastify'))('find-my-way')
}
process.stdout.write(JSON.stringify(checks) + '\\n')
${httpProbe}`
  const ran = await spawnBounded(process.execPath, [...noRequireEsm, '-e', code], { cwd: consumer, timeout: 60_000 })
  const [checks, answer] = ran.stdout.split('\n')
  if (!t.equal(answer, '200 https://a.com', 'status and exact Access-Control-Allow-Origin')) t.comment(describe(ran))
  t.same(parseJson(checks), { entry: 'dist/cjs/entry.js', type: 'function', default: true, named: true, schema: 'object', findMyWay: true })
  if (noRequireEsm.length === 0) t.comment(`Node ${process.version} has no --no-experimental-require-module: require(esm) stayed on`)
})

test('both builds in one app: the ES module at the root, the CommonJS one in a prefixed scope, and the other way round', async (t) => {
  const code = `
import { createRequire } from 'node:module'
import Fastify from 'fastify'
import esm from 'fastify-cors-policy'
const cjs = createRequire(process.cwd() + '/')('fastify-cors-policy')
if (esm === cjs) throw new Error('one build only')
const pick = (r) => ({ status: r.statusCode, acao: r.headers['access-control-allow-origin'] ?? null, acac: r.headers['access-control-allow-credentials'] ?? null, acam: r.headers['access-control-allow-methods'] ?? null, body: r.body })
const results = {}
for (const [name, rootBuild, childBuild] of [['esm at the root', esm, cjs], ['cjs at the root', cjs, esm]]) {
  const app = Fastify()
  app.register(rootBuild, { origin: 'https://root.example', methods: ['GET', 'PUT'] })
  app.register(async (scope) => {
    scope.register(childBuild, { origin: 'https://v2.example', credentials: true, methods: ['GET', 'DELETE'] })
    scope.get('/items', async (request) => 'v2 ' + request.cors?.allowed)
    scope.delete('/items', async () => 'v2')
  }, { prefix: '/v2' })
  app.get('/items', async (request) => 'v1 ' + request.cors?.allowed)
  app.put('/items', async () => 'v1')
  await app.ready()
  const send = async (method, url, origin, acrm) => pick(await app.inject({ method, url, headers: { origin, ...(acrm ? { 'access-control-request-method': acrm } : {}) } }))
  results[name] = {
    rootPreflight: await send('OPTIONS', '/items', 'https://root.example', 'PUT'),
    rootActual: await send('GET', '/items', 'https://root.example'),
    childPreflight: await send('OPTIONS', '/v2/items', 'https://v2.example', 'DELETE'),
    childActual: await send('GET', '/v2/items', 'https://v2.example'),
    childOtherOrigin: await send('GET', '/v2/items', 'https://root.example')
  }
  await app.close()
}
const twice = Fastify()
twice.register(esm, { origin: 'https://a.example' })
twice.register(cjs, { origin: 'https://b.example' })
results.sameScope = await twice.ready().then(() => 'started', (error) => error.code)
process.stdout.write(JSON.stringify(results))`
  const ran = await spawnBounded(process.execPath, ['--input-type=module', '-e', code], { cwd: consumer, timeout: 60_000 })
  if (!t.equal(ran.code, 0, 'the app started and answered')) t.comment(describe(ran))
  const expected = {
    rootPreflight: { status: 204, acao: 'https://root.example', acac: null, acam: 'GET, PUT', body: '' },
    rootActual: { status: 200, acao: 'https://root.example', acac: null, acam: null, body: 'v1 true' },
    childPreflight: { status: 204, acao: 'https://v2.example', acac: 'true', acam: 'GET, DELETE', body: '' },
    childActual: { status: 200, acao: 'https://v2.example', acac: 'true', acam: null, body: 'v2 true' },
    childOtherOrigin: { status: 200, acao: null, acac: null, acam: null, body: 'v2 false' }
  }
  t.same(parseJson(ran.stdout), {
    'esm at the root': expected,
    'cjs at the root': expected,
    sameScope: 'FST_CORS_ALREADY_REGISTERED' // one registry for both builds: a second registration in one scope is still refused
  })
})

// fastify-cors-policy/browser, the browser model: the ES module build plays a page's fetch() against a
// real app through inject(); the CommonJS build, required without require(esm), against an object
// with an inject() of its own (inject() itself needs require(esm): see httpProbe); both export the same
const browserRun = (load: string, app: string) => `
${load}
${app}
const page = { origin: 'https://app.example.com', url: '/items/1', method: 'PUT' }
Promise.all([browser.fetchFromPage(app, page), browser.fetchFromPage(app, { ...page, origin: 'https://evil.example' })]).then(async ([allowed, refused]) => {
  await app.close?.()
  process.stdout.write(JSON.stringify({
    entry, exports: Object.keys(browser).sort(), kinds: allowed.exchanges.map((exchange) => exchange.kind), allowed: allowed.allowed,
    refused: refused.consoleMessage, verdict: browser.browserVerdict(page, { statusCode: 200, headers: {} }).failure
  }))
})`

test('fastify-cors-policy/browser: import and require() load the two builds of the browser model', async (t) => {
  const esm = await spawnBounded(process.execPath, ['--input-type=module', '-e', browserRun(`
import Fastify from 'fastify'
import corsPolicy from 'fastify-cors-policy'
import * as browser from 'fastify-cors-policy/browser'
const entry = import.meta.resolve('fastify-cors-policy/browser').slice(${JSON.stringify(`file://${root}`)}.length)`, `
const app = Fastify()
app.register(corsPolicy, { origin: ['https://app.example.com'] })
app.put('/items/:id', async () => 'ok')`)], { cwd: consumer, timeout: 60_000 })
  const cjs = await spawnBounded(process.execPath, [...noRequireEsm, '-e', browserRun(`
const browser = require('fastify-cors-policy/browser')
const entry = require.resolve('fastify-cors-policy/browser').slice(${JSON.stringify(root.length)})`, `
const app = { inject: async (options) => options.headers.origin === 'https://app.example.com'
  ? { statusCode: options.method === 'OPTIONS' ? 204 : 200, headers: { 'access-control-allow-origin': options.headers.origin, 'access-control-allow-methods': 'PUT' } }
  : { statusCode: options.method === 'OPTIONS' ? 403 : 200, headers: {} } }`)], { cwd: consumer, timeout: 60_000 })
  const refused = "Access to fetch at 'http://localhost/items/1' from origin 'https://evil.example' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
  const expected = { exports: Object.keys(await import('../../lib/browser/index.js')).sort(), kinds: ['preflight', 'actual'], allowed: true, refused, verdict: 'MissingAllowOriginHeader' }
  if (!t.same(parseJson(esm.stdout), { entry: 'dist/browser/index.js', ...expected }, 'import')) t.comment(describe(esm))
  if (!t.same(parseJson(cjs.stdout), { entry: 'dist/cjs/browser/index.js', ...expected }, 'require()')) t.comment(describe(cjs))
})

// TypeScript consumers, one project per module resolution, all with skipLibCheck false, built by one
// `tsc -b` (which parses the shared declaration files once). The ES module fixture is ES module
// source (an ES module where the resolution has them); the CommonJS fixture is a .cts file.
// esModuleInterop for node10: Fastify's own types (pino) need it there.
const tsProjects: Record<string, { compilerOptions: Record<string, unknown>, type: 'module' | 'commonjs', files: string[] }> = {
  node10: { compilerOptions: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true }, type: 'commonjs', files: ['consumer-esm.ts', 'consumer-cjs.cts'] },
  node16: { compilerOptions: { module: 'node16', moduleResolution: 'node16' }, type: 'module', files: ['consumer-esm.ts', 'consumer-cjs.cts', 'consumer.ts'] },
  nodenext: { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, type: 'module', files: ['consumer-esm.ts', 'consumer-cjs.cts', 'consumer.ts'] },
  bundler: { compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, type: 'module', files: ['consumer-esm.ts', 'consumer.ts'] },
  // module esnext has no `import x = require()`; preserve is bundler resolution's CommonJS-capable mode
  'bundler, module preserve': { compilerOptions: { module: 'preserve', moduleResolution: 'bundler' }, type: 'module', files: ['consumer-cjs.cts'] }
}
const projectDirectory = (name: string): string => join(consumer, 'ts', name.replace(/\W+/g, '-'))
for (const [name, project] of Object.entries(tsProjects)) {
  const directory = projectDirectory(name)
  mkdirSync(directory, { recursive: true })
  for (const file of project.files) cpSync(join(fixtures, file), join(directory, file))
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ private: true, type: project.type }))
  writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, target: 'es2022', types: ['node'], outDir: 'out', ...project.compilerOptions },
    files: project.files
  }, null, 2))
}
// started now, so that it runs while the runtime checks do
const tsBuild = spawnBounded(process.execPath, [tsc, '-b', '--verbose', '--pretty', 'false', ...Object.keys(tsProjects).map(projectDirectory)], { cwd: consumer, timeout: 480_000 })
/** The diagnostics of `tsc -b` by project (its --verbose lines name the project being built). */
async function typeScriptDiagnostics (): Promise<{ ran: Ran, byProject: Map<string, string[]> }> {
  const ran = await tsBuild
  const byProject = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of ran.stdout.split('\n')) {
    const building = /Building project '(.+)[\\/]tsconfig\.json'/.exec(line)
    if (building !== null) byProject.set(building[1] as string, current = [])
    else if (/error TS\d+/.test(line)) current?.push(line)
  }
  return { ran, byProject }
}

for (const [name, project] of Object.entries(tsProjects)) {
  test(`TypeScript consumers: moduleResolution ${name} (${project.files.join(', ')})`, async (t) => {
    const { ran, byProject } = await typeScriptDiagnostics()
    t.notOk(ran.timedOut, 'tsc -b finished in time')
    const diagnostics = byProject.get(projectDirectory(name))
    if (!t.ok(diagnostics !== undefined, 'the project was built')) t.comment(describe(ran))
    const inFile = (file: string) => (line: string) => line.startsWith(`${relative(consumer, projectDirectory(name))}/${file}(`)
    for (const file of project.files) {
      t.same(diagnostics?.filter(inFile(file)), [], `no type errors in ${file}`)
    }
    t.same(diagnostics?.filter((line) => !project.files.some((file) => inFile(file)(line))), [], 'no type errors elsewhere (declaration files included: skipLibCheck is false)')
  })
}

// the compiled consumers, run without require(esm): the CommonJS outputs load the CommonJS build
for (const [name, output] of [['node10', 'consumer-esm.js'], ['node10', 'consumer-cjs.cjs'], ['node16', 'consumer-esm.js'], ['node16', 'consumer-cjs.cjs']] as const) {
  test(`TypeScript consumers: the ${name} build of ${output} runs and gets the exact Access-Control-Allow-Origin`, async (t) => {
    const { ran: built } = await typeScriptDiagnostics()
    const file = join(projectDirectory(name), 'out', output)
    if (!t.ok(existsSync(file), `tsc emitted ${output}`)) t.comment(describe(built))
    const ran = await spawnBounded(process.execPath, [...noRequireEsm, file], { cwd: consumer, timeout: 60_000 })
    if (!t.equal(ran.stdout, '200 https://app.example.com', 'status and exact Access-Control-Allow-Origin')) t.comment(describe(ran))
  })
}

// Jest's module runtime implements require() itself and cannot load an ES module (before Node 24.9,
// whichever the Node flags): the CommonJS build is what makes these pass. A Node major other than the
// one running this file comes from npm (the `node` package, cached by npx).
const jestProject = join(consumer, 'jest')
cpSync(join(fixtures, 'jest'), jestProject, { recursive: true })
link(jestProject)

async function findNode (major: number): Promise<{ node?: string, problem?: string }> {
  if (process.versions.node.split('.')[0] === String(major)) return { node: process.execPath }
  const ran = await spawnBounded('npx', ['--yes', `node@${major}`, '-p', 'process.execPath'], { cwd: consumer, timeout: 240_000 })
  const node = ran.stdout.trim().split('\n').at(-1)
  return ran.code === 0 && node !== undefined && existsSync(node) ? { node } : { problem: `npx --yes node@${major} failed: ${describe(ran)}` }
}

// fetched now, while the TypeScript build runs
const nodes = new Map([20, 22].map((major) => [major, findNode(major)]))

for (const [major, found] of nodes) {
  test(`Jest consumers: a CommonJS test file under Jest on Node ${major}`, async (t) => {
    const { node, problem } = await found
    if (node === undefined) {
      t.fail(problem ?? `no Node ${major}`)
      return
    }
    const ran = await spawnBounded(node, [jest, '--ci', '--runInBand', '--watchman=false', '--json', '--cacheDirectory', join(consumer, `jest-cache-${major}`)], { cwd: jestProject, timeout: 180_000 })
    let report: {
      success?: boolean
      numPassedTests?: number
      numTotalTests?: number
      testResults?: Array<{ message: string, assertionResults: Array<{ title: string, status: string }> }>
    } = {}
    try {
      report = JSON.parse(ran.stdout) as typeof report
    } catch {}
    const titles = report.testResults?.flatMap((result) => result.assertionResults.map((assertion) => `${assertion.status}: ${assertion.title}`))
    if (!t.equal(report.success, true, 'jest passed')) t.comment(report.testResults?.map((result) => result.message).join('\n') ?? describe(ran))
    t.equal(report.numTotalTests, 4, 'the four tests ran')
    if (!t.equal(report.numPassedTests, 4, 'the four tests passed')) t.comment(titles?.join('\n'))
    t.match(titles?.[0], new RegExp(`^passed: on Node v${major}\\.`), `Jest ran on Node ${major}`)
  })
}
