import type { FastifyRequest } from 'fastify'

type CorsDecision = NonNullable<FastifyRequest['cors']>

/** Which request the browser refused, and how the page asked for it. */
export interface BlockedRequest {
  decision: Pick<CorsDecision, 'reason'> | null | undefined
  pageOrigin: string
  url: string
  via?: 'fetch' | 'xhr'
  /** the browser refused the preflight rather than the actual response */
  atPreflight?: boolean
  /** the method named by a `method-not-allowed` refusal */
  method?: string
  /** the header named by a `header-not-allowed` refusal */
  header?: string
}

/**
 * The console line Chromium prints for a response the server denied, derived from the server's
 * `request.cors.reason`: the two must tell the developer the same story.
 */
export function expectedCorsConsole (blocked: BlockedRequest): string {
  const api = blocked.via === 'xhr' ? 'XMLHttpRequest' : 'fetch'
  const prefix = `Access to ${api} at '${blocked.url}' from origin '${blocked.pageOrigin}' has been blocked by CORS policy: `
  const reason = blocked.decision?.reason
  switch (reason) {
    case 'origin-not-allowed':
    case 'origin-check-failed':
    case 'invalid-origin':
    case 'disabled': {
      // Fetch#cors-check step 2: a response without ACAO fails the check.
      const missing = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
      return blocked.atPreflight === true
        ? `${prefix}Response to preflight request doesn't pass access control check: ${missing}`
        : `${prefix}${missing}`
    }
    case 'method-not-allowed':
      // Fetch#cors-preflight-fetch-0 step 7.5
      return `${prefix}Method ${blocked.method ?? '?'} is not allowed by Access-Control-Allow-Methods in preflight response.`
    case 'header-not-allowed':
      // Fetch#cors-preflight-fetch-0 step 7.7
      return `${prefix}Request header field ${blocked.header ?? '?'} is not allowed by Access-Control-Allow-Headers in preflight response.`
    default:
      return `(the server did not deny this request: reason ${String(reason)})`
  }
}
