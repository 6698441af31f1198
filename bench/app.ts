import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyCors from '@fastify/cors'
import corsPolicy from '../lib/index.js'
import { PREFLIGHT_CONSTRAINT, installPreflightConstraint } from '../lib/plugin/preflight-constraint.js'
import { OVERRIDE_ROUTE_PATH, ROUTE_OVERRIDE, ROUTE_PATH } from './scenarios.js'
import type { Scenario, Variant } from './scenarios.js'

/**
 * Node's default 16 KiB header limit would answer the 16 KiB-Origin scenario with 431 before any
 * plugin runs; every variant gets the same larger limit so the plugins see the adversarial input.
 */
export const MAX_HEADER_SIZE = 64 * 1024

async function itemsHandler (): Promise<{ hello: string }> {
  return { hello: 'world' }
}

function emptyOnSend (_request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  done(null, payload)
}

function addRoutes (app: FastifyInstance): void {
  const overrideConfig = { cors: ROUTE_OVERRIDE }
  app.get(ROUTE_PATH, itemsHandler)
  app.put(ROUTE_PATH, itemsHandler)
  app.get(OVERRIDE_ROUTE_PATH, { config: overrideConfig }, itemsHandler)
}

/** The CORS part of the plugin's answer to the scenario's request: status, then header names and values. */
export async function pluginAnswer (scenario: Scenario): Promise<{ statusCode: number, names: string[], values: string[] }> {
  const app = Fastify({ logger: false })
  await app.register(corsPolicy, scenario.pluginOptions())
  addRoutes(app)
  const response = await app.inject({ method: scenario.request.method, url: scenario.request.path, headers: scenario.request.headers })
  await app.close()
  const names = Object.keys(response.headers).filter((name) => name.startsWith('access-control-') || name === 'vary' || name === 'cache-control')
  return { statusCode: response.statusCode, names, values: names.map((name) => String(response.headers[name])) }
}

/**
 * Same routes for every variant; only the CORS layer differs. `instrument` sees the instance before
 * anything is added to it (bench/hooks.ts times the hooks the CORS layer adds).
 */
export async function buildApp (variant: Variant, scenario: Scenario, instrument?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, http: { maxHeaderSize: MAX_HEADER_SIZE } })
  instrument?.(app)
  if (variant !== 'plugin' && variant !== 'fastify-cors') {
    // Without CORS an OPTIONS request still needs a route; an empty 204 is the cheapest answer.
    app.options('*', (_request, reply) => { reply.code(204).send() })
  }
  switch (variant) {
    case 'bare':
      break
    case 'router-floor':
      // preflights reach a constrained catch-all, as with the plugin; everything else derives the constraint
      installPreflightConstraint(app, (_url, _host, requestMethod) => requestMethod === undefined ? 'plain' : 'preflight')
      app.options('*', { constraints: { [PREFLIGHT_CONSTRAINT]: 'preflight' } }, (_request, reply) => { reply.code(204).send() })
      break
    case 'hooks-floor':
      app.addHook('onRequest', function emptyOnRequest (_request, _reply, done) { done() })
      app.addHook('onSend', emptyOnSend)
      break
    case 'headers-floor': {
      // what the two hooks cost once they write what the plugin writes, with no decision at all
      const { statusCode, names, values } = await pluginAnswer(scenario)
      app.addHook('onRequest', function constantCorsHeaders (request, reply, done) {
        for (let i = 0; i < names.length; i++) reply.header(names[i] as string, values[i])
        if (request.method === 'OPTIONS') {
          reply.code(statusCode).header('content-length', '0').send()
          return
        }
        done()
      })
      app.addHook('onSend', emptyOnSend)
      break
    }
    case 'heap-floor': {
      // JSON round trip: flat strings, as compact as a JavaScript Set of them can be
      const origins = JSON.parse(JSON.stringify(scenario.retainedOrigins?.() ?? [])) as string[]
      app.decorate('benchRetainedOrigins', new Set(origins))
      break
    }
    case 'plugin':
      await app.register(corsPolicy, scenario.pluginOptions())
      break
    case 'fastify-cors': {
      const options = scenario.fastifyCorsOptions
      if (options === undefined) throw new TypeError(`scenario '${scenario.name}' has no @fastify/cors equivalent`)
      await app.register(fastifyCors, options())
      break
    }
  }
  addRoutes(app)
  return app
}
