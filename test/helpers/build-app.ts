import Fastify, { type FastifyInstance, type FastifyServerOptions, type LightMyRequestResponse } from 'fastify'
import corsPolicy, { type CorsDecision, type FastifyCorsOptions } from '../../lib/index.js'
import { captureLogs, type LogCapture, type LogLevelName, type LogLine } from './log-capture.js'

export { LOG_LEVEL, type LogLine } from './log-capture.js'

/** The part of a tap test the helper needs. */
export interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** `request.cors` as plain data (the plugin's decision object also holds private symbols). */
export type RecordedDecision = Pick<CorsDecision, 'origin' | 'preflight' | 'allowed' | 'reason' | 'detail'>

export interface TestApp {
  app: FastifyInstance
  /** `request.cors` of every answered request, in order, captured in `onResponse` */
  decisions: RecordedDecision[]
  /** every line the app logged (only when `logLevel` was given) */
  logs: LogLine[]
  /** how many times a handler of the default routes (or one that calls `handled()`) ran */
  readonly handlerCalls: number
  handled: () => void
  /** the decision of the most recent request */
  lastDecision: () => RecordedDecision
}

export interface BuildAppOptions {
  /** plugin options; omitted = registered with no options */
  cors?: FastifyCorsOptions
  /** capture logs at this level through a custom pino stream */
  logLevel?: LogLevelName
  server?: FastifyServerOptions
  /** runs before the plugin is registered (hooks or routes that come first) */
  before?: (app: FastifyInstance) => void | Promise<void>
  /** registers the routes after the plugin; default: `defaultRoutes` */
  routes?: (app: FastifyInstance, handled: () => void) => void | Promise<void>
}

/** A decision as plain data (`detail` only when the decision has one). */
export function recordDecision (decision: CorsDecision): RecordedDecision {
  const copy: RecordedDecision = { origin: decision.origin, preflight: decision.preflight, allowed: decision.allowed, reason: decision.reason }
  if (decision.detail !== undefined) return { ...copy, detail: decision.detail }
  return copy
}

/**
 * The routes most tests share: a collection and an item resource (so preflights have several
 * methods to choose from), a throwing route and a JSON echo (for error responses).
 */
export function defaultRoutes (app: FastifyInstance, handled: () => void): void {
  app.get('/items', async () => { handled(); return { items: [] } })
  app.post('/items', async (_request, reply) => { handled(); return reply.code(201).send({ created: true }) })
  app.get('/items/:id', async () => { handled(); return { id: 1 } })
  app.put('/items/:id', async () => { handled(); return { updated: true } })
  app.delete('/items/:id', async (_request, reply) => { handled(); return reply.code(204).send() })
  app.get('/error', async () => { handled(); throw new Error('boom') })
  app.post('/echo', async (request) => { handled(); return request.body })
}

/** Builds an app with the plugin registered first, then the routes; closed when the test ends. */
export async function buildApp (t: Teardown, options: BuildAppOptions = {}): Promise<TestApp> {
  const capture = options.logLevel === undefined ? undefined : captureLogs(options.logLevel)
  const serverOptions: FastifyServerOptions = capture === undefined
    ? { ...options.server }
    : { ...options.server, logger: capture.logger }
  const app = Fastify(serverOptions)
  t.teardown(() => app.close())
  const decisions: RecordedDecision[] = []
  let handlerCalls = 0
  const handled = (): void => { handlerCalls++ }
  app.addHook('onResponse', async (request) => {
    if (request.cors !== null && request.cors !== undefined) decisions.push(recordDecision(request.cors))
  })
  if (options.before !== undefined) await options.before(app)
  await app.register(corsPolicy, options.cors ?? {})
  await (options.routes ?? defaultRoutes)(app, handled)
  return {
    app,
    decisions,
    logs: capture?.lines ?? [],
    get handlerCalls () { return handlerCalls },
    handled,
    lastDecision: () => {
      const last = decisions[decisions.length - 1]
      if (last === undefined) throw new TypeError('no request has been answered yet')
      return last
    }
  }
}

/** A bare Fastify app whose log lines at `level` and above are captured in `log`; closed when the test ends. */
export function loggedFastify (t: Teardown, level: LogLevelName, server: FastifyServerOptions = {}): { app: FastifyInstance, log: LogCapture } {
  const log = captureLogs(level)
  const app = Fastify({ ...server, logger: log.logger })
  t.teardown(() => app.close())
  return { app, log }
}

/** The response's `access-control-*` headers only, to assert that a denial carries none. */
export function corsHeadersOf (response: LightMyRequestResponse): Record<string, unknown> {
  const found: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (name.startsWith('access-control-')) found[name] = value
  }
  return found
}

/** Headers of a CORS preflight: Origin, Access-Control-Request-Method and optionally -Headers. */
export function preflightHeaders (origin: string, method: string, requestHeaders?: string): Record<string, string> {
  const headers: Record<string, string> = { origin, 'access-control-request-method': method }
  if (requestHeaders !== undefined) headers['access-control-request-headers'] = requestHeaders
  return headers
}
