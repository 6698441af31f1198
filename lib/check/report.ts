/**
 * The human-readable cors-check report: each exchange as it went over the wire, the browser's
 * verdict in Chromium's words, and the fix.
 */
import type { FailureCode, OutgoingRequest, Verdict } from '../browser/model.js'

/** One request/response pair and what the browser makes of it. */
export interface Exchange {
  kind: 'preflight' | 'actual' | 'redirect'
  /** Why the browser sends a preflight (preflight exchanges only). */
  reasons?: string[]
  request: OutgoingRequest
  response: { status: number, statusText: string, headers: Array<[string, string]> }
  verdict: Verdict & { console?: string }
  /** Response header names the page can read (final actual response only). */
  exposedHeaders?: string[]
  /** What the browser changes when following a redirect. */
  notes?: string[]
  /** Size of the request body sent (actual requests with --data only). */
  bodyBytes?: number
}

/** A configuration a browser allows but that should not exist, or a header the browser drops. */
export interface Warning {
  code: 'reflects-any-origin-with-credentials' | 'allows-null-origin-with-credentials' | 'ignored-header' | 'probe-failed'
  message: string
  fix?: string
}

/** A danger probe: the same request from an origin that should never be trusted. */
export interface Probe {
  origin: string
  exchange?: Exchange
  allowedWithCredentials: boolean
}

export interface CheckReport {
  url: string
  origin: string
  method: string
  headers: Array<[string, string]>
  /** Body of the actual request, when given with --data. */
  data?: string
  credentials: 'include' | 'same-origin'
  privateNetwork: boolean
  sameOrigin: boolean
  exchanges: Exchange[]
  actualSent: boolean
  verdict: 'allowed' | 'blocked' | 'error'
  failure?: FailureCode
  message?: string
  console?: string
  fix?: string
  probes: Probe[]
  warnings: Warning[]
  error?: { code: string, message: string }
  exitCode: 0 | 1 | 2
}

/** Response headers worth showing: the CORS family, Vary and Location. */
function isRelevant (name: string): boolean {
  const lower = name.toLowerCase()
  return lower.startsWith('access-control-') || lower === 'vary' || lower === 'location'
}

function requestLines (exchange: Exchange): string[] {
  const url = new URL(exchange.request.url)
  return [
    `  > ${exchange.request.method} ${url.pathname}${url.search} HTTP/1.1`,
    `  > Host: ${url.host}`,
    ...exchange.request.headers.map(([name, value]) => `  > ${name}: ${value}`),
    ...(exchange.bodyBytes === undefined ? [] : [`  > (${exchange.bodyBytes}-byte body)`])
  ]
}

function responseLines (exchange: Exchange): string[] {
  const { status, statusText, headers } = exchange.response
  const shown = headers.filter(([name]) => isRelevant(name))
  const lines = [`  < HTTP/1.1 ${status} ${statusText}`.trimEnd(), ...shown.map(([name, value]) => `  < ${name}: ${value}`)]
  if (shown.length === 0) lines.push('  < (no Access-Control-*, Vary or Location header)')
  return lines
}

function verdictLines (exchange: Exchange): string[] {
  const { verdict } = exchange
  if (verdict.allowed) {
    if (exchange.kind === 'preflight') return ['  ALLOWED  the preflight passes']
    if (exchange.kind === 'redirect') return ['  FOLLOWED  the browser follows this redirect', ...(exchange.notes as string[]).map((note) => `  Note: ${note}`)]
    const readable = exchange.exposedHeaders as string[]
    return [`  ALLOWED  the page can read this ${exchange.response.status} response; readable headers: ${readable.length > 0 ? readable.join(', ') : '(none)'}`]
  }
  return [
    `  BLOCKED  ${verdict.message as string}`,
    `  Console: ${verdict.console as string}`,
    `  Fix:     ${verdict.fix as string}`
  ]
}

function exchangeBlock (exchange: Exchange): string[] {
  const title = exchange.kind === 'preflight'
    ? `PREFLIGHT  sent because ${(exchange.reasons as string[]).join('; ')}`
    : exchange.kind === 'redirect' ? 'REQUEST (redirected)' : 'ACTUAL REQUEST'
  return [title, ...requestLines(exchange), ...responseLines(exchange), ...verdictLines(exchange), '']
}

/** Formats a report as the CLI prints it. */
export function formatReport (report: CheckReport): string {
  const lines = [
    `cors-check  ${report.method} ${report.url}`,
    `  from origin ${report.origin}, credentials ${report.credentials}${report.privateNetwork ? ', private network' : ''}`,
    ''
  ]
  for (const warning of report.warnings.filter((w) => w.code === 'ignored-header')) lines.push(`NOTE  ${warning.message}`, '')
  if (report.sameOrigin) lines.push('SAME ORIGIN  the page and the URL share an origin: no CORS applies', '')
  else if (report.exchanges[0]?.kind !== 'preflight' && report.error === undefined) {
    lines.push('PREFLIGHT  not needed: a safelisted method with safelisted headers only', '')
  }
  for (const exchange of report.exchanges) lines.push(...exchangeBlock(exchange))
  if (!report.actualSent && report.verdict === 'blocked') {
    lines.push('ACTUAL REQUEST  not sent: a browser stops after a failed preflight', '')
  }
  if (report.error !== undefined) {
    lines.push(`ERROR  ${report.error.message}`, '', 'RESULT  ERROR (exit 2)', '')
    return lines.join('\n')
  }
  lines.push('DANGER CHECKS  the same request from origins no server should trust with credentials')
  for (const probe of report.probes) {
    const warning = report.warnings.find((w) => w.code === (probe.origin === 'null' ? 'allows-null-origin-with-credentials' : 'reflects-any-origin-with-credentials'))
    if (!probe.allowedWithCredentials || warning === undefined) {
      lines.push(`  ok      ${probe.origin} is not allowed with credentials`)
      continue
    }
    lines.push(`  DANGER  ${warning.message}`, `  Fix:    ${warning.fix as string}`)
  }
  for (const warning of report.warnings.filter((w) => w.code === 'probe-failed')) lines.push(`  NOTE    ${warning.message}`)
  lines.push('')
  lines.push(report.verdict === 'allowed'
    ? `RESULT  ALLOWED: a browser would let the page read the response${report.probes.some((p) => p.allowedWithCredentials) ? ', but see DANGER above' : ''} (exit 0)`
    : `RESULT  BLOCKED: ${report.failure as string} (exit 1)`)
  return `${lines.join('\n')}\n`
}
