/**
 * Lists routes that already exist when the plugin is registered, from Fastify's `printRoutes`
 * tree (the only public view of the router): their `onRoute` has passed, so per-route config could
 * not be compiled for them and they must be reported.
 */
export interface ExistingRoute { readonly url: string, readonly methods: string[] }

export function parseRouteTree (tree: string): ExistingRoute[] {
  const routes: ExistingRoute[] = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const branch = line.indexOf('── ')
    if (branch === -1) continue
    const depth = (branch - 1) / 4
    const text = line.slice(branch + 3)
    const open = text.lastIndexOf(' (')
    const segment = open === -1 ? text : text.slice(0, open)
    stack.length = depth
    const url = (stack[depth - 1] ?? '') + segment
    stack[depth] = url
    if (open !== -1) {
      const close = text.indexOf(')', open)
      const methods = text.slice(open + 2, close).split(',').map((method) => method.trim()).filter((method) => method !== '')
      routes.push({ url, methods })
    }
  }
  return routes
}
