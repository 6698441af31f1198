// The child-process scripts (servers, decision path, hooks in process, start-up, list swaps) as Node runs them in a benchmark.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoDir = dirname(benchDir)
const outDir = join(repoDir, 'node_modules', '.cache', 'fastify-cors-policy-bench')

export interface ScriptEntry {
  /** Node arguments that start the script. */
  readonly nodeArgs: readonly string[]
  readonly description: string
}

const SCRIPTS = ['server', 'micro', 'hooks', 'startup', 'swap'] as const
export type Entries = Readonly<Record<typeof SCRIPTS[number], ScriptEntry>>

/** esbuild is tsx's compiler, so it is installed whenever the benchmark can run at all. */
async function esbuild (options: object): Promise<void> {
  const specifier = 'esbuild'
  const { build } = await import(specifier) as { build: (options: object) => Promise<unknown> }
  await build({ platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent', ...options })
}

/**
 * Bundles the child scripts with lib/ into ESM files (dependencies stay external). They start in
 * about half the time of tsx, which matters with dozens of servers per run, and they run code as
 * `tsc` emits it: tsx compiles with esbuild's keepNames, whose `__name()` wrappers cost time in
 * every function that creates closures (a quarter of the 100 000-origin start-up under tsx).
 */
export async function prepareEntries (): Promise<Entries> {
  mkdirSync(outDir, { recursive: true })
  await esbuild({
    entryPoints: SCRIPTS.map((script) => join(benchDir, `${script}.ts`)),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    sourcemap: 'linked'
  })
  const bundled = (script: typeof SCRIPTS[number]): ScriptEntry => ({
    nodeArgs: ['--enable-source-maps', join(outDir, `${script}.mjs`)],
    description: `bench/${script}.ts + lib/ bundled by esbuild (dependencies external, no keepNames)`
  })
  return { server: bundled('server'), micro: bundled('micro'), hooks: bundled('hooks'), startup: bundled('startup'), swap: bundled('swap') }
}

/** Where `prepareProfileEntry` writes its per-file output; profile frames under it are mapped back. */
export const UNBUNDLED_MARK = '/fastify-cors-policy-bench/unbundled/'

/**
 * bench/ and lib/ (every subfolder) compiled file by file (no bundling, no keepNames) for CPU
 * profiles: frames then name the lib/ file they come from, and the code is what `tsc` would emit.
 */
export async function prepareProfileEntry (): Promise<ScriptEntry> {
  const unbundled = join(outDir, 'unbundled')
  mkdirSync(unbundled, { recursive: true })
  // below node_modules, Node finds no "type": "module" unless the folder declares it
  writeFileSync(join(unbundled, 'package.json'), '{ "type": "module" }\n')
  const sources = ['bench', 'lib'].flatMap((dir) => readdirSync(join(repoDir, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(repoDir, dir, file)))
  await esbuild({ entryPoints: sources, outdir: unbundled, outbase: repoDir, bundle: false })
  return { nodeArgs: [join(unbundled, 'bench', 'server.js')], description: 'bench/ and lib/ compiled file by file by esbuild' }
}
