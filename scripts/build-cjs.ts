/**
 * The CommonJS build, dist/cjs/ (`npm run build` runs it after the ES module build). It compiles the
 * package entry with tsconfig.cjs.json, then adds what tsc cannot emit:
 *
 * - dist/cjs/package.json `{"type":"commonjs"}`, since the root package is `"type": "module"`;
 * - own-url.js from lib/plugin/own-url.cjs.ts (the CommonJS twin of lib/plugin/own-url.ts, whose `import.meta` a
 *   CommonJS file cannot hold; tsconfig.cjs.json's `moduleSuffixes` compiles it in its place);
 * - entry.js and entry.d.ts, the `require` entry point: the plugin function itself, carrying every
 *   export of lib/index.ts (`module.exports = plugin; module.exports.default = plugin`, the shape of
 *   @fastify/cors), typed with `export =` and a namespace listing each export. Both are generated
 *   from the compiled index, so an export added to lib/index.ts reaches CommonJS users unaided.
 *
 * tsconfig.cjs.json also compiles lib/browser/index.ts, whose output dist/cjs/browser/index.js is, as
 * tsc emits it, the `require` entry of `fastify-cors-policy/browser` (named exports, no default); the
 * script checks that it exports what the ES module entry dist/browser/index.js exports.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(root, 'dist/cjs')
const require = createRequire(import.meta.url)

rmSync(outDir, { recursive: true, force: true })
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.cjs.json')], { stdio: 'inherit' })

writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n')

// own-url.cjs.* → own-url.*, with the source map (if tsc wrote one: tsconfig.build.json has no
// declaration maps) and the references that name the file; the map keeps its sources and sourcesContent
for (const extension of ['.js', '.d.ts']) {
  const from = join(outDir, `plugin/own-url.cjs${extension}`)
  const to = join(outDir, `plugin/own-url${extension}`)
  writeFileSync(to, readFileSync(from, 'utf8').replace(`sourceMappingURL=own-url.cjs${extension}.map`, `sourceMappingURL=own-url${extension}.map`))
  rmSync(from)
  if (!existsSync(`${from}.map`)) continue
  const map = JSON.parse(readFileSync(`${from}.map`, 'utf8')) as { file: string }
  map.file = basename(to)
  writeFileSync(`${to}.map`, JSON.stringify(map))
  rmSync(`${from}.map`)
}

// the exports of the compiled entry, each with the module that declares it
const indexDts = join(outDir, 'index.d.ts')
const program = ts.createProgram({
  rootNames: [indexDts],
  options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, types: ['node'], noEmit: true }
})
const checker = program.getTypeChecker()
const moduleSymbolOf = (file: string): ts.Symbol => {
  const source = program.getSourceFile(file)
  const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  if (symbol === undefined) throw new Error(`build-cjs: ${file} is not a module`)
  return symbol
}
const resolve = (symbol: ts.Symbol): ts.Symbol => (symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol
const exported = checker.getExportsOfModule(moduleSymbolOf(indexDts))

const moduleNames = new Map<string, string>([[indexDts, 'lib_index']]) // declaring file → local name of its require() in entry.d.ts
const members: string[] = []
let defaultName: string | undefined
const defaultTarget = exported.find((symbol) => symbol.name === 'default')
if (defaultTarget === undefined) throw new Error('build-cjs: lib/index.ts has no default export')
for (const symbol of exported) {
  if (symbol.name === 'default') continue
  const target = resolve(symbol)
  if (target === resolve(defaultTarget)) defaultName ??= symbol.name
  const file = target.declarations?.[0]?.getSourceFile().fileName
  if (file === undefined || relative(outDir, file).startsWith('..')) throw new Error(`build-cjs: ${symbol.name} is not declared in dist/cjs`)
  // an export = entry refers to the declaring module, since an import alias cannot go through `export type { … }`
  const name = file === indexDts ? symbol.name : checker.getExportsOfModule(moduleSymbolOf(file)).find((candidate) => resolve(candidate) === target)?.name
  if (name === undefined) throw new Error(`build-cjs: ${symbol.name} is not exported by ${file}`)
  if (!moduleNames.has(file)) moduleNames.set(file, `lib_${basename(file, '.d.ts').replace(/\W/g, '_')}`)
  members.push(`  export import ${symbol.name} = ${moduleNames.get(file)}.${name}`)
}
if (defaultName === undefined) throw new Error('build-cjs: the default export of lib/index.ts has no name among its named exports')

// the default export's documentation, for editors
const defaultDeclaration = resolve(defaultTarget).declarations?.[0]
const statement = defaultDeclaration === undefined ? undefined : ts.findAncestor(defaultDeclaration, ts.isVariableStatement) ?? defaultDeclaration
const sourceText = statement?.getSourceFile().text ?? ''
const documentation = (statement === undefined ? [] : ts.getLeadingCommentRanges(sourceText, statement.pos) ?? [])
  .filter((range) => sourceText.startsWith('/**', range.pos))
  .map((range) => sourceText.slice(range.pos, range.end) + '\n')
  .join('')

const generated = '// Generated by scripts/build-cjs.ts from dist/cjs/index.js: the CommonJS entry point.\n'
const entryDts = join(outDir, 'entry.d.ts')
writeFileSync(entryDts, generated +
  [...moduleNames].map(([file, local]) => `import ${local} = require('./${relative(outDir, file).replace(/\.d\.ts$/, '.js')}')\n`).join('') +
  '\n' + documentation +
  `declare function ${defaultName} (...args: Parameters<typeof lib_index.default>): ReturnType<typeof lib_index.default>\n` +
  `declare namespace ${defaultName} {\n${members.join('\n')}\n  export { ${defaultName} as default }\n}\n` +
  `export = ${defaultName}\n`)

// entry.d.ts must compile (the files it imports were checked by tsc already)
const entryProgram = ts.createProgram({ rootNames: [entryDts], options: program.getCompilerOptions(), oldProgram: program })
const problems = ts.getPreEmitDiagnostics(entryProgram, entryProgram.getSourceFile(entryDts))
if (problems.length > 0) {
  throw new Error(`build-cjs: the generated entry.d.ts does not compile:\n${ts.formatDiagnostics(problems, {
    getCanonicalFileName: (file) => file, getCurrentDirectory: () => root, getNewLine: () => '\n'
  })}`)
}

// entry.js assigns the runtime exports (the type-only ones are absent) onto the plugin function
const values = Object.keys(require(join(outDir, 'index.js')) as object)
const clashes = values.filter((name) => Object.getOwnPropertyNames(function plugin () {}).includes(name))
if (clashes.length > 0) throw new Error(`build-cjs: exports ${clashes.join(', ')} would overwrite properties of the plugin function`)
const untyped = values.filter((name) => name !== 'default' && !exported.some((symbol) => symbol.name === name))
if (untyped.length > 0) throw new Error(`build-cjs: runtime exports ${untyped.join(', ')} are missing from index.d.ts`)
writeFileSync(join(outDir, 'entry.js'), `'use strict'\n${generated}` +
  "const entry = require('./index.js')\n\n" +
  'module.exports = entry.default\n' +
  values.map((name) => `module.exports.${name} = entry.${name}\n`).join(''))

// fastify-cors-policy/browser: both builds export the same names
const browserEsm = Object.keys(await import(pathToFileURL(join(root, 'dist/browser/index.js')).href) as object).sort()
const browserCjs = Object.keys(require(join(outDir, 'browser/index.js')) as object).sort()
if (browserCjs.join() !== browserEsm.join()) {
  throw new Error(`build-cjs: dist/cjs/browser/index.js exports ${browserCjs.join(', ')}; dist/browser/index.js exports ${browserEsm.join(', ')}`)
}

process.stdout.write(`build-cjs: ${relative(root, outDir)}/browser/index.js with ${browserCjs.length} runtime exports\n`)
process.stdout.write(`build-cjs: ${relative(root, outDir)}/entry.js with ${values.length} runtime exports, entry.d.ts with ${members.length + 1} exports\n`)
