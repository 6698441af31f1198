import {
  KindGuard, Type,
  type Static, type TArray, type TObject, type TOptional, type TProperties, type TSchema, type TUnion, type Union
} from '@sinclair/typebox'
import { CorsOptionsSchema } from './schema.js'

// What no JSON document (config file, environment variable, request body) can hold.
type NonJson = ((...args: never[]) => unknown) | RegExp

/** The JSON-expressible members of a union; the non-JSON ones (functions, RegExps) are dropped. */
type JsonMembers<M extends TSchema[]> = number extends M['length']
  // a union built from an array (`CORS_HOOKS.map(...)`): one member type
  ? M extends Array<infer Member extends TSchema> ? Static<Member> extends NonJson ? [] : Array<JsonSchemaOf<Member>> : []
  : M extends [infer Head extends TSchema, ...infer Rest extends TSchema[]]
    ? Static<Head> extends NonJson ? JsonMembers<Rest> : [JsonSchemaOf<Head>, ...JsonMembers<Rest>]
    : []

/** Type-level twin of `jsonSchemaOf` below: the schema that admits only the JSON-expressible values of T. */
type JsonSchemaOf<T extends TSchema> =
  T extends TUnion<infer Members extends TSchema[]> ? Union<JsonMembers<Members>>
    : T extends TArray<infer Item extends TSchema> ? TArray<JsonSchemaOf<Item>>
      : T extends TObject<infer Properties extends TProperties> ? TObject<JsonProperties<Properties>>
        : T

type JsonProperties<P extends TProperties> = {
  [K in keyof P as Static<P[K]> extends NonJson ? never : K]: P[K] extends TOptional<TSchema> ? TOptional<JsonSchemaOf<P[K]>> : JsonSchemaOf<P[K]>
}

// `expected` is this package's message keyword, which Ajv's strict mode refuses. `default` is left
// out on purpose: Ajv's useDefaults (on in Fastify) would write the defaults into the data and turn
// "not set" into "set" (an unset option and its default are not the same), e.g. an injected origin '*' next to credentials; the plugin
// applies its defaults itself.
const DROPPED_KEYWORDS = new Set(['expected', 'default'])
// rebuilt by Type.Union / Type.Array / Type.Object
const STRUCTURAL_KEYWORDS = new Set(['type', 'anyOf', 'items', 'properties', 'required'])

/** The standard keywords of a schema node (string keys only: TypeBox's symbols are rebuilt). */
function keywordsOf (schema: TSchema): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !DROPPED_KEYWORDS.has(key) && !STRUCTURAL_KEYWORDS.has(key)))
}

// The RegExp stand-in of schema.ts is an object schema with no properties (TypeBox cannot check
// instances); the JSON objects options take (the tiers of `origin`) have properties.
function isRegExpStandIn (schema: TSchema): boolean {
  return KindGuard.IsObject(schema) && Object.keys(schema.properties).length === 0
}

/** A clean copy of `schema` that admits only its JSON-expressible values, or undefined if it has none. */
export function jsonSchemaOf (schema: TSchema): TSchema | undefined {
  if (KindGuard.IsFunction(schema) || isRegExpStandIn(schema)) return undefined
  if (KindGuard.IsUnion(schema)) {
    const members = schema.anyOf.map(jsonSchemaOf).filter((member): member is TSchema => member !== undefined)
    // a union left with one member is that member (Type.Union flattens it)
    return members.length === 0 ? undefined : Type.Union(members, keywordsOf(schema))
  }
  if (KindGuard.IsArray(schema)) {
    const items = jsonSchemaOf(schema.items)
    return items === undefined ? undefined : Type.Array(items, keywordsOf(schema))
  }
  if (KindGuard.IsObject(schema)) return Type.Object(jsonProperties(schema.properties), keywordsOf(schema))
  const copy: TSchema = { ...schema }
  for (const key of DROPPED_KEYWORDS) delete (copy as Record<string, unknown>)[key]
  return copy
}

/** The JSON-expressible properties of an object schema; a property with no JSON value is left out. */
export function jsonProperties (properties: TProperties): TProperties {
  const result: TProperties = {}
  for (const [key, schema] of Object.entries(properties)) {
    const json = jsonSchemaOf(schema)
    if (json !== undefined) result[key] = KindGuard.IsOptional(schema) ? Type.Optional(json) : json
  }
  return result
}

/**
 * The options a JSON document can hold (a config file, an environment variable), as a JSON Schema
 * that Ajv 8 compiles in strict mode and with Fastify's options: `CorsOptionsSchema` without the
 * function- and RegExp-valued options and members. Structure only: `validateCorsOptions` runs the rules.
 */
export const CorsJsonOptionsSchema = Type.Object(jsonProperties(CorsOptionsSchema.properties), {
  additionalProperties: false
}) as unknown as TObject<JsonProperties<typeof CorsOptionsSchema.properties>>

/** Options as a JSON document can hold them; assignable to `FastifyCorsOptions`. */
export type FastifyCorsJsonOptions = Static<typeof CorsJsonOptionsSchema>
