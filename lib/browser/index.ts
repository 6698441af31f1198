/**
 * lib/browser/ models the browser side of CORS as Chromium applies it to a page's `fetch()` (what it
 * sends, whether the page may read each answer), imports nothing outside this folder, and is
 * published through this entry point as `fastify-cors-policy/browser`.
 */
export { browserVerdict, fetchFromPage } from './inject.js'
export type {
  BrowserExchange, BrowserVerdict, BrowserVerdictOptions, FetchFromPageOptions, FetchResult,
  InjectableApp, InjectedResponse, InjectRequest, PageFetch, PageResponse
} from './inject.js'

export {
  checkActualResponse, checkPreflightResponse, preflightMaxAge, PreflightCache,
  DEFAULT_PREFLIGHT_MAX_AGE, MAX_PREFLIGHT_MAX_AGE
} from './model.js'
export type { PreflightCacheEntry } from './model.js'
export {
  actualRequest, ignoredHeaders, isSameOrigin, needsPreflight, preflightReasons, preflightRequest, requestProblems
} from './request.js'
export type { OutgoingRequest, PageRequest, ResponseHead } from './request.js'
export { followRedirect, MAX_REDIRECTS } from './redirect.js'
export type { RedirectOutcome } from './redirect.js'
export { consoleMessage, failureMessage } from './messages.js'
export type { AddressSpace, ConsoleContext, FailureCode, Verdict } from './messages.js'
export { corsUnsafeRequestHeaderNames, isSafelistedRequestHeader, normalizeMethod } from './headers.js'
export type { HeaderList } from './headers.js'
