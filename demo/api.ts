import fastifyCookie from '@fastify/cookie'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../lib/index.js'
import type { DecisionLog } from './decision-log.js'

const sessionCookie = 'demo_session'

/**
 * The API of the demo: the web app's origin may read it with credentials; it may GET, POST and PUT
 * cross-origin, but DELETE stays a same-origin method, so the browser refuses the page's DELETE.
 */
export async function buildDemoApi (webOrigin: string, log: DecisionLog): Promise<FastifyInstance> {
  const app = Fastify()
  // Added before the plugin so it sees the preflights the plugin answers; onSend runs before the
  // response leaves, so a decision is logged before the page can ask for it.
  app.addHook('onSend', async (request, reply) => {
    log.add({ method: request.method, url: request.url, status: reply.statusCode, cors: request.cors ?? null })
  })

  await app.register(corsPolicy, {
    origin: [webOrigin],
    credentials: true,
    methods: ['GET', 'POST', 'PUT'],
    allowedHeaders: ['content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id']
  })
  // the session cookie of the credentialed calls: reply.setCookie() and request.cookies
  await app.register(fastifyCookie)

  const items = new Map([['42', { id: '42', name: 'teapot' }]])

  app.get('/api/items', async () => [...items.values()])

  app.put<{ Params: { id: string }, Body: { name?: unknown } }>('/api/items/:id', async (request, reply) => {
    const name = typeof request.body?.name === 'string' ? request.body.name : 'unnamed'
    const item = { id: request.params.id, name }
    items.set(item.id, item)
    const requestId = request.headers['x-request-id']
    if (typeof requestId === 'string') reply.header('x-request-id', requestId)
    return item
  })

  app.delete<{ Params: { id: string } }>('/api/items/:id', async (request) => {
    items.delete(request.params.id)
    return { deleted: request.params.id }
  })

  app.post('/api/login', async (_request, reply) => {
    reply.setCookie(sessionCookie, 'ada', { path: '/', httpOnly: true, sameSite: 'lax' })
    return { loggedIn: 'ada' }
  })

  app.get('/api/me', async (request, reply) => {
    const user = request.cookies[sessionCookie]
    if (user === undefined) return reply.code(401).send({ user: null })
    return { user }
  })

  return app
}
