// Every kind of option problem as data: path, value, fix and unsafe, the same from
// validateCorsOptions and on the error register fails with, and on a route's config.cors error.
import { test, type Test } from 'tap'
import Fastify from 'fastify'
import corsPolicy, {
  CorsInvalidOptionsError, CorsInvalidRouteConfigError, CorsUnsafeOptionsError, validateCorsOptions,
  type FastifyCorsOptions, type FastifyCorsRouteOptions, type OptionProblem
} from '../../lib/index.js'
import { resolveOptions } from '../../lib/policy/options.js'
import { CorsRouteOptionsSchema } from '../../lib/policy/schema.js'

const APP = 'https://app.example.com'
const OPTION_NAMES = 'origin, credentials, methods, allowedHeaders, exposedHeaders, maxAge, cacheControl, preflight, strictPreflight, preflightContinue, optionsSuccessStatus, allowPrivateNetwork, originCheckTimeout, originCache, enforce, hideOptionsRoute, logLevel, dangerouslyAllowAnyOriginWithCredentials, dangerouslyAllowInsecureOrigins, hook, delegator'
const FORMAT_FIX = "write it as scheme://host[:port], e.g. 'https://app.example.com'"

interface Case {
  desc: string
  options: unknown
  path: string
  /** compared with t.equal: the very value of the options (the same object for objects) */
  value: unknown
  fix: string
  unsafe?: boolean
  /** the message ends with '; ' + fix, or ', ' + fix (the text is written once) */
  fixInMessage?: boolean
}

const unanchored = /example\.com/
const notAnOrigin = {}
const mixedMethods = ['*', 'PUT']
const mixedExposed = ['*', 'X-Total']
const anArray = [APP]
const unescapedDot = /^https:\/\/app.example.com$/
const prefixOnly = /^(?=https:\/\/partner\.example\.com).*$/
const httpRegExp = /^https?:\/\/app\.example\.com$/
const PERMISSIVE_FIX = "match whole host names only (no '.*', '.+' or lookahead across the host, no variable label right under a public suffix or as the top-level domain), or use a pattern such as 'https://*.example.com'"

const cases: Case[] = [
  // the options object itself
  { desc: 'not an options object', options: 'yes', path: '', value: 'yes', fix: "pass an options object, such as { origin: ['https://app.example.com'] }" },
  { desc: 'an array instead of options', options: anArray, path: '', value: anArray, fix: "pass an options object, such as { origin: ['https://app.example.com'] }" },
  // option names and types
  { desc: 'unknown option', options: { bogus: 1 }, path: '/bogus', value: 1, fix: `remove it, or use one of the options: ${OPTION_NAMES}` },
  { desc: 'typo', options: { orign: APP }, path: '/orign', value: APP, fix: "did you mean 'origin'?" },
  { desc: 'name from another library', options: { allowCredentials: true }, path: '/allowCredentials', value: true, fix: "did you mean 'credentials'?" },
  { desc: 'wrong type', options: { credentials: 'yes' }, path: '/credentials', value: 'yes', fix: 'use a boolean' },
  { desc: 'out of range', options: { maxAge: -1 }, path: '/maxAge', value: -1, fix: 'use an integer from 0 to 86400 (seconds)' },
  { desc: 'unknown logLevel', options: { logLevel: 'loud' }, path: '/logLevel', value: 'loud', fix: "use one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'" },
  // origins
  { desc: 'origin list item of a wrong type', options: { origin: [APP, notAnOrigin] }, path: '/origin/1', value: notAnOrigin, fix: "replace it with an origin string (e.g. 'https://app.example.com') or an anchored RegExp" },
  { desc: 'unanchored RegExp', options: { origin: [APP, unanchored] }, path: '/origin/1', value: unanchored, fix: "use /^(?:example\\.com)$/, or better a pattern such as 'https://*.example.com'", unsafe: true, fixInMessage: true },
  { desc: "'*' among origins", options: { origin: [APP, '*'] }, path: '/origin/1', value: '*', fix: "use origin: '*' on its own", fixInMessage: true },
  { desc: 'surrounding white space', options: { origin: ` ${APP}` }, path: '/origin', value: ` ${APP}`, fix: `did you mean '${APP}'?`, fixInMessage: true },
  { desc: 'no scheme', options: { origin: ['app.example.com'] }, path: '/origin/0', value: 'app.example.com', fix: `did you mean '${APP}'?`, fixInMessage: true },
  { desc: 'not an origin at all', options: { origin: ['not an origin; really'] }, path: '/origin/0', value: 'not an origin; really', fix: FORMAT_FIX },
  { desc: 'file: origin', options: { origin: ['file:///index.html'] }, path: '/origin/0', value: 'file:///index.html', fix: "remove it, or list 'null' instead if you accept that anyone can send it" },
  { desc: 'wildcard in the middle', options: { origin: ['https://api.*.example.com'] }, path: '/origin/0', value: 'https://api.*.example.com', fix: "use a leading '*.' label (https://*.example.com) or a ':*' port (http://localhost:*), and no other wildcard" },
  { desc: 'wildcard in front of an IP address', options: { origin: ['https://*.10.0.0.1'] }, path: '/origin/0', value: 'https://*.10.0.0.1', fix: 'list the IP address origin without the wildcard label' },
  { desc: 'port out of range', options: { origin: ['https://app.example.com:99999'] }, path: '/origin/0', value: 'https://app.example.com:99999', fix: 'use a port from 1 to 65535' },
  { desc: 'port 0', options: { origin: ['https://app.example.com:0'] }, path: '/origin/0', value: 'https://app.example.com:0', fix: 'use a port from 1 to 65535' },
  { desc: 'invalid host', options: { origin: ['https://a b.com'] }, path: '/origin/0', value: 'https://a b.com', fix: FORMAT_FIX },
  { desc: 'no host', options: { origin: ['foo://'] }, path: '/origin/0', value: 'foo://', fix: FORMAT_FIX },
  { desc: 'user info', options: { origin: ['https://user@app.example.com'] }, path: '/origin/0', value: 'https://user@app.example.com', fix: `did you mean '${APP}'?`, fixInMessage: true },
  { desc: 'trailing slash', options: { origin: [`${APP}/`] }, path: '/origin/0', value: `${APP}/`, fix: `did you mean '${APP}'?`, fixInMessage: true },
  { desc: 'path', options: { origin: `${APP}/api` }, path: '/origin', value: `${APP}/api`, fix: `did you mean '${APP}'?`, fixInMessage: true },
  { desc: 'query', options: { origin: [`${APP}?x=1`] }, path: '/origin/0', value: `${APP}?x=1`, fix: `did you mean '${APP}'?`, fixInMessage: true },
  { desc: 'non-ASCII host', options: { origin: ['https://bücher.example'] }, path: '/origin/0', value: 'https://bücher.example', fix: "did you mean 'https://xn--bcher-kva.example'?", fixInMessage: true },
  { desc: 'wildcard under a TLD', options: { origin: ['https://*.com'] }, path: '/origin/0', value: 'https://*.com', fix: 'name the registrable domain (https://*.example.com)', unsafe: true, fixInMessage: true },
  { desc: 'wildcard under a public suffix', options: { origin: ['https://*.vercel.app'] }, path: '/origin/0', value: 'https://*.vercel.app', fix: "list the origins you own, e.g. 'https://myapp.vercel.app'", unsafe: true, fixInMessage: true },
  { desc: 'RegExp with an unescaped dot', options: { origin: [APP, unescapedDot] }, path: '/origin/1', value: unescapedDot, fix: 'use /^https:\\/\\/app\\.example\\.com$/', unsafe: true, fixInMessage: true },
  { desc: 'RegExp checking a prefix only', options: { origin: prefixOnly }, path: '/origin', value: prefixOnly, fix: PERMISSIVE_FIX, unsafe: true, fixInMessage: true },
  { desc: 'several origins in one string', options: { origin: 'https://a.example.com,https://b.example.com' }, path: '/origin', value: 'https://a.example.com,https://b.example.com', fix: "did you mean ['https://a.example.com', 'https://b.example.com']? (from an environment variable: process.env.ORIGINS.split(',').map((origin) => origin.trim()))", fixInMessage: true },
  { desc: 'http origin with credentials', options: { origin: ['http://app.example.com'], credentials: true }, path: '/origin/0', value: 'http://app.example.com', fix: "serve the site over https and list 'https://app.example.com', or set dangerouslyAllowInsecureOrigins: true if you accept that", unsafe: true, fixInMessage: true },
  { desc: 'http RegExp with credentials', options: { origin: [httpRegExp], credentials: true }, path: '/origin/0', value: httpRegExp, fix: 'match https only, or set dangerouslyAllowInsecureOrigins: true if you accept that', unsafe: true, fixInMessage: true },
  // methods and headers: the value is the offending name
  { desc: 'method that is not a token', options: { methods: ['GET', 'GE T'] }, path: '/methods', value: 'GE T', fix: "use a method name that is an HTTP token, such as 'PUT'" },
  { desc: 'forbidden method', options: { methods: 'GET, trace' }, path: '/methods', value: 'trace', fix: 'remove it', fixInMessage: true },
  { desc: "methods '*' with names", options: { methods: mixedMethods }, path: '/methods', value: mixedMethods, fix: "use methods: '*' alone, or list the methods without '*'", fixInMessage: true },
  { desc: 'header name that is not a token', options: { allowedHeaders: ['X Request'] }, path: '/allowedHeaders', value: 'X Request', fix: "use a header name that is an HTTP token, such as 'X-Request-Id'" },
  { desc: 'exposed header name that is not a token', options: { exposedHeaders: 'X-A, X B' }, path: '/exposedHeaders', value: 'X B', fix: "use a header name that is an HTTP token, such as 'X-Request-Id'" },
  { desc: 'response header in allowedHeaders', options: { allowedHeaders: ['Set-Cookie'] }, path: '/allowedHeaders', value: 'Set-Cookie', fix: 'remove it (did you mean exposedHeaders?)', fixInMessage: true },
  { desc: 'forbidden request header', options: { allowedHeaders: ['Content-Type', 'Cookie'] }, path: '/allowedHeaders', value: 'Cookie', fix: 'remove it', fixInMessage: true },
  { desc: 'forbidden response header', options: { exposedHeaders: ['Set-Cookie2'] }, path: '/exposedHeaders', value: 'Set-Cookie2', fix: 'remove it', fixInMessage: true },
  { desc: "exposedHeaders '*' with names", options: { exposedHeaders: mixedExposed }, path: '/exposedHeaders', value: mixedExposed, fix: "use exposedHeaders: '*' alone, or list the names without '*'", fixInMessage: true },
  // credentials
  { desc: "origin '*' with credentials", options: { origin: '*', credentials: true }, path: '/credentials', value: true, fix: "list the allowed origins in `origin` (e.g. ['https://app.example.com'])", unsafe: true, fixInMessage: true },
  { desc: 'the default origin with credentials', options: { credentials: true }, path: '/credentials', value: true, fix: "list the allowed origins (e.g. origin: ['https://app.example.com'])", unsafe: true, fixInMessage: true },
  { desc: 'reflect with credentials', options: { origin: true, credentials: true }, path: '/origin', value: true, fix: 'list the allowed origins, use a function that checks them, or set dangerouslyAllowAnyOriginWithCredentials: true if you really mean it', unsafe: true, fixInMessage: true },
  { desc: "'null' with credentials", options: { origin: [APP, 'null'], credentials: true }, path: '/origin', value: 'null', fix: "remove 'null' or use credentials: false", unsafe: true, fixInMessage: true },
  { desc: "methods '*' with credentials", options: { origin: [APP], credentials: true, methods: '*' }, path: '/methods', value: '*', fix: 'list the methods explicitly', fixInMessage: true },
  { desc: "allowedHeaders '*' with credentials", options: { origin: [APP], credentials: true, allowedHeaders: '*' }, path: '/allowedHeaders', value: '*', fix: 'list the header names explicitly', fixInMessage: true },
  { desc: "exposedHeaders '*' with credentials", options: { origin: [APP], credentials: true, exposedHeaders: ['*'] }, path: '/exposedHeaders', value: '*', fix: 'list the header names explicitly', fixInMessage: true },
  // private network access
  { desc: "private network access with origin '*'", options: { origin: '*', allowPrivateNetwork: true }, path: '/allowPrivateNetwork', value: true, fix: 'list the origins that may reach this server in `origin`', unsafe: true, fixInMessage: true },
  // hooks
  { desc: 'enforce in a hook after the handler', options: { enforce: true, hook: 'onSend' }, path: '/enforce', value: true, fix: "use hook: 'preHandler' (or 'onRequest', 'preParsing', 'preValidation'), or remove enforce", fixInMessage: true }
]

function expected (c: Case): Omit<OptionProblem, 'message'> {
  return { path: c.path, value: c.value, fix: c.fix, unsafe: c.unsafe ?? false }
}

function checkProblem (t: Test, problem: OptionProblem | undefined, c: Case, where: string): void {
  const want = expected(c)
  t.equal(problem?.path, want.path, `${c.desc} (${where}): path`)
  t.equal(problem?.value, want.value, `${c.desc} (${where}): value`)
  t.equal(problem?.fix, want.fix, `${c.desc} (${where}): fix`)
  t.equal(problem?.unsafe, want.unsafe, `${c.desc} (${where}): unsafe`)
  t.same(Object.keys(problem ?? {}), ['path', 'value', 'message', 'fix', 'unsafe'], `${c.desc} (${where}): the shape`)
  if (c.fixInMessage === true) t.ok(problem?.message.endsWith(`; ${c.fix}`) || problem?.message.endsWith(`, ${c.fix}`), `${c.desc} (${where}): the message ends with the fix`)
}

/** What ready() rejects with when the plugin is registered with raw options. */
async function registrationError (t: Test, options: unknown): Promise<unknown> {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(corsPolicy, options as FastifyCorsOptions)
  let caught: unknown
  await t.rejects(async () => { try { await app.ready() } catch (error) { caught = error; throw error } })
  return caught
}

test('validateCorsOptions: every kind of problem with its path, value, fix and unsafe flag', async (t) => {
  // the table has one case per problem a call site can report
  for (const c of cases) {
    const problems = validateCorsOptions(c.options)
    t.equal(problems.length, 1, `${c.desc}: one problem`)
    checkProblem(t, problems[0], c, 'validateCorsOptions')
  }
})

test('register: the thrown error carries the same problems, its message unchanged', async (t) => {
  for (const c of cases) {
    const error = await registrationError(t, c.options)
    const unsafe = c.unsafe ?? false
    t.ok(unsafe ? error instanceof CorsUnsafeOptionsError : error instanceof CorsInvalidOptionsError, `${c.desc}: the error class`)
    if (!(error instanceof CorsInvalidOptionsError) && !(error instanceof CorsUnsafeOptionsError)) continue
    t.equal(error.code, unsafe ? 'FST_CORS_UNSAFE_OPTIONS' : 'FST_CORS_INVALID_OPTIONS')
    t.equal(error.problems.length, 1, `${c.desc}: one problem`)
    checkProblem(t, error.problems[0], c, 'register')
    t.same(error.problems, validateCorsOptions(c.options), `${c.desc}: what validateCorsOptions returns`)
    const problem = error.problems[0] as OptionProblem
    t.equal(error.message, `${unsafe ? 'Unsafe' : 'Invalid'} fastify-cors-policy options: ${problem.path === '' ? '(options)' : problem.path} ${problem.message}`, `${c.desc}: the message lists it`)
  }
})

test('several problems: each one in order, every one with a fix, and JSON-serialisable for a report', async (t) => {
  const options = { origin: [`${APP}/`, /example\.com/], maxAge: -1, origins: 'x', methods: ['GET', 'CONNECT'] }
  const problems = validateCorsOptions(options)
  t.same(problems.map((p) => [p.path, p.value, p.fix]), [
    ['/maxAge', -1, 'use an integer from 0 to 86400 (seconds)'],
    ['/origins', 'x', "did you mean 'origin'?"],
    ['/origin/0', `${APP}/`, `did you mean '${APP}'?`],
    ['/origin/1', options.origin[1], "use /^(?:example\\.com)$/, or better a pattern such as 'https://*.example.com'"],
    ['/methods', 'CONNECT', 'remove it']
  ])
  for (const problem of problems) t.not(problem.fix, '', `${problem.path}: a fix`)
  const error = await registrationError(t, options)
  t.ok(error instanceof CorsInvalidOptionsError, 'a mix of unsafe and invalid problems: invalid')
  t.same((error as InstanceType<typeof CorsInvalidOptionsError>).problems, problems)
  const json = problems.filter((p) => !(p.value instanceof RegExp))
  t.same(JSON.parse(JSON.stringify(json)), json, 'JSON values survive a round trip')
})

test('route keys: a plugin-level option per route names its value and where to set it', async (t) => {
  const routeKeys = Object.keys(CorsRouteOptionsSchema.properties)
  const { problems } = resolveOptions({ hook: 'preHandler', orign: APP }, routeKeys)
  t.same(problems.map((p) => [p.path, p.value, p.fix, p.unsafe]), [
    ['/hook', 'preHandler', 'set it where the plugin is registered', false],
    ['/orign', APP, "did you mean 'origin'?", false]
  ])
})

/** What ready() rejects with when a route of a child scope has this config.cors. */
async function routeError (t: Test, cors: unknown, plugin: FastifyCorsOptions = { origin: [APP] }): Promise<unknown> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, plugin)
  app.register(async (scope) => {
    scope.put('/items/:id', { config: { cors: cors as FastifyCorsRouteOptions } }, async () => 'updated')
  })
  let caught: unknown
  await t.rejects(async () => { try { await app.ready() } catch (error) { caught = error; throw error } }, { code: 'FST_CORS_INVALID_ROUTE_CONFIG' })
  return caught
}

test("a route's invalid config.cors: the error names the route and carries the problems, with paths inside config.cors", async (t) => {
  const error = await routeError(t, { origin: 'https://a.example.com/', maxAge: -1 })
  if (!(error instanceof CorsInvalidRouteConfigError)) throw new TypeError('expected a CorsInvalidRouteConfigError')
  t.equal(error.route, 'PUT /items/:id')
  t.same(error.problems.map((p) => [p.path, p.value, p.fix, p.unsafe]), [
    ['/maxAge', -1, 'use an integer from 0 to 86400 (seconds)', false],
    ['/origin', 'https://a.example.com/', "did you mean 'https://a.example.com'?", false]
  ])
  t.equal(error.message, "Invalid config.cors on route PUT /items/:id: 2 problems:\n  - /maxAge expected an integer from 0 to 86400 (seconds), received -1\n  - /origin 'https://a.example.com/' has a trailing slash, but an Origin is only scheme://host[:port]; did you mean 'https://a.example.com'?", 'the message is unchanged')
})

test('a route config.cors that is not an options object: one problem at the root, the message unchanged', async (t) => {
  const error = await routeError(t, 'yes')
  if (!(error instanceof CorsInvalidRouteConfigError)) throw new TypeError('expected a CorsInvalidRouteConfigError')
  t.equal(error.route, 'PUT /items/:id')
  t.same(error.problems, [{ path: '', value: 'yes', message: "expected false or an options object, received 'yes'", fix: 'set config.cors to false (no CORS on this route) or to an options object', unsafe: false }])
  t.equal(error.message, "Invalid config.cors on route PUT /items/:id: expected false or an options object, received 'yes'")
})

test('route config: a plugin-level option, an unsafe combination and enforce under a late hook', async (t) => {
  const plugin = await routeError(t, { strictPreflight: false })
  t.same((plugin as InstanceType<typeof CorsInvalidRouteConfigError>).problems.map((p) => [p.path, p.value, p.fix]), [['/strictPreflight', false, 'set it where the plugin is registered']])
  const unsafe = await routeError(t, { origin: '*', credentials: true })
  t.same((unsafe as InstanceType<typeof CorsInvalidRouteConfigError>).problems.map((p) => [p.path, p.value, p.unsafe]), [['/credentials', true, true]], 'unsafe problems are route config errors too')
  const enforce = await routeError(t, { enforce: true }, { origin: [APP], hook: 'onSend' })
  const fix = "register the plugin with hook: 'preHandler' (or 'onRequest', 'preParsing', 'preValidation'), or remove enforce"
  t.same((enforce as InstanceType<typeof CorsInvalidRouteConfigError>).problems, [{
    path: '/enforce', value: true, message: `needs a hook that runs before the handler, but the plugin decides in 'onSend'; ${fix}`, fix, unsafe: false
  }])
})

test('errors built by hand have no problems (and no route), as their types say', async (t) => {
  t.same(new CorsInvalidOptionsError('detail').problems, [])
  t.same(new CorsUnsafeOptionsError('detail').problems, [])
  const route = new CorsInvalidRouteConfigError('GET /', 'detail')
  t.same(route.problems, [])
  t.equal(route.route, '')
  t.notOk(Object.hasOwn(route, 'problems'), 'a default, not an own property')
})
