/**
 * What Chromium prints to the console when it blocks a CORS request, word for word
 * (third_party/blink/renderer/platform/loader/cors/cors_error_string.cc, and compared with the
 * console of Chromium 156), keyed by the `CorsError` names that DevTools shows.
 */

/** Why a browser refused a response: Chromium's `network::mojom::CorsError` names, plus network errors. */
export type FailureCode =
  | 'MissingAllowOriginHeader' | 'PreflightMissingAllowOriginHeader'
  | 'WildcardOriginNotAllowed' | 'PreflightWildcardOriginNotAllowed'
  | 'MultipleAllowOriginValues' | 'PreflightMultipleAllowOriginValues'
  | 'InvalidAllowOriginValue' | 'PreflightInvalidAllowOriginValue'
  | 'AllowOriginMismatch' | 'PreflightAllowOriginMismatch'
  | 'InvalidAllowCredentials' | 'PreflightInvalidAllowCredentials'
  | 'PreflightInvalidStatus'
  | 'PreflightDisallowedRedirect'
  | 'PreflightMissingAllowPrivateNetwork' | 'PreflightInvalidAllowPrivateNetwork'
  | 'InvalidAllowMethodsPreflightResponse' | 'InvalidAllowHeadersPreflightResponse'
  | 'MethodDisallowedByPreflightResponse' | 'HeaderDisallowedByPreflightResponse'
  | 'RedirectContainsCredentials'
  | 'InvalidRedirect' | 'TooManyRedirects'

/** The outcome of one check: allowed, or the reason, Chromium's wording and what the server must change. */
export interface Verdict {
  allowed: boolean
  failure?: FailureCode
  /** Chromium's sentence after "has been blocked by CORS policy: ". */
  message?: string
  /** What the server must change, concretely. */
  fix?: string
}

/** The address space a private-network request targets, as Chromium names it. */
export type AddressSpace = 'local' | 'private'

const PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
// Chromium 156 (checked against the real browser) appends this to the ACAO value errors of a
// fetch(); older versions also suggested mode 'no-cors'.
const VALID_VALUE_HINT = ' Have the server send the header with a valid value.'

/** Chromium's EncodeHint: control and non-ASCII characters are printed as \uXXXX. */
function encodeHint (hint: string): string {
  let out = ''
  for (const char of hint) {
    const code = char.charCodeAt(0)
    out += code >= 0x20 && code < 0x7f ? char : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
  }
  return out
}

function coreMessage (failure: FailureCode, hint: string, space: AddressSpace): string {
  switch (failure) {
    case 'MissingAllowOriginHeader':
    case 'PreflightMissingAllowOriginHeader':
      return "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    case 'WildcardOriginNotAllowed':
    case 'PreflightWildcardOriginNotAllowed':
      return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
    case 'MultipleAllowOriginValues':
    case 'PreflightMultipleAllowOriginValues':
      return `The 'Access-Control-Allow-Origin' header contains multiple values '${encodeHint(hint)}', but only one is allowed.`
    case 'InvalidAllowOriginValue':
    case 'PreflightInvalidAllowOriginValue':
      return `The 'Access-Control-Allow-Origin' header contains the invalid value '${encodeHint(hint)}'.`
    case 'AllowOriginMismatch':
    case 'PreflightAllowOriginMismatch':
      return `The 'Access-Control-Allow-Origin' header has a value '${encodeHint(hint)}' that is not equal to the supplied origin.`
    case 'InvalidAllowCredentials':
    case 'PreflightInvalidAllowCredentials':
      return `The value of the 'Access-Control-Allow-Credentials' header in the response is '${encodeHint(hint)}' which must be 'true' when the request's credentials mode is 'include'.`
    case 'PreflightInvalidStatus':
      return 'It does not have HTTP ok status.'
    case 'PreflightDisallowedRedirect':
      return 'Redirect is not allowed for a preflight request.'
    case 'PreflightMissingAllowPrivateNetwork':
      return `No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request targeting the \`${space}\` address space.`
    case 'PreflightInvalidAllowPrivateNetwork':
      // The two spaces before "not" are Chromium's.
      return `The 'Access-Control-Allow-Private-Network' header in the preflight response for this private network request targeting the \`${space}\` address space had a value of '${encodeHint(hint)}',  not 'true'.`
    case 'InvalidAllowMethodsPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.'
    case 'InvalidAllowHeadersPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.'
    case 'MethodDisallowedByPreflightResponse':
      return `Method ${encodeHint(hint)} is not allowed by Access-Control-Allow-Methods in preflight response.`
    case 'HeaderDisallowedByPreflightResponse':
      return `Request header field ${encodeHint(hint)} is not allowed by Access-Control-Allow-Headers in preflight response.`
    case 'RedirectContainsCredentials':
      return `Redirect location '${encodeHint(hint)}' contains a username and password, which is disallowed for cross-origin requests.`
    case 'InvalidRedirect':
      return 'net::ERR_INVALID_REDIRECT'
    case 'TooManyRedirects':
      return 'net::ERR_TOO_MANY_REDIRECTS'
  }
}

/** Failures Chromium reports with the "Response to preflight request …" prefix (IsPreflightError). */
function isPreflightError (failure: FailureCode): boolean {
  return failure.startsWith('Preflight')
}

/** Chromium's message for a failure (without the "Access to fetch at …" lead). */
export function failureMessage (failure: FailureCode, hint = '', space: AddressSpace = 'local'): string {
  return (isPreflightError(failure) ? PREFLIGHT_PREFIX : '') + coreMessage(failure, hint, space)
}

/** Builds a failed verdict. */
export function blocked (failure: FailureCode, fix: string, hint = '', space: AddressSpace = 'local'): Verdict {
  return { allowed: false, failure, message: failureMessage(failure, hint, space), fix }
}

/** Where a console line is about: the URL that failed, the one first requested, the page's origin. */
export interface ConsoleContext {
  url: string
  origin: string
  method?: string
  initialUrl?: string
}

/**
 * The whole line Chromium prints for a blocked `fetch()` (GetErrorStringForConsoleMessage with
 * the fetch initiator), or undefined for an allowed verdict.
 */
export function consoleMessage (verdict: Verdict, context: ConsoleContext): string | undefined {
  const failure = verdict.failure
  if (verdict.allowed || failure === undefined) return undefined
  if (failure === 'InvalidRedirect' || failure === 'TooManyRedirects') {
    return `${context.method ?? 'GET'} ${context.url} ${coreMessage(failure, '', 'local')}`
  }
  const redirected = context.initialUrl !== undefined && context.initialUrl !== context.url
    ? `(redirected from '${context.initialUrl}') `
    : ''
  const suffix = /(MultipleAllowOriginValues|InvalidAllowOriginValue|AllowOriginMismatch)$/.test(failure) ? VALID_VALUE_HINT : ''
  return `Access to fetch at '${context.url}' ${redirected}from origin '${context.origin}' has been blocked by CORS policy: ${verdict.message ?? ''}${suffix}`
}
