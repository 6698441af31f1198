// Helpers for the @fastify/cors compatibility tests: bare Fastify apps built the way the
// @fastify/cors README builds them (the plugin registered by the test itself, awaited or not).
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { recordDecision, type RecordedDecision, type Teardown } from '../helpers/build-app.js'
import { captureLogs, LOG_LEVEL, type LogLevelName, type LogLine } from '../helpers/log-capture.js'

export interface CompatApp {
  fastify: FastifyInstance
  /** every line the app logged (only when a level was given) */
  logs: LogLine[]
  /** `request.cors` of every answered request, in order (recorded in onResponse) */
  decisions: RecordedDecision[]
}

/** A bare Fastify app, closed when the test ends; logs are captured when `level` is given. */
export function newFastify (t: Teardown, level?: LogLevelName, server: FastifyServerOptions = {}): CompatApp {
  const capture = level === undefined ? undefined : captureLogs(level)
  const fastify = Fastify(capture === undefined ? server : { ...server, logger: capture.logger })
  t.teardown(() => fastify.close())
  const decisions: RecordedDecision[] = []
  fastify.addHook('onResponse', async (request) => {
    const decision = request.cors
    if (decision !== null && decision !== undefined) decisions.push(recordDecision(decision))
  })
  return { fastify, logs: capture?.lines ?? [], decisions }
}

/** Builds an app with `build` and returns what `ready()` rejects with (undefined when it starts). */
export async function startupError (t: Teardown, build: (fastify: FastifyInstance) => void | Promise<void>): Promise<(Error & { code?: string }) | undefined> {
  const fastify = Fastify()
  t.teardown(() => fastify.close())
  try {
    await build(fastify)
    await fastify.ready()
  } catch (error) {
    return error as Error & { code?: string }
  }
  return undefined
}

/** Listens on a free loopback port and returns the base URL (the app is closed by its teardown). */
export async function listenLocal (fastify: FastifyInstance): Promise<string> {
  await fastify.listen({ host: '127.0.0.1', port: 0 })
  const address = fastify.server.address() as AddressInfo
  return `http://127.0.0.1:${address.port}`
}

/** The `access-control-*` headers of a fetch() response. */
export function corsHeadersOfFetch (response: Response): Record<string, string> {
  const found: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (name.startsWith('access-control-')) found[name] = value
  })
  return found
}

/** Log lines at error level. */
export function errorLines (logs: LogLine[]): LogLine[] {
  return logs.filter((line) => line.level === LOG_LEVEL.error)
}
