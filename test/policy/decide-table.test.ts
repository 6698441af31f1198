/**
 * A table over the decision core: policy kind × request kind × same-origin or not × enforce (off, on, report-only) ×
 * beforeHandler × preflight. The expected decisions come from `expectDecision`, written from the
 * rules (Fetch#http-requests for same-origin, the plugin's README for the detail sentences), never
 * by calling the code under test; a handful of literal rows below read as examples.
 */
import { test } from 'tap'
import {
  decideActual, enforcement, isSameOrigin, denialReason, anyOriginVariant, originVerdict,
  evaluatePreflight, describeOriginDenial, type RequestFacts, type SettledVerdict
} from '../../lib/policy/decide.js'
import { compilePolicy, type CorsPolicy } from '../../lib/policy/compile.js'
import { resolveOptions } from '../../lib/policy/options.js'
import { kAnswered, kPolicy, type Decision } from '../../lib/policy/decision.js'

function policy (raw: Record<string, unknown>): CorsPolicy {
  const { options, problems } = resolveOptions(raw)
  if (problems.length > 0) throw new Error(JSON.stringify(problems))
  return compilePolicy(options)
}

// ---------------------------------------------------------------------------------------------
// the dimensions

type PolicyKind = 'disabled' | 'list' | 'any' | 'reflect' | 'none' | 'function'
type OriginKind = 'absent' | 'allowed' | 'refused' | 'invalid' | 'null'

const ALLOWED_ORIGIN = 'https://app.example.com'
const ORIGINS: Record<OriginKind, string | undefined> = {
  absent: undefined,
  allowed: ALLOWED_ORIGIN,
  // http, so the ':80' default-port rows are exercised as well as ':443'
  refused: 'http://other.example',
  // upper case: not a serialised origin
  invalid: 'https://EVIL',
  null: 'null'
}

const OPTIONS: Record<Exclude<PolicyKind, 'disabled'>, Record<string, unknown>> = {
  list: { origin: [ALLOWED_ORIGIN] },
  any: { origin: '*' },
  reflect: { origin: true },
  none: { origin: false },
  function: { origin: () => true }
}

interface Site {
  name: string
  secFetchSite?: string
  protocol: string
  host: string
}

const DEFAULT_PORT: Record<string, string> = { http: ':80', https: ':443' }

/** The request's own protocol and host in relation to the Origin it carries. */
function sitesFor (origin: string | undefined): Site[] {
  const parts = /^([a-z]+):\/\/(.+)$/i.exec(origin ?? '')
  const scheme = parts?.[1] ?? 'https'
  const host = parts?.[2] ?? 'api.example.com'
  const other = scheme === 'https' ? 'http' : 'https'
  return [
    { name: 'Sec-Fetch-Site same-origin, other host', secFetchSite: 'same-origin', protocol: 'https', host: 'api.example.com' },
    { name: 'Sec-Fetch-Site cross-site, matching host', secFetchSite: 'cross-site', protocol: scheme, host },
    { name: 'Sec-Fetch-Site same-site, matching host', secFetchSite: 'same-site', protocol: scheme, host },
    { name: 'Sec-Fetch-Site none, matching host', secFetchSite: 'none', protocol: scheme, host },
    { name: 'no Sec-Fetch-Site, matching protocol and host', protocol: scheme, host },
    { name: 'no Sec-Fetch-Site, host with the default port', protocol: scheme, host: host + (DEFAULT_PORT[scheme] as string) },
    { name: "no Sec-Fetch-Site, host with the other scheme's default port", protocol: scheme, host: host + (DEFAULT_PORT[other] as string) },
    { name: 'no Sec-Fetch-Site, host with another port', protocol: scheme, host: host + ':8080' },
    { name: 'no Sec-Fetch-Site, other host', protocol: scheme, host: 'api.example.com' },
    { name: 'no Sec-Fetch-Site, other protocol', protocol: other, host }
  ]
}

function facts (site: Site, origin: string | undefined, preflight: boolean): RequestFacts {
  const headers: Record<string, string> = {}
  if (origin !== undefined) headers.origin = origin
  if (site.secFetchSite !== undefined) headers['sec-fetch-site'] = site.secFetchSite
  return { method: preflight ? 'OPTIONS' : 'PUT', url: '/items/7?draft=1', headers, protocol: site.protocol, host: site.host }
}

const ROUTES = [undefined, 'PUT /items/:id'] as const

type Enforce = boolean | 'report-only'
const ENFORCE: Enforce[] = [false, true, 'report-only']

// ---------------------------------------------------------------------------------------------
// the rules, written out independently of lib/policy/decide.ts

/** How each origin setting judges each kind of Origin value; 'check' leaves it to the function. */
function expectedVerdict (kind: Exclude<PolicyKind, 'disabled'>, originKind: Exclude<OriginKind, 'absent'>): string {
  switch (kind) {
    case 'any': return 'allowed' // '*' reflects nothing, so every value gets it
    case 'list': return originKind === 'allowed' ? 'allowed' : originKind === 'invalid' ? 'invalid' : 'not-allowed'
    case 'reflect': return originKind === 'invalid' ? 'invalid' : originKind === 'null' ? 'not-allowed' : 'allowed'
    case 'none': return originKind === 'invalid' ? 'invalid' : 'not-allowed'
    case 'function': return originKind === 'invalid' ? 'invalid' : 'check'
  }
}

/** Same-origin: Sec-Fetch-Site when sent, else the Origin equals scheme://host (the default port dropped). */
function expectSameOrigin (site: Site, origin: string): boolean {
  if (site.secFetchSite !== undefined) return site.secFetchSite === 'same-origin'
  const port = DEFAULT_PORT[site.protocol]
  const host = port !== undefined && site.host.endsWith(port) ? site.host.slice(0, site.host.length - port.length) : site.host
  return origin === site.protocol + '://' + host
}

interface Expected {
  origin: string | undefined
  preflight: boolean
  allowed: boolean
  reason: string
  detail: string | undefined
  /** which policy the decision keeps */
  policy: 'none' | 'policy' | 'any-variant'
  answered: false
  /** what enforce does in a hook before the handler */
  enforcement: 'refuse' | 'report' | 'none'
  /** and in one after it: nothing */
  enforcementAfterHandler: 'none'
}

function expectDetail (kind: PolicyKind, reason: string, origin: string, target: string): string {
  if (reason === 'invalid-origin') {
    const shown = origin.length > 80 ? origin.slice(0, 77) + '...' : origin
    return `the Origin header "${shown}" is not a valid serialised origin (scheme://host[:port]) for ${target}; it is never reflected`
  }
  if (reason === 'origin-check-failed') return `the origin function threw, rejected or timed out for origin '${origin}' on ${target}; the request is denied`
  if (reason === 'disabled') return `CORS is disabled for ${target} (config.cors: false)`
  if (kind === 'none') return `origin '${origin}' is refused for ${target} because \`origin\` is false`
  if (kind === 'function') return `the origin function returned false for '${origin}' on ${target}`
  if (origin === 'null') return `origin 'null' is refused for ${target}; it is only allowed when 'null' is listed in \`origin\` (anyone can send it)`
  return `origin '${origin}' is not in the allow-list for ${target}; add it to \`origin\``
}

function expectDecision (kind: PolicyKind, enforce: Enforce, origin: string | undefined, verdict: SettledVerdict, site: Site,
  method: string, route: string | undefined, preflight: boolean, beforeHandler: boolean): Expected {
  const target = route ?? `${method} /items/7`
  const base = { origin, preflight, answered: false as const, enforcementAfterHandler: 'none' as const }
  if (kind === 'disabled') {
    // no CORS header: readable only when CORS does not apply
    const readable = origin === undefined || expectSameOrigin(site, origin)
    return {
      ...base,
      preflight: false,
      allowed: readable,
      reason: 'disabled',
      detail: readable ? undefined : expectDetail(kind, 'disabled', origin, target),
      policy: 'none',
      enforcement: 'none'
    }
  }
  if (origin === undefined) {
    return { ...base, preflight: false, allowed: true, reason: 'no-origin', detail: undefined, policy: 'policy', enforcement: 'none' }
  }
  if (verdict === 'allowed' || verdict === 'allowed-any') {
    return { ...base, allowed: true, reason: 'allowed', detail: undefined, policy: verdict === 'allowed' ? 'policy' : 'any-variant', enforcement: 'none' }
  }
  const reason = verdict === 'invalid' ? 'invalid-origin' : verdict === 'failed' ? 'origin-check-failed' : 'origin-not-allowed'
  if (reason !== 'invalid-origin' && expectSameOrigin(site, origin)) {
    return { ...base, allowed: true, reason: 'same-origin', detail: undefined, policy: 'policy', enforcement: 'none' }
  }
  return {
    ...base,
    allowed: false,
    reason,
    detail: expectDetail(kind, reason, origin, target),
    policy: 'policy',
    // a denied cross-origin request: refused (or reported) only where the handler has not run yet
    enforcement: !beforeHandler ? 'none' : enforce === true ? 'refuse' : enforce === 'report-only' ? 'report' : 'none'
  }
}

/** The fields the table compares, the kept policy named by what it is. */
function observe (decision: Decision, p: CorsPolicy | null, beforeHandler: boolean): Expected {
  const kept = decision[kPolicy]
  let keptName: Expected['policy']
  if (kept === null) keptName = 'none'
  else if (kept === p) keptName = 'policy'
  else if (p !== null && kept.originKind === 'any' && kept.verdictFor('https://anything.example') === 'allowed' &&
    Object.keys(p).every((key) => key === 'originKind' || key === 'verdictFor' || kept[key as keyof CorsPolicy] === p[key as keyof CorsPolicy])) {
    keptName = 'any-variant'
  } else {
    throw new Error(`unexpected policy kept: ${JSON.stringify(kept)}`)
  }
  return {
    origin: decision.origin,
    preflight: decision.preflight,
    allowed: decision.allowed,
    reason: decision.reason,
    detail: decision.detail,
    policy: keptName,
    answered: decision[kAnswered] as false,
    enforcement: enforcement(decision, beforeHandler),
    enforcementAfterHandler: enforcement(decision, false) as 'none'
  }
}

const SETTLED: SettledVerdict[] = ['allowed', 'allowed-any', 'not-allowed', 'invalid', 'failed']

// ---------------------------------------------------------------------------------------------

test('decideActual and enforcement: the whole table', async (t) => {
  const variants: Array<{ kind: PolicyKind, enforce: Enforce, p: CorsPolicy | null }> = [{ kind: 'disabled', enforce: false, p: null }]
  for (const kind of Object.keys(OPTIONS) as Array<keyof typeof OPTIONS>) {
    for (const enforce of ENFORCE) variants.push({ kind, enforce, p: policy({ ...OPTIONS[kind], enforce }) })
  }
  const counts: Record<string, number> = {}
  let rows = 0
  for (const { kind, enforce, p } of variants) {
    for (const originKind of Object.keys(ORIGINS) as OriginKind[]) {
      const origin = ORIGINS[originKind]
      // the verdict a plugin would settle on; the disabled and no-Origin rows never read it
      let verdicts: SettledVerdict[]
      if (p === null || origin === undefined) verdicts = SETTLED
      else {
        const want = expectedVerdict(kind as Exclude<PolicyKind, 'disabled'>, originKind as Exclude<OriginKind, 'absent'>)
        const got = originVerdict(p, origin)
        t.equal(got, want, `originVerdict ${kind} × ${originKind}`)
        // a function's answer settles the verdict: every answer it can give for a valid origin
        verdicts = got === 'check' ? ['allowed', 'allowed-any', 'not-allowed', 'failed'] : [got as SettledVerdict]
      }
      for (const verdict of verdicts) {
        for (const site of sitesFor(origin)) {
          for (const route of ROUTES) {
            for (const preflight of [false, true]) {
              const request = facts(site, origin, preflight)
              const decision = decideActual(p, origin, verdict, request, route, preflight)
              for (const beforeHandler of [false, true]) {
                const want = expectDecision(kind, enforce, origin, verdict, site, request.method, route, preflight, beforeHandler)
                const got = observe(decision, p, beforeHandler)
                rows++
                counts[want.reason] = (counts[want.reason] ?? 0) + 1
                if (want.enforcement !== 'none') counts[want.enforcement] = (counts[want.enforcement] ?? 0) + 1
                t.strictSame(got, want, `${kind}${enforce === false ? '' : ` enforce ${String(enforce)}`} × origin ${originKind} (${verdict}) × ${site.name} × route ${route ?? '-'}${preflight ? ' × preflight' : ''} × beforeHandler ${beforeHandler}`)
              }
            }
          }
        }
      }
    }
  }
  // the table reaches every outcome, each many times
  t.ok(rows > 5000, `${rows} rows`)
  for (const reason of ['disabled', 'no-origin', 'allowed', 'same-origin', 'invalid-origin', 'origin-not-allowed', 'origin-check-failed', 'refuse', 'report']) {
    t.ok((counts[reason] ?? 0) >= 16, `${reason}: ${counts[reason] ?? 0} rows`)
  }
})

test('decideActual: literal rows', async (t) => {
  const list = policy({ origin: [ALLOWED_ORIGIN] })
  const enforced = policy({ origin: [ALLOWED_ORIGIN], enforce: true })
  const reported = policy({ origin: [ALLOWED_ORIGIN], enforce: 'report-only' })
  const fn = policy({ origin: () => true, enforce: true })
  const req = (headers: Record<string, string>, protocol = 'https', host = 'api.example.com', method = 'PUT', url = '/items/7?draft=1'): RequestFacts =>
    ({ method, url, headers, protocol, host })
  const plain = (d: Decision) => ({ origin: d.origin, preflight: d.preflight, allowed: d.allowed, reason: d.reason, detail: d.detail })

  // a listed origin from another site
  let d = decideActual(list, ALLOWED_ORIGIN, 'allowed', req({ 'sec-fetch-site': 'cross-site' }), 'PUT /items/:id', false)
  t.strictSame(plain(d), { origin: ALLOWED_ORIGIN, preflight: false, allowed: true, reason: 'allowed', detail: undefined })
  t.equal(d[kPolicy], list)
  t.equal(enforcement(d, true), 'none')

  // an unlisted origin, named in the detail with the request's path (no route)
  d = decideActual(enforced, 'http://other.example', 'not-allowed', req({}), undefined, false)
  t.strictSame(plain(d), {
    origin: 'http://other.example',
    preflight: false,
    allowed: false,
    reason: 'origin-not-allowed',
    detail: "origin 'http://other.example' is not in the allow-list for PUT /items/7; add it to `origin`"
  })
  t.equal(enforcement(d, true), 'refuse', 'enforce refuses it before the handler')
  t.equal(enforcement(d, false), 'none', 'but not after the handler has run')
  t.equal(enforcement(decideActual(list, 'http://other.example', 'not-allowed', req({}), undefined, false), true), 'none', 'nor without enforce')
  t.equal(enforcement(decideActual(reported, 'http://other.example', 'not-allowed', req({}), undefined, false), true), 'report', 'report-only reports it')
  t.equal(enforcement(decideActual(reported, 'http://other.example', 'not-allowed', req({}), undefined, false), false), 'none', 'but not after the handler has run')

  // the same unlisted origin is the server's own when Host (with its default port) matches
  d = decideActual(enforced, 'http://other.example', 'not-allowed', req({}, 'http', 'other.example:80'), undefined, true)
  t.strictSame(plain(d), { origin: 'http://other.example', preflight: true, allowed: true, reason: 'same-origin', detail: undefined })
  t.equal(enforcement(d, true), 'none')
  t.equal(isSameOrigin(req({}, 'https', 'other.example:443'), 'https://other.example'), true, ':443 is https\'s default port')
  t.equal(isSameOrigin(req({}, 'https', 'other.example:80'), 'https://other.example'), false, ':80 is not https\'s default port')
  t.equal(isSameOrigin(req({}, 'http', 'other.example:8080'), 'http://other.example:8080'), true, 'a non-default port is compared as it is')
  t.equal(isSameOrigin(req({}, 'http', 'other.example'), 'http://other.example.evil'), false, 'a longer origin is not the same')
  t.equal(isSameOrigin(req({}, 'http', 'other.example'), 'http:/xother.example'), false, 'same length, no ://')
  t.equal(isSameOrigin(req({}, 'http', 'other.example'), 'https://ther.example'), false, 'same length, other scheme')
  t.equal(isSameOrigin(req({}, 'http', 'other.example'), 'http://other.exampl3'), false, 'same length, other host')
  t.equal(isSameOrigin(req({ 'sec-fetch-site': 'same-origin' }, 'http', 'a.example'), 'https://b.example'), true, 'Sec-Fetch-Site wins')

  // an invalid Origin is refused whatever Sec-Fetch-Site says, and long values are cut in the detail
  const long = 'https://' + 'X'.repeat(100)
  d = decideActual(enforced, long, 'invalid', req({ 'sec-fetch-site': 'same-origin' }), 'PUT /items/:id', false)
  t.equal(d.reason, 'invalid-origin')
  t.equal(d.detail, `the Origin header "https://${'X'.repeat(69)}..." is not a valid serialised origin (scheme://host[:port]) for PUT /items/:id; it is never reflected`)
  t.equal(enforcement(d, true), 'refuse')

  // 'null' under reflect, and under a function that refused it
  d = decideActual(policy({ origin: true }), 'null', 'not-allowed', req({}), undefined, false)
  t.equal(d.detail, "origin 'null' is refused for PUT /items/7; it is only allowed when 'null' is listed in `origin` (anyone can send it)")
  d = decideActual(fn, 'null', 'not-allowed', req({}), undefined, false)
  t.equal(d.detail, "the origin function returned false for 'null' on PUT /items/7")

  // a function that failed, then one that answered '*'
  d = decideActual(fn, ALLOWED_ORIGIN, 'failed', req({ 'sec-fetch-site': 'cross-site' }), 'GET /items', false)
  t.strictSame(plain(d), {
    origin: ALLOWED_ORIGIN,
    preflight: false,
    allowed: false,
    reason: 'origin-check-failed',
    detail: "the origin function threw, rejected or timed out for origin 'https://app.example.com' on GET /items; the request is denied"
  })
  t.equal(enforcement(d, true), 'refuse')
  d = decideActual(fn, ALLOWED_ORIGIN, 'allowed-any', req({}), undefined, true)
  t.strictSame(plain(d), { origin: ALLOWED_ORIGIN, preflight: true, allowed: true, reason: 'allowed', detail: undefined })
  t.equal(d[kPolicy], anyOriginVariant(fn), "kept policy: the function policy's any-origin variant")

  // CORS disabled: a cross-origin request is not readable, and nothing is refused (no policy, no enforce)
  d = decideActual(null, ALLOWED_ORIGIN, 'allowed', req({ 'sec-fetch-site': 'cross-site' }), 'PUT /items/:id', true)
  t.strictSame(plain(d), { origin: ALLOWED_ORIGIN, preflight: false, allowed: false, reason: 'disabled', detail: 'CORS is disabled for PUT /items/:id (config.cors: false)' })
  t.equal(d[kPolicy], null)
  t.equal(enforcement(d, true), 'none')
  d = decideActual(null, undefined, 'not-allowed', req({}), undefined, false)
  t.strictSame(plain(d), { origin: undefined, preflight: false, allowed: true, reason: 'disabled', detail: undefined })

  // no Origin: CORS does not apply
  d = decideActual(enforced, undefined, 'not-allowed', req({ 'sec-fetch-site': 'cross-site' }), undefined, true)
  t.strictSame(plain(d), { origin: undefined, preflight: false, allowed: true, reason: 'no-origin', detail: undefined })
  t.equal(enforcement(d, true), 'none')
  t.equal(JSON.stringify(d), '{"preflight":false,"allowed":true,"credentialed":true,"reason":"no-origin"}', 'serialised without the kept policy')
})

test('anyOriginVariant: one frozen variant per policy', async (t) => {
  const fn = policy({ origin: () => true, credentials: false, exposedHeaders: ['X-Total'], enforce: true })
  const variant = anyOriginVariant(fn)
  t.equal(anyOriginVariant(fn), variant, 'cached')
  t.not(variant, fn)
  t.equal(Object.isFrozen(variant), true)
  t.equal(variant.originKind, 'any')
  t.equal(variant.verdictFor('https://EVIL'), 'allowed', "ACAO '*' for any Origin value")
  t.equal(variant.aceh, 'X-Total')
  t.equal(variant.enforce, true)
  t.equal(variant.originCheck, fn.originCheck, 'the rest is the policy itself')
  t.equal(fn.originKind, 'function', 'the policy is left alone')
  t.not(anyOriginVariant(policy({ origin: () => true })), variant, 'another policy, another variant')
})

test('denialReason', async (t) => {
  t.equal(denialReason('invalid'), 'invalid-origin')
  t.equal(denialReason('failed'), 'origin-check-failed')
  t.equal(denialReason('not-allowed'), 'origin-not-allowed')
})

test('describeOriginDenial: each policy kind', async (t) => {
  const target = 'DELETE /items/:id'
  const rows: Array<[PolicyKind, string, string]> = [
    ['list', 'https://x.example', "origin 'https://x.example' is not in the allow-list for DELETE /items/:id; add it to `origin`"],
    ['any', 'https://x.example', "origin 'https://x.example' is not in the allow-list for DELETE /items/:id; add it to `origin`"],
    ['reflect', 'null', "origin 'null' is refused for DELETE /items/:id; it is only allowed when 'null' is listed in `origin` (anyone can send it)"],
    ['list', 'null', "origin 'null' is refused for DELETE /items/:id; it is only allowed when 'null' is listed in `origin` (anyone can send it)"],
    ['none', 'null', "origin 'null' is refused for DELETE /items/:id because `origin` is false"],
    ['none', 'https://x.example', "origin 'https://x.example' is refused for DELETE /items/:id because `origin` is false"],
    ['function', 'null', "the origin function returned false for 'null' on DELETE /items/:id"],
    ['function', 'https://x.example', "the origin function returned false for 'https://x.example' on DELETE /items/:id"]
  ]
  for (const [kind, origin, want] of rows) {
    const p = kind === 'disabled' ? null : policy(OPTIONS[kind])
    t.equal(describeOriginDenial(p, 'origin-not-allowed', origin, target), want, `${kind} × ${origin}`)
    t.equal(want, expectDetail(kind, 'origin-not-allowed', origin, target), 'the table rule agrees')
  }
  t.equal(describeOriginDenial(null, 'origin-not-allowed', 'https://x.example', target),
    "origin 'https://x.example' is not in the allow-list for DELETE /items/:id; add it to `origin`", 'no policy: the allow-list sentence')
  t.equal(describeOriginDenial(null, 'origin-not-allowed', 'null', target),
    "origin 'null' is refused for DELETE /items/:id; it is only allowed when 'null' is listed in `origin` (anyone can send it)")
  const eighty = 'https://' + 'x'.repeat(72)
  t.equal(describeOriginDenial(null, 'invalid-origin', eighty, target), `the Origin header "${eighty}" is not a valid serialised origin (scheme://host[:port]) for DELETE /items/:id; it is never reflected`, '80 characters are shown whole')
  const eightyOne = eighty + 'y'
  t.equal(describeOriginDenial(null, 'invalid-origin', eightyOne, target), `the Origin header "${eightyOne.slice(0, 77)}..." is not a valid serialised origin (scheme://host[:port]) for DELETE /items/:id; it is never reflected`, '81 are cut to 77 and an ellipsis')
})

// ---------------------------------------------------------------------------------------------
// evaluatePreflight: method → headers → private network, the first failing step wins

test('evaluatePreflight: the first failing step wins', async (t) => {
  const target = 'PUT /items/:id'
  const METHOD_REFUSAL = 'method DELETE is not allowed for PUT /items/:id; add it to `methods` (allowed: PUT)'
  const HEADER_REFUSAL = "request header 'x-other' is not allowed for PUT /items/:id; add it to `allowedHeaders`"
  const PNA_REFUSAL = 'private network access was requested for PUT /items/:id; set `allowPrivateNetwork: true` to grant it'
  const configured = policy({ origin: ALLOWED_ORIGIN, methods: ['PUT'], allowedHeaders: ['X-Custom'] })
  for (const methodOk of [true, false]) {
    for (const headersOk of [true, false]) {
      for (const pnaOk of [true, false]) {
        const outcome = evaluatePreflight(configured, methodOk ? 'PUT' : 'DELETE', headersOk ? 'x-custom' : 'x-custom,x-other', pnaOk ? undefined : 'true', 'GET, PUT', target)
        const want = !methodOk
          ? { reason: 'method-not-allowed', detail: METHOD_REFUSAL }
          : !headersOk
              ? { reason: 'header-not-allowed', detail: HEADER_REFUSAL }
              : !pnaOk ? { reason: 'private-network-not-allowed', detail: PNA_REFUSAL } : { reason: 'allowed', detail: undefined }
        t.strictSame({ ...outcome }, { ...want, acam: 'PUT', acah: 'X-Custom' }, `method ${methodOk} × headers ${headersOk} × pna ${pnaOk}`)
      }
    }
  }
})

test('evaluatePreflight: each branch', async (t) => {
  const target = 'PUT /items/:id'
  const byDefault = policy({ origin: ALLOWED_ORIGIN })
  const anyMethod = policy({ origin: ALLOWED_ORIGIN, methods: '*' })
  const putOnly = policy({ origin: ALLOWED_ORIGIN, methods: ['PUT'] })
  const noMethods = policy({ origin: ALLOWED_ORIGIN, methods: [] })
  const noHeaders = policy({ origin: ALLOWED_ORIGIN, allowedHeaders: [] })
  const anyHeader = policy({ origin: ALLOWED_ORIGIN, allowedHeaders: '*' })
  const pna = policy({ origin: ALLOWED_ORIGIN, allowPrivateNetwork: true })
  const star = "Access-Control-Request-Method '*' is never echoed for PUT /items/:id (it would read as a wildcard); list the methods in `methods`"
  const notToken = 'Access-Control-Request-Method is not a single method token, so nothing is echoed for PUT /items/:id'
  const starHeader = "request header '*' is never echoed for PUT /items/:id; list the headers in `allowedHeaders`"
  const unbounded = 'Access-Control-Request-Headers is not a bounded list of header names, so nothing is echoed for PUT /items/:id'
  const rows: Array<{ name: string, p: CorsPolicy, m: string, h?: string, pn?: string, routes?: string, want: Record<string, unknown> }> = [
    // step 1: the method
    { name: "'*' requested, methods unset", p: byDefault, m: '*', routes: 'GET, PUT', want: { reason: 'method-not-allowed', detail: star, acam: undefined, acah: undefined } },
    { name: "'*' requested, methods '*'", p: anyMethod, m: '*', want: { reason: 'allowed', detail: undefined, acam: '*', acah: undefined } },
    { name: "'*' requested, methods listed", p: putOnly, m: '*', want: { reason: 'method-not-allowed', detail: 'method * is not allowed for PUT /items/:id; add it to `methods` (allowed: PUT)', acam: 'PUT', acah: undefined } },
    { name: 'method of 64 characters', p: byDefault, m: 'M'.repeat(64), routes: undefined, want: { reason: 'allowed', detail: undefined, acam: 'M'.repeat(64), acah: undefined } },
    { name: 'method of 65 characters', p: byDefault, m: 'M'.repeat(65), routes: 'GET', want: { reason: 'method-not-allowed', detail: notToken, acam: undefined, acah: undefined } },
    { name: 'empty method', p: anyMethod, m: '', want: { reason: 'method-not-allowed', detail: notToken, acam: '*', acah: undefined } },
    { name: 'empty methods list: unsafe methods refused', p: noMethods, m: 'DELETE', routes: 'DELETE', want: { reason: 'method-not-allowed', detail: 'method DELETE is not allowed for PUT /items/:id; add it to `methods` (allowed: none)', acam: undefined, acah: undefined } },
    { name: 'empty methods list: safelisted methods pass, no ACAM', p: noMethods, m: 'POST', routes: 'POST', want: { reason: 'allowed', detail: undefined, acam: undefined, acah: undefined } },
    { name: 'methods unset: the route methods', p: byDefault, m: 'DELETE', routes: 'GET, DELETE', want: { reason: 'allowed', detail: undefined, acam: 'GET, DELETE', acah: undefined } },
    // step 2: the headers
    { name: 'echo: canonical list as sent', p: byDefault, m: 'PUT', h: 'content-type,x-a', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: 'content-type,x-a' } },
    { name: 'echo: split by a proxy, re-joined lower-case', p: byDefault, m: 'PUT', h: 'Content-Type, X-A', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: 'content-type,x-a' } },
    { name: "echo: '*' alone", p: byDefault, m: 'PUT', h: '*', want: { reason: 'header-not-allowed', detail: starHeader, acam: 'PUT', acah: undefined } },
    { name: "echo: '*' first", p: byDefault, m: 'PUT', h: '*,x-a', want: { reason: 'header-not-allowed', detail: starHeader, acam: 'PUT', acah: undefined } },
    { name: "echo: '*' last", p: byDefault, m: 'PUT', h: 'x-a,*', want: { reason: 'header-not-allowed', detail: starHeader, acam: 'PUT', acah: undefined } },
    { name: "echo: '*' between", p: byDefault, m: 'PUT', h: 'x-a,*,x-b', want: { reason: 'header-not-allowed', detail: starHeader, acam: 'PUT', acah: undefined } },
    { name: "echo: '*' not canonical", p: byDefault, m: 'PUT', h: 'X-A, *', want: { reason: 'header-not-allowed', detail: starHeader, acam: 'PUT', acah: undefined } },
    { name: "echo: names starting with '*' are names", p: byDefault, m: 'PUT', h: '*a,x-*', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: '*a,x-*' } },
    { name: 'echo: not a list of names', p: byDefault, m: 'PUT', h: 'x-a x-b', want: { reason: 'header-not-allowed', detail: unbounded, acam: 'PUT', acah: undefined } },
    { name: 'configured: not a list of names', p: anyHeader, m: 'PUT', h: 'x-a;x-b', want: { reason: 'header-not-allowed', detail: unbounded, acam: 'PUT', acah: '*' } },
    { name: 'configured empty list: any header refused, no hint', p: noHeaders, m: 'PUT', h: 'x-a', want: { reason: 'header-not-allowed', detail: "request header 'x-a' is not allowed for PUT /items/:id; add it to `allowedHeaders`", acam: 'PUT', acah: '' } },
    { name: 'configured empty list: no request headers', p: noHeaders, m: 'PUT', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: '' } },
    { name: "configured '*': any name but authorization", p: anyHeader, m: 'PUT', h: 'x-a,x-b', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: '*' } },
    { name: "configured '*': Authorization in any case", p: anyHeader, m: 'PUT', h: 'X-A, Authorization', want: { reason: 'header-not-allowed', detail: "request header 'authorization' is not allowed for PUT /items/:id; add it to `allowedHeaders` ('*' does not cover Authorization; list it explicitly)", acam: 'PUT', acah: '*' } },
    // step 3: private network access
    { name: 'PNA refused: the echoed headers are still the ACAH', p: byDefault, m: 'PUT', h: 'x-a', pn: 'true', want: { reason: 'private-network-not-allowed', detail: 'private network access was requested for PUT /items/:id; set `allowPrivateNetwork: true` to grant it', acam: 'PUT', acah: 'x-a' } },
    { name: 'PNA granted', p: pna, m: 'PUT', h: 'x-a', pn: 'true', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: 'x-a' } },
    { name: "PNA: only 'true' asks", p: byDefault, m: 'PUT', pn: 'TRUE', want: { reason: 'allowed', detail: undefined, acam: 'PUT', acah: undefined } }
  ]
  for (const row of rows) {
    const outcome = evaluatePreflight(row.p, row.m, row.h, row.pn, row.routes, target)
    const got: Record<string, unknown> = { ...outcome }
    t.strictSame(got, row.want, row.name)
  }
})
