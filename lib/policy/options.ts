import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { CorsOptionsSchema, PLUGIN_ONLY_OPTIONS, type FastifyCorsDelegator, type FastifyCorsHook, type FastifyCorsOriginFunction } from './schema.js'
import { originText, parseConfiguredOrigin, unanchoredRegExpFix, type ConfiguredOrigin } from './origin-pattern.js'
import { isLoopbackHost, regExpWitnesses, unescapedHostDots } from './regexp-safety.js'
import { ORIGIN_CACHE_SETTING_NAMES, originCacheSettingProblems, resolveOriginCache, type OriginCacheSettings } from './origin-cache-settings.js'
import {
  FORBIDDEN_METHODS, FORBIDDEN_RESPONSE_HEADERS, RESPONSE_ONLY_HEADERS, isForbiddenRequestHeader, isToken, MAX_METHOD_LENGTH
} from '../http/tokens.js'

/** One configuration problem: where it is (a JSON pointer), the value there, what is wrong and how to fix it. */
export interface OptionProblem {
  /** JSON pointer into the options (`''` for the options themselves), e.g. `/origin/2` */
  path: string
  /** the offending value: the one at `path`, or the item of a list the message names (e.g. `'TRACE'` of `/methods`) */
  value: unknown
  /** what is wrong and what to do, as the error message prints it after the path */
  message: string
  /** what to do, in one sentence (part of `message` when the message says it) */
  fix: string
  /** true for foot-guns a browser would accept; false for values that cannot work */
  unsafe: boolean
}

/** An allow-list: configured origins and patterns, and anchored RegExps. */
export interface OriginList { kind: 'list', origins: ConfiguredOrigin[], regexps: RegExp[] }

/** The origin part of the options, resolved into one strategy. */
export type OriginSetting =
  | { kind: 'any' }
  | { kind: 'reflect' }
  | { kind: 'none' }
  | OriginList
  | { kind: 'function', check: FastifyCorsOriginFunction }
  /** `{ credentialed, public }`: credentials for one list, none for the other origins `public` admits */
  | { kind: 'tiered', credentialed: OriginList, public: OriginList | { kind: 'any' } }

/** A header or method list: unset (the default behaviour), `'*'`, or names (with `'*'` possibly among them). */
export interface NameList { wildcard: boolean, names: string[] }

/** Options after validation, with defaults applied and lists normalised; input to `compilePolicy`. */
export interface ResolvedOptions {
  origin: OriginSetting
  credentials: boolean
  methods: NameList | undefined
  allowedHeaders: NameList | undefined
  exposedHeaders: NameList | undefined
  maxAge: number | undefined
  cacheControl: string | undefined
  preflight: boolean
  strictPreflight: boolean
  preflightContinue: boolean
  optionsSuccessStatus: number
  allowPrivateNetwork: boolean
  originCheckTimeout: number
  enforce: boolean | 'report-only'
  hideOptionsRoute: boolean
  logLevel: string | undefined
  dangerouslyAllowAnyOriginWithCredentials: boolean
  dangerouslyAllowInsecureOrigins: boolean
  hook: FastifyCorsHook
  delegator: FastifyCorsDelegator | undefined
  /** the origin function's answers are kept (`originCache`); undefined: asked on every request */
  originCache: OriginCacheSettings | undefined
}

/** The hooks that run before the handler: the only ones in which `enforce` can stop a request. */
export const HOOKS_BEFORE_HANDLER: ReadonlySet<string> = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler'])

const OPTION_NAMES = Object.keys(CorsOptionsSchema.properties)
const PROPERTIES = CorsOptionsSchema.properties as Record<string, TSchema>

// names used by other CORS libraries, so a migration typo gets a precise answer
const ALIASES: Readonly<Record<string, string>> = {
  origins: 'origin',
  allowOrigin: 'origin',
  allowOrigins: 'origin',
  allowedOrigins: 'origin',
  allowCredentials: 'credentials',
  allowMethods: 'methods',
  allowedMethods: 'methods',
  allowHeaders: 'allowedHeaders',
  headers: 'allowedHeaders',
  exposeHeaders: 'exposedHeaders',
  maxage: 'maxAge',
  privateNetworkAccess: 'allowPrivateNetwork'
}

/** Renders a configured value for an error message, bounded in length. */
export function renderValue (value: unknown): string {
  let text: string
  if (typeof value === 'function') text = 'a function'
  else if (value instanceof RegExp) text = String(value)
  else if (typeof value === 'string') text = `'${value}'`
  else if (value === undefined || typeof value === 'bigint') text = String(value)
  else if (Array.isArray(value)) text = `[${value.map(renderValue).join(', ')}]`
  else {
    try { text = JSON.stringify(value) ?? String(value) } catch { text = Object.prototype.toString.call(value) }
  }
  return text.length > 120 ? text.slice(0, 117) + '...' : text
}

function editDistance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length] as number
}

function suggestOptionName (name: string, allowed: readonly string[]): string | undefined {
  const alias = ALIASES[name]
  if (alias !== undefined && allowed.includes(alias)) return alias
  let best: string | undefined
  let bestDistance = 4
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) { best = candidate; bestDistance = distance }
  }
  return best
}

function splitList (value: string | string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : value
  return items.map((item) => item.trim()).filter((item) => item.length > 0)
}

/** The value at a JSON pointer in `root`, through own properties only; undefined when there is none. */
export function valueAt (root: unknown, path: string): unknown {
  let value = root
  for (const token of path === '' ? [] : path.slice(1).split('/')) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~')
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** How to fix a problem; `value` when the offending value is not the one at the path (e.g. an item of a list). */
export interface ProblemDetails { fix: string, unsafe?: boolean, value?: unknown }

export interface Collector { problems: OptionProblem[], add: (path: string, message: string, details: ProblemDetails) => void }

/** Collects the problems of `input`; a problem's value is read at its path unless the call site gives it. */
export function collector (input?: unknown): Collector {
  const problems: OptionProblem[] = []
  return {
    problems,
    add: (path, message, details) => {
      const value = 'value' in details ? details.value : valueAt(input, path)
      problems.push({ path, value, message, fix: details.fix, unsafe: details.unsafe ?? false })
    }
  }
}

/** Rules of the rest of the options that apply to each configured origin. */
export interface OriginRules {
  /** credentials are on and `dangerouslyAllowInsecureOrigins` is not: http origins must be loopback */
  secureOnly: boolean
  /** why credentials apply, as the insecure-origin messages say it; default 'while credentials is true' */
  credentialedBy?: string
}

/**
 * Resolves an `origin` value (configured, or answered by an origin function) into one strategy;
 * `at` is the JSON pointer of the value, for problems.
 */
export function resolveOrigin (value: unknown, c: Collector, rules: OriginRules = { secureOnly: false }, at = '/origin'): OriginSetting {
  // ['*'] is what @fastify/cors users write for "any origin"; mixed with origins it stays an error
  if (value === '*' || (Array.isArray(value) && value.length === 1 && value[0] === '*')) return { kind: 'any' }
  if (value === true) return { kind: 'reflect' }
  if (value === false) return { kind: 'none' }
  if (typeof value === 'function') return { kind: 'function', check: value as FastifyCorsOriginFunction }
  const items = Array.isArray(value) ? value : [value]
  const origins: ConfiguredOrigin[] = []
  const regexps: RegExp[] = []
  items.forEach((item: unknown, index: number) => {
    const path = Array.isArray(value) ? `${at}/${index}` : at
    if (item instanceof RegExp) {
      const problem = regExpProblem(item, rules)
      if (problem === undefined) regexps.push(item)
      else c.add(path, problem.message, { fix: problem.fix, unsafe: true, value: item })
    } else if (typeof item === 'string') {
      const parsed = parseConfiguredOrigin(item)
      if (parsed.kind === 'error') {
        const list = listInOneString(item)
        if (list === undefined) c.add(path, parsed.problem, { fix: parsed.fix, unsafe: parsed.unsafe, value: item })
        else c.add(path, list.message, { fix: list.fix, value: item })
      } else {
        const insecure = rules.secureOnly ? insecureOrigin(parsed, rules.credentialedBy) : undefined
        if (insecure === undefined) origins.push(parsed)
        else c.add(path, insecure.message, { fix: insecure.fix, unsafe: true, value: item })
      }
    } else {
      c.add(path, `expected an origin string or an anchored RegExp, received ${renderValue(item)}`, {
        fix: "replace it with an origin string (e.g. 'https://app.example.com') or an anchored RegExp", value: item
      })
    }
  })
  return { kind: 'list', origins, regexps }
}

const TIERS = ['credentialed', 'public'] as const
const TIER_LIST = 'a non-empty array of origins, patterns or anchored RegExps'

/** Is `value` written as tiers, `{ credentialed, public }` (a plain object: not a RegExp, array or function)? */
export function isTieredOrigin (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Resolves `origin: { credentialed, public }`. The credentialed tier follows the rules of a list with
 * credentials (no '*', no 'null', http only on loopback unless `insecureAllowed`); the public tier
 * those of a list without them, or '*'.
 */
export function resolveTieredOrigin (value: Record<string, unknown>, c: Collector, insecureAllowed: boolean): OriginSetting {
  for (const key of Object.keys(value)) {
    if ((TIERS as readonly string[]).includes(key)) continue
    const suggestion = suggestOptionName(key, TIERS)
    const fix = suggestion === undefined ? 'remove it' : `did you mean '${suggestion}'?`
    c.add(`/origin/${key}`, `is not a tier of origin (tiers: credentialed, public); ${fix}`, { fix, value: value[key] })
  }
  const credentialed = resolveTier(value, 'credentialed', c, { secureOnly: !insecureAllowed, credentialedBy: 'in the credentialed tier' })
  // ['*'] too, as a plain origin takes it
  const anyPublic = value.public === '*' || (Array.isArray(value.public) && value.public.length === 1 && value.public[0] === '*')
  const publicTier = anyPublic ? { kind: 'any' as const } : resolveTier(value, 'public', c, { secureOnly: false })
  return { kind: 'tiered', credentialed, public: publicTier }
}

/** One tier's list, item by item (so '*' and 'null' get messages that name the tier). */
function resolveTier (tiers: Record<string, unknown>, tier: typeof TIERS[number], c: Collector, rules: OriginRules): OriginList {
  const list: OriginList = { kind: 'list', origins: [], regexps: [] }
  const value = tiers[tier]
  if (value === undefined) {
    const fix = tier === 'credentialed'
      ? "add credentialed: [the origins that get credentialed responses], or use origin: '*' or a list without credentials if none does"
      : "add public: '*' (every other site) or a list, or use a plain origin list with credentials: true if only the credentialed origins may read responses"
    c.add('/origin', `has no \`${tier}\` tier; ${fix}`, { fix })
    return list
  }
  if (!Array.isArray(value) || value.length === 0) {
    const expected = tier === 'public' ? `'*' or ${TIER_LIST}` : TIER_LIST
    c.add(`/origin/${tier}`, `expected ${expected}, received ${renderValue(value)}`, { fix: `use ${expected}`, value })
    return list
  }
  value.forEach((item: unknown, index: number) => {
    const path = `/origin/${tier}/${index}`
    if (item === '*') {
      if (tier === 'credentialed') {
        const fix = "list the origins that may read credentialed responses, and use public: '*' for every other site"
        c.add(path, `'*' cannot be credentialed: browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; ${fix}`, { fix, unsafe: true, value: item })
      } else {
        const fix = "use public: '*' on its own"
        c.add(path, `'*' already admits every origin; ${fix}`, { fix, value: item })
      }
    } else if (item === 'null' && tier === 'credentialed') {
      const fix = "move 'null' to public"
      c.add(path, `'null' in credentialed lets sandboxed iframes, data: URLs and file: pages of any site read authenticated responses; ${fix}`, { fix, unsafe: true, value: item })
    } else if (typeof item === 'string' || item instanceof RegExp) {
      const one = resolveOrigin(item, c, rules, path) as OriginList
      list.origins.push(...one.origins)
      list.regexps.push(...one.regexps)
    } else {
      c.add(path, `expected an origin string or an anchored RegExp, received ${renderValue(item)}`, {
        fix: "replace it with an origin string (e.g. 'https://app.example.com') or an anchored RegExp", value: item
      })
    }
  })
  return list
}

interface Problem { message: string, fix: string }

const INSECURE_OPT_IN = 'or set dangerouslyAllowInsecureOrigins: true if you accept that'
const WHILE_CREDENTIALS = 'while credentials is true'
const INSECURE_RISK = 'anyone on the network path (public Wi-Fi, a proxy) can inject script into a page served over http, and that script then reads your users\' credentialed responses'

/** Why a RegExp origin lets other sites in, checked in order: not anchored, an unescaped dot, matches a stranger's host, http with credentials. */
function regExpProblem (re: RegExp, rules: OriginRules): Problem | undefined {
  const anchored = unanchoredRegExpFix(re)
  if (anchored !== undefined) {
    const fix = `use ${anchored}, or better a pattern such as 'https://*.example.com'`
    return { message: `${renderValue(re)} is not anchored, so it also matches origins that merely contain an allowed one (e.g. https://evil-example.com); ${fix}`, fix }
  }
  const dots = unescapedHostDots(re)
  if (dots !== undefined) {
    const fix = `use ${dots.escaped}`
    const example = dots.example === undefined ? '' : `, so it also matches '${dots.example}'`
    return { message: `${renderValue(re)} has an unescaped '.', which matches any character${example}; ${fix}`, fix }
  }
  const { stranger, insecure } = regExpWitnesses(re)
  if (stranger !== undefined) {
    const fix = "match whole host names only (no '.*', '.+' or lookahead across the host, no variable label right under a public suffix or as the top-level domain), or use a pattern such as 'https://*.example.com'"
    return { message: `${renderValue(re)} also matches ${stranger}, a site anyone can register; ${fix}`, fix }
  }
  if (rules.secureOnly && insecure !== undefined) {
    const fix = `match https only, ${INSECURE_OPT_IN}`
    return { message: `${renderValue(re)} matches ${insecure} ${rules.credentialedBy ?? WHILE_CREDENTIALS}: ${INSECURE_RISK}; ${fix}`, fix }
  }
  return undefined
}

/** An http origin or pattern on a host that is not loopback: its credentialed responses are readable by a network attacker. */
function insecureOrigin (origin: ConfiguredOrigin, credentialedBy = WHILE_CREDENTIALS): Problem | undefined {
  const scheme = origin.kind === 'exact' ? origin.origin.slice(0, origin.origin.indexOf(':')) : origin.scheme
  if (scheme !== 'http') return undefined
  const host = origin.kind === 'exact' ? new URL(origin.origin).hostname : origin.host
  if (isLoopbackHost(host)) return undefined
  const written = originText(origin)
  const fix = `serve the site over https and list '${'https' + written.slice(4)}', ${INSECURE_OPT_IN}`
  return { message: `'${written}' is an http origin ${credentialedBy}: ${INSECURE_RISK}; ${fix}`, fix }
}

/** Several origins written as one string (typically an environment variable): the array it stands for. */
function listInOneString (value: string): Problem | undefined {
  const parts = value.split(/[\s,]+/).filter((part) => part.length > 0)
  if (parts.length < 2 || parts.some((part) => parseConfiguredOrigin(part).kind === 'error')) return undefined
  const fix = `did you mean ${renderValue(parts)}? (from an environment variable: process.env.ORIGINS.split(',').map((origin) => origin.trim()))`
  return { message: `${renderValue(value)} is several origins in one string, but origin takes an array; ${fix}`, fix }
}

function resolveMethods (value: string | string[], c: Collector): NameList {
  const names: string[] = []
  let wildcard = false
  const items = splitList(value)
  for (const item of items) {
    if (item === '*') { wildcard = true; continue }
    const upper = item.toUpperCase()
    if (!isToken(item, MAX_METHOD_LENGTH)) {
      c.add('/methods', `${renderValue(item)} is not a valid method name (an HTTP token such as 'PUT')`, { fix: "use a method name that is an HTTP token, such as 'PUT'", value: item })
    } else if (FORBIDDEN_METHODS.has(upper)) {
      const fix = 'remove it'
      c.add('/methods', `${renderValue(item)} is a forbidden method (Fetch): browsers never send it, ${fix}`, { fix, value: item })
    } else if (!names.includes(upper)) names.push(upper)
  }
  return { wildcard, names }
}

function resolveHeaders (key: 'allowedHeaders' | 'exposedHeaders', value: string | string[], c: Collector): NameList {
  const names: string[] = []
  let wildcard = false
  for (const item of splitList(value)) {
    if (item === '*') { wildcard = true; continue }
    const lower = item.toLowerCase()
    if (!isToken(item, 128)) {
      c.add(`/${key}`, `${renderValue(item)} is not a valid header name (an HTTP token such as 'X-Request-Id')`, { fix: "use a header name that is an HTTP token, such as 'X-Request-Id'", value: item })
    } else if (key === 'allowedHeaders' && RESPONSE_ONLY_HEADERS.has(lower)) {
      const fix = 'remove it (did you mean exposedHeaders?)'
      c.add('/allowedHeaders', `${renderValue(item)} is a response header, never a request header; ${fix}`, { fix, value: item })
    } else if (key === 'allowedHeaders' && isForbiddenRequestHeader(lower)) {
      const fix = 'remove it'
      c.add('/allowedHeaders', `${renderValue(item)} is a forbidden request header (Fetch): scripts can never set it, so allowing it has no effect; ${fix}`, { fix, value: item })
    } else if (key === 'exposedHeaders' && FORBIDDEN_RESPONSE_HEADERS.has(lower)) {
      const fix = 'remove it'
      c.add('/exposedHeaders', `${renderValue(item)} can never be exposed to scripts (Fetch#forbidden-response-header-name); ${fix}`, { fix, value: item })
    } else if (!names.some((name) => name.toLowerCase() === lower)) {
      names.push(item)
    }
  }
  return { wildcard, names }
}

/** The known options of `raw` whose type is right (each other key is a problem), before defaults. */
function readOptions (raw: unknown, allowedKeys: readonly string[], c: Collector): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    c.add('', `expected an options object, received ${renderValue(raw)}`, { fix: "pass an options object, such as { origin: ['https://app.example.com'] }" })
  } else if (raw !== undefined && raw !== null) {
    for (const [key, value] of Object.entries(raw)) {
      if (value === undefined) continue
      if (!allowedKeys.includes(key)) {
        if ((PLUGIN_ONLY_OPTIONS as readonly string[]).includes(key)) {
          const fix = 'set it where the plugin is registered'
          c.add(`/${key}`, `is a plugin-level option and cannot be set per route; ${fix}`, { fix, value })
        } else {
          const suggestion = suggestOptionName(key, allowedKeys)
          const options = allowedKeys.join(', ')
          if (suggestion === undefined) {
            c.add(`/${key}`, `is not an option (options: ${options})`, { fix: `remove it, or use one of the options: ${options}`, value })
          } else {
            const fix = `did you mean '${suggestion}'?`
            c.add(`/${key}`, `is not an option; ${fix} (options: ${options})`, { fix, value })
          }
        }
        continue
      }
      const schema = PROPERTIES[key] as TSchema
      if (!Value.Check(schema, value)) {
        if (key !== 'originCache' || !addOriginCacheProblems(value, c)) {
          c.add(`/${key}`, `expected ${schema.expected as string}, received ${renderValue(value)}`, { fix: `use ${schema.expected as string}`, value })
        }
        continue
      }
      input[key] = value
    }
  }
  return input
}

/**
 * Each setting of an `originCache` object that the schema refuses, at its own path; false when the
 * value is not such an object (the whole value is then the problem).
 */
function addOriginCacheProblems (value: unknown, c: Collector): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const settings = value as Record<string, unknown>
  const problems = originCacheSettingProblems(settings)
  const names = ORIGIN_CACHE_SETTING_NAMES.join(', ')
  for (const { name, expected } of problems) {
    const path = `/originCache/${name}`
    if (expected !== undefined) {
      c.add(path, `expected ${expected}, received ${renderValue(settings[name])}`, { fix: `use ${expected}`, value: settings[name] })
      continue
    }
    const suggestion = suggestOptionName(name, ORIGIN_CACHE_SETTING_NAMES)
    if (suggestion === undefined) {
      c.add(path, `is not a setting of originCache (settings: ${names})`, { fix: `remove it, or use one of the settings: ${names}`, value: settings[name] })
    } else {
      const fix = `did you mean '${suggestion}'?`
      c.add(path, `is not a setting of originCache; ${fix} (settings: ${names})`, { fix, value: settings[name] })
    }
  }
  return problems.length > 0
}

/**
 * `originCache` keeps an origin function's answers, so it needs one; with a delegator and no origin of
 * its own, it applies to the origin functions the delegator answers.
 */
function checkOriginCache (input: Record<string, unknown>, origin: OriginSetting, originExplicit: boolean, c: Collector): void {
  const cache = input.originCache
  if (cache === undefined || cache === false || origin.kind === 'function' || (!originExplicit && input.delegator !== undefined)) return
  const fix = 'remove originCache, or set origin to a function (origin, cb, request, signal) whose answers it keeps'
  const which = originExplicit ? `origin is ${renderValue(input.origin)}` : "origin is not set (the default '*')"
  c.add('/originCache', `only applies to an origin function, but ${which}; ${fix}`, { fix })
}

/** What the resolved options say about each other: unsafe or contradictory combinations. */
interface Combination {
  input: Record<string, unknown>
  origin: OriginSetting
  /** `origin` was given, not the default '*' */
  originExplicit: boolean
  credentials: boolean
  methods: NameList | undefined
  allowedHeaders: NameList | undefined
  exposedHeaders: NameList | undefined
}

function checkCombinations ({ input, origin, originExplicit, credentials, methods, allowedHeaders, exposedHeaders }: Combination, c: Collector): void {
  const dangerous = input.dangerouslyAllowAnyOriginWithCredentials as boolean
  if (credentials) {
    // Fetch#cors-protocol-and-credentials: with credentials, '*' is never a wildcard
    // with a delegator the static origin is only a default under the delegator's answers, which are
    // validated when they arrive
    if (origin.kind === 'any' && (originExplicit || input.delegator === undefined)) {
      if (originExplicit) {
        const fix = "list the allowed origins in `origin` (e.g. ['https://app.example.com'])"
        c.add('/credentials', `true cannot be combined with origin '*': browsers refuse Access-Control-Allow-Origin '*' on credentialed requests; ${fix}`, { fix, unsafe: true })
      } else {
        const fix = "list the allowed origins (e.g. origin: ['https://app.example.com'])"
        c.add('/credentials', `true needs an explicit \`origin\`: the default '*' cannot be used with credentials; ${fix}`, { fix, unsafe: true })
      }
    }
    if (origin.kind === 'reflect' && !dangerous) {
      const fix = 'list the allowed origins, use a function that checks them, or set dangerouslyAllowAnyOriginWithCredentials: true if you really mean it'
      c.add('/origin', `true (reflect any origin) with credentials: true lets every website read your users' authenticated responses; ${fix}`, { fix, unsafe: true })
    }
    for (const [key, list] of [['methods', methods], ['allowedHeaders', allowedHeaders], ['exposedHeaders', exposedHeaders]] as const) {
      if (list?.wildcard === true) {
        const fix = `list the ${key === 'methods' ? 'methods' : 'header names'} explicitly`
        // one answer per route for both tiers: a '*' the credentialed tier reads literally is refused for both
        const when = origin.kind === 'tiered' ? 'for the credentialed tier of origin' : 'when credentials is true'
        c.add(`/${key}`, `'*' is not a wildcard ${when} (browsers treat it as a literal name); ${fix}`, { fix, value: '*' })
      }
    }
  }
  if (input.allowPrivateNetwork === true && (origin.kind === 'any' || origin.kind === 'reflect') && (originExplicit || input.delegator === undefined)) {
    // Private Network Access exists so that public websites cannot reach devices on the user's network
    const fix = 'list the origins that may reach this server in `origin`'
    const which = origin.kind === 'any' ? (originExplicit ? "origin '*'" : "the default origin '*'") : 'origin: true (reflect any origin)'
    c.add('/allowPrivateNetwork', `true with ${which} lets every public website reach this server on its visitors' private networks; ${fix}`, { fix, unsafe: true })
  }
  if (input.allowPrivateNetwork === true && origin.kind === 'tiered' && origin.public.kind === 'any') {
    const fix = 'list the origins that may reach this server in `origin.public`'
    c.add('/allowPrivateNetwork', `true with origin.public '*' lets every public website reach this server on its visitors' private networks; ${fix}`, { fix, unsafe: true })
  }
  if (origin.kind === 'list' && origin.origins.some((o) => o.kind === 'exact' && o.origin === 'null') && credentials) {
    const fix = "remove 'null' or use credentials: false"
    c.add('/origin', `'null' with credentials: true lets sandboxed iframes, data: URLs and file: pages of any site read authenticated responses; ${fix}`, { fix, unsafe: true, value: 'null' })
  }
  if (methods !== undefined && methods.wildcard && methods.names.length > 0) {
    const fix = "use methods: '*' alone, or list the methods without '*'"
    c.add('/methods', `'*' already allows every method; ${fix}`, { fix })
  }
  if (exposedHeaders !== undefined && exposedHeaders.wildcard && exposedHeaders.names.length > 0) {
    const fix = "use exposedHeaders: '*' alone, or list the names without '*'"
    c.add('/exposedHeaders', `'*' already exposes every header; ${fix}`, { fix })
  }
  if (input.enforce !== false && !HOOKS_BEFORE_HANDLER.has(input.hook as string)) {
    const fix = "use hook: 'preHandler' (or 'onRequest', 'preParsing', 'preValidation'), or remove enforce"
    c.add('/enforce', `needs a hook that runs before the handler, but hook is '${input.hook as string}'; ${fix}`, { fix })
  }
}

export function resolveOptions (raw: unknown, allowedKeys: readonly string[] = OPTION_NAMES): { options: ResolvedOptions, problems: OptionProblem[] } {
  const c = collector(raw)
  const input = readOptions(raw, allowedKeys, c)
  const credentialsGiven = input.credentials !== undefined
  for (const key of OPTION_NAMES) {
    const fallback = (PROPERTIES[key] as TSchema).default
    if (input[key] === undefined && fallback !== undefined) input[key] = fallback
  }

  const tiered = isTieredOrigin(input.origin)
  if (tiered && input.credentials === false && credentialsGiven) {
    const fix = 'remove credentials (the tiers decide who gets credentials), or use a plain origin list if no origin may get them'
    c.add('/credentials', `false contradicts origin { credentialed, public }, which sends credentials to its credentialed tier; ${fix}`, { fix })
  }
  // the tiers grant credentials by themselves: to the credentialed tier (the public tier's policy has none)
  const credentials = tiered || input.credentials as boolean
  const originExplicit = input.origin !== '*' || (raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).origin === '*')
  const origin = tiered
    ? resolveTieredOrigin(input.origin as Record<string, unknown>, c, input.dangerouslyAllowInsecureOrigins === true)
    : resolveOrigin(input.origin, c, { secureOnly: credentials && input.dangerouslyAllowInsecureOrigins !== true })
  const methods = input.methods === undefined ? undefined : resolveMethods(input.methods as string | string[], c)
  const allowedHeaders = input.allowedHeaders === undefined ? undefined : resolveHeaders('allowedHeaders', input.allowedHeaders as string | string[], c)
  const exposedHeaders = input.exposedHeaders === undefined ? undefined : resolveHeaders('exposedHeaders', input.exposedHeaders as string | string[], c)
  const dangerous = input.dangerouslyAllowAnyOriginWithCredentials as boolean

  checkCombinations({ input, origin, originExplicit, credentials, methods, allowedHeaders, exposedHeaders }, c)
  checkOriginCache(input, origin, originExplicit, c)

  const cacheControl = input.cacheControl === undefined
    ? undefined
    : typeof input.cacheControl === 'number' ? `max-age=${input.cacheControl}` : input.cacheControl as string
  return {
    problems: c.problems,
    options: {
      origin,
      credentials,
      methods,
      allowedHeaders,
      exposedHeaders,
      maxAge: input.maxAge as number | undefined,
      cacheControl,
      preflight: input.preflight as boolean,
      strictPreflight: input.strictPreflight as boolean,
      preflightContinue: input.preflightContinue as boolean,
      optionsSuccessStatus: input.optionsSuccessStatus as number,
      allowPrivateNetwork: input.allowPrivateNetwork as boolean,
      originCheckTimeout: input.originCheckTimeout as number,
      enforce: input.enforce as boolean | 'report-only',
      hideOptionsRoute: input.hideOptionsRoute as boolean,
      logLevel: input.logLevel as string | undefined,
      dangerouslyAllowAnyOriginWithCredentials: dangerous,
      dangerouslyAllowInsecureOrigins: input.dangerouslyAllowInsecureOrigins as boolean,
      hook: input.hook as FastifyCorsHook,
      delegator: input.delegator as FastifyCorsDelegator | undefined,
      originCache: resolveOriginCache(input.originCache)
    }
  }
}

/** The options that decide who gets credentialed responses: a route that sets one of them is warned about its own danger. */
export const ORIGIN_TRUST_OPTIONS: readonly string[] = ['origin', 'credentials', 'dangerouslyAllowAnyOriginWithCredentials', 'dangerouslyAllowInsecureOrigins']

/** The `dangerously…` opt-ins that take effect in these options: the app starts, and the log says what it gives away. */
export function dangerWarnings (options: ResolvedOptions): string[] {
  const warnings: string[] = []
  if (options.dangerouslyAllowAnyOriginWithCredentials && options.credentials && options.origin.kind === 'reflect') {
    warnings.push('dangerouslyAllowAnyOriginWithCredentials is on: every website can read credentialed responses from this server')
  }
  const insecure = options.credentials && options.dangerouslyAllowInsecureOrigins ? insecureOrigins(options.origin) : []
  if (insecure.length > 0) {
    warnings.push(`dangerouslyAllowInsecureOrigins is on: credentialed responses go to http origins (${insecure.join(', ')}), which anyone on the network path can inject script into`)
  }
  return warnings
}

/** Harmless but contradictory settings of one options object as written: the app starts, with a warning. */
export function contradictionWarnings (given: unknown): string[] {
  if (given === null || typeof given !== 'object') return []
  const written = given as Record<string, unknown>
  return written.preflightContinue === true && written.preflight === false
    ? ['preflightContinue has no effect when preflight is false: the application answers its own preflights']
    : []
}

/** The http origins on hosts other than loopback that an origin setting allows (RegExps: those found by trying them). */
function insecureOrigins (origin: OriginSetting): string[] {
  if (origin.kind === 'tiered') return insecureOrigins(origin.credentialed)
  if (origin.kind !== 'list') return []
  const found: string[] = []
  for (const configured of origin.origins) {
    if (insecureOrigin(configured) !== undefined) found.push(`'${originText(configured)}'`)
  }
  for (const re of origin.regexps) {
    if (regExpWitnesses(re).insecure !== undefined) found.push(String(re))
  }
  return found
}

/** One line per problem: `/origin/0 'https://a.com/' has a trailing slash …`. */
export function formatProblems (problems: readonly OptionProblem[]): string {
  const lines = problems.map((p) => `${p.path === '' ? '(options)' : p.path} ${p.message}`)
  return lines.length === 1 ? lines[0] as string : `${lines.length} problems:\n  - ${lines.join('\n  - ')}`
}
