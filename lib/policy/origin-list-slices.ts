/**
 * Work on a large allow-list cut into slices of a few hundred entries, as generators that yield
 * between slices: whoever runs them decides when the next slice runs (lib/plugin runs slices for
 * about half a millisecond, then lets requests through). Validation in slices finds the problems
 * start-up finds, at the same paths.
 */
import { isTieredOrigin, resolveOptions, type OptionProblem, type OriginList, type OriginSetting } from './options.js'

/**
 * The options besides `origin` that the origin rules read (options.ts): credentials refuse 'null' and
 * http origins on hosts other than loopback (unless dangerouslyAllowInsecureOrigins).
 */
export interface OriginListRules {
  readonly credentials: boolean
  /** only with credentials, the only case where it changes anything */
  readonly dangerouslyAllowInsecureOrigins: boolean
}

/** Entries per slice: well under a millisecond of validation, compilation or copying each on a current machine. */
export const SLICE_SIZE = 250

/** Work that yields after each slice and returns its result. */
export type Sliced<T> = Generator<void, T, void>

/** Runs sliced work to its end at once, for callers that serve no request meanwhile. */
export function drain<T> (work: Sliced<T>): T {
  for (;;) {
    const step = work.next()
    if (step.done === true) return step.value
  }
}

/**
 * The `[from, to)` of each slice of `length` entries. None holds one entry alone: `['*']` alone is
 * another kind of policy than the same '*' among origins.
 */
export function sliceBounds (length: number): Array<[number, number]> {
  const bounds: Array<[number, number]> = []
  for (let from = 0; from < length; from += SLICE_SIZE) bounds.push([from, Math.min(from + SLICE_SIZE, length)])
  const last = bounds.at(-1)
  if (bounds.length > 1 && last !== undefined && last[1] - last[0] === 1) {
    bounds.pop()
    ;(bounds.at(-1) as [number, number])[1] = length
  }
  return bounds
}

/**
 * `value` resolved as the `origin` option under `rules`, with the problems start-up would report for
 * it; a value the schema refuses falls back to the default '*', whose own problems are left out.
 */
export function resolveChange (value: unknown, rules: Partial<OriginListRules> = {}): OriginSetting | OptionProblem[] {
  const resolved = resolveOptions({ origin: value, ...rules })
  const problems = resolved.problems.filter((p) => p.path === '/origin' || p.path.startsWith('/origin/'))
  return problems.length > 0 ? problems : resolved.options.origin
}

/** A list within the value that is validated in slices: the value itself, or one tier. */
interface LargeList {
  readonly tier: 'credentialed' | 'public' | undefined
  readonly path: string
  readonly items: readonly unknown[]
}

function largeLists (value: unknown): LargeList[] {
  if (Array.isArray(value)) return value.length > SLICE_SIZE ? [{ tier: undefined, path: '/origin', items: value }] : []
  if (!isTieredOrigin(value)) return []
  return (['credentialed', 'public'] as const).flatMap((tier) => {
    const items = value[tier]
    return Array.isArray(items) && items.length > SLICE_SIZE ? [{ tier, path: `/origin/${tier}`, items }] : []
  })
}

/** The value with `list` replaced by `items`, and for tiers every other tier by its first entry (valid or not, its problems are found with the first slice). */
function withItems (value: unknown, list: LargeList, items: unknown[]): unknown {
  if (list.tier === undefined) return items
  const probe: Record<string, unknown> = { ...value as Record<string, unknown> }
  for (const tier of ['credentialed', 'public'] as const) {
    const other = probe[tier]
    if (tier !== list.tier && Array.isArray(other) && other.length > 1) probe[tier] = other.slice(0, 1)
  }
  probe[list.tier] = items
  return probe
}

/** A problem of a probe whose slice starts at `from`, at the path it has in the whole value. */
function shifted (problem: OptionProblem, list: LargeList, from: number): OptionProblem {
  const tail = problem.path.slice(list.path.length + 1)
  const index = Number.parseInt(tail, 10)
  return { ...problem, path: `${list.path}/${from + index}${tail.slice(String(index).length)}` }
}

/** Whether the schema refused `probe` as a whole (an entry of the wrong type): the whole value is then refused as a whole. */
function refusedWhole (problems: readonly OptionProblem[], probe: unknown): boolean {
  return problems.some((problem) => problem.path === '/origin' && problem.value === probe)
}

/**
 * `value` resolved as the `origin` option under `rules`, as `resolveChange` resolves it, a slice of
 * entries at a time. Problems carry the paths of the whole value; each is listed once, those of the
 * list as a whole (`/origin 'null' with credentials`) after those of entries.
 */
export function * resolveInSlices (value: unknown, rules: Partial<OriginListRules> = {}): Sliced<OriginSetting | OptionProblem[]> {
  const lists = largeLists(value)
  if (lists.length === 0) return resolveChange(value, rules)
  const firstItems = new Map(lists.map((list) => [list, list.items.slice(0, (sliceBounds(list.items.length)[0] as [number, number])[1])]))
  // the value with each large list cut to its first slice: its shape and its other keys, checked once
  const head = lists[0]?.tier === undefined ? firstItems.get(lists[0] as LargeList) : { ...value as Record<string, unknown>, ...Object.fromEntries(lists.map((list) => [list.tier, firstItems.get(list)])) }
  const headResult = resolveChange(head, rules)
  if (Array.isArray(headResult) && refusedWhole(headResult, head)) return resolveChange(value, rules)
  const problems: OptionProblem[] = Array.isArray(headResult) ? [...headResult] : []
  const setting = Array.isArray(headResult) ? undefined : headResult
  for (const list of lists) {
    for (const [from, to] of sliceBounds(list.items.length).slice(1)) {
      yield
      const items = list.items.slice(from, to)
      const probe = withItems(value, list, items)
      const result = resolveChange(probe, rules)
      if (Array.isArray(result)) {
        if (refusedWhole(result, probe)) return resolveChange(value, rules)
        for (const problem of result) {
          if (problem.path === list.path) problems.push(problem)
          else if (problem.path.startsWith(`${list.path}/`)) problems.push(shifted(problem, list, from))
        }
      } else if (problems.length === 0 && setting !== undefined) {
        const into = (list.tier === undefined ? setting : (setting as Record<string, unknown>)[list.tier]) as OriginList
        const found = (list.tier === undefined ? result : (result as Record<string, unknown>)[list.tier]) as OriginList
        for (const origin of found.origins) into.origins.push(origin)
        for (const re of found.regexps) into.regexps.push(re)
      }
    }
  }
  if (problems.length === 0) return setting as OriginSetting
  return orderedOnce(problems, lists)
}

/** Each problem once (a list's own problem, such as 'null' with credentials, is found in each slice that holds it), those of entries first. */
function orderedOnce (problems: readonly OptionProblem[], lists: readonly LargeList[]): OptionProblem[] {
  const seen = new Set<string>()
  const entries: OptionProblem[] = []
  const wholeLists: OptionProblem[] = []
  for (const problem of problems) {
    const key = `${problem.path} ${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    if (lists.some((list) => list.path === problem.path)) wholeLists.push(problem)
    else entries.push(problem)
  }
  return [...entries, ...wholeLists]
}
