import { test } from 'tap'
import { resolveOptions, formatProblems, renderValue, valueAt } from '../../lib/policy/options.js'
import { CorsOptionsSchema } from '../../lib/policy/schema.js'
import { Value } from '@sinclair/typebox/value'

test('defaults come from the schema', async (t) => {
  const { options, problems } = resolveOptions({})
  t.same(problems, [])
  t.same(options.origin, { kind: 'any' })
  t.equal(options.credentials, false)
  t.equal(options.methods, undefined)
  t.equal(options.allowedHeaders, undefined)
  t.equal(options.preflight, true)
  t.equal(options.strictPreflight, true)
  t.equal(options.preflightContinue, false)
  t.equal(options.optionsSuccessStatus, 204)
  t.equal(options.originCheckTimeout, 2000)
  t.equal(options.enforce, false)
  t.equal(options.hideOptionsRoute, true)
  t.equal(options.maxAge, undefined)
  t.same(resolveOptions(undefined).problems, [], 'no options at all')
})

test('undefined means "not set", never "override with undefined"', async (t) => {
  const { options, problems } = resolveOptions({ origin: undefined, credentials: undefined, optionsSuccessStatus: undefined })
  t.same(problems, [])
  t.same(options.origin, { kind: 'any' })
  t.equal(options.optionsSuccessStatus, 204)
})

test('lists are normalised', async (t) => {
  const { options } = resolveOptions({ methods: 'get, put,patch', allowedHeaders: ['X-A', 'x-a', 'Content-Type'], exposedHeaders: 'X-Total' })
  t.same(options.methods, { wildcard: false, names: ['GET', 'PUT', 'PATCH'] })
  t.same(options.allowedHeaders, { wildcard: false, names: ['X-A', 'Content-Type'] })
  t.same(options.exposedHeaders, { wildcard: false, names: ['X-Total'] })
  t.same(resolveOptions({ allowedHeaders: ['*', 'Authorization'] }).options.allowedHeaders, { wildcard: true, names: ['Authorization'] })
  t.equal(resolveOptions({ cacheControl: 30 }).options.cacheControl, 'max-age=30')
  t.equal(resolveOptions({ cacheControl: 'no-store' }).options.cacheControl, 'no-store')
})

test('every kind of problem is reported, with path, value and fix', async (t) => {
  const cases: Array<{ desc: string, options: unknown, path: string, message: RegExp, unsafe?: boolean }> = [
    { desc: 'not an object', options: 'yes', path: '', message: /expected an options object, received 'yes'/ },
    { desc: 'unknown option', options: { bogus: 1 }, path: '/bogus', message: /is not an option \(options: origin, / },
    { desc: 'typo', options: { orign: '*' }, path: '/orign', message: /did you mean 'origin'\?/ },
    { desc: 'name from another library', options: { exposeHeaders: 'X' }, path: '/exposeHeaders', message: /did you mean 'exposedHeaders'\?/ },
    { desc: 'wrong type', options: { credentials: 'yes' }, path: '/credentials', message: /expected a boolean, received 'yes'/ },
    { desc: 'origin wrong type', options: { origin: 5 }, path: '/origin', message: /expected '\*', an origin string.*received 5/ },
    { desc: 'empty origin list', options: { origin: [] }, path: '/origin', message: /received \[\]/ },
    { desc: 'origin list item wrong type', options: { origin: ['https://a.com', {}] }, path: '/origin/1', message: /expected an origin string or an anchored RegExp, received \{\}/ },
    { desc: 'malformed origin', options: { origin: ['https://a.com/'] }, path: '/origin/0', message: /did you mean 'https:\/\/a\.com'\?/ },
    { desc: 'single malformed origin', options: { origin: 'https://a.com/x' }, path: '/origin', message: /has a path/ },
    { desc: 'unanchored RegExp', options: { origin: /a\.com/ }, path: '/origin', message: /not anchored.*\/\^\(\?:a\\\.com\)\$\//, unsafe: true },
    { desc: "'*' with credentials", options: { origin: '*', credentials: true }, path: '/credentials', message: /cannot be combined with origin '\*'/, unsafe: true },
    { desc: 'default origin with credentials', options: { credentials: true }, path: '/credentials', message: /needs an explicit `origin`/, unsafe: true },
    { desc: 'reflect with credentials', options: { origin: true, credentials: true }, path: '/origin', message: /dangerouslyAllowAnyOriginWithCredentials/, unsafe: true },
    { desc: "'null' with credentials", options: { origin: ['null'], credentials: true }, path: '/origin', message: /'null' with credentials/, unsafe: true },
    { desc: "methods '*' with credentials", options: { origin: 'https://a.com', credentials: true, methods: '*' }, path: '/methods', message: /not a wildcard when credentials/ },
    { desc: "allowedHeaders '*' with credentials", options: { origin: 'https://a.com', credentials: true, allowedHeaders: '*' }, path: '/allowedHeaders', message: /not a wildcard when credentials/ },
    { desc: "exposedHeaders '*' with credentials", options: { origin: 'https://a.com', credentials: true, exposedHeaders: ['*'] }, path: '/exposedHeaders', message: /not a wildcard when credentials/ },
    { desc: 'forbidden method', options: { methods: ['GET', 'connect'] }, path: '/methods', message: /'connect' is a forbidden method/ },
    { desc: 'TRACK', options: { methods: 'TRACK' }, path: '/methods', message: /forbidden method/ },
    { desc: 'invalid method', options: { methods: ['GE T'] }, path: '/methods', message: /not a valid method name/ },
    { desc: "methods '*' mixed", options: { methods: ['*', 'PUT'] }, path: '/methods', message: /use methods: '\*' alone/ },
    { desc: 'forbidden request header', options: { allowedHeaders: ['Cookie'] }, path: '/allowedHeaders', message: /forbidden request header/ },
    { desc: 'proxy- header', options: { allowedHeaders: ['Proxy-Foo'] }, path: '/allowedHeaders', message: /forbidden request header/ },
    { desc: 'sec- header', options: { allowedHeaders: 'Sec-Foo' }, path: '/allowedHeaders', message: /forbidden request header/ },
    { desc: 'response-only header', options: { allowedHeaders: ['Access-Control-Allow-Origin'] }, path: '/allowedHeaders', message: /is a response header/ },
    { desc: 'invalid header name', options: { allowedHeaders: ['X A'] }, path: '/allowedHeaders', message: /not a valid header name/ },
    { desc: 'Set-Cookie exposed', options: { exposedHeaders: ['Set-Cookie'] }, path: '/exposedHeaders', message: /can never be exposed/ },
    { desc: "exposedHeaders '*' mixed", options: { exposedHeaders: ['*', 'X-A'] }, path: '/exposedHeaders', message: /use exposedHeaders: '\*' alone/ },
    { desc: 'maxAge too large', options: { maxAge: 86401 }, path: '/maxAge', message: /from 0 to 86400.*received 86401/ },
    { desc: 'maxAge negative', options: { maxAge: -1 }, path: '/maxAge', message: /received -1/ },
    { desc: 'maxAge fraction', options: { maxAge: 1.5 }, path: '/maxAge', message: /received 1\.5/ },
    { desc: 'optionsSuccessStatus', options: { optionsSuccessStatus: 301 }, path: '/optionsSuccessStatus', message: /from 200 to 299, received 301/ },
    { desc: 'originCheckTimeout', options: { originCheckTimeout: 0 }, path: '/originCheckTimeout', message: /from 1 to 60000/ },
    { desc: 'cacheControl with CRLF', options: { cacheControl: 'max-age=1\r\nX: y' }, path: '/cacheControl', message: /printable ASCII/ },
    { desc: 'logLevel', options: { logLevel: 'loud' }, path: '/logLevel', message: /one of 'fatal'/ },
    { desc: 'enforce in a hook after the handler', options: { enforce: true, hook: 'onSend' }, path: '/enforce', message: /needs a hook that runs before the handler, but hook is 'onSend'/ }
  ]
  for (const c of cases) {
    const { problems } = resolveOptions(c.options)
    t.equal(problems.length, 1, `${c.desc}: one problem`)
    t.equal(problems[0]?.path, c.path, `${c.desc}: path`)
    t.match(problems[0]?.message, c.message, `${c.desc}: message`)
    t.equal(problems[0]?.unsafe, c.unsafe ?? false, `${c.desc}: unsafe flag`)
    t.ok(typeof problems[0]?.fix === 'string' && problems[0].fix.length > 0, `${c.desc}: a fix`)
  }
})

test('valueAt reads a JSON pointer through own properties only', async (t) => {
  const raw = { origin: ['https://a.com', 'https://b.com'], 'a/b': { '~x': 1 } }
  t.equal(valueAt(raw, ''), raw)
  t.equal(valueAt(raw, '/origin/1'), 'https://b.com')
  t.equal(valueAt(raw, '/a~1b/~0x'), 1, '~1 is /, ~0 is ~')
  t.equal(valueAt(raw, '/origin/2'), undefined, 'past the end')
  t.equal(valueAt(raw, '/origin/0/length'), undefined, 'not into a string')
  t.equal(valueAt(raw, '/constructor'), undefined, 'not from the prototype')
  t.equal(valueAt(undefined, '/origin'), undefined)
})

test('route keys: plugin-only options are refused per route', async (t) => {
  const keys = ['origin', 'credentials']
  const { problems } = resolveOptions({ hideOptionsRoute: false, origni: 'x' }, keys)
  t.match(problems[0]?.message, /plugin-level option/)
  t.match(problems[1]?.message, /did you mean 'origin'\?/)
})

test('reflect with credentials through the dangerous opt-in', async (t) => {
  const { problems, options } = resolveOptions({ origin: true, credentials: true, dangerouslyAllowAnyOriginWithCredentials: true })
  t.same(problems, [])
  t.same(options.origin, { kind: 'reflect' })
})

test('formatProblems: one line, or a numbered list', async (t) => {
  t.equal(formatProblems([{ path: '/maxAge', value: -1, message: 'bad', fix: 'f', unsafe: false }]), '/maxAge bad')
  t.equal(formatProblems([{ path: '', value: 1, message: 'x', fix: 'f', unsafe: false }, { path: '/a', value: 2, message: 'y', fix: 'g', unsafe: true }]), '2 problems:\n  - (options) x\n  - /a y')
})

test('renderValue', async (t) => {
  t.equal(renderValue(() => true), 'a function')
  t.equal(renderValue(/a/g), '/a/g')
  t.equal(renderValue(undefined), 'undefined')
  t.equal(renderValue([1, 'a']), "[1, 'a']")
  t.equal(renderValue('x'.repeat(200)).length, 120)
  const circular: Record<string, unknown> = {}
  circular.self = circular
  t.equal(renderValue(circular), '[object Object]')
  t.equal(renderValue(10n), '10')
})

test('the exported schema validates JSON config on its own', async (t) => {
  t.equal(Value.Check(CorsOptionsSchema, { origin: ['https://a.com'], credentials: true, maxAge: 600 }), true)
  t.equal(Value.Check(CorsOptionsSchema, { origin: ['https://a.com'], maxAge: 100000 }), false)
  t.equal(Value.Check(CorsOptionsSchema, { origins: ['https://a.com'] }), false)
})
