/**
 * One HTTP exchange for cors-check: send a request exactly as given (header order and case kept,
 * no redirect followed, no body), read the response head, and explain network failures.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { OutgoingRequest, ResponseHead } from '../browser/model.js'

/** A response head as received: status, reason phrase, and the header lines in order and case. */
export interface ReceivedResponse extends ResponseHead {
  statusText: string
  rawHeaders: Array<[name: string, value: string]>
}

/** A failure to get any response, with a sentence that says what went wrong. */
export class NetworkFailure {
  constructor (readonly code: string, readonly message: string) {}
}

/** Names a failure to get a response, with what to check. */
export function describeFailure (error: NodeJS.ErrnoException, url: URL, timeoutMs: number): NetworkFailure {
  const code = error.code ?? 'UNKNOWN'
  const where = url.host
  if (code === 'CORS_CHECK_TIMEOUT') return new NetworkFailure('timeout', `timed out after ${timeoutMs} ms waiting for ${where} (raise it with --timeout)`)
  if (code === 'ECONNREFUSED') return new NetworkFailure('connection-refused', `connection refused by ${where}: is the server running and listening on that port?`)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') return new NetworkFailure('dns', `DNS lookup failed for ${url.hostname} (${code})`)
  if (code === 'ECONNRESET' || code === 'EPIPE') return new NetworkFailure('connection-reset', `the connection to ${where} was closed before a response arrived (${code})`)
  if (/^(ERR_TLS|ERR_SSL|EPROTO|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_TLS_CERT)/.test(code) || /SSL|TLS|certificate/i.test(error.message)) {
    return new NetworkFailure('tls', `TLS error talking to ${where}: ${error.message} (${code}); a browser would refuse this too. For a private CA, set NODE_EXTRA_CA_CERTS`)
  }
  if (code.startsWith('HPE_')) return new NetworkFailure('invalid-response', `${where} sent an invalid HTTP response (${code})`)
  return new NetworkFailure('network', `network error talking to ${where}: ${error.message} (${code})`)
}

function collectHeaders (res: IncomingMessage): ReceivedResponse['headers'] {
  const headers: Record<string, string[]> = {}
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] as string).toLowerCase()
    ;(headers[name] ??= []).push(res.rawHeaders[i + 1] as string)
  }
  return headers
}

/**
 * Sends `req` (with `body`, if any) and resolves with the response head, or rejects with a NetworkFailure. The whole
 * exchange (DNS, connect, TLS, response head) is bounded by `timeoutMs`.
 */
export function sendRequest (req: OutgoingRequest, timeoutMs: number, body?: string): Promise<ReceivedResponse> {
  const url = new URL(req.url)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    // agent: false gives one connection per exchange, closed afterwards: nothing outlives the check.
    const outgoing = send(url, { method: req.method, agent: false })
    for (const [name, value] of req.headers) outgoing.setHeader(name, value)
    const timer = setTimeout(() => {
      outgoing.destroy(Object.assign(new Error('timeout'), { code: 'CORS_CHECK_TIMEOUT' }))
    }, timeoutMs)
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(describeFailure(error, url, timeoutMs))
    })
    outgoing.on('response', (res) => {
      clearTimeout(timer)
      const rawHeaders: Array<[string, string]> = []
      for (let i = 0; i < res.rawHeaders.length; i += 2) rawHeaders.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string])
      resolve({ status: res.statusCode as number, statusText: res.statusMessage as string, headers: collectHeaders(res), rawHeaders })
      // Only the head matters; the body is discarded so that a streaming server cannot hold the check.
      res.destroy()
    })
    outgoing.end(body)
  })
}
