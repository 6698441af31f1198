/**
 * For the tests of `app.corsPolicy`: an app that records every decision it makes, and the answers it
 * gives to a table of requests from each origin, so that an app whose allow-list was changed can be
 * compared with an app started with the new one.
 */
import Fastify, { type FastifyInstance, type HTTPMethods, type LightMyRequestResponse } from 'fastify'
import corsPolicy, { type FastifyCorsOptions } from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders, recordDecision, type RecordedDecision } from './build-app.js'
import { captureLogs, type LogCapture } from './log-capture.js'

export interface RecordingApp { app: FastifyInstance, decisions: RecordedDecision[], log: LogCapture }

/** The plugin registered with `options`, the routes `addRoutes` declares, info logs captured; closed at the test's end. */
export async function startRecordingApp (t: { teardown: (fn: () => unknown) => void }, options: FastifyCorsOptions,
  addRoutes: (app: FastifyInstance) => void): Promise<RecordingApp> {
  const log = captureLogs('info')
  const app = Fastify({ logger: log.logger })
  t.teardown(() => app.close())
  const decisions: RecordedDecision[] = []
  app.addHook('onResponse', async (request) => {
    if (request.cors !== null) decisions.push(recordDecision(request.cors))
  })
  await app.register(corsPolicy, options)
  addRoutes(app)
  await app.ready()
  return { app, decisions, log }
}

export interface Answer { request: string, status: number, cors: Record<string, unknown>, vary: unknown, decision: RecordedDecision | undefined }

/** Each origin's actual requests (method, URL) and preflights (method, URL, requested headers): status, CORS headers, Vary and decision. */
export async function answersTo ({ app, decisions }: RecordingApp, origins: readonly string[],
  actual: ReadonlyArray<readonly [HTTPMethods, string]>, preflights: ReadonlyArray<readonly [string, string, string | undefined]>): Promise<Answer[]> {
  const found: Answer[] = []
  const record = (request: string, response: LightMyRequestResponse): void => {
    found.push({ request, status: response.statusCode, cors: corsHeadersOf(response), vary: response.headers.vary, decision: decisions[decisions.length - 1] })
  }
  for (const origin of origins) {
    for (const [method, url] of actual) {
      decisions.length = 0
      record(`${origin} ${method} ${url}`, await app.inject({ method, url, headers: { origin } }))
    }
    for (const [method, url, requested] of preflights) {
      decisions.length = 0
      record(`${origin} preflight ${method} ${url}`, await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(origin, method, requested) }))
    }
  }
  return found
}

/** The plugin's own log lines: level and message. */
export function policyLines (log: LogCapture): Array<[number, string]> {
  return log.lines.filter((line) => line.msg.startsWith('fastify-cors-policy:')).map((line) => [line.level, line.msg])
}
