import { CorsOriginNotChangeableError, optionsError } from '../errors.js'
import { isTieredOrigin } from '../policy/options.js'
import type { OriginListItem } from '../policy/origin-list-edits.js'
import type { Sliced } from '../policy/origin-list-slices.js'
import type { OriginListChange, SwappableOriginList } from '../policy/swappable-origins.js'
import type { Registration } from './dispatcher.js'

/** An allow-list as `setOrigins` and friends take it: origins, patterns and anchored RegExps. */
export type FastifyCorsOriginList = readonly OriginListItem[]

/** Tiers as `setOrigins` takes them and `originTiers` reads them: `{ credentialed, public }`. */
export interface FastifyCorsOriginTiers {
  readonly credentialed: FastifyCorsOriginList
  readonly public: '*' | FastifyCorsOriginList
}

/** Entries to add to (or remove from) each tier: `{ credentialed: [...] }`, `{ public: [...] }` or both. */
export interface FastifyCorsOriginTiersChange {
  readonly credentialed?: FastifyCorsOriginList
  readonly public?: FastifyCorsOriginList
}

/**
 * `app.corsPolicy`: the run-time handle of the policy of the registration of the plugin that governs
 * this scope (its own, else its nearest parent's). A change is validated for the registration's
 * policy and every route policy that inherits its `origin`, and compiled, a slice of a few thousand
 * entries at a time with requests served between slices (still under the list in force); then it is
 * swapped in whole, for all of them at once. Each method returns a promise that resolves once the new
 * list is in force (from the next request on), or rejects, leaving the list as it was. Changes apply
 * one after another in call order, each over the list the previous one left, so that
 * `addOrigins(a)` then `addOrigins(b)`, not awaited, ends with both.
 */
export interface FastifyCorsPolicyHandle {
  /**
   * The allow-list in force, normalised and without duplicates (origins, then patterns, then
   * RegExps), frozen; undefined when the registration's origin is not a list. A change in progress
   * shows once it is in force.
   */
  readonly origins: FastifyCorsOriginList | undefined
  /** The tiers in force, each as `origins` reads a list; undefined when the registration's origin has no tiers. */
  readonly originTiers: FastifyCorsOriginTiers | undefined
  /**
   * Replaces the allow-list (or, for tiers, both tiers; a public '*' stays '*'). `[]` allows no
   * origin (responses still carry `Vary: Origin`). Rejects with `CorsInvalidOptionsError` or
   * `CorsUnsafeOptionsError` (every problem listed) when an entry is not valid for the registration
   * or for a route that inherits its origin, and with `CorsOriginNotChangeableError` when the
   * registration's origin is neither a list nor tiers. The array is read when the method is called.
   */
  setOrigins: (origins: FastifyCorsOriginList | FastifyCorsOriginTiers) => Promise<void>
  /** Adds entries (for tiers, to the tiers named); those listed already are left as they are. Rejects as `setOrigins`. */
  addOrigins: (origins: FastifyCorsOriginList | FastifyCorsOriginTiersChange) => Promise<void>
  /**
   * Removes the entries the list holds as written (removing an origin that a listed pattern admits
   * leaves the pattern; entries that are not listed change nothing; a tier cannot become empty).
   * Rejects as `setOrigins`.
   */
  removeOrigins: (origins: FastifyCorsOriginList | FastifyCorsOriginTiersChange) => Promise<void>
}

const AS_LIST = "configure origin as a list (e.g. ['https://app.example.com']) to change it at run time"

/** Why an origin setting that is neither a list nor tiers cannot change at run time, and what to configure instead. */
const NOT_CHANGEABLE: Readonly<Record<string, string>> = {
  any: `its origin is '*'; ${AS_LIST}`,
  reflect: `its origin is true (reflect any origin); ${AS_LIST}`,
  none: `its origin is false; ${AS_LIST} (to start with no origin allowed, register a list and call setOrigins([]) before the app starts)`,
  function: 'its origin is a function, which decides each origin itself; let the function read the list you change, or configure origin as a list to change it at run time'
}
const DELEGATED = 'the registration has a delegator, which answers the options per request; answer the new origins from the delegator, or configure origin as a list without a delegator to change it at run time'

/** The value a change was called with, copied (a list shallowly), so that the caller may reuse its array meanwhile. */
function snapshot (value: unknown): unknown {
  if (Array.isArray(value)) return value.slice()
  if (!isTieredOrigin(value)) return value
  const copy: Record<string, unknown> = { ...value }
  for (const [key, entries] of Object.entries(copy)) if (Array.isArray(entries)) copy[key] = entries.slice()
  return copy
}

/**
 * Milliseconds of a change's work between two turns of the event loop: a request that arrives while
 * a change is in progress waits about this long at most, garbage collections and the growth of a
 * large list's lookup table aside (a few milliseconds each for 100 000 entries; see bench/swap.ts).
 */
const STEP_MS = 0.5

/**
 * Runs sliced work, slices for at most about `STEP_MS` at a time, letting the event loop serve what
 * is ready (I/O, timers) in between; `settle` takes the result in the step that produced it.
 */
async function runInSlices<T> (work: Sliced<T>, settle: (result: T) => void): Promise<T> {
  let stepEnd = performance.now() + STEP_MS
  for (let slice = work.next(); ; slice = work.next()) {
    if (slice.done === true) {
      settle(slice.value)
      return slice.value
    }
    if (performance.now() >= stepEnd) {
      await new Promise<void>((resolve) => { setImmediate(resolve) })
      stepEnd = performance.now() + STEP_MS
    }
  }
}

type Prepare = (list: SwappableOriginList, value: unknown) => Sliced<OriginListChange>

/** Applies a change to the registration's list: validated and compiled in slices, then swapped in whole, then logged. */
async function change (registration: Registration, list: SwappableOriginList, method: string, prepared: Sliced<OriginListChange>): Promise<void> {
  const result = await runInSlices(prepared, (ready) => {
    // in the step that prepared it: nothing ran since the list and its readers were last checked
    if (ready !== undefined && !Array.isArray(ready)) list.install(ready)
  })
  if (Array.isArray(result)) throw optionsError(result)
  if (result === undefined) return
  const log = registration.scope.log
  log.info(list.describeChange(registration.prefix, method))
  for (const warning of result.warnings) log.warn(`fastify-cors-policy: ${warning}`)
}

/** The handle `app.corsPolicy` of one registration. */
export function createPolicyHandle (registration: Registration): FastifyCorsPolicyHandle {
  // the changes not settled yet: each starts once the one before it has settled
  let queue: Promise<void> = Promise.resolve()
  const enqueue = async (method: string, origins: unknown, prepare: Prepare): Promise<void> => {
    const list = registration.originList
    if (list === undefined) {
      const why = registration.delegator === undefined ? NOT_CHANGEABLE[registration.defaultPolicy.originKind] as string : DELEGATED
      throw new CorsOriginNotChangeableError(registration.prefix === '' ? '/' : registration.prefix, why)
    }
    const value = snapshot(origins)
    const applied = queue.then(async () => { await change(registration, list, method, prepare(list, value)) })
    queue = applied.catch(() => {})
    await applied
  }
  return Object.freeze({
    get origins () { return registration.originList?.items },
    get originTiers () { return registration.originList?.tiers },
    setOrigins: async (origins: unknown) => { await enqueue('setOrigins', origins, (list, value) => list.prepareSet(value)) },
    addOrigins: async (origins: unknown) => { await enqueue('addOrigins', origins, (list, value) => list.prepareAdd(value)) },
    removeOrigins: async (origins: unknown) => { await enqueue('removeOrigins', origins, (list, value) => list.prepareRemove(value)) }
  })
}
