/**
 * Origins as users configure them: strict parsing of origin strings and patterns, with the
 * corrected value in every problem, and the check that a RegExp is anchored.
 */
import { SPECIAL_DEFAULT_PORTS, serializedOriginHostEnd } from '../http/origin.js'
import { isPublicSuffix } from './public-suffix.js'

/**
 * Fast path for the common case, so that compiling a long allow-list stays cheap: an http(s) origin
 * already in serialised form with a plain DNS name (labels of letters, digits and hyphens, the last
 * one not numeric). Anything else, IP addresses included, goes through the full URL parser.
 */
function isPlainHttpOrigin (raw: string): boolean {
  if (!raw.startsWith('https://') && !raw.startsWith('http://')) return false
  const hostEnd = serializedOriginHostEnd(raw)
  if (hostEnd === -1) return false
  const host = raw.slice(raw.indexOf('://') + 3, hostEnd)
  let labelStart = 0
  for (let i = 0; i <= host.length; i++) {
    const code = i === host.length ? 46 : host.charCodeAt(i)
    if (code === 46 /* . */) {
      const label = host.slice(labelStart, i)
      if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false
      labelStart = i + 1
    } else if (code === 95 /* _ */) {
      return false
    }
  }
  const last = host.slice(host.lastIndexOf('.') + 1)
  return !/^[0-9]+$/.test(last)
}

/** A configured origin after validation. */
export type ConfiguredOrigin =
  | { kind: 'exact', origin: string }
  /** `scheme://*.domain[:port|:*]` or `scheme://host:*` */
  | { kind: 'pattern', scheme: string, host: string, subdomains: boolean, port: string | '*' }

/** A configured origin as written, in its normalised form: `https://app.example.com`, `http://*.example.com:8080`. */
export function originText (origin: ConfiguredOrigin): string {
  if (origin.kind === 'exact') return origin.origin
  return `${origin.scheme}://${origin.subdomains ? '*.' : ''}${origin.host}${origin.port === '' ? '' : ':' + origin.port}`
}

/**
 * A configured origin that cannot be used: `problem` is the whole sentence (it ends with the fix when
 * it suggests a value), `fix` what to do; `unsafe` when browsers would accept it but it lets strangers in.
 */
export interface OriginProblem { kind: 'error', problem: string, fix: string, unsafe?: true }

export type ParsedConfiguredOrigin = ConfiguredOrigin | OriginProblem

const FORMAT_FIX = "write it as scheme://host[:port], e.g. 'https://app.example.com'"

/** A problem whose sentence ends with its fix. */
function fixedBy (what: string, fix: string): OriginProblem {
  return { kind: 'error', problem: `${what}; ${fix}`, fix }
}

/** A pattern that matches sites anyone can register. */
function tooBroad (what: string, fix: string): OriginProblem {
  return { ...fixedBy(what, fix), unsafe: true }
}

const WILDCARD_LABEL = 'wildcard-label-placeholder'

function quote (value: string): string {
  return `'${value}'`
}

/**
 * Parses one configured origin string. Case and default ports are normalised; anything a browser
 * would never send as an Origin (a path, a trailing slash, a query, user info, a non-ASCII host, a
 * bad port) is a problem whose text shows the corrected value or the rule.
 */
export function parseConfiguredOrigin (raw: string): ParsedConfiguredOrigin {
  if (raw === 'null') return { kind: 'exact', origin: 'null' }
  if (raw === '*') return fixedBy("'*' cannot be mixed with other origins", "use origin: '*' on its own")
  if (isPlainHttpOrigin(raw)) return { kind: 'exact', origin: raw }
  const trimmed = raw.trim()
  if (trimmed !== raw || raw.length === 0) {
    return fixedBy(`${quote(raw)} has surrounding white space`, `did you mean ${quote(trimmed)}?`)
  }
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^]*)$/.exec(raw)
  if (schemeMatch === null) {
    const what = `${quote(raw)} is not an origin: expected scheme://host[:port]`
    if (!/^[A-Za-z0-9.-]+(:\d+)?\/?$/.test(raw)) return { kind: 'error', problem: what, fix: FORMAT_FIX }
    return fixedBy(what, `did you mean ${quote('https://' + raw.replace(/\/$/, ''))}?`)
  }
  const scheme = (schemeMatch[1] as string).toLowerCase()
  let rest = schemeMatch[2] as string
  if (scheme === 'file') {
    return {
      kind: 'error',
      problem: `${quote(raw)} can never match: pages loaded from file: URLs send the origin 'null' (list 'null' only if you accept that anyone can send it)`,
      fix: "remove it, or list 'null' instead if you accept that anyone can send it"
    }
  }
  let subdomains = false
  if (rest.startsWith('*.')) {
    subdomains = true
    rest = WILDCARD_LABEL + rest.slice(1)
  }
  let anyPort = false
  const portWildcard = /:\*(?=$|[/?#])/.exec(rest)
  if (portWildcard !== null) {
    anyPort = true
    rest = rest.slice(0, portWildcard.index) + rest.slice(portWildcard.index + 2)
  }
  if (rest.includes('*')) {
    return {
      kind: 'error',
      problem: `${quote(raw)} has a wildcard in an unsupported position: only a leading '*.' label (https://*.example.com) or a ':*' port (http://localhost:*) is allowed`,
      fix: "use a leading '*.' label (https://*.example.com) or a ':*' port (http://localhost:*), and no other wildcard"
    }
  }
  if (subdomains && /^[\d.]+(:\d*)?$|^\[/.test(rest.slice(WILDCARD_LABEL.length + 1))) {
    return { kind: 'error', problem: `${quote(raw)} puts a wildcard label in front of an IP address, which can never match`, fix: 'list the IP address origin without the wildcard label' }
  }
  let url: URL
  try {
    url = new URL(`${scheme}://${rest}`)
  } catch {
    const port = /:(\d+)(?=$|[/?#])/.exec(rest)
    if (port !== null && Number(port[1]) > 65535) {
      return { kind: 'error', problem: `${quote(raw)} has the invalid port ${port[1]}: ports are 1..65535`, fix: 'use a port from 1 to 65535' }
    }
    return { kind: 'error', problem: `${quote(raw)} is not a valid origin: expected scheme://host[:port] with a valid host`, fix: FORMAT_FIX }
  }
  const isSpecial = scheme in SPECIAL_DEFAULT_PORTS || scheme === 'ftp'
  const host = isSpecial ? url.hostname : url.hostname.toLowerCase()
  const port = url.port
  const restore = (value: string): string => (subdomains ? value.replace(WILDCARD_LABEL, '*') : value)
  const canonical = restore(`${scheme}://${host}${anyPort ? ':*' : port === '' ? '' : ':' + port}`)
  if (url.username !== '' || url.password !== '') {
    return fixedBy(`${quote(raw)} contains user info, which browsers never send in an Origin`, `did you mean ${quote(canonical.replace(/\/\/[^@]*@/, '//'))}?`)
  }
  if (url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '') || /[/?#]$/.test(rest)) {
    const what = url.search !== '' ? 'a query' : url.hash !== '' ? 'a fragment' : (url.pathname === '/' || url.pathname === '') ? 'a trailing slash' : 'a path'
    return fixedBy(`${quote(raw)} has ${what}, but an Origin is only scheme://host[:port]`, `did you mean ${quote(canonical)}?`)
  }
  if (/[^\x21-\x7e]/.test(rest)) {
    return fixedBy(`${quote(raw)} has a non-ASCII host, but browsers send its punycode form`, `did you mean ${quote(canonical)}?`)
  }
  if (port === '0' || /:0+(?=$)/.test(rest)) {
    return { kind: 'error', problem: `${quote(raw)} has the invalid port 0: ports are 1..65535`, fix: 'use a port from 1 to 65535' }
  }
  // the URL parser admits hosts such as 'a.example.com,b' that no DNS name or IP address spells
  if (!/^(?:[a-z0-9._-]+|\[[0-9a-f:.]+\])$/.test(host)) {
    return { kind: 'error', problem: `${quote(raw)} has no valid host: expected scheme://host[:port]`, fix: FORMAT_FIX }
  }
  if (subdomains || anyPort) {
    const base = subdomains ? host.slice(WILDCARD_LABEL.length + 1) : host
    if (subdomains && (!base.includes('.') && base !== 'localhost')) {
      return tooBroad(`${quote(raw)} is too broad: '*.${base}' would match every site under a top-level domain`, 'name the registrable domain (https://*.example.com)')
    }
    if (subdomains && isPublicSuffix(base)) {
      return tooBroad(
        `${quote(raw)} is too broad: ${base} is a public suffix (Public Suffix List), where anyone can register a name such as ${scheme}://attacker.${base}`,
        `list the origins you own, e.g. '${scheme}://myapp.${base}'`
      )
    }
    return { kind: 'pattern', scheme, host: base, subdomains, port: anyPort ? '*' : port === '' ? '' : port }
  }
  return { kind: 'exact', origin: canonical }
}

/**
 * Checks that a RegExp can only match whole origins: every top-level alternative must be anchored
 * with ^ and $ (expressjs/cors#408: an unanchored or half-anchored pattern matches evil-example.com).
 * Returns undefined when safe, else the safe version to suggest.
 */
export function unanchoredRegExpFix (re: RegExp): string | undefined {
  const source = re.source
  const alternatives: string[] = []
  let depth = 0
  let inClass = false
  let start = 0
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') { i++; continue }
    if (inClass) { if (c === ']') inClass = false; continue }
    if (c === '[') inClass = true
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === '|' && depth === 0) { alternatives.push(source.slice(start, i)); start = i + 1 }
  }
  alternatives.push(source.slice(start))
  const anchored = alternatives.every((alt) => alt.startsWith('^') && endsWithUnescapedDollar(alt))
  if (anchored) return undefined
  const inner = alternatives.map((alt) => alt.replace(/^\^/, '').replace(/(?<!\\)\$$/, '')).join('|')
  return `/^(?:${inner})$/${re.flags.replace(/[gy]/g, '')}`
}

function endsWithUnescapedDollar (alt: string): boolean {
  if (!alt.endsWith('$')) return false
  let slashes = 0
  for (let i = alt.length - 2; i >= 0 && alt[i] === '\\'; i--) slashes++
  return slashes % 2 === 0
}
