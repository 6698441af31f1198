/**
 * Merges names into a Vary value: case-insensitive, no duplicates, `*` stays `*`, and the existing
 * entries (the handler's own) are never dropped. Returns undefined when nothing needs to change.
 */
export function mergeVary (existing: string | number | string[] | undefined, names: readonly string[]): string | undefined {
  if (existing === undefined || existing === '') return names.join(', ')
  const current = Array.isArray(existing) ? existing.join(', ') : String(existing)
  const present = current.split(',').map((part) => part.trim().toLowerCase())
  if (present.includes('*')) return undefined
  const missing = names.filter((name) => !present.includes(name.toLowerCase()))
  return missing.length === 0 ? undefined : `${current}, ${missing.join(', ')}`
}
