import { resolveOptions, type OptionProblem } from './options.js'

/**
 * Runs the checks `register` runs (types, unknown names, origins, methods, headers, unsafe
 * combinations) and returns every problem instead of throwing; an empty array means valid. Each
 * problem is `{ path, value, message, fix, unsafe }`: the same the error `register` throws carries
 * in `problems`.
 */
export function validateCorsOptions (value: unknown): OptionProblem[] {
  return resolveOptions(value).problems
}
