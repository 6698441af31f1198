/**
 * RegExp origins that are anchored but still let other sites in. Two kinds are found: an unescaped
 * '.' written between host names (`app.example.com` also matches `appxexample.com`), found in the
 * source; and patterns that match hosts anyone can register (`.*`, a lookahead that checks only a
 * prefix, a name on the Public Suffix List), found by trying the RegExp on such origins, built from
 * the host names written in it.
 */
import { isPublicSuffix } from './public-suffix.js'

/** The host an attacker is assumed to own in the origins tried on a RegExp. */
export const ATTACKER_HOST = 'attacker.test'

const HOST_CHAR = /[A-Za-z0-9-]/
const AFTER_TOKEN = /[A-Za-z0-9\-\])*+?}]/

/** The literal runs of host characters in a RegExp source (`\.` read as '.'), outside character classes. */
function hostLiterals (source: string): string[] {
  const literals: string[] = []
  let run = ''
  let inClass = false
  const flush = (): void => {
    const trimmed = run.replace(/^[.-]+|[.-]+$/g, '')
    if (trimmed.length > 0 && !literals.includes(trimmed)) literals.push(trimmed)
    run = ''
  }
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string
    if (inClass) {
      if (c === '\\') i++
      else if (c === ']') inClass = false
      continue
    }
    if (c === '\\') {
      const next = source[i + 1]
      if (next === '.' || next === '-') { run += next; i++; continue }
      flush()
      i++
      continue
    }
    if (c === '[') { flush(); inClass = true; continue }
    // a quantifier makes the character before it optional or repeated: not part of a literal host
    if ('*+?{'.includes(c)) { run = run.slice(0, -1); flush(); continue }
    if (HOST_CHAR.test(c)) run += c
    else flush()
  }
  flush()
  return literals
}

/**
 * The source with every unescaped '.' that stands between host characters escaped, or undefined when
 * there is none. Such a dot matches any character, so `/^https:\/\/app.example.com$/` admits
 * `https://appxexample.com`, a domain anyone can register.
 */
export function unescapedHostDots (re: RegExp): { escaped: string, example: string } | undefined {
  const source = re.source
  let escaped = ''
  let example: string | undefined
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string
    if (c === '\\') { escaped += c + (source[i + 1] ?? ''); i++; continue }
    if (inClass) { if (c === ']') inClass = false; escaped += c; continue }
    if (c === '[') inClass = true
    const before = source[i - 1]
    const after = source[i + 1]
    if (c === '.' && before !== undefined && after !== undefined && AFTER_TOKEN.test(before) && /[A-Za-z0-9]/.test(after)) {
      example ??= exampleAround(source, i)
      escaped += '\\.'
      continue
    }
    escaped += c
  }
  return example === undefined ? undefined : { escaped: `/${escaped}/${re.flags.replace(/[gy]/g, '')}`, example }
}

/** The host text around the dot at `index`, with that dot replaced by 'x': what it also matches. */
function exampleAround (source: string, index: number): string {
  const hostText = /[A-Za-z0-9.\\-]/
  let start = index
  while (start > 0 && hostText.test(source[start - 1] as string)) start--
  let end = index + 1
  while (end < source.length && hostText.test(source[end] as string)) end++
  return (source.slice(start, index) + 'x' + source.slice(index + 1, end)).replace(/\\\./g, '.').replace(/\\./g, '')
}

/**
 * An origin on a host the configuration does not name that `re` matches, or undefined: the RegExp
 * is tried on an attacker's own site, on the named hosts extended by the attacker's domain (a
 * lookahead or `.*` after them), prefixed by the attacker's name (`.*example\.com`), and under each
 * named public suffix (`[a-z]+\.github\.io`).
 */
export function permissiveMatch (re: RegExp): string | undefined {
  const tester = new RegExp(re.source, re.flags.replace(/[gy]/g, ''))
  const candidates = [`https://${ATTACKER_HOST}`, `http://${ATTACKER_HOST}`, 'https://attacker.com']
  for (const literal of hostLiterals(re.source)) {
    candidates.push(`https://${literal}.${ATTACKER_HOST}`, `https://attacker${literal}`, `https://attacker-${literal}`)
    if (literal.includes('.') && isPublicSuffix(literal)) candidates.push(`https://attacker.${literal}`)
  }
  return candidates.find((origin) => tester.test(origin))
}

/** Loopback hosts: a page there is on the user's own machine, so http is no network risk (W3C Secure Contexts §3.1). */
export function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** An `http:` origin on a non-loopback host that `re` matches, built from the hosts named in it, or undefined. */
export function insecureMatch (re: RegExp): string | undefined {
  const tester = new RegExp(re.source, re.flags.replace(/[gy]/g, ''))
  for (const literal of hostLiterals(re.source)) {
    if (!literal.includes('.') || isLoopbackHost(literal)) continue
    const found = [`http://${literal}`, `http://app.${literal}`].find((origin) => tester.test(origin))
    if (found !== undefined) return found
  }
  return undefined
}
