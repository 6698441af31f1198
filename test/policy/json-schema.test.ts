import { test } from 'tap'
import { readFileSync } from 'node:fs'
import { Ajv, type Options as AjvOptions } from 'ajv'
import { Value } from '@sinclair/typebox/value'
import { KindGuard, Type, type TSchema } from '@sinclair/typebox'
import { CorsJsonOptionsSchema, CorsOptionsSchema, validateCorsOptions, type FastifyCorsJsonOptions, type FastifyCorsOptions, type OptionProblem } from '../../lib/index.js'
import { jsonProperties, jsonSchemaOf } from '../../lib/policy/json-schema.js'

const CONFIG_FILE = new URL('../fixtures/cors-config.json', import.meta.url)
const loadConfig = (): unknown => JSON.parse(readFileSync(CONFIG_FILE, 'utf8'))

// @fastify/ajv-compiler lib/default-ajv-options.js (Fastify 5's body/query/params validator);
// it also installs ajv-formats, which only matters for `format`, a keyword the schema does not use
const FASTIFY_AJV_OPTIONS: AjvOptions = { coerceTypes: 'array', useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false }

// any strict-mode complaint (unknown keyword, ignored default, union type...) fails the test
const failOnWarning = {
  log: () => {},
  warn: (...args: unknown[]) => { throw new TypeError(`Ajv warned: ${args.join(' ')}`) },
  error: (...args: unknown[]) => { throw new TypeError(`Ajv error: ${args.join(' ')}`) }
}

const strictValidate = new Ajv({ strict: true, allErrors: true }).compile(CorsJsonOptionsSchema)

// compile-time checks (tsc): what Static<> gives, and that a validated document can be registered
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const jsonOrigin: Equals<FastifyCorsJsonOptions['origin'], string | boolean | string[] | { credentialed: string[], public: string[] | '*' } | undefined> = true
const jsonHook: Equals<FastifyCorsJsonOptions['hook'], FastifyCorsOptions['hook']> = true
const jsonMaxAge: Equals<FastifyCorsJsonOptions['maxAge'], number | undefined> = true
const noDelegator: Equals<'delegator' extends keyof FastifyCorsJsonOptions ? true : false, false> = true
const assignable = (options: FastifyCorsJsonOptions): FastifyCorsOptions => options

test('the types derived with Static<> are the JSON subset of the options', async (t) => {
  t.same([jsonOrigin, jsonHook, jsonMaxAge, noDelegator], [true, true, true, true])
  t.same(assignable({ origin: ['https://a.com'], hook: 'preHandler' }), { origin: ['https://a.com'], hook: 'preHandler' })
})

test('compiles with Ajv 8 in strict mode, and with the options Fastify uses', async (t) => {
  for (const c of [
    { desc: 'strict: true', options: { strict: true } },
    { desc: 'strict: true, allErrors', options: { strict: true, allErrors: true } },
    { desc: "Fastify's options (strict 'log', no warning)", options: { ...FASTIFY_AJV_OPTIONS, logger: failOnWarning } },
    { desc: "Fastify's options with strict: true", options: { ...FASTIFY_AJV_OPTIONS, strict: true } }
  ] satisfies Array<{ desc: string, options: AjvOptions }>) {
    t.test(c.desc, async (t) => {
      const validate = new Ajv(c.options).compile(CorsJsonOptionsSchema)
      t.equal(validate(loadConfig()), true, JSON.stringify(validate.errors))
      t.equal(validate({}), true)
    })
  }
})

test('the schema is a clean JSON Schema: every option but the function-valued ones, no $id, no TypeBox-only keywords', async (t) => {
  t.equal(CorsJsonOptionsSchema.additionalProperties, false)
  t.same(Object.keys(CorsOptionsSchema.properties).filter((key) => !(key in CorsJsonOptionsSchema.properties)), ['delegator'])
  const keywords = new Set<string>()
  const types = new Set<unknown>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) { keywords.add(key); walk(value) }
      if ('type' in node && node !== CorsJsonOptionsSchema) types.add(node.type)
    }
  }
  walk(CorsJsonOptionsSchema)
  for (const keyword of ['$id', 'expected', 'default', 'parameters', 'returns']) t.notOk(keywords.has(keyword), `no '${keyword}'`)
  t.same([...types].sort(), ['array', 'boolean', 'integer', 'object', 'string'], 'no Function kind')
  const originMembers = (CorsJsonOptionsSchema.properties.origin as unknown as { anyOf: Array<{ type: string, properties?: Record<string, unknown> }> }).anyOf
  t.same(originMembers.filter((member) => member.type === 'object').map((member) => Object.keys(member.properties ?? {})), [['credentialed', 'public']],
    'the only object below the root is the tiers of origin (no RegExp stand-in)')
})

test('the JSON config file passes Ajv and validateCorsOptions', async (t) => {
  const config = loadConfig()
  t.equal(strictValidate(config), true, JSON.stringify(strictValidate.errors))
  t.same(validateCorsOptions(config), [])
  t.equal(Value.Check(CorsOptionsSchema, config), true, 'and the TypeBox schema agrees')
  // Fastify's options coerce and fill in place: the document keeps its meaning
  const copy = structuredClone(config)
  t.equal(new Ajv(FASTIFY_AJV_OPTIONS).compile(CorsJsonOptionsSchema)(copy), true)
  t.same(copy, config, 'no default written into the document')
})

test('wrong types and unknown keys are refused by Ajv, with the path', async (t) => {
  const cases: Array<{ desc: string, document: unknown, errors: Array<{ instancePath: string, keyword: string, params?: Record<string, unknown> }> }> = [
    { desc: 'unknown key (typo)', document: { orign: 'https://a.com' }, errors: [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'orign' } }] },
    { desc: 'plugin option of another library', document: { allowCredentials: true }, errors: [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'allowCredentials' } }] },
    { desc: 'delegator is not JSON', document: { delegator: 'x' }, errors: [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'delegator' } }] },
    { desc: 'boolean as a string', document: { credentials: 'yes' }, errors: [{ instancePath: '/credentials', keyword: 'type' }] },
    { desc: 'maxAge out of range', document: { maxAge: 86401 }, errors: [{ instancePath: '/maxAge', keyword: 'maximum' }] },
    { desc: 'maxAge not an integer', document: { maxAge: 1.5 }, errors: [{ instancePath: '/maxAge', keyword: 'type' }] },
    { desc: 'optionsSuccessStatus out of range', document: { optionsSuccessStatus: 302 }, errors: [{ instancePath: '/optionsSuccessStatus', keyword: 'maximum' }] },
    { desc: 'origin list item not a string', document: { origin: ['https://a.com', 5] }, errors: [{ instancePath: '/origin/1', keyword: 'type' }] },
    { desc: 'empty origin list', document: { origin: [] }, errors: [{ instancePath: '/origin', keyword: 'minItems' }] },
    { desc: 'origin as an object (no RegExp in JSON)', document: { origin: {} }, errors: [{ instancePath: '/origin', keyword: 'anyOf' }] },
    { desc: 'unknown hook', document: { hook: 'onResponse' }, errors: [{ instancePath: '/hook', keyword: 'anyOf' }] },
    { desc: 'unknown log level', document: { logLevel: 'verbose' }, errors: [{ instancePath: '/logLevel', keyword: 'anyOf' }] },
    { desc: 'methods as a number', document: { methods: 5 }, errors: [{ instancePath: '/methods', keyword: 'anyOf' }] },
    { desc: 'cacheControl with a control character', document: { cacheControl: 'max-age=1\n' }, errors: [{ instancePath: '/cacheControl', keyword: 'anyOf' }] },
    { desc: 'not an object', document: ['https://a.com'], errors: [{ instancePath: '', keyword: 'type' }] }
  ]
  for (const c of cases) {
    t.test(c.desc, async (t) => {
      t.equal(strictValidate(c.document), false)
      const errors = strictValidate.errors ?? []
      for (const expected of c.errors) {
        t.match(errors.find((error) => error.instancePath === expected.instancePath && error.keyword === expected.keyword), { params: expected.params ?? {} }, `${expected.keyword} at '${expected.instancePath}'`)
      }
      // an anyOf also reports each branch's failure, at the same path or above it
      t.ok(errors.every((error) => c.errors.some((expected) => expected.instancePath.startsWith(error.instancePath))), 'no error elsewhere')
      t.not(validateCorsOptions(c.document).length, 0, 'validateCorsOptions refuses it too')
    })
  }
})

test('semantic problems pass the structural check but validateCorsOptions names them', async (t) => {
  const cases: Array<{ desc: string, document: unknown, problems: Array<{ path: string, message: RegExp, unsafe: boolean }> }> = [
    { desc: 'trailing slash', document: { origin: 'https://a.com/' }, problems: [{ path: '/origin', message: /'https:\/\/a\.com\/'.*did you mean 'https:\/\/a\.com'\?/, unsafe: false }] },
    { desc: 'trailing slash in a list', document: { origin: ['https://ok.com', 'https://a.com/'] }, problems: [{ path: '/origin/1', message: /did you mean 'https:\/\/a\.com'\?/, unsafe: false }] },
    { desc: "'*' with credentials", document: { origin: '*', credentials: true }, problems: [{ path: '/credentials', message: /cannot be combined with origin '\*'/, unsafe: true }] },
    { desc: 'credentials without an origin', document: { credentials: true }, problems: [{ path: '/credentials', message: /needs an explicit `origin`/, unsafe: true }] },
    { desc: 'forbidden method', document: { methods: ['GET', 'TRACE'] }, problems: [{ path: '/methods', message: /'TRACE' is a forbidden method/, unsafe: false }] },
    { desc: 'forbidden request header', document: { allowedHeaders: 'Content-Type, Cookie' }, problems: [{ path: '/allowedHeaders', message: /'Cookie' is a forbidden request header/, unsafe: false }] },
    { desc: 'Set-Cookie exposed', document: { exposedHeaders: ['Set-Cookie'] }, problems: [{ path: '/exposedHeaders', message: /'Set-Cookie' can never be exposed/, unsafe: false }] },
    { desc: 'bad pattern', document: { origin: 'https://*.com.*' }, problems: [{ path: '/origin', message: /'https:\/\/\*\.com\.\*' has a wildcard in an unsupported position/, unsafe: false }] },
    {
      desc: 'every problem at once',
      document: { origin: ['https://a.com/', '*'], credentials: true, methods: 'TRACE' },
      problems: [
        { path: '/origin/0', message: /trailing slash.*did you mean 'https:\/\/a\.com'\?/, unsafe: false },
        { path: '/origin/1', message: /'\*' cannot be mixed with other origins/, unsafe: false },
        { path: '/methods', message: /'TRACE' is a forbidden method/, unsafe: false }
      ]
    }
  ]
  for (const c of cases) {
    t.test(c.desc, async (t) => {
      t.equal(strictValidate(c.document), true, `structurally valid: ${JSON.stringify(strictValidate.errors)}`)
      const problems = validateCorsOptions(c.document)
      t.equal(problems.length, c.problems.length, 'exactly these problems')
      c.problems.forEach((expected, index) => { t.match(problems[index], expected) })
    })
  }
})

test('validateCorsOptions never throws: a problem at the root for what is not an options object', async (t) => {
  for (const c of [
    { desc: 'a string', value: 'https://a.com' },
    { desc: 'an array', value: ['https://a.com'] },
    { desc: 'a number', value: 5 },
    { desc: 'a function', value: () => ({}) }
  ]) {
    t.test(c.desc, async (t) => {
      t.match(validateCorsOptions(c.value), [{ path: '', message: /expected an options object/, unsafe: false }])
    })
  }
  t.same(validateCorsOptions(undefined), [], 'no options: the defaults')
  t.same(validateCorsOptions(null), [])
  t.same(validateCorsOptions({ origin: undefined }), [], 'undefined means not set')
  const problems: OptionProblem[] = validateCorsOptions({ origin: /^https:\/\/a\.com$/, delegator: () => ({}) })
  t.same(problems, [], 'and it takes the non-JSON options register takes')
})

// Every sample is tried on every option: the TypeBox property schema and the JSON Schema (through Ajv
// and through TypeBox) must agree, so adding or changing an option in schema.ts cannot silently
// leave the JSON Schema behind.
const SAMPLES: unknown[] = [
  null, true, false, 0, 1, -1, 1.5, 199, 200, 204, 299, 300, 600, 7200, 86400, 86401, 60000, 60001,
  '', ' ', '*', 'GET', 'get, put', 'TRACE', 'https://a.com', 'https://a.com/', 'https://*.example.com', 'null',
  'no-store', 'max-age=60', 'x\u0001', 'café', 'onRequest', 'preHandler', 'onSend', 'onResponse', 'info', 'silent', 'verbose', 'true',
  [], ['*'], [''], ['GET', 'PUT'], ['https://a.com', 'https://*.b.com'], ['https://a.com', 5], [true], [['https://a.com']],
  {}, { source: '^https://a\\.com$' }, ['https://a.com', {}]
]

test('the JSON Schema accepts exactly the JSON values the TypeBox schema accepts', async (t) => {
  const properties = CorsOptionsSchema.properties as Record<string, TSchema>
  for (const key of Object.keys(CorsJsonOptionsSchema.properties)) {
    t.test(key, async (t) => {
      const typebox = properties[key] as TSchema
      let accepted = 0
      for (const sample of SAMPLES) {
        const json = strictValidate({ [key]: sample })
        t.equal(Value.Check(CorsJsonOptionsSchema, { [key]: sample }), json, `TypeBox and Ajv agree on the JSON Schema for ${JSON.stringify(sample)}`)
        const isObjectish = (value: unknown): boolean => value !== null && typeof value === 'object' && !Array.isArray(value)
        if (key === 'origin' && (isObjectish(sample) || (Array.isArray(sample) && sample.some(isObjectish)))) {
          // the RegExp stand-in of CorsOptionsSchema admits any object (the semantic pass checks
          // instanceof RegExp); JSON has no RegExp, so the JSON Schema refuses objects outright
          t.equal(Value.Check(typebox, sample), true)
          t.equal(json, false, `origin ${JSON.stringify(sample)} refused`)
          t.not(validateCorsOptions({ origin: sample }).length, 0, 'as validateCorsOptions does')
          continue
        }
        t.equal(json, Value.Check(typebox, sample), `${key}: ${JSON.stringify(sample)}`)
        if (json) accepted++
      }
      t.ok(accepted > 0 && accepted < SAMPLES.length, `the samples exercise both answers (${accepted} accepted)`)
    })
  }
})

test('tiered origins are JSON: Ajv and validateCorsOptions accept them, and refuse a RegExp or an unknown tier', async (t) => {
  const tiered: FastifyCorsJsonOptions = { origin: { credentialed: ['https://app.example.com'], public: '*' } }
  t.equal(strictValidate(tiered), true, JSON.stringify(strictValidate.errors))
  t.equal(strictValidate({ origin: { credentialed: ['https://app.example.com'], public: ['https://partner.example'] } }), true)
  t.same(validateCorsOptions(tiered), [])
  t.equal(Value.Check(CorsOptionsSchema, tiered), true, 'and CorsOptionsSchema: a FastifyCorsJsonOptions is a FastifyCorsOptions')
  t.same(assignable(tiered), tiered)
  for (const c of [
    { desc: 'a RegExp in a tier', document: { origin: { credentialed: [/^https:\/\/a\.com$/], public: '*' } } },
    { desc: 'an unknown tier', document: { origin: { credentialed: ['https://a.com'], public: '*', private: ['https://b.com'] } } },
    { desc: 'no public tier', document: { origin: { credentialed: ['https://a.com'] } } },
    { desc: 'an empty credentialed tier', document: { origin: { credentialed: [], public: '*' } } }
  ]) {
    t.equal(strictValidate(c.document), false, c.desc)
  }
})

test('the JSON Schema refuses exactly the non-JSON values: functions and RegExps validate only through CorsOptionsSchema', async (t) => {
  const fn = (): boolean => true
  for (const c of [
    { desc: 'origin function', document: { origin: fn } },
    { desc: 'origin RegExp', document: { origin: /^https:\/\/a\.com$/ } },
    { desc: 'origin list with a RegExp', document: { origin: ['https://b.com', /^https:\/\/a\.com$/] } },
    { desc: 'delegator', document: { delegator: fn } }
  ]) {
    t.test(c.desc, async (t) => {
      t.equal(Value.Check(CorsOptionsSchema, c.document), true)
      t.equal(Value.Check(CorsJsonOptionsSchema, c.document), false)
      t.equal(strictValidate(c.document), false)
    })
  }
})

test('jsonSchemaOf keeps the JSON members of any schema and drops what has none', async (t) => {
  const fn = Type.Function([], Type.Unknown(), { expected: 'a function' })
  const regexp = Type.Object({}, { expected: 'an anchored RegExp' })
  const cases: Array<{ desc: string, schema: TSchema, json: unknown }> = [
    { desc: 'a function', schema: fn, json: undefined },
    { desc: 'the RegExp stand-in', schema: regexp, json: undefined },
    { desc: 'a union of non-JSON members', schema: Type.Union([fn, regexp]), json: undefined },
    { desc: 'an array of functions', schema: Type.Array(fn), json: undefined },
    { desc: 'a union left with one member is that member', schema: Type.Union([Type.String({ minLength: 1 }), fn], { description: 'd', expected: 'x', default: 'y' }), json: { type: 'string', minLength: 1, description: 'd' } },
    { desc: 'an array of a union', schema: Type.Array(Type.Union([Type.Integer(), regexp]), { minItems: 1, expected: 'x' }), json: { type: 'array', minItems: 1, items: { type: 'integer' } } },
    { desc: 'a leaf loses only expected and default', schema: Type.Integer({ minimum: 0, default: 1, expected: 'x' }), json: { type: 'integer', minimum: 0 } },
    {
      desc: 'an object keeps its JSON properties, each cleaned',
      schema: Type.Object({ list: Type.Array(Type.Union([Type.String(), regexp]), { expected: 'x' }), check: fn }, { additionalProperties: false, expected: 'x', description: 'd' }),
      json: { type: 'object', additionalProperties: false, description: 'd', properties: { list: { type: 'array', items: { type: 'string' } } }, required: ['list'] }
    }
  ]
  for (const c of cases) {
    t.test(c.desc, async (t) => {
      const json = jsonSchemaOf(c.schema)
      t.same(json === undefined ? undefined : JSON.parse(JSON.stringify(json)), c.json)
      if (json !== undefined) t.ok(KindGuard.IsSchema(json), 'still a TypeBox schema (Value.Check works on it)')
    })
  }
  t.test('required and optional properties stay so', async (t) => {
    const properties = jsonProperties({ a: Type.String(), b: Type.Optional(Type.Boolean()), c: fn })
    t.same(Object.keys(properties), ['a', 'b'])
    t.same(Type.Object(properties).required, ['a'])
  })
})
