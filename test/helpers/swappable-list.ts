/** For the tests of SwappableOriginList without a server: a list as a registration creates it, and a change expected to install. */
import { resolveOptions, type ResolvedOptions } from '../../lib/policy/options.js'
import type { ListSetting, TieredSetting } from '../../lib/policy/origin-list-edits.js'
import { SwappableOriginList, type OriginListChange, type PreparedOriginList } from '../../lib/policy/swappable-origins.js'

/** Options resolved as at registration; a problem throws. */
export function resolved (options: Record<string, unknown>): ResolvedOptions {
  const { options: resolvedOptions, problems } = resolveOptions(options)
  if (problems.length > 0) throw new TypeError(problems.map((p) => p.message).join('; '))
  return resolvedOptions
}

/** A list as a registration with these options creates it. */
export function listOf (options: Record<string, unknown>): SwappableOriginList {
  const registration = resolved(options)
  return new SwappableOriginList(registration.origin as ListSetting | TieredSetting, registration)
}

/** A change that installs a list; anything else throws. */
export function prepared (change: OriginListChange): PreparedOriginList {
  if (change === undefined || Array.isArray(change)) throw new TypeError(`expected a list to install, got ${JSON.stringify(change)}`)
  return change
}
