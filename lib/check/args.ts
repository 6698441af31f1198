/**
 * Command-line arguments of cors-check: parsed and validated, every problem stated with its fix.
 */
import { parseArgs } from 'node:util'
import type { HeaderList } from '../browser/model.js'

export const USAGE = `Usage: cors-check <url> --origin <origin> [options]

Checks what a browser (Chromium, per the Fetch standard) would do with a fetch() from a page at
<origin> to <url>: whether it sends a preflight, whether the page may read the response, and what
the server must change otherwise. Also probes for dangerous configurations.

Options:
  --origin <origin>     the page's origin, e.g. http://localhost:8080 (or null)   [required]
  --method <method>     request method (default GET)
  --header <name[: value]>  a header the page sets; repeatable (a bare name gets the value 'cors-check')
  --data <body>         body of the actual request (never sent with the preflight)
  --credentials         the page uses credentials: 'include' (cookies, HTTP auth)
  --private-network     the target is more private than the page (sends the PNA preflight)
  --json                print one machine-readable JSON object
  --timeout <ms>        limit for each exchange (default 10000)
  -h, --help            show this help

Exit codes: 0 a browser would allow it, 1 blocked, 2 usage or network error.

With npx: npx cors-check <url> --origin <origin> in a project that has fastify-cors-policy installed;
anywhere else npx -p fastify-cors-policy cors-check <url> --origin <origin> (a bare npx cors-check
there looks for a package named cors-check).`

/** What to check, validated. */
export interface CheckOptions {
  url: string
  origin: string
  method: string
  headers: HeaderList
  /** Body of the actual request. */
  data?: string
  credentials: boolean
  privateNetwork: boolean
  json: boolean
  timeoutMs: number
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'check', options: CheckOptions }
  | { kind: 'usage-error', message: string, json: boolean }

const DEFAULT_TIMEOUT_MS = 10_000

/** An `--origin` value as browsers serialise it, or the problem with it. */
function checkOrigin (value: string): string | undefined {
  if (value === 'null') return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `--origin must be a serialised origin such as http://localhost:8080 (or null); got '${value}'`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `--origin must be an http or https origin (or null); got '${value}'`
  }
  if (url.origin !== value) {
    return `--origin must be exactly scheme://host[:port] as a browser sends it (lower-case, no default port, no path or trailing slash); did you mean '${url.origin}'?`
  }
  return undefined
}

function parseHeader (value: string): [string, string] {
  const colon = value.indexOf(':')
  if (colon === -1) return [value.trim(), 'cors-check']
  return [value.slice(0, colon).trim(), value.slice(colon + 1).trim()]
}

/** Parses argv (without node and the script path). */
export function parseCheckArgs (argv: string[]): ParsedArgs {
  const json = argv.includes('--json')
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        origin: { type: 'string' },
        method: { type: 'string', default: 'GET' },
        header: { type: 'string', multiple: true, default: [] },
        data: { type: 'string' },
        credentials: { type: 'boolean', default: false },
        'private-network': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message, json }
  }
  const { values, positionals } = parsed
  if (values.help === true) return { kind: 'help' }
  const problems: string[] = []
  if (positionals.length !== 1) problems.push(`expected exactly one <url>, got ${positionals.length}`)
  const url = positionals[0] ?? ''
  if (positionals.length === 1) {
    let target: URL | undefined
    try {
      target = new URL(url)
    } catch {
      problems.push(`<url> must be an absolute http(s) URL; got '${url}'`)
    }
    if (target !== undefined && target.protocol !== 'http:' && target.protocol !== 'https:') {
      problems.push(`<url> must be an http(s) URL; got '${url}'`)
    }
  }
  if (values.origin === undefined) problems.push('--origin is required (the origin of the page making the request)')
  else {
    const problem = checkOrigin(values.origin)
    if (problem !== undefined) problems.push(problem)
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout)
    if (!/^[0-9]+$/.test(values.timeout) || timeoutMs < 1 || timeoutMs > 600_000) {
      problems.push(`--timeout must be a whole number of milliseconds from 1 to 600000; got '${values.timeout}'`)
    }
  }
  if (problems.length > 0) return { kind: 'usage-error', message: problems.join('\n'), json }
  return {
    kind: 'check',
    options: {
      url: new URL(url).href,
      origin: values.origin as string,
      method: values.method as string,
      headers: (values.header as string[]).map(parseHeader),
      ...(values.data === undefined ? {} : { data: values.data }),
      credentials: values.credentials === true,
      privateNetwork: values['private-network'] === true,
      json: values.json === true,
      timeoutMs
    }
  }
}
