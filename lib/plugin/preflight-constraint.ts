import type { FastifyInstance } from 'fastify'
import { ACRM } from '../http/header-names.js'

/** The router constraint that sends preflights to the plugin's catch-all whatever other OPTIONS routes exist. */
export const PREFLIGHT_CONSTRAINT = 'fastifyCorsPolicyPreflight'

/**
 * Preflights (and plain OPTIONS requests no application OPTIONS route serves) are routed to the
 * plugin's OPTIONS routes by a constraint, so an application's `app.all('*')` or `app.options('*')`
 * can be declared before or after the plugin without a duplicate route. One strategy per app: the
 * first registration installs it; `optionsValue` decides per request (the dispatcher's).
 */
export function installPreflightConstraint (fastify: FastifyInstance, optionsValue: (url: string, host: string | undefined, requestMethod: string | undefined) => 'preflight' | 'plain' | undefined): void {
  if (fastify.hasConstraintStrategy(PREFLIGHT_CONSTRAINT)) return
  fastify.addConstraintStrategy({
    name: PREFLIGHT_CONSTRAINT,
    storage () {
      const stores = new Map<string, unknown>()
      return { get: (value: string) => stores.get(value) ?? null, set: (value: string, store: unknown) => { stores.set(value, store) } }
    },
    deriveConstraint (req: { method?: string, url?: string, headers: Record<string, string | string[] | undefined> }) {
      if (req.method !== 'OPTIONS') return undefined
      const headers = req.headers
      // find-my-way's host strategy reads Host, or HTTP/2's :authority
      const host = headers.host || headers[':authority']
      const requestMethod = headers[ACRM]
      // Fetch#http-requests: a preflight is OPTIONS with Origin and Access-Control-Request-Method
      const preflight = headers.origin !== undefined && typeof requestMethod === 'string'
      return optionsValue(req.url ?? '/', typeof host === 'string' && host !== '' ? host : undefined, preflight ? requestMethod : undefined)
    },
    mustMatchWhenDerived: false
  } as unknown as Parameters<FastifyInstance['addConstraintStrategy']>[0])
}
