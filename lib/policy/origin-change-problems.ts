/**
 * The problems of a change to an allow-list (or tiers) at run time, in the form of the start-up
 * option problems: the shapes a change must have, and the entries a removal names.
 */
import { renderValue, type OptionProblem } from './options.js'
import { EMPTY_LIST, type ListSetting } from './origin-list-edits.js'
import { resolveInSlices, type Sliced } from './origin-list-slices.js'

export function problem (path: string, value: unknown, what: string, fix: string): OptionProblem {
  return { path, value, message: `${what}; ${fix}`, fix, unsafe: false }
}

/** The problem of a value that is not an array of origins. */
export function notAnArray (value: unknown, path = '/origin'): OptionProblem {
  const fix = typeof value === 'string' ? `pass an array: ${renderValue([value])}` : "pass an array, e.g. ['https://app.example.com']"
  return problem(path, value, `expected an array of origins, patterns or anchored RegExps, received ${renderValue(value)}`, fix)
}

/** ['*'] resolves to another kind of policy, which a list cannot become. */
export function notAList (value: unknown): OptionProblem {
  return problem('/origin', value, "'*' is not an origin but another kind of policy (Access-Control-Allow-Origin: * for everyone, without Vary: Origin), so it cannot be part of a list changed at run time",
    "list the allowed origins, or register the plugin with origin: '*' if every site may read the responses")
}

export function notTiers (value: unknown): OptionProblem {
  return problem('/origin', value, `expected tiers { credentialed: [...], public: '*' or [...] } (the origin of this registration has tiers), received ${renderValue(value)}`,
    "pass both tiers, e.g. { credentialed: ['https://app.example.com'], public: '*' }")
}

/** A change to the tier `public: '*'`, which admits every origin and answers '*': its kind is fixed at registration. */
export function publicIsAny (value: unknown): OptionProblem {
  return problem('/origin/public', value, "cannot change: public is '*' (Access-Control-Allow-Origin: * for every other site), which a list cannot replace at run time, nor a list '*'",
    'register public as a list to change it at run time, or keep the tier as registered')
}

export function publicIsList (value: unknown): OptionProblem {
  return problem('/origin/public', value, "cannot become '*' at run time: the public tier was registered as a list, which answers each origin with its own value",
    "register public: '*' to answer every other site with '*', or list the public origins")
}

/**
 * Entries to remove, checked as entries of a list without credentials (only what can never be listed
 * is refused), a slice at a time; `at` is their path.
 */
export function * removedEntries (items: unknown, at: string): Sliced<ListSetting | OptionProblem[]> {
  if (!Array.isArray(items)) return [notAnArray(items, at)]
  if (items.length === 0) return EMPTY_LIST
  const resolved = yield * resolveInSlices(items)
  if (Array.isArray(resolved)) return resolved.map((p) => ({ ...p, path: at + p.path.slice('/origin'.length) }))
  return resolved.kind === 'list' ? resolved : [{ ...notAList(items), path: at }]
}

/** A change of tiers that is not `{ credentialed?, public? }`. */
export function notTierEntries (value: unknown): OptionProblem {
  return problem('/origin', value, `expected the entries of each tier, { credentialed?: [...], public?: [...] } (the origin of this registration has tiers), received ${renderValue(value)}`,
    "name the tier, e.g. { credentialed: ['https://app.example.com'] }")
}

export function notATier (key: string, value: unknown): OptionProblem {
  return problem(`/origin/${key}`, value, 'is not a tier of origin (tiers: credentialed, public)', 'remove it')
}

export function emptyTier (tier: string, value: unknown): OptionProblem {
  return problem(`/origin/${tier}`, value, `would leave the ${tier} tier empty, which tiers cannot be (as at registration)`, 'keep at least one entry in the tier, or replace the tiers with setOrigins')
}
