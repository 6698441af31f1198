import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoDir = dirname(benchDir)
const outDir = join(repoDir, 'node_modules', '.cache', 'fastify-cors-policy-bench')

/** The child-process scripts of the benchmark. */
export type BenchScript = 'server' | 'micro' | 'startup'
const SCRIPTS: readonly BenchScript[] = ['server', 'micro', 'startup']

export interface ScriptEntry {
  /** Node arguments that start the script. */
  readonly nodeArgs: readonly string[]
  readonly description: string
}

export type Entries = Readonly<Record<BenchScript, ScriptEntry>>

interface Esbuild { build: (options: object) => Promise<unknown> }

function throughTsx (script: BenchScript): ScriptEntry {
  return { nodeArgs: ['--import', 'tsx', join(benchDir, `${script}.ts`)], description: `bench/${script}.ts through tsx` }
}

export const TSX_ENTRIES: Entries = { server: throughTsx('server'), micro: throughTsx('micro'), startup: throughTsx('startup') }

/**
 * Bundles the child scripts with lib/ into ESM files (dependencies stay external). They start in
 * about half the time of tsx, which matters with dozens of servers per run, and they run code as
 * `tsc` emits it: tsx compiles with esbuild's keepNames, whose `__name()` wrappers cost time in
 * every function that creates closures (a quarter of the 100 000-origin start-up under tsx).
 * Falls back to tsx when esbuild (tsx's own compiler) cannot be loaded.
 */
export async function prepareEntries (): Promise<Entries> {
  try {
    const specifier = 'esbuild'
    const esbuild = await import(specifier) as Esbuild
    mkdirSync(outDir, { recursive: true })
    await esbuild.build({
      entryPoints: SCRIPTS.map((script) => join(benchDir, `${script}.ts`)),
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent'
    })
    const bundled = (script: BenchScript): ScriptEntry => ({
      nodeArgs: ['--enable-source-maps', join(outDir, `${script}.mjs`)],
      description: `bench/${script}.ts + lib/ bundled by esbuild (dependencies external, no keepNames)`
    })
    return { server: bundled('server'), micro: bundled('micro'), startup: bundled('startup') }
  } catch {
    return TSX_ENTRIES
  }
}

/** Where `prepareProfileEntry` writes its per-file output; profile frames under it are mapped back. */
export const UNBUNDLED_MARK = '/fastify-cors-policy-bench/unbundled/'

/**
 * bench/ and lib/ compiled file by file (no bundling, no keepNames) for CPU profiles: frames then
 * name the lib/ file they come from, and the code is what `tsc` would emit.
 */
export async function prepareProfileEntry (): Promise<ScriptEntry> {
  try {
    const specifier = 'esbuild'
    const esbuild = await import(specifier) as Esbuild
    const unbundled = join(outDir, 'unbundled')
    mkdirSync(unbundled, { recursive: true })
    // below node_modules, Node finds no "type": "module" unless the folder declares it
    writeFileSync(join(unbundled, 'package.json'), '{ "type": "module" }\n')
    const sources = ['bench', 'lib'].flatMap((dir) => readdirSync(join(repoDir, dir))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(repoDir, dir, file)))
    await esbuild.build({
      entryPoints: sources,
      outdir: unbundled,
      outbase: repoDir,
      bundle: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent'
    })
    return { nodeArgs: [join(unbundled, 'bench', 'server.js')], description: 'bench/ and lib/ compiled file by file by esbuild' }
  } catch {
    return TSX_ENTRIES.server
  }
}
