/**
 * Strings a RegExp may match, written from its source: each variable part (`[a-z0-9-]+`, `.*`, `\d+`,
 * an optional group) filled with a few samples, among them an attacker's own name (`attacker`,
 * `attacker.test`, `203`). Assertions (anchors, lookarounds, `\b`) and back-references write nothing,
 * so an example is only a candidate: the caller tests it against the RegExp itself.
 */

/** The name an attacker fills variable host parts with; a host whose registrable domain holds it is the attacker's. */
export const ATTACKER_LABEL = 'attacker'

const FILLS = [ATTACKER_LABEL, `${ATTACKER_LABEL}.test`]
const DIGIT_FILL = '203'
/** Samples kept per part and per whole RegExp: enough for the shapes origins take, bounded for any source. */
const MAX_EXAMPLES = 24

type CharTest = (code: number) => boolean

type Part =
  | { kind: 'text', text: string }
  | { kind: 'set', admits: CharTest }
  | { kind: 'sequence', parts: Part[] }
  | { kind: 'choice', options: Part[] }
  | { kind: 'repeat', part: Part, min: number, max: number }

const EMPTY: Part = { kind: 'text', text: '' }
const ANY: CharTest = (code) => code !== 10 && code !== 13
const DIGIT: CharTest = (code) => code >= 48 && code <= 57
const WORD: CharTest = (code) => DIGIT(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
const SPACE: CharTest = (code) => code === 32 || (code >= 9 && code <= 13)

class SourceReader {
  index = 0
  constructor (readonly source: string, readonly ignoreCase: boolean) {}

  peek (offset = 0): string | undefined { return this.source[this.index + offset] }
  next (): string { return this.source[this.index++] as string }
  done (): boolean { return this.index >= this.source.length }
}

/** The parts of a RegExp source, or undefined when it is not understood (the caller then relies on its other checks). */
function parse (source: string, ignoreCase: boolean): Part | undefined {
  const reader = new SourceReader(source, ignoreCase)
  try {
    const part = readChoice(reader)
    return reader.done() ? part : undefined
  } catch {
    return undefined
  }
}

function readChoice (reader: SourceReader): Part {
  const options = [readSequence(reader)]
  while (reader.peek() === '|') {
    reader.next()
    options.push(readSequence(reader))
  }
  return options.length === 1 ? options[0] as Part : { kind: 'choice', options }
}

function readSequence (reader: SourceReader): Part {
  const parts: Part[] = []
  while (!reader.done() && reader.peek() !== '|' && reader.peek() !== ')') {
    const atom = readAtom(reader)
    parts.push(readQuantifier(reader, atom))
  }
  return { kind: 'sequence', parts }
}

function readQuantifier (reader: SourceReader, atom: Part): Part {
  const c = reader.peek()
  let min: number
  let max: number
  if (c === '*') { min = 0; max = Infinity } else if (c === '+') { min = 1; max = Infinity } else if (c === '?') { min = 0; max = 1 } else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(reader.source.slice(reader.index))
    if (match === null) return atom
    min = Number(match[1])
    max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3])
    reader.index += match[0].length - 1
  } else {
    return atom
  }
  reader.next()
  if (reader.peek() === '?') reader.next()
  return { kind: 'repeat', part: atom, min, max }
}

function readAtom (reader: SourceReader): Part {
  const c = reader.next()
  switch (c) {
    case '^': case '$': return EMPTY
    case '.': return { kind: 'set', admits: ANY }
    case '[': return readClass(reader)
    case '(': return readGroup(reader)
    case '\\': return readEscape(reader)
    default: return { kind: 'text', text: c }
  }
}

function readGroup (reader: SourceReader): Part {
  let assertion = false
  if (reader.peek() === '?') {
    reader.next()
    const kind = reader.next()
    if (kind === '<' && reader.peek() !== '=' && reader.peek() !== '!') {
      while (reader.next() !== '>') { /* a group name */ }
    } else if (kind === '<') {
      reader.next()
      assertion = true
    } else if (kind === '=' || kind === '!') {
      assertion = true
    } else if (kind !== ':') {
      throw new SyntaxError('unsupported group')
    }
  }
  const inner = readChoice(reader)
  if (reader.next() !== ')') throw new SyntaxError('unclosed group')
  return assertion ? EMPTY : inner
}

/** The character (as a code) an escape stands for, or a set, or nothing (assertions, back-references). */
function readEscape (reader: SourceReader): Part {
  const c = reader.next()
  switch (c) {
    case 'd': return { kind: 'set', admits: DIGIT }
    case 'D': return { kind: 'set', admits: (code) => !DIGIT(code) }
    case 'w': return { kind: 'set', admits: WORD }
    case 'W': return { kind: 'set', admits: (code) => !WORD(code) }
    case 's': return { kind: 'set', admits: SPACE }
    case 'S': return { kind: 'set', admits: (code) => !SPACE(code) }
    case 'b': case 'B': return EMPTY
    case 'k':
      while (reader.next() !== '>') { /* a group name */ }
      return EMPTY
    default:
      if (c >= '1' && c <= '9') {
        while (/\d/.test(reader.peek() ?? '')) reader.next()
        return EMPTY
      }
      return { kind: 'text', text: String.fromCodePoint(escapedCode(reader, c)) }
  }
}

function escapedCode (reader: SourceReader, c: string): number {
  const hex = (length: number): number => {
    const digits = reader.source.slice(reader.index, reader.index + length)
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== length) throw new SyntaxError('bad escape')
    reader.index += length
    return parseInt(digits, 16)
  }
  switch (c) {
    case 'x': return hex(2)
    case 'u':
      if (reader.peek() === '{') {
        const end = reader.source.indexOf('}', reader.index)
        const code = parseInt(reader.source.slice(reader.index + 1, end), 16)
        reader.index = end + 1
        return code
      }
      return hex(4)
    case 'n': return 10
    case 'r': return 13
    case 't': return 9
    case 'f': return 12
    case 'v': return 11
    case '0': return 0
    case 'c': return reader.next().charCodeAt(0) % 32
    default: return c.codePointAt(0) as number
  }
}

function readClass (reader: SourceReader): Part {
  const negated = reader.peek() === '^'
  if (negated) reader.next()
  const tests: CharTest[] = []
  // in a JavaScript RegExp `[]` matches nothing and `[^]` anything: a leading ']' closes the class
  while (reader.peek() !== ']') {
    if (reader.done()) throw new SyntaxError('unclosed class')
    let low: number
    const c = reader.next()
    if (c === '\\') {
      const escaped = readEscape(reader)
      if (escaped.kind === 'set') { tests.push(escaped.admits); continue }
      if (escaped.kind !== 'text' || escaped.text === '') continue
      low = escaped.text.codePointAt(0) as number
    } else {
      low = c.codePointAt(0) as number
    }
    if (reader.peek() === '-' && reader.peek(1) !== ']' && reader.peek(1) !== undefined) {
      reader.next()
      const end = reader.next()
      const high = end === '\\' ? escapedCode(reader, reader.next()) : end.codePointAt(0) as number
      tests.push((code) => code >= low && code <= high)
    } else {
      tests.push((code) => code === low)
    }
  }
  reader.next()
  const ignoreCase = reader.ignoreCase
  const member = (code: number): boolean => tests.some((test) => test(code))
  const caseless = ignoreCase
    ? (code: number) => member(code) || member(String.fromCharCode(code).toUpperCase().charCodeAt(0)) || member(String.fromCharCode(code).toLowerCase().charCodeAt(0))
    : member
  return { kind: 'set', admits: negated ? (code) => !caseless(code) : caseless }
}

function admitsAll (admits: CharTest, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!admits(text.charCodeAt(i))) return false
  return true
}

/** One character a set admits, preferring what hosts are made of. */
function sampleOf (admits: CharTest): string | undefined {
  for (const candidate of 'x7a-0.') if (admits(candidate.charCodeAt(0))) return candidate
  for (let code = 9; code < 127; code++) if (admits(code)) return String.fromCharCode(code)
  return undefined
}

function bounded (values: Iterable<string>): string[] {
  const unique: string[] = []
  for (const value of values) {
    if (!unique.includes(value)) unique.push(value)
    if (unique.length >= MAX_EXAMPLES) break
  }
  return unique
}

function examplesOf (part: Part): string[] {
  switch (part.kind) {
    case 'text': return [part.text]
    case 'set': {
      const sample = sampleOf(part.admits)
      return sample === undefined ? [] : [sample]
    }
    case 'choice': return bounded(part.options.flatMap(examplesOf))
    case 'sequence': {
      let combined = ['']
      for (const child of part.parts) {
        const next = examplesOf(child)
        combined = bounded(combined.flatMap((head) => next.map((tail) => head + tail)))
      }
      return combined
    }
    case 'repeat': {
      const once = examplesOf(part.part)
      const values: string[] = []
      if (part.min === 0) values.push('')
      // the fewest repetitions the quantifier allows, then one more
      for (const count of [Math.max(part.min, 1), Math.max(part.min, 1) + 1]) {
        if (count <= part.max && count <= 8) values.push(...once.map((sample) => sample.repeat(count)))
      }
      if (part.part.kind === 'set') {
        const admits = part.part.admits
        for (const fill of [...FILLS, DIGIT_FILL]) {
          if (fill.length >= part.min && fill.length <= part.max && admitsAll(admits, fill)) values.push(fill)
        }
      }
      return bounded(values)
    }
  }
}

/** Lower-case strings the RegExp may match (origins are sent in lower case), attacker-filled among them; [] when its source is not understood. */
export function regExpExamples (re: RegExp): string[] {
  const part = parse(re.source, re.flags.includes('i'))
  return part === undefined ? [] : examplesOf(part).map((example) => example.toLowerCase())
}
