/**
 * What an origin function answered, compiled for matching: `true` allows the request's origin,
 * `false` (or nothing) refuses it, and a static `origin` value is matched as if it were configured,
 * validated by the same rules (an unanchored RegExp or a malformed origin is refused, never trusted).
 * `{ allow, data }` is such an answer with data for the handler.
 */
import { collector, formatProblems, resolveOrigin } from './options.js'
import { compileOriginMatcher, matchOrigin } from './origin-matcher.js'
import type { OriginMatcher } from './origin-matcher.js'

export type CompiledOriginAnswer =
  | { readonly kind: 'allow' }
  /** `'*'`: any origin, answered with ACAO `*` */
  | { readonly kind: 'any' }
  | { readonly kind: 'deny' }
  | { readonly kind: 'match', readonly matcher: OriginMatcher }
  | { readonly kind: 'invalid', readonly problem: string }

const ALLOW: CompiledOriginAnswer = Object.freeze({ kind: 'allow' })
const DENY: CompiledOriginAnswer = Object.freeze({ kind: 'deny' })
const ANY: CompiledOriginAnswer = Object.freeze({ kind: 'any' })

/**
 * Answers seen, by value (strings) or identity (RegExps, whose source and flags cannot change);
 * emptied when full. Arrays are compiled per answer: a list the application keeps up to date (an
 * origin revoked at run time) must be read as it is now, and a fresh array per call must not pin
 * its compiled copy in memory.
 */
const answers = new Map<unknown, CompiledOriginAnswer>()
const ANSWER_CACHE_SIZE = 1000

/** Is the answer `{ allow, data }` (an object with `allow`; not an array, RegExp or function)? */
function carriesData (value: unknown): value is { allow: unknown, data?: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RegExp) && 'allow' in value
}

/** The allowance of an answer: `allow` of `{ allow, data }`, else the answer itself. May throw (a getter, a Proxy trap). */
export function allowanceOf (value: unknown): unknown {
  return carriesData(value) ? value.allow : value
}

/** The data of an answer `{ allow, data }` for the handler; undefined for any other answer. May throw (a getter, a Proxy trap). */
export function originDataOf (value: unknown): unknown {
  return carriesData(value) ? value.data : undefined
}

export function compileOriginAnswer (value: unknown): CompiledOriginAnswer {
  if (value === true) return ALLOW
  if (value === false || value === undefined || value === null) return DENY
  let compiled = answers.get(value)
  if (compiled !== undefined) return compiled
  if (typeof value !== 'string' && !(value instanceof RegExp) && !Array.isArray(value)) {
    return { kind: 'invalid', problem: 'expected true, false, an origin, a pattern, an anchored RegExp, an array of these, or { allow, data }' }
  }
  const c = collector()
  const setting = resolveOrigin(value, c)
  if (c.problems.length > 0) {
    compiled = { kind: 'invalid', problem: formatProblems(c.problems) }
  } else if (setting.kind === 'list') {
    compiled = { kind: 'match', matcher: compileOriginMatcher(setting.origins, setting.regexps) }
  } else {
    // a string, RegExp or array resolves to a list, or to '*' (alone or as ['*'])
    compiled = ANY
  }
  if (Array.isArray(value)) return compiled
  if (answers.size >= ANSWER_CACHE_SIZE) answers.clear()
  answers.set(value, compiled)
  return compiled
}

/** The verdict for the request's origin: 'allowed', 'not-allowed' or 'invalid' (the answer cannot be used). */
export function originAnswerVerdict (compiled: CompiledOriginAnswer, origin: string): 'allowed' | 'not-allowed' | 'invalid' {
  switch (compiled.kind) {
    case 'allow': case 'any': return 'allowed'
    case 'deny': return 'not-allowed'
    case 'match': return matchOrigin(compiled.matcher, origin) === 'allowed' ? 'allowed' : 'not-allowed'
    default: return 'invalid'
  }
}
