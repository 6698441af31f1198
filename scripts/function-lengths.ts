// `tsx scripts/function-lengths.ts [N]`: the N longest functions in lib/ (default 10), with their line counts.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

const root = join(import.meta.dirname, '..')

function sourceFiles (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

interface FunctionLength { name: string, file: string, lines: number }

function nameOf (node: ts.Node, source: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.name !== undefined) {
    return node.name.getText(source)
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  const parent = node.parent
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source)
  return '(anonymous)'
}

const lengths: FunctionLength[] = []
for (const file of sourceFiles(join(root, 'lib'))) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      lengths.push({ name: nameOf(node, source), file: relative(root, file), lines: end - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}

const count = Number(process.argv[2] ?? 10)
for (const entry of lengths.sort((a, b) => b.lines - a.lines).slice(0, count)) {
  console.log(`${String(entry.lines).padStart(4)}  ${entry.name}  (${entry.file})`)
}
