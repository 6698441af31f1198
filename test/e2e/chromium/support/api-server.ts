import type { IncomingHttpHeaders } from 'node:http'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'

type CorsDecision = NonNullable<FastifyRequest['cors']>

/** What the API saw and decided for one request, and what it answered. */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly cors: CorsDecision | null
  readonly statusCode: number
  readonly responseHeaders: Record<string, unknown>
}

/** Server-side evidence for a case: every request with its `request.cors`, and handler runs. */
export class ApiRecorder {
  readonly requests: RecordedRequest[] = []
  private readonly runs = new Map<string, number>()

  /** Called by a route handler so a test can prove whether the handler ran. */
  ran (handler: string): void {
    this.runs.set(handler, this.handlerRuns(handler) + 1)
  }

  handlerRuns (handler: string): number {
    return this.runs.get(handler) ?? 0
  }

  preflights (path?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'OPTIONS' && (path === undefined || r.url === path))
  }

  actual (method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.url === path)
  }
}

export interface ApiServer {
  app: FastifyInstance
  origin: string
  recorder: ApiRecorder
}

/**
 * An API on an ephemeral loopback port. `setup` registers the plugin and the routes; the recording
 * hook is added first so it also sees the preflights the plugin answers in `onRequest`.
 */
export async function startApi (
  setup: (app: FastifyInstance, recorder: ApiRecorder) => Promise<void> | void
): Promise<ApiServer> {
  const app = Fastify()
  const recorder = new ApiRecorder()
  // onSend runs before the response is written, so a request is on record before the page sees its
  // answer; status and headers are read lazily because hooks added later (the plugin's) still set them.
  app.addHook('onSend', async (request, reply) => {
    recorder.requests.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      cors: request.cors ?? null,
      get statusCode () { return reply.statusCode },
      get responseHeaders () { return { ...reply.getHeaders() } }
    })
  })
  await setup(app, recorder)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new TypeError('API server has no TCP address')
  return { app, origin: `http://localhost:${address.port}`, recorder }
}
