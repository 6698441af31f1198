/**
 * Fetch#http-redirect-fetch for a CORS-mode `fetch()` with redirect mode "follow": what the
 * browser does with a 3xx answer to the actual request. (A redirected preflight is simply
 * refused: see checkPreflightResponse.) Pure: no I/O, no Fastify.
 */
import { corsCheck, headerValue, isRedirect } from './model.js'
import { normalizeMethod } from './headers.js'
import { authorHeaders, isSameOrigin } from './request.js'
import type { PageRequest, ResponseHead } from './model.js'
import { blocked } from './messages.js'
import type { Verdict } from './messages.js'

/** Fetch#http-redirect-fetch step 7: the twentieth redirect is a network error. */
export const MAX_REDIRECTS = 20

const REQUEST_BODY_HEADER_NAMES = new Set(['content-encoding', 'content-language', 'content-location', 'content-type'])

export type RedirectOutcome =
  | { kind: 'final' }
  | { kind: 'follow', next: PageRequest, notes: string[] }
  | { kind: 'blocked', verdict: Verdict }

function includesCredentials (url: URL): boolean {
  return url.username !== '' || url.password !== ''
}

/**
 * What the browser does with `res`, the answer to `req` after `redirectCount` redirects:
 * nothing (not a redirect), follow it with the next request, or fail.
 */
export function followRedirect (req: PageRequest, res: ResponseHead, redirectCount: number): RedirectOutcome {
  if (!isRedirect(res)) return { kind: 'final' }
  const cors = !isSameOrigin(req)
  // Fetch#http-fetch: a redirect response to a CORS request must itself pass the CORS check.
  if (cors) {
    const access = corsCheck(req, res, false)
    if (!access.allowed) {
      return { kind: 'blocked', verdict: { ...access, fix: `${access.fix as string} on the ${res.status} redirect response too, or point the page at the final URL` } }
    }
  }
  const location = headerValue(res, 'location') as string
  const current = new URL(req.url)
  let target: URL
  try {
    target = new URL(location, current)
  } catch {
    return { kind: 'blocked', verdict: blocked('InvalidRedirect', `the server must redirect to a valid URL; it sent Location '${location}'`) }
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { kind: 'blocked', verdict: blocked('InvalidRedirect', `the server must redirect to an http(s) URL; it sent Location '${location}'`) }
  }
  if (redirectCount >= MAX_REDIRECTS) {
    return { kind: 'blocked', verdict: blocked('TooManyRedirects', `the server must stop redirecting: a browser gives up after ${MAX_REDIRECTS} redirects`) }
  }
  const pageOrigin = req.origin
  if (includesCredentials(target) && (cors || pageOrigin !== target.origin)) {
    return { kind: 'blocked', verdict: blocked('RedirectContainsCredentials', 'the server must redirect to a URL without user name or password', target.href) }
  }
  const notes: string[] = []
  let method = normalizeMethod(req.method)
  let headers = authorHeaders(req)
  if (((res.status === 301 || res.status === 302) && method === 'POST') || (res.status === 303 && method !== 'GET' && method !== 'HEAD')) {
    notes.push(`${res.status} turns ${method} into GET and drops the body`)
    method = 'GET'
    headers = headers.filter(([name]) => !REQUEST_BODY_HEADER_NAMES.has(name.toLowerCase()))
  }
  if (current.origin !== target.origin) {
    const before = headers.length
    headers = headers.filter(([name]) => name.toLowerCase() !== 'authorization')
    if (headers.length !== before) notes.push('Authorization is removed on a cross-origin redirect')
  }
  let origin = pageOrigin
  // Fetch#http-redirect-fetch: leaving a cross-origin URL for another origin taints the request's
  // origin, which is then serialised as `null` (Fetch#serializing-a-request-origin).
  if (target.origin !== current.origin && pageOrigin !== current.origin && origin !== 'null') {
    origin = 'null'
    notes.push('after a redirect from one cross-origin URL to another origin, the request\'s Origin becomes `null`')
  }
  return { kind: 'follow', next: { ...req, url: target.href, method, headers, origin }, notes }
}
