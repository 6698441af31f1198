/**
 * The Origin a request carries: bounded, allocation-free validation of a serialised origin
 * (Fetch#origin-header).
 */

/** Longest Origin header value considered; a real one is scheme + 253-byte host + port. */
export const MAX_ORIGIN_LENGTH = 1024

export const SPECIAL_DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' }

/**
 * Validates a request's Origin value as a serialised origin: lower-case `scheme "://" host [":" port]`,
 * as browsers send it. Returns the index where the host ends (the port's ':' or the end), or -1.
 * `null` is not handled here: it is matched only when listed literally.
 */
export function serializedOriginHostEnd (value: string): number {
  const length = value.length
  if (length > MAX_ORIGIN_LENGTH || length < 4) return -1
  let i = 0
  let code = value.charCodeAt(0)
  if (code < 97 || code > 122) return -1
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), lower-case as serialised
  for (i = 1; i < length; i++) {
    code = value.charCodeAt(i)
    if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 45 || code === 46) continue
    break
  }
  if (code !== 58 || value.charCodeAt(i + 1) !== 47 || value.charCodeAt(i + 2) !== 47) return -1
  i += 3
  const hostStart = i
  if (value.charCodeAt(i) === 91 /* [ */) {
    for (i++; i < length; i++) {
      code = value.charCodeAt(i)
      if ((code >= 48 && code <= 58) || (code >= 97 && code <= 102) || code === 46) continue
      break
    }
    if (code !== 93 /* ] */ || i === hostStart + 1) return -1
    i++
  } else {
    for (; i < length; i++) {
      code = value.charCodeAt(i)
      if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 45 || code === 46 || code === 95) continue
      break
    }
    if (i === hostStart) return -1
  }
  const hostEnd = i
  if (i === length) return hostEnd
  if (value.charCodeAt(i) !== 58 /* : */) return -1
  // port: 1..65535, no leading zero, never the scheme's default (browsers omit it)
  const portStart = i + 1
  const portLength = length - portStart
  if (portLength < 1 || portLength > 5 || value.charCodeAt(portStart) === 48) return -1
  let port = 0
  for (i = portStart; i < length; i++) {
    code = value.charCodeAt(i)
    if (code < 48 || code > 57) return -1
    port = port * 10 + code - 48
  }
  if (port > 65535) return -1
  const scheme = value.slice(0, hostStart - 3)
  if (SPECIAL_DEFAULT_PORTS[scheme] === String(port)) return -1
  return hostEnd
}
