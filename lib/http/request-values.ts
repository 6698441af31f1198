/**
 * One header's value as a string: Node joins repeated headers with ", " except a few; an array only
 * ever comes from set-cookie, and the joined value of a repeated Origin is simply an invalid origin.
 */
export function singleHeader (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** A request URL without its query. */
export function pathOf (url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}
