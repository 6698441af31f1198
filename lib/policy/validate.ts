import { resolveOptions, type OptionProblem } from './options.js'

/**
 * Runs the checks `register` runs (types, unknown names, origins, methods, headers, unsafe
 * combinations) and returns every problem instead of throwing; an empty array means valid.
 */
export function validateCorsOptions (value: unknown): OptionProblem[] {
  return resolveOptions(value).problems
}
