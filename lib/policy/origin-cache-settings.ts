/**
 * `originCache` resolved into its settings, each with the default the schema gives it, and the
 * settings of an `originCache` object that the schema refuses, each named on its own.
 */
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { OriginCacheSettingsSchema, type FastifyCorsOriginCacheKey } from './schema.js'

/** What `originCache` asks for; undefined in a policy whose answers are not kept. */
export interface OriginCacheSettings {
  /** answers kept, the least recently used evicted first */
  readonly max: number
  /** milliseconds an answer that allows the origin it was asked about is kept (0: not kept) */
  readonly ttl: number
  /** milliseconds an answer that does not allow it is kept (0: not kept) */
  readonly negativeTtl: number
  /** the key of a request's origin; undefined: the origin itself */
  readonly key: FastifyCorsOriginCacheKey | undefined
}

const SETTINGS = OriginCacheSettingsSchema.properties as Record<string, TSchema>

/** The names `originCache: { … }` accepts, in the schema's order. */
export const ORIGIN_CACHE_SETTING_NAMES: readonly string[] = Object.keys(SETTINGS)

/** The settings of a valid `originCache` value (`true` is every default); undefined for `false` or unset. */
export function resolveOriginCache (value: unknown): OriginCacheSettings | undefined {
  if (value === undefined || value === false) return undefined
  const given = (value === true ? {} : value) as Record<string, unknown>
  const setting = (name: string): number => (given[name] ?? (SETTINGS[name] as TSchema).default) as number
  return Object.freeze({
    max: setting('max'),
    ttl: setting('ttl'),
    negativeTtl: setting('negativeTtl'),
    key: given.key as FastifyCorsOriginCacheKey | undefined
  })
}

/** A setting the schema refuses: `expected` says what it takes, or is undefined for a name that is no setting. */
export interface OriginCacheSettingProblem {
  readonly name: string
  readonly expected: string | undefined
}

/** The settings of an `originCache` object that the schema refuses, in the object's order. */
export function originCacheSettingProblems (value: Record<string, unknown>): OriginCacheSettingProblem[] {
  const problems: OriginCacheSettingProblem[] = []
  for (const name of Object.keys(value)) {
    const schema = SETTINGS[name]
    if (schema === undefined) problems.push({ name, expected: undefined })
    // undefined means "not set", as for the options themselves
    else if (value[name] !== undefined && !Value.Check(schema, value[name])) problems.push({ name, expected: schema.expected as string })
  }
  return problems
}
