// The import rule of each lib/ folder (lib/*/README.md states them), checked on every source file,
// and no import cycle anywhere in lib/.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import ts from 'typescript'

const libDir = fileURLToPath(new URL('../lib/', import.meta.url))

interface Import {
  /** the specifier as written */
  specifier: string
  /** lib-relative path of the imported file, for relative specifiers */
  target: string | undefined
  /** erased at run time (`import type`, or every named binding is a type) */
  typeOnly: boolean
}

function sourceFiles (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

function importsOf (file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: Import[] = []
  const add = (specifier: string, typeOnly: boolean): void => {
    const target = specifier.startsWith('.') ? relative(libDir, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts') : undefined
    found.push({ specifier, target, typeOnly })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const bindings = clause?.namedBindings
      const everyNamedIsType = clause !== undefined && clause.name === undefined && bindings !== undefined &&
        ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly)
      add(node.moduleSpecifier.text, clause?.isTypeOnly === true || everyNamedIsType)
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      if (argument !== undefined && ts.isStringLiteral(argument)) add(argument.text, false)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const files = sourceFiles(libDir).map((path) => ({ path: relative(libDir, path), imports: importsOf(path) }))

function folderOf (libPath: string): string {
  return libPath.includes('/') ? libPath.slice(0, libPath.indexOf('/')) : '.'
}

test('lib/ has the five subsystem folders and only the public entry and the errors at its top', async (t) => {
  t.same([...new Set(files.map((file) => folderOf(file.path)))].sort(), ['.', 'browser', 'check', 'http', 'plugin', 'policy'])
  t.same(files.filter((file) => folderOf(file.path) === '.').map((file) => file.path).sort(), ['errors.ts', 'index.ts'])
})

/** Each folder's import rule, broken by these imports. */
function ruleViolations (checked: ReadonlyArray<{ path: string, imports: readonly Import[] }>): string[] {
  const violations: string[] = []
  for (const file of checked) {
    const folder = folderOf(file.path)
    for (const imported of file.imports) {
      const where = `${file.path} imports '${imported.specifier}'`
      const targetFolder = imported.target === undefined ? undefined : folderOf(imported.target)
      const isPackage = imported.target === undefined && !imported.specifier.startsWith('node:')
      if (imported.specifier === 'node:http' || imported.specifier === 'node:https') {
        if (folder !== 'check') violations.push(`${where}: only lib/check/ does network I/O`)
      }
      switch (folder) {
        case 'browser':
          // the oracle must not share code with what it checks
          if (targetFolder !== 'browser') violations.push(`${where}: lib/browser/ imports nothing outside lib/browser/`)
          break
        case 'http':
          if (targetFolder !== undefined ? targetFolder !== 'http' : isPackage || imported.specifier.startsWith('node:')) {
            violations.push(`${where}: lib/http/ imports nothing but lib/http/`)
          }
          break
        case 'policy':
          if (targetFolder !== undefined && targetFolder !== 'policy' && targetFolder !== 'http') {
            violations.push(`${where}: lib/policy/ imports only lib/policy/ and lib/http/`)
          }
          if (imported.specifier === 'fastify' && !imported.typeOnly) violations.push(`${where}: lib/policy/ imports fastify for types only`)
          if (imported.specifier.startsWith('node:')) violations.push(`${where}: lib/policy/ is pure`)
          break
        case 'check':
          if ((targetFolder !== undefined && targetFolder !== 'check' && targetFolder !== 'browser') || isPackage) {
            violations.push(`${where}: lib/check/ imports only lib/browser/, lib/check/ and Node`)
          }
          break
        case 'plugin':
          if (targetFolder === 'browser' || targetFolder === 'check') violations.push(`${where}: the plugin never depends on the oracle or the CLI`)
          break
        default:
          if (targetFolder === 'browser' || targetFolder === 'check') violations.push(`${where}: the plugin's entry never depends on the oracle or the CLI`)
      }
    }
  }
  return violations
}

test('each folder keeps its import rule', async (t) => {
  t.same(ruleViolations(files), [])
})

test('only lib/plugin/ imports fastify at run time', async (t) => {
  const runtime = files.filter((file) => file.imports.some((imported) => imported.specifier === 'fastify' && !imported.typeOnly))
  t.same(runtime.map((file) => file.path).filter((path) => !path.startsWith('plugin/')), [])
})

test('no import cycle in lib/ (type-only imports included)', async (t) => {
  const graph = new Map(files.map((file) => [file.path, file.imports.flatMap((imported) => imported.target === undefined ? [] : [imported.target])]))
  const cycles: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): void => {
    state.set(node, 'visiting')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '))
      else if (state.get(next) === undefined) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node)
  t.same(cycles, [])
})

test('the rules catch what they forbid', async (t) => {
  const relativeImport = (to: string, typeOnly = false): Import => ({ specifier: `./${to}`, target: to, typeOnly })
  const packageImport = (specifier: string, typeOnly = false): Import => ({ specifier, target: undefined, typeOnly })
  t.same(ruleViolations([
    { path: 'browser/model.ts', imports: [relativeImport('http/tokens.ts', true)] },
    { path: 'http/tokens.ts', imports: [relativeImport('policy/compile.ts', true), packageImport('node:util')] },
    { path: 'policy/decide.ts', imports: [packageImport('fastify'), packageImport('fastify', true), relativeImport('plugin/hooks.ts')] },
    { path: 'check/cli.ts', imports: [relativeImport('policy/decide.ts'), packageImport('fastify'), packageImport('node:http')] },
    { path: 'plugin/hooks.ts', imports: [relativeImport('browser/model.ts'), packageImport('node:https')] },
    { path: 'index.ts', imports: [relativeImport('check/cli.ts')] }
  ]).length, 10)
  // type-only imports are told apart from runtime ones as TypeScript erases them
  t.same(importsOf(fileURLToPath(new URL('./fixtures/architecture/imports.ts', import.meta.url))).map((imported) => [imported.specifier, imported.typeOnly]), [
    ['fastify', true],
    ['fastify', true],
    ['fastify', false],
    ['fastify', false],
    ['./b.js', true],
    ['./c.js', false]
  ])
})
