/**
 * One Fastify app per generated policy, reused for many requests: the plugin with the policy,
 * the routes, and a recorder of the `request.cors` each response was sent with.
 */
import Fastify, { type FastifyInstance, type FastifyRequest, type LightMyRequestResponse } from 'fastify'
import corsPolicy from '../../../lib/index.js'
import type { OutgoingRequest } from '../../../lib/browser/model.js'
import { toOptions, type AppSpec } from './policies.js'
import { addRoutes } from './routes.js'
import { API_HOST } from './page-requests.js'

type CorsDecision = NonNullable<FastifyRequest['cors']>

export interface PropertyApp {
  readonly app: FastifyInstance
  /** Sends one request as the browser puts it on the wire; returns the response and `request.cors`. */
  send: (request: OutgoingRequest, body: string | undefined) => Promise<{ res: LightMyRequestResponse, decision: CorsDecision | null | undefined }>
}

export async function buildPropertyApp (spec: AppSpec): Promise<PropertyApp> {
  const app = Fastify({ logger: false })
  let last: CorsDecision | null | undefined
  // registered before the plugin, so it sees every response the plugin answers, preflights included
  app.addHook('onSend', (request, _reply, payload, done) => {
    last = request.cors
    done(null, payload)
  })
  await app.register(corsPolicy, toOptions(spec.plugin))
  addRoutes(app, spec)
  await app.ready()
  return {
    app,
    async send (request, body) {
      const headers: Record<string, string> = { host: API_HOST }
      for (const [name, value] of request.headers) headers[name.toLowerCase()] = value
      const path = new URL(request.url).pathname
      last = undefined
      const res = await app.inject({
        method: request.method as 'GET',
        url: path,
        headers,
        ...(body === undefined ? {} : { payload: body })
      })
      return { res, decision: last }
    }
  }
}
