import { test } from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))

// the published entry points are dist/; `npm test` builds before running the suite
test('dist is built', async (t) => {
  t.ok(existsSync(new URL('../../dist/index.js', import.meta.url)), 'dist/index.js exists (run npm run build)')
  t.ok(existsSync(new URL('../../dist/index.d.ts', import.meta.url)), 'dist/index.d.ts exists')
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
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: root })
  t.equal(stdout, '200 https://a.com')
})

test('CommonJS consumers: require() (Node >= 20.19 loads the ES module)', async (t) => {
  const code = probe("const FastifyModule = require('fastify')\nconst plugin = require('fastify-cors-policy')\nif (typeof plugin.default !== 'function') throw new Error('no default')")
  const { stdout } = await run(process.execPath, ['--no-warnings', '-e', code], { cwd: root })
  t.equal(stdout, '200 https://a.com')
})

for (const [module, resolution] of [['node16', 'node16'], ['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
  test(`TypeScript consumers: moduleResolution ${resolution}`, async (t) => {
    const args = [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', module as string,
      '--moduleResolution', resolution as string, '--types', 'node', 'test/package/fixtures/consumer.ts']
    const result = await run(process.execPath, args, { cwd: root }).then(() => ({ code: 0, out: '' }), (error: { code: number, stdout: string }) => ({ code: error.code, out: error.stdout }))
    t.equal(result.out, '', 'no type errors')
    t.equal(result.code, 0)
  })
}
