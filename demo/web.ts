import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DecisionLog } from './decision-log.js'

const asset = (name: string): string => readFileSync(new URL(`./public/${name}`, import.meta.url), 'utf8')
const indexHtml = asset('index.html')
const appJs = asset('app.js')
const styleCss = asset('style.css')

/** What a page server tells its page: where the API is and whether this origin is on its allow-list. */
export interface PageConfig {
  apiOrigin: () => string
  allowed: boolean
}

/**
 * A web app serving the demo page. The page reads the API's decisions from its own server
 * (same-origin), so even the origin the API refuses can show why.
 */
export function buildPageServer (config: PageConfig, log: DecisionLog): FastifyInstance {
  const app = Fastify()
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(indexHtml))
  app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(appJs))
  app.get('/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(styleCss))
  app.get('/config.json', async () => ({ apiOrigin: config.apiOrigin(), allowed: config.allowed }))
  app.get('/decisions/cursor', async () => ({ next: log.cursor() }))
  app.get<{ Querystring: { since?: string } }>('/decisions', async (request) => {
    const since = Number.parseInt(request.query.since ?? '0', 10)
    return log.since(Number.isNaN(since) ? 0 : since)
  })
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())
  return app
}
