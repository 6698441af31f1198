/**
 * Request-side header and method rules of the WHATWG Fetch standard, as a browser applies them
 * to what a script asks for. Pure: no I/O, no Fastify.
 */

/** A header list as a script builds it: ordered, duplicates allowed. */
export type HeaderList = Array<[name: string, value: string]>

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** RFC 9110 `token`: the syntax of methods and header names. */
export function isToken (value: string): boolean {
  return TOKEN_CHARS.test(value)
}

const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

/** Fetch#concept-method-normalize: only six methods are upper-cased; `patch` stays `patch`. */
export function normalizeMethod (method: string): string {
  const upper = method.toUpperCase()
  return NORMALISED_METHODS.has(upper) ? upper : method
}

/** Fetch#cors-safelisted-method (case-sensitive, so apply it to a normalised method). */
export function isSafelistedMethod (method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST'
}

/** Fetch#forbidden-method: `fetch()` throws a TypeError for these. */
export function isForbiddenMethod (method: string): boolean {
  const upper = method.toUpperCase()
  return upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK'
}

const FORBIDDEN_REQUEST_HEADER_NAMES = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers',
  'access-control-request-method', 'connection', 'content-length', 'cookie', 'cookie2', 'date',
  'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'via',
  // Added by the Private Network Access draft ("Additional CORS Headers").
  'access-control-request-private-network'
])
const METHOD_OVERRIDE_HEADER_NAMES = new Set(['x-http-method', 'x-http-method-override', 'x-method-override'])

/**
 * Fetch#forbidden-request-header: a script cannot set these; the browser silently drops them
 * from the header list.
 */
export function isForbiddenRequestHeader (name: string, value: string): boolean {
  const lower = name.toLowerCase()
  if (FORBIDDEN_REQUEST_HEADER_NAMES.has(lower)) return true
  if (lower.startsWith('proxy-') || lower.startsWith('sec-')) return true
  if (METHOD_OVERRIDE_HEADER_NAMES.has(lower)) {
    return value.split(',').some((method) => isForbiddenMethod(trimHttpWhitespace(method)))
  }
  return false
}

/** Fetch#concept-header-value-normalize: strip leading and trailing HTTP whitespace bytes. */
export function trimHttpWhitespace (value: string): string {
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '')
}

/** Fetch#cors-unsafe-request-header-byte */
function hasCorsUnsafeByte (value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || '"():<>?@[\\]{}'.includes(value[i] as string)) {
      return true
    }
  }
  return false
}

/** The bytes allowed in safelisted `accept-language` and `content-language` values. */
function isLanguageValue (value: string): boolean {
  return /^[0-9A-Za-z *,\-.;=]*$/.test(value)
}

const HTTP_TOKEN_CODE_POINTS = TOKEN_CHARS

/**
 * The essence (`type/subtype`, lower-cased) of a MIME type parsed per mimesniff#parse-a-mime-type,
 * or undefined when parsing fails. Parameters never make parsing fail, so they are not read.
 */
export function mimeEssence (value: string): string | undefined {
  const input = trimHttpWhitespace(value)
  const slash = input.indexOf('/')
  if (slash === -1) return undefined
  const type = input.slice(0, slash)
  const semicolon = input.indexOf(';', slash + 1)
  const subtype = input.slice(slash + 1, semicolon === -1 ? undefined : semicolon).replace(/[\t\n\r ]+$/, '')
  if (!HTTP_TOKEN_CODE_POINTS.test(type) || !HTTP_TOKEN_CODE_POINTS.test(subtype)) return undefined
  return `${type}/${subtype}`.toLowerCase()
}

const SAFELISTED_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])

/**
 * Fetch#simple-range-header-value with allowWhitespace false: `bytes=start-[end]` or
 * `bytes=-suffix`, a single range. Returns [start, end] (null where absent), or undefined on failure.
 */
export function parseSingleRange (value: string): [number | null, number | null] | undefined {
  const match = /^([A-Za-z]*)=([0-9]*)-([0-9]*)$/.exec(value)
  if (match === null || (match[1] as string).toLowerCase() !== 'bytes') return undefined
  const startDigits = match[2] as string
  const endDigits = match[3] as string
  if (startDigits === '' && endDigits === '') return undefined
  const start = startDigits === '' ? null : Number(startDigits)
  const end = endDigits === '' ? null : Number(endDigits)
  if (start !== null && end !== null && start > end) return undefined
  return [start, end]
}

/** Fetch#cors-safelisted-request-header (one header, on its own). */
export function isSafelistedRequestHeader (name: string, value: string): boolean {
  if (value.length > 128) return false
  switch (name.toLowerCase()) {
    case 'accept':
      return !hasCorsUnsafeByte(value)
    case 'accept-language':
    case 'content-language':
      return isLanguageValue(value)
    case 'content-type': {
      if (hasCorsUnsafeByte(value)) return false
      const essence = mimeEssence(value)
      return essence !== undefined && SAFELISTED_CONTENT_TYPES.has(essence)
    }
    case 'range': {
      const range = parseSingleRange(value)
      // A suffix range (`bytes=-500`) parses but is not safelisted.
      return range !== undefined && range[0] !== null
    }
    default:
      return false
  }
}

/**
 * Fetch#cors-unsafe-request-header-names: the names a preflight must announce in
 * `Access-Control-Request-Headers`: byte-lowercased, sorted, without duplicates. Safelisted
 * headers become unsafe too when their values add up to more than 1024 bytes.
 */
export function corsUnsafeRequestHeaderNames (headers: HeaderList): string[] {
  const unsafe: string[] = []
  const potentiallyUnsafe: string[] = []
  let safelistValueSize = 0
  for (const [name, value] of headers) {
    if (isSafelistedRequestHeader(name, value)) {
      potentiallyUnsafe.push(name)
      safelistValueSize += value.length
    } else {
      unsafe.push(name)
    }
  }
  if (safelistValueSize > 1024) unsafe.push(...potentiallyUnsafe)
  return sortedLowercaseSet(unsafe)
}

/** Fetch#convert-header-names-to-a-sorted-lowercase-set */
export function sortedLowercaseSet (names: string[]): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))].sort()
}

/** Fetch#cors-non-wildcard-request-header-name: never covered by `Access-Control-Allow-Headers: *`. */
export function isNonWildcardRequestHeaderName (name: string): boolean {
  return name.toLowerCase() === 'authorization'
}

/**
 * Fetch#extract-header-list-values for the `#token` lists ACAM, ACAH and ACEH: null when the
 * header is absent, 'failure' when a field line is not a comma-separated list of tokens
 * (RFC 9110 §5.6.1 allows empty elements and optional whitespace around commas).
 */
export function extractTokenList (fieldLines: string[] | undefined): string[] | null | 'failure' {
  if (fieldLines === undefined) return null
  const values: string[] = []
  for (const line of fieldLines) {
    for (const element of line.split(',')) {
      const item = element.replace(/^[\t ]+|[\t ]+$/g, '')
      if (item === '') continue
      if (!isToken(item)) return 'failure'
      values.push(item)
    }
  }
  return values
}
