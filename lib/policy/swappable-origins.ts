/**
 * A registration's allow-list (or tiers of allow-lists) that can be replaced while the app serves.
 * Every policy that reads it (the registration's own, and each route policy that inherits its
 * `origin`) judges origins through one verdict function that reads the current compiled form, so
 * replacing it is one assignment: a request is judged by the old list or by the new one, never by a
 * mix. A change is prepared as sliced work (it yields between slices of a few thousand entries, so
 * that whoever runs it can serve requests meanwhile): validated for every policy that reads the list,
 * compiled whole, and only then installed.
 */
import { describeOriginChange, ORIGINS_SHOWN } from './describe.js'
import { matchOrigin, tieredVerdict, type OriginVerdict } from './origin-matcher.js'
import type { SharedRules } from './origin-matcher-builder.js'
import { dangerWarnings, isTieredOrigin, resolveOptions, type OptionProblem, type OriginSetting, type ResolvedOptions } from './options.js'
import {
  EMPTY_LIST, compileList, firstItemOf, headOf, itemsOf, mergedList, readBack, reducedList,
  type CompiledList, type ListSetting, type OriginListItem, type OriginTiers, type SwappableSetting, type TieredSetting
} from './origin-list-edits.js'
import {
  emptyTier, notAList, notATier, notAnArray, notTierEntries, notTiers, publicIsAny, publicIsList, removedEntries
} from './origin-change-problems.js'
import { drain, resolveChange, resolveInSlices, type OriginListRules, type Sliced } from './origin-list-slices.js'

const TIER_NAMES = ['credentialed', 'public'] as const
type TierName = typeof TIER_NAMES[number]

/**
 * The policies that read the list under one set of rules: policies that agree on them accept the
 * same lists, so a new list is validated once per distinct rules.
 */
interface Readers {
  readonly rules: OriginListRules
  /** the registration's own policy is among them */
  registration: boolean
  /** the first few routes among them, for messages */
  readonly routes: string[]
  routeCount: number
}

/** Tiers compiled: both lists and the verdict that reads them, replaced together. */
interface CompiledTiers {
  readonly credentialed: CompiledList
  readonly public: CompiledList | 'any'
  readonly verdict: (origin: string) => OriginVerdict
}

/** A new list, validated for every reader and compiled whole: what `install` swaps in. */
export interface PreparedOriginList {
  readonly compiled: CompiledList | CompiledTiers
  /** the `dangerously…` opt-ins that take effect with the new list, one line each */
  readonly warnings: readonly string[]
}

/** What a change yields: the list to install, the problems that refuse it, or nothing to change. */
export type OriginListChange = PreparedOriginList | OptionProblem[] | undefined

const ROUTES_NAMED = 3
const DEFAULT_OPTIONS: ResolvedOptions = resolveOptions({}).options
const ANY = Object.freeze({ kind: 'any' as const })

function routesText (readers: Readers): string {
  const more = readers.routeCount - readers.routes.length
  const named = readers.routes.join(', ') + (more > 0 ? ` and ${more} more` : '')
  return `${readers.routeCount === 1 ? 'route' : 'routes'} ${named}`
}

/** How much the rules refuse: each refuses all the stricter ones do not (credentials refuse 'null', and without the opt-in http origins but on loopback). */
function strictness (rules: OriginListRules): number {
  if (!rules.credentials) return 0
  return rules.dangerouslyAllowInsecureOrigins ? 1 : 2
}

function compiledTiers (credentialed: CompiledList, publicTier: CompiledList | 'any'): CompiledTiers {
  return Object.freeze({ credentialed, public: publicTier, verdict: tieredVerdict(credentialed.matcher, publicTier === 'any' ? 'any' : publicTier.matcher) })
}

export class SwappableOriginList {
  readonly kind: 'list' | 'tiered'
  /** tiers only: the public tier is '*' (fixed at registration) */
  readonly #publicAny: boolean
  /** the current list (or tiers), compiled: the one field the request path reads, replaced whole */
  #current: CompiledList | CompiledTiers
  /** the rule lists of `*.` patterns, shared by every list this one compiles */
  readonly #shared: SharedRules = new Map()
  readonly #readers = new Map<string, Readers>()
  /** distinct rules recorded so far: a change prepared meanwhile is prepared again for the new ones */
  #rulesRecorded = 0
  #changed = false
  /** the verdict of every policy that reads this list */
  readonly verdictFor: (origin: string) => OriginVerdict
  /** tiers with a public list: the verdict of their public tier's policy */
  readonly publicVerdictFor: ((origin: string) => OriginVerdict) | undefined

  /** The list of the registration whose resolved options are `options`, whose `origin` is `setting`. */
  constructor (setting: SwappableSetting, options: ResolvedOptions) {
    this.kind = setting.kind
    this.#publicAny = setting.kind === 'tiered' && setting.public.kind === 'any'
    this.#current = drain(this.#compile(setting))
    if (setting.kind === 'list') {
      this.verdictFor = (origin) => matchOrigin((this.#current as CompiledList).matcher, origin)
      this.publicVerdictFor = undefined
    } else {
      this.verdictFor = (origin) => (this.#current as CompiledTiers).verdict(origin)
      this.publicVerdictFor = this.#publicAny ? undefined : (origin) => matchOrigin(((this.#current as CompiledTiers).public as CompiledList).matcher, origin)
    }
    this.addReader(options)
  }

  /** A list: its entries, normalised and without duplicates (origins, then patterns, then RegExps); undefined for tiers. */
  get items (): readonly OriginListItem[] | undefined {
    return this.kind === 'list' ? itemsOf(readBack(this.#current as CompiledList)) : undefined
  }

  /** Tiers: each tier's entries as `items` gives them; undefined for a list. */
  get tiers (): OriginTiers | undefined {
    const setting = this.setting
    if (setting.kind === 'list') return undefined
    return Object.freeze({ credentialed: itemsOf(setting.credentialed), public: setting.public.kind === 'any' ? '*' : itemsOf(setting.public) })
  }

  /** The current list (or tiers) as the options resolve it. */
  get setting (): SwappableSetting {
    const current = this.#current
    if (this.kind === 'list') return readBack(current as CompiledList)
    const tiers = current as CompiledTiers
    return { kind: 'tiered', credentialed: readBack(tiers.credentialed), public: tiers.public === 'any' ? ANY : readBack(tiers.public) }
  }

  /** The log line of a change to this list (`method`), scope `prefix`: it reads only the entries it shows. */
  describeChange (prefix: string, method: string): string {
    const current = this.#current
    if (this.kind === 'list') return describeOriginChange(headOf(current as CompiledList, ORIGINS_SHOWN), prefix, method)
    const tiers = current as CompiledTiers
    return describeOriginChange({
      kind: 'tiered', credentialed: headOf(tiers.credentialed, ORIGINS_SHOWN), public: tiers.public === 'any' ? ANY : headOf(tiers.public, ORIGINS_SHOWN)
    }, prefix, method)
  }

  /**
   * Records a policy that reads this list, with its resolved options (`route` names a route's
   * policy; none for the registration's). Every new list must be valid for it; the problems of the
   * current list for it, when the list was changed since the options were written (none otherwise:
   * the options' own origin was validated with them).
   */
  addReader (options: ResolvedOptions, route?: string): OptionProblem[] {
    const rules: OriginListRules = { credentials: options.credentials, dangerouslyAllowInsecureOrigins: options.credentials && options.dangerouslyAllowInsecureOrigins }
    const key = `${rules.credentials} ${rules.dangerouslyAllowInsecureOrigins}`
    let readers = this.#readers.get(key)
    if (readers === undefined) {
      // an empty list is valid under any rules (and the schema would refuse it as an option)
      const current = this.#changed ? this.items ?? this.tiers : []
      const checked = Array.isArray(current) && current.length === 0 ? undefined : resolveChange(current, rules)
      if (Array.isArray(checked)) return checked
      readers = { rules, registration: false, routes: [], routeCount: 0 }
      this.#readers.set(key, readers)
      this.#rulesRecorded++
    }
    if (route === undefined) {
      readers.registration = true
    } else {
      readers.routeCount++
      if (readers.routes.length < ROUTES_NAMED) readers.routes.push(route)
    }
    return []
  }

  /** `value` as the new list (an array), or the new tiers (`{ credentialed, public }`). */
  prepareSet (value: unknown): Sliced<OriginListChange> {
    return this.#upToDate(() => this.#set(value))
  }

  /**
   * The current list and the entries of `value` (an array; for tiers, `{ credentialed?, public? }`
   * with the entries of each tier); undefined when all of them are listed already.
   */
  prepareAdd (value: unknown): Sliced<OriginListChange> {
    return this.#upToDate(() => this.kind === 'list' ? this.#addToList(value) : this.#addToTiers(value))
  }

  /**
   * The current list without the entries `value` spells (an array; for tiers, `{ credentialed?,
   * public? }`), as written: removing an origin that a listed pattern admits leaves the pattern;
   * undefined when none of them is listed. A tier cannot become empty (as at registration).
   */
  prepareRemove (value: unknown): Sliced<OriginListChange> {
    return this.#upToDate(() => this.kind === 'list' ? this.#removeFromList(value) : this.#removeFromTiers(value))
  }

  /** Swaps the prepared list in: one assignment, after which every reader judges by it. */
  install (prepared: PreparedOriginList): void {
    this.#changed = true
    this.#current = prepared.compiled
  }

  /**
   * A change prepared against the list in force and the policies that read it; prepared again when
   * either changed while it ran (a route compiled as the app becomes ready reads the list too, and
   * the new list must be valid for it as well). The check and the result come in the same step, so
   * nothing can change between them and `install`.
   */
  * #upToDate (prepare: () => Sliced<OriginListChange>): Sliced<OriginListChange> {
    for (;;) {
      const current = this.#current
      const rules = this.#rulesRecorded
      const change = yield * prepare()
      if (current === this.#current && rules === this.#rulesRecorded) return change
      yield
    }
  }

  * #set (value: unknown): Sliced<OriginListChange> {
    if (this.kind === 'list' ? !Array.isArray(value) : !isTieredOrigin(value)) return [this.kind === 'list' ? notAnArray(value) : notTiers(value)]
    const checked = yield * this.#validate(value)
    if (Array.isArray(checked)) return checked
    const compiled = yield * this.#compile(checked)
    return { compiled, warnings: this.#warnings(() => checked) }
  }

  * #addToList (value: unknown): Sliced<OriginListChange> {
    if (!Array.isArray(value)) return [notAnArray(value)]
    const checked = yield * this.#validate(value)
    if (Array.isArray(checked)) return checked
    const merged = yield * mergedList(this.#current as CompiledList, checked as ListSetting, this.#shared)
    return merged === undefined ? undefined : { compiled: merged, warnings: this.#warnings(() => readBack(merged)) }
  }

  * #addToTiers (value: unknown): Sliced<OriginListChange> {
    const parts = this.#tierParts(value)
    if (Array.isArray(parts)) return parts
    const current = this.#current as CompiledTiers
    const credentialed = nonEmpty(parts.credentialed)
    const publicEntries = nonEmpty(parts.public)
    // the tiers named, with a stand-in for each other tier: its first entry, valid since the tiers in force are
    const checked = yield * this.#validate({
      credentialed: credentialed ?? [firstItemOf(current.credentialed)],
      public: publicEntries ?? (current.public === 'any' ? '*' : [firstItemOf(current.public)])
    })
    if (Array.isArray(checked)) return checked
    const added = checked as TieredSetting
    const mergedCredentialed = credentialed === undefined ? undefined : yield * mergedList(current.credentialed, added.credentialed, this.#shared)
    const mergedPublic = publicEntries === undefined || current.public === 'any' ? undefined : yield * mergedList(current.public, added.public as ListSetting, this.#shared)
    if (mergedCredentialed === undefined && mergedPublic === undefined) return undefined
    return this.#preparedTiers(compiledTiers(mergedCredentialed ?? current.credentialed, mergedPublic ?? current.public))
  }

  * #removeFromList (value: unknown): Sliced<OriginListChange> {
    const removed = yield * removedEntries(value, '/origin')
    if (Array.isArray(removed)) return removed
    const reduced = yield * reducedList(this.#current as CompiledList, removed, this.#shared)
    return reduced === undefined ? undefined : { compiled: reduced, warnings: this.#warnings(() => readBack(reduced)) }
  }

  * #removeFromTiers (value: unknown): Sliced<OriginListChange> {
    const parts = this.#tierParts(value)
    if (Array.isArray(parts)) return parts
    const current = this.#current as CompiledTiers
    const problems: OptionProblem[] = []
    const reduced: Partial<Record<TierName, CompiledList>> = {}
    for (const tier of TIER_NAMES) {
      const list = current[tier]
      if (parts[tier] === undefined || list === 'any') continue
      const removed = yield * removedEntries(parts[tier], `/origin/${tier}`)
      if (Array.isArray(removed)) {
        problems.push(...removed)
        continue
      }
      const left = yield * reducedList(list, removed, this.#shared)
      if (left?.size === 0) {
        problems.push(emptyTier(tier, parts[tier]))
      } else if (left !== undefined) {
        reduced[tier] = left
      }
    }
    if (problems.length > 0) return problems
    if (reduced.credentialed === undefined && reduced.public === undefined) return undefined
    return this.#preparedTiers(compiledTiers(reduced.credentialed ?? current.credentialed, reduced.public ?? current.public))
  }

  #preparedTiers (tiers: CompiledTiers): PreparedOriginList {
    return {
      compiled: tiers,
      warnings: this.#warnings(() => ({ kind: 'tiered', credentialed: readBack(tiers.credentialed), public: tiers.public === 'any' ? ANY : readBack(tiers.public) }))
    }
  }

  * #compile (setting: SwappableSetting): Sliced<CompiledList | CompiledTiers> {
    if (setting.kind === 'list') return yield * compileList(setting, this.#shared)
    const credentialed = yield * compileList(setting.credentialed, this.#shared)
    const publicTier = setting.public.kind === 'any' ? 'any' : yield * compileList(setting.public, this.#shared)
    return compiledTiers(credentialed, publicTier)
  }

  /**
   * The `dangerously…` opt-ins that take effect with a new list, one line each (once for readers
   * that share rules). With a list only dangerouslyAllowInsecureOrigins can, so the new list (read
   * back, after a change of a few entries) is only looked at when a reader has it on.
   */
  #warnings (settingOf: () => SwappableSetting): string[] {
    const readers = [...this.#readers.values()].filter((each) => each.rules.dangerouslyAllowInsecureOrigins)
    if (readers.length === 0) return []
    const setting = settingOf()
    const warnings = new Set<string>()
    for (const each of readers) {
      for (const warning of dangerWarnings({ ...DEFAULT_OPTIONS, ...each.rules, origin: setting })) {
        warnings.add(each.registration ? warning : `${routesText(each)}: ${warning}`)
      }
    }
    return [...warnings]
  }

  /** Tiers to add or remove entries of: `{ credentialed?, public? }`, each an array; public only when it is a list. */
  #tierParts (value: unknown): Partial<Record<TierName, unknown>> | OptionProblem[] {
    if (!isTieredOrigin(value)) {
      return [notTierEntries(value)]
    }
    const problems: OptionProblem[] = []
    for (const key of Object.keys(value)) {
      if (!(TIER_NAMES as readonly string[]).includes(key)) problems.push(notATier(key, value[key]))
      else if (!Array.isArray(value[key])) problems.push(notAnArray(value[key], `/origin/${key}`))
    }
    if (this.#publicAny && value.public !== undefined) problems.push(publicIsAny(value.public))
    return problems.length > 0 ? problems : value
  }

  /**
   * `value` resolved under the rules of every reader, a slice at a time: its setting, or every
   * problem found (paths index `value`). A problem only routes' rules find names those routes.
   */
  * #validate (value: unknown): Sliced<SwappableSetting | OptionProblem[]> {
    if (Array.isArray(value) && value.length === 0) return EMPTY_LIST
    const all = [...this.#readers.values()]
    // what the strictest rules accept, all rules do: one pass, unless the value is refused
    const strictest = all.reduce((a, b) => strictness(b.rules) > strictness(a.rules) ? b : a)
    const accepted = this.#sameKind(value, yield * resolveInSlices(value, strictest.rules))
    if (!Array.isArray(accepted)) return accepted
    const problems: OptionProblem[] = []
    const seen = new Set<string>()
    // the registration's readers come first (they are recorded first), so a problem they share with routes is not attributed to the routes
    for (const readers of all) {
      const resolved = readers === strictest ? accepted : this.#sameKind(value, yield * resolveInSlices(value, readers.rules))
      if (!Array.isArray(resolved)) continue
      for (const found of resolved) {
        const key = `${found.path} ${found.message}`
        if (seen.has(key)) continue
        seen.add(key)
        problems.push(readers.registration ? found : { ...found, message: `${found.message} (${routesText(readers)} ${readers.routeCount === 1 ? 'inherits' : 'inherit'} this origin with credentials: ${readers.rules.credentials})` })
      }
    }
    return problems
  }

  /** A resolved value of the kind the list was registered with (a list stays a list; public '*' stays '*'), or why not. */
  #sameKind (value: unknown, resolved: OriginSetting | OptionProblem[]): SwappableSetting | OptionProblem[] {
    if (Array.isArray(resolved)) return resolved
    if (this.kind === 'list') return resolved.kind === 'list' ? resolved : [notAList(value)]
    const tiers = resolved as TieredSetting
    if ((tiers.public.kind === 'any') === this.#publicAny) return tiers
    return [this.#publicAny ? publicIsAny((value as Record<string, unknown>).public) : publicIsList((value as Record<string, unknown>).public)]
  }
}

/** An array with entries, else undefined. */
function nonEmpty (items: unknown): unknown[] | undefined {
  return Array.isArray(items) && items.length > 0 ? items : undefined
}
