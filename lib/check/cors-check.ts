/**
 * cors-check: runs the exchanges a browser would run for one `fetch()` against a real server,
 * judges each with the browser model, and probes for dangerous configurations.
 */
import {
  actualRequest, checkActualResponse, checkPreflightResponse, consoleMessage, corsCheck, ignoredHeaders,
  isSameOrigin, needsPreflight, normalizeMethod, preflightReasons, preflightRequest, requestProblems
} from '../browser/model.js'
import type { OutgoingRequest, PageRequest, Verdict } from '../browser/model.js'
import { followRedirect } from '../browser/redirect.js'
import { parseCheckArgs, USAGE } from './args.js'
import type { CheckOptions } from './args.js'
import { NetworkFailure, sendRequest } from './http.js'
import type { ReceivedResponse } from './http.js'
import { formatReport } from './report.js'
import type { CheckReport, Exchange, Probe } from './report.js'

export type { CheckReport, Exchange, Probe, Warning } from './report.js'

/** Where the report goes: process.stdout in the CLI, a buffer in tests. */
export interface Output { write (chunk: string): unknown }

/** An origin no server should trust with credentials (`.invalid` can never resolve: RFC 2606). */
export const PROBE_ORIGIN = 'https://cors-check-probe.invalid'

function exchangeOf (kind: Exchange['kind'], request: OutgoingRequest, response: ReceivedResponse, verdict: Verdict, context: { origin: string, initialUrl: string }): Exchange {
  const console = consoleMessage(verdict, { url: request.url, origin: context.origin, initialUrl: context.initialUrl, method: request.method })
  return {
    kind,
    request,
    response: { status: response.status, statusText: response.statusText, headers: response.rawHeaders },
    verdict: console === undefined ? verdict : { ...verdict, console }
  }
}

function pageRequestOf (options: CheckOptions): PageRequest {
  return {
    url: options.url,
    origin: options.origin,
    method: options.method,
    headers: options.headers,
    credentials: options.credentials ? 'include' : 'same-origin',
    privateNetwork: options.privateNetwork
  }
}

/** Follows the browser through preflight, actual request and redirects; fills report.exchanges. */
async function runExchanges (options: CheckOptions, report: CheckReport): Promise<Verdict> {
  let req = pageRequestOf(options)
  let body = options.data
  const context = { origin: options.origin, initialUrl: options.url }
  for (let redirects = 0; ; redirects++) {
    if (needsPreflight(req)) {
      const preflight = preflightRequest(req)
      const response = await sendRequest(preflight, options.timeoutMs)
      const verdict = checkPreflightResponse(req, response)
      report.exchanges.push({ ...exchangeOf('preflight', preflight, response, verdict, context), reasons: preflightReasons(req) })
      if (!verdict.allowed) return verdict
    }
    const actual = actualRequest(req)
    const response = await sendRequest(actual, options.timeoutMs, body)
    report.actualSent = true
    const sent = body === undefined ? {} : { bodyBytes: Buffer.byteLength(body) }
    const redirect = followRedirect(req, response, redirects)
    if (redirect.kind === 'final') {
      const { exposedHeaders, ...verdict } = checkActualResponse(req, response)
      report.exchanges.push({ ...exchangeOf('actual', actual, response, verdict, context), ...sent, ...(verdict.allowed ? { exposedHeaders } : {}) })
      return verdict
    }
    if (redirect.kind === 'blocked') {
      report.exchanges.push({ ...exchangeOf('redirect', actual, response, redirect.verdict, context), ...sent })
      return redirect.verdict
    }
    report.exchanges.push({ ...exchangeOf('redirect', actual, response, { allowed: true }, context), ...sent, notes: redirect.notes })
    // 301/302 (POST) and 303 turn the request into a GET without a body.
    if (redirect.next.method !== normalizeMethod(req.method)) body = undefined
    req = redirect.next
  }
}

/** Sends the request (or, when it is not a GET or HEAD, only its preflight) from an untrusted origin. */
async function probe (options: CheckOptions, origin: string): Promise<Probe> {
  const req: PageRequest = { ...pageRequestOf(options), origin, credentials: 'include' }
  const method = normalizeMethod(req.method)
  // Preflights have no side effects, so a probe never repeats a state-changing request.
  const viaPreflight = needsPreflight(req) || (method !== 'GET' && method !== 'HEAD')
  const request = viaPreflight ? preflightRequest(req) : actualRequest(req)
  const response = await sendRequest(request, options.timeoutMs)
  // Only the origin and credentials answer matters here: a server that reflects any origin with
  // credentials is dangerous even where it refuses this particular method or header.
  const verdict = corsCheck(req, response, viaPreflight)
  const exchange = exchangeOf(viaPreflight ? 'preflight' : 'actual', request, response, verdict, { origin, initialUrl: options.url })
  return { origin, exchange, allowedWithCredentials: verdict.allowed }
}

async function runProbes (options: CheckOptions, report: CheckReport): Promise<void> {
  for (const origin of [PROBE_ORIGIN, 'null']) {
    let result: Probe
    try {
      result = await probe(options, origin)
    } catch (error) {
      if (!(error instanceof NetworkFailure)) throw error
      report.warnings.push({ code: 'probe-failed', message: `the probe from origin ${origin} failed: ${error.message}` })
      continue
    }
    report.probes.push(result)
    if (!result.allowedWithCredentials) continue
    if (origin === PROBE_ORIGIN) {
      report.warnings.push({
        code: 'reflects-any-origin-with-credentials',
        message: `the server reflects an arbitrary origin (${PROBE_ORIGIN}) together with \`Access-Control-Allow-Credentials: true\`: any website can read these responses with the visitor's cookies`,
        fix: 'allow-list the trusted origins instead of echoing the request\'s Origin (fastify-cors-policy: `origin: [...]` with `credentials: true`)'
      })
    } else {
      report.warnings.push({
        code: 'allows-null-origin-with-credentials',
        message: 'the server allows the `null` origin with credentials: sandboxed iframes, data: URLs and file: pages of any site send `Origin: null`, so this allows everyone',
        fix: 'never allow `null`; serve such pages from a real origin and allow-list that'
      })
    }
  }
}

/** Checks one request against the server. Never throws for network failures: they become exit code 2. */
export async function checkCors (options: CheckOptions): Promise<CheckReport> {
  const req = pageRequestOf(options)
  const report: CheckReport = {
    url: options.url,
    origin: options.origin,
    method: normalizeMethod(options.method),
    headers: options.headers,
    ...(options.data === undefined ? {} : { data: options.data }),
    credentials: options.credentials ? 'include' : 'same-origin',
    privateNetwork: options.privateNetwork,
    sameOrigin: isSameOrigin(req),
    exchanges: [],
    actualSent: false,
    verdict: 'error',
    probes: [],
    warnings: ignoredHeaders(req).map((name) => ({ code: 'ignored-header' as const, message: `a page cannot set \`${name}\` (a forbidden request header): the browser drops it, so it is not sent` })),
    exitCode: 2
  }
  try {
    const verdict = await runExchanges(options, report)
    const last = report.exchanges[report.exchanges.length - 1] as Exchange
    report.verdict = verdict.allowed ? 'allowed' : 'blocked'
    report.exitCode = verdict.allowed ? 0 : 1
    if (!verdict.allowed) Object.assign(report, { failure: verdict.failure, message: verdict.message, console: last.verdict.console, fix: verdict.fix })
    await runProbes(options, report)
  } catch (error) {
    if (!(error instanceof NetworkFailure)) throw error
    report.verdict = 'error'
    report.exitCode = 2
    report.error = { code: error.code, message: error.message }
  }
  return report
}

/** The CLI: parses argv, runs the check, prints text or JSON, and returns the exit code. */
export async function runCorsCheck (argv: string[], out: Output, errOut: Output = out): Promise<number> {
  const parsed = parseCheckArgs(argv)
  if (parsed.kind === 'help') {
    out.write(`${USAGE}\n`)
    return 0
  }
  let problem = parsed.kind === 'usage-error' ? parsed.message : undefined
  if (parsed.kind === 'check') {
    const problems = requestProblems(pageRequestOf(parsed.options))
    if (problems.length > 0) problem = problems.map((p) => `fetch() would throw a TypeError: ${p}`).join('\n')
  }
  if (problem !== undefined || parsed.kind !== 'check') {
    const json = parsed.kind === 'check' ? parsed.options.json : parsed.kind === 'usage-error' && parsed.json
    if (json) out.write(`${JSON.stringify({ verdict: 'error', exitCode: 2, error: { code: 'usage', message: problem } }, null, 2)}\n`)
    else errOut.write(`cors-check: ${problem as string}\n\n${USAGE}\n`)
    return 2
  }
  const report = await checkCors(parsed.options)
  out.write(parsed.options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
  return report.exitCode
}
