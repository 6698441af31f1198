import { test } from 'tap'
import type { FastifyRequest } from 'fastify'
import { routeConfigOf } from '../../lib/plugin/fastify-internals.js'

// this file runs in its own process, so the first call below decides the lookup strategy
test('falls back to the public routeOptions getter when the context symbol is absent', async (t) => {
  const config = { cors: false }
  const request = { routeOptions: { config } } as unknown as FastifyRequest
  t.equal(routeConfigOf(request), config)
  t.equal(routeConfigOf(request), config, 'the decision is cached and stays correct')
})
