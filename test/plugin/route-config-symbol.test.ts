import { test } from 'tap'
import Fastify from 'fastify'
import { routeConfigOf } from '../../lib/plugin/fastify-internals.js'

test('reads the route config through the request context', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: unknown[] = []
  app.get('/x', { config: { marker: 42 } as never }, async (request) => {
    seen.push(routeConfigOf(request).marker, request.routeOptions.config === routeConfigOf(request))
    return 'ok'
  })
  await app.inject({ url: '/x' })
  t.same(seen, [42, true])
})
