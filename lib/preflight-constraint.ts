import type { FastifyInstance } from 'fastify'
import { ACRM } from './headers.js'

/** The router constraint that sends preflights to the plugin's catch-all whatever other OPTIONS routes exist. */
export const PREFLIGHT_CONSTRAINT = 'fastifyCorsPolicyPreflight'

/**
 * Preflights (and, unless the application has its own catch-all, plain OPTIONS requests) are routed
 * to the plugin's OPTIONS routes by a constraint, so an application's `app.all('*')` or
 * `app.options('*')` can be declared before or after the plugin without a duplicate route. One
 * strategy per app: the first registration installs it.
 */
export function installPreflightConstraint (fastify: FastifyInstance, plainOptionsValue: (url: string) => 'plain' | undefined): void {
  if (fastify.hasConstraintStrategy(PREFLIGHT_CONSTRAINT)) return
  fastify.addConstraintStrategy({
    name: PREFLIGHT_CONSTRAINT,
    storage () {
      const stores = new Map<string, unknown>()
      return { get: (value: string) => stores.get(value) ?? null, set: (value: string, store: unknown) => { stores.set(value, store) } }
    },
    deriveConstraint (req: { method?: string, url?: string, headers: Record<string, string | string[] | undefined> }) {
      if (req.method !== 'OPTIONS') return undefined
      // Fetch#http-requests: a preflight is OPTIONS with Origin and Access-Control-Request-Method
      if (req.headers.origin !== undefined && req.headers[ACRM] !== undefined) return 'preflight'
      return plainOptionsValue(req.url ?? '/')
    },
    mustMatchWhenDerived: false
  } as unknown as Parameters<FastifyInstance['addConstraintStrategy']>[0])
}
