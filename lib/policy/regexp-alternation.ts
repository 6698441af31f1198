/**
 * Many origin RegExps as one: a list of anchored RegExps usually repeats the same start
 * (`^https://app-[a-z]+\.region…`), and an alternation of them re-reads that start once per RegExp.
 * Factored into a trie of whole atoms, the shared start is read once and each origin costs about one
 * alternative. `test()` only asks whether some match exists, and A(?:B|C) matches exactly where AB|AC
 * does (alternation distributes over concatenation), so splitting between whole atoms never changes
 * the answer.
 */

interface TrieNode {
  readonly children: Map<string, TrieNode>
  /** a source ends here */
  end: boolean
}

/**
 * One RegExp source that matches a string exactly when at least one of `sources` does, each source
 * compiled with `flags` (never `g` or `y`). Sources that share a leading run of whole atoms are
 * factored: `^https://a\.x$` and `^https://b\.x$` become `^https://(?:a\.x$|b\.x$)`. Sources must
 * not contain back-references or named groups (the caller keeps those apart: joining renumbers or
 * duplicates them). A source with a top-level `|`, and every source under the `v` flag (whose
 * classes nest), is kept whole as one alternative.
 */
export function alternationSource (sources: readonly string[], flags: string): string {
  const root: TrieNode = { children: new Map(), end: false }
  const whole: string[] = []
  for (const source of sources) {
    const atoms = flags.includes('v') ? undefined : atomsOf(source)
    if (atoms === undefined) {
      whole.push(`(?:${source})`)
      continue
    }
    let node = root
    for (const atom of atoms) {
      let child = node.children.get(atom)
      if (child === undefined) {
        child = { children: new Map(), end: false }
        node.children.set(atom, child)
      }
      node = child
    }
    node.end = true
  }
  const factored = root.children.size === 0 && !root.end ? [] : [rest(root, true)]
  // no source: an empty class, which matches nothing (an empty source would match everything)
  return factored.length + whole.length === 0 ? '[]' : [...factored, ...whole].join('|')
}

/** The source that matches what follows a trie node; `top`: the alternatives need no group of their own. */
function rest (node: TrieNode, top = false): string {
  const alternatives: string[] = []
  for (const [atom, child] of node.children) alternatives.push(atom + rest(child))
  // an empty alternative: a source that ends here matches here
  if (node.end) alternatives.push('')
  if (alternatives.length === 1 || top) return alternatives.join('|')
  return `(?:${alternatives.join('|')})`
}

/**
 * The top-level atoms of a source, each with its quantifier; undefined for a source with a
 * top-level `|` or one this reader does not follow (it is then kept whole).
 */
function atomsOf (source: string): string[] | undefined {
  const atoms: string[] = []
  let i = 0
  while (i < source.length) {
    const start = i
    const char = source[i]
    if (char === '|' || char === ')') return undefined
    i = char === '\\' ? escapeEnd(source, i) : char === '[' ? classEnd(source, i) : char === '(' ? groupEnd(source, i) : charEnd(source, i)
    if (i === -1) return undefined
    i = quantifierEnd(source, i)
    atoms.push(source.slice(start, i))
  }
  return atoms
}

const HEX4 = /^[0-9a-fA-F]{4}$/
const HEX2 = /^[0-9a-fA-F]{2}$/
const LOW_SURROGATE_ESCAPE = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/
const HIGH_SURROGATE_ESCAPE = /^\\u[dD][89abAB][0-9a-fA-F]{2}$/
const QUANTIFIER_BRACES = /\{\d+(?:,\d*)?\}/y

/** The end of the escape at `i` (a backslash): `\u0041`, `\u{1F600}`, `\x41`, `\cJ`, `\p{L}`, `\0`, or a backslash and one character. */
function escapeEnd (source: string, i: number): number {
  const next = source[i + 1]
  if (next === undefined) return -1
  switch (next) {
    case 'u': {
      if (source[i + 2] === '{') return braceEnd(source, i + 2)
      if (!HEX4.test(source.slice(i + 2, i + 6))) return i + 2
      // a surrogate pair written as two escapes is one character under the `u` flag
      const first = source.slice(i, i + 6)
      if (HIGH_SURROGATE_ESCAPE.test(first) && LOW_SURROGATE_ESCAPE.test(source.slice(i + 6, i + 12))) return i + 12
      return i + 6
    }
    case 'x':
      return HEX2.test(source.slice(i + 2, i + 4)) ? i + 4 : i + 2
    case 'c':
      return /[a-zA-Z]/.test(source[i + 2] ?? '') ? i + 3 : i + 2
    case 'p': case 'P': case 'k':
      return source[i + 2] === '{' || source[i + 2] === '<' ? braceEnd(source, i + 2) : i + 2
    case '0': {
      // legacy octal escapes (`\012`) outside the `u` flag: the digits after `\0` belong to it
      let end = i + 2
      while (end < i + 4 && /[0-7]/.test(source[end] ?? '')) end++
      return end
    }
    default:
      return charEnd(source, i + 1)
  }
}

/** The end of `{…}` or `<…>` opened at `i`. */
function braceEnd (source: string, i: number): number {
  const close = source.indexOf(source[i] === '{' ? '}' : '>', i)
  return close === -1 ? -1 : close + 1
}

/** The end of the character class opened at `i` (`]` right after `[` or `[^` closes it, as JavaScript reads it). */
function classEnd (source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === '\\') j++
    else if (source[j] === ']') return j + 1
  }
  return -1
}

/** The end of the group opened at `i`, groups, classes and escapes inside it skipped. */
function groupEnd (source: string, i: number): number {
  let depth = 0
  for (let j = i; j < source.length; j++) {
    const char = source[j]
    if (char === '\\') {
      j++
    } else if (char === '[') {
      const end = classEnd(source, j)
      if (end === -1) return -1
      j = end - 1
    } else if (char === '(') {
      depth++
    } else if (char === ')' && --depth === 0) {
      return j + 1
    }
  }
  return -1
}

/** The end of the character at `i`: a surrogate pair is one. */
function charEnd (source: string, i: number): number {
  const code = source.charCodeAt(i)
  if (code >= 0xd800 && code <= 0xdbff) {
    const low = source.charCodeAt(i + 1)
    if (low >= 0xdc00 && low <= 0xdfff) return i + 2
  }
  return i + 1
}

/** The end of the quantifier at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy), or `i` when there is none. */
function quantifierEnd (source: string, i: number): number {
  let end = i
  const char = source[i]
  if (char === '*' || char === '+' || char === '?') {
    end = i + 1
  } else if (char === '{') {
    QUANTIFIER_BRACES.lastIndex = i
    if (QUANTIFIER_BRACES.test(source)) end = QUANTIFIER_BRACES.lastIndex
  }
  if (end !== i && source[end] === '?') end++
  return end
}
