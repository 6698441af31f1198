import { request as httpRequest } from 'node:http'
import { MAX_HEADER_SIZE } from './app.js'
import type { BenchRequest } from './scenarios.js'

/** The response headers a probe records and the report shows, in this order. */
export const PROBED_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'vary'
] as const

export interface ProbeResult {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
}

export async function probe (port: number, request: BenchRequest): Promise<ProbeResult> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port, method: request.method, path: request.path, headers: request.headers, maxHeaderSize: MAX_HEADER_SIZE
    }, (res) => {
      res.resume()
      res.on('end', () => {
        const headers: Record<string, string | undefined> = {}
        for (const name of PROBED_HEADERS) {
          const value = res.headers[name]
          headers[name] = Array.isArray(value) ? value.join(', ') : value
        }
        resolve({ status: res.statusCode ?? 0, headers })
      })
    })
    req.setTimeout(10_000, () => { req.destroy(new TypeError('probe timed out')) })
    req.on('error', reject)
    req.end()
  })
}

function tokens (value: string | undefined): string[] {
  if (value === undefined) return []
  return value.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '')
}

/**
 * What a browser's CORS check (`Fetch#cors-check`, and for a preflight `Fetch#cors-preflight-fetch-0`
 * step 7) would conclude from this response, assuming a credentialed request.
 */
export function browserWouldAllow (request: BenchRequest, result: ProbeResult): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return true
  const acao = result.headers['access-control-allow-origin']
  const credentials = result.headers['access-control-allow-credentials'] === 'true'
  if (acao !== origin && !(acao === '*' && !credentials)) return false
  const method = request.headers['access-control-request-method']
  if (request.method !== 'OPTIONS' || method === undefined) return true
  if (result.status < 200 || result.status > 299) return false
  const methods = tokens(result.headers['access-control-allow-methods'])
  const safelisted = method === 'GET' || method === 'HEAD' || method === 'POST'
  if (!safelisted && !methods.includes(method.toLowerCase()) && !(methods.includes('*') && !credentials)) return false
  const allowed = tokens(result.headers['access-control-allow-headers'])
  return tokens(request.headers['access-control-request-headers'])
    .every((name) => allowed.includes(name) || (allowed.includes('*') && !credentials && name !== 'authorization'))
}

/** Compares two probes on status and the CORS headers (Vary compared as a case-insensitive set). */
export function probeDifferences (a: ProbeResult, b: ProbeResult): string[] {
  const differences: string[] = []
  if (a.status !== b.status) differences.push(`status ${a.status} vs ${b.status}`)
  for (const name of PROBED_HEADERS) {
    const left = a.headers[name]
    const right = b.headers[name]
    // Lists compare as case-insensitive sets, but a header sent by one side only is a difference
    // even when it lists nothing (an 8 KiB ACRH of commas echoed back costs bytes and work).
    const same = name === 'vary' || name === 'access-control-allow-methods' || name === 'access-control-allow-headers'
      ? (left === undefined) === (right === undefined) && tokens(left).sort().join(',') === tokens(right).sort().join(',')
      : left === right
    if (!same) differences.push(`${shortName(name)} ${display(left)} vs ${display(right)}`)
  }
  return differences
}

const SHORT_NAMES: Record<string, string> = {
  'access-control-allow-origin': 'ACAO',
  'access-control-allow-credentials': 'ACAC',
  'access-control-allow-methods': 'ACAM',
  'access-control-allow-headers': 'ACAH',
  vary: 'Vary'
}

export function shortName (header: string): string {
  return SHORT_NAMES[header] ?? header
}

export function display (value: string | undefined): string {
  if (value === undefined) return '—'
  if (value.length <= 40) return `\`${value}\``
  return `\`${value.slice(0, 24)}…\` (${value.length} B)`
}
