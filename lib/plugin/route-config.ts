import type { FastifyRequest } from 'fastify'

/**
 * Reads a request's route config on the hot path.
 * `request.routeOptions` builds a fresh object of a dozen fields on every access; the route config it
 * returns is the `config` of Fastify's route context, which the request holds under a private symbol
 * (`Symbol('fastify.context')`, stable across Fastify 4 and 5). The symbol is found once on the first
 * request; when it is absent the public getter is used, so a Fastify change costs speed, not behaviour.
 */
let contextSymbol: symbol | null | undefined

export function routeConfigOf (request: FastifyRequest): Record<PropertyKey, unknown> {
  if (contextSymbol === undefined) {
    contextSymbol = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'fastify.context') ?? null
  }
  if (contextSymbol !== null) {
    const context = (request as unknown as Record<symbol, { config?: Record<PropertyKey, unknown> } | undefined>)[contextSymbol]
    if (context?.config !== undefined) return context.config
  }
  return request.routeOptions.config as unknown as Record<PropertyKey, unknown>
}
