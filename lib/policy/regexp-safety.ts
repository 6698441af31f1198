/**
 * RegExp origins that are anchored but still let other sites in. Two kinds are found: an unescaped
 * '.' written between host names (`app.example.com` also matches `appxexample.com`), found in the
 * source; and patterns that match hosts anyone can register (`.*`, a lookahead that checks only a
 * prefix, a variable label right under a public suffix, any top-level domain, any IP address),
 * found by trying the RegExp on origins written from it: its own examples with the variable parts
 * filled by an attacker's name, and the host names written in it extended by an attacker's domain.
 * An origin it matches whose registrable domain holds the attacker's name is one anyone can own.
 */
import { isPublicSuffix, registrableDomain } from './public-suffix.js'
import { ATTACKER_LABEL, regExpExamples } from './regexp-examples.js'

/** The host an attacker is assumed to own in the origins tried on a RegExp. */
export const ATTACKER_HOST = `${ATTACKER_LABEL}.test`

/** What can end a host label in a source, and what can start the next one: a dot between them is a host separator. */
const LABEL_END = /[A-Za-z0-9\-\])*+?}]/
const LABEL_START = /[A-Za-z0-9([\\|$)]/
const QUANTIFIER = /[*+?{]/

/** The RegExp without `g` and `y`, whose `lastIndex` would make `test` depend on the previous call. */
function stateless (re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.replace(/[gy]/g, ''))
}

/**
 * The literal runs of host characters in a RegExp source, lower case, outside character classes;
 * `\.`, `[.]`, `\x2e` and `\u002e` read as '.'.
 */
function hostLiterals (source: string): string[] {
  const normalised = source.replace(/\[\\?\.\]|\\x2e|\\u002e|\\u\{2e\}/gi, '\\.')
  const literals: string[] = []
  let run = ''
  let inClass = false
  const flush = (): void => {
    const trimmed = run.toLowerCase().replace(/^[.-]+|[.-]+$/g, '')
    if (trimmed.length > 0 && !literals.includes(trimmed)) literals.push(trimmed)
    run = ''
  }
  for (let i = 0; i < normalised.length; i++) {
    const c = normalised[i] as string
    if (inClass) {
      if (c === '\\') i++
      else if (c === ']') inClass = false
      continue
    }
    if (c === '\\') {
      const next = normalised[i + 1]
      if (next === '.' || next === '-') { run += next; i++; continue }
      flush()
      i++
      continue
    }
    if (c === '[') { flush(); inClass = true; continue }
    // a quantifier makes the character before it optional or repeated: not part of a literal host
    if (QUANTIFIER.test(c)) { run = run.slice(0, -1); flush(); continue }
    if (/[A-Za-z0-9-]/.test(c)) run += c
    else flush()
  }
  flush()
  return literals
}

/**
 * The source with every unescaped '.' that stands between host names escaped, and an origin the
 * original matches because of the first one, or undefined when there is none. Such a dot matches any
 * character, so `/^https:\/\/app.example.com$/` admits `https://appxexample.com`, a domain anyone can
 * register. A dot followed by a quantifier (`.*`, `.+`) is meant as "any character" and left alone.
 */
export function unescapedHostDots (re: RegExp): { escaped: string, example: string | undefined } | undefined {
  const source = re.source
  let escaped = ''
  let firstAsX: string | undefined
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string
    if (c === '\\') { escaped += c + (source[i + 1] ?? ''); i++; continue }
    if (inClass) { if (c === ']') inClass = false; escaped += c; continue }
    if (c === '[') inClass = true
    const before = source[i - 1]
    const after = source[i + 1]
    if (c === '.' && before !== undefined && after !== undefined && LABEL_END.test(before) && LABEL_START.test(after) && !QUANTIFIER.test(after)) {
      firstAsX ??= escaped + 'x'
      escaped += '\\.'
      continue
    }
    escaped += c
  }
  if (firstAsX === undefined) return undefined
  const flags = re.flags.replace(/[gy]/g, '')
  const escapedSource = escaped
  // an origin the original matches and the escaped RegExp does not: 'x' where the first dot was meant
  const tester = stateless(re)
  const meant = new RegExp(escapedSource, flags)
  const withX = new RegExp(firstAsX + escapedSource.slice(firstAsX.length + 1), flags)
  const example = regExpExamples(withX).find((candidate) => tester.test(candidate) && !meant.test(candidate))
  return { escaped: `/${escapedSource}/${flags}`, example }
}

/** Loopback hosts: a page there is on the user's own machine, so http is no network risk (W3C Secure Contexts §3.1). */
export function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Private and special-use IPv4 ranges, reachable only inside a network: no stranger's site lives there. */
function isPrivateIPv4 (host: string): boolean {
  return /^(10|127)\./.test(host) || /^192\.168\./.test(host) || /^172\.(1[6-9]|2\d|3[01])\./.test(host) || /^169\.254\./.test(host)
}

/** What a RegExp origin lets in that it should not: an origin on a stranger's host, and an http origin on a host that is not loopback. */
export interface RegExpWitnesses {
  stranger: string | undefined
  insecure: string | undefined
}

const witnesses = new WeakMap<RegExp, RegExpWitnesses>()

/**
 * The origins `re` matches that it should not, found once per RegExp: answers of origin functions
 * are often the same RegExp objects, judged again for each request.
 */
export function regExpWitnesses (re: RegExp): RegExpWitnesses {
  let found = witnesses.get(re)
  if (found === undefined) {
    found = findWitnesses(re)
    witnesses.set(re, found)
  }
  return found
}

function findWitnesses (re: RegExp): RegExpWitnesses {
  const tester = stateless(re)
  const source = re.source
  const literalText = source.replace(/\\\./g, '.')
  const candidates = [`https://${ATTACKER_HOST}`, `http://${ATTACKER_HOST}`]
  for (const literal of hostLiterals(source)) {
    candidates.push(`https://${literal}.${ATTACKER_HOST}`, `https://${ATTACKER_LABEL}${literal}`, `https://${ATTACKER_LABEL}-${literal}`, `http://${literal}`, `http://app.${literal}`)
    if (literal.includes('.') && isPublicSuffix(literal)) candidates.push(`https://${ATTACKER_LABEL}.${literal}`)
  }
  candidates.push(...regExpExamples(re))
  let stranger: string | undefined
  let insecure: string | undefined
  for (const candidate of candidates) {
    const host = originHost(candidate)
    if (host === undefined || !tester.test(candidate)) continue
    if (stranger === undefined && isStrangersHost(host, literalText)) stranger = candidate
    if (insecure === undefined && candidate.startsWith('http:') && !isLoopbackHost(host)) insecure = candidate
    if (stranger !== undefined && insecure !== undefined) break
  }
  return { stranger, insecure }
}

/** The host of a serialised http(s) origin, or undefined when `candidate` is not one. */
function originHost (candidate: string): string | undefined {
  if (!candidate.startsWith('https://') && !candidate.startsWith('http://')) return undefined
  try {
    const url = new URL(candidate)
    return url.origin === candidate ? url.hostname : undefined
  } catch {
    return undefined
  }
}

/** A host anyone could hold: its registrable domain carries the attacker's name, or it is a public IP address the RegExp does not spell out. */
function isStrangersHost (host: string, literalText: string): boolean {
  if (isLoopbackHost(host)) return false
  if (/^\d+(\.\d+){3}$/.test(host)) return !isPrivateIPv4(host) && !literalText.includes(host)
  return registrableDomain(host)?.includes(ATTACKER_LABEL) === true
}
