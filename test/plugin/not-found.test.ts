/**
 * How the registration's hooks reach a not-found context Fastify answers its 404s with, at the
 * edges: a Fastify that does not hold the context where the plugin reads it (404s left as they
 * are), a context that does not name its instance, hooks already there, and URLs no prefix covers.
 * The 404s themselves are in test/regression/prefixed-scope-404-without-cors-headers.test.ts.
 */
import { test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { notFoundContextOf, type ContextHook } from '../../lib/plugin/fastify-internals.js'
import { coverNotFound } from '../../lib/plugin/not-found.js'
import type { Dispatcher, Registration } from '../../lib/plugin/dispatcher.js'
import type { PluginScope } from '../../lib/plugin/request-context.js'
import { corsHeadersOf } from '../helpers/build-app.js'

const A = 'https://a.com'

/** An instance holding `context` under Fastify's symbol, on its prototype as a scope inherits it. */
function holding (context: unknown): FastifyInstance {
  return Object.create({ [Symbol('fastify.404ContextKey')]: context }) as FastifyInstance
}

/** A scope whose dispatcher covers URLs under /api and knows no registration above any instance. */
function scopeOf (instance: FastifyInstance): PluginScope {
  const dispatcher = {
    scopeFor: (url: string) => url.startsWith('/api/') ? {} : undefined,
    ownerOf: () => undefined
  } as unknown as Dispatcher
  return { dispatcher, registration: { scope: instance } as unknown as Registration }
}

test('notFoundContextOf: undefined unless the symbol holds an object with hook arrays (or null)', async (t) => {
  t.equal(notFoundContextOf({} as FastifyInstance), undefined, 'no symbol')
  t.equal(notFoundContextOf(holding(null)), undefined, 'no context yet')
  t.equal(notFoundContextOf(holding('context')), undefined, 'not an object')
  t.equal(notFoundContextOf(holding({ onRequest: 'hooks', onSend: null })), undefined, 'onRequest not a list')
  t.equal(notFoundContextOf(holding({ onRequest: [], onSend: {} })), undefined, 'onSend not a list')
  t.equal(notFoundContextOf(holding({ onSend: null })), undefined, 'onRequest missing')
  const context = { onRequest: null, onSend: [], server: 'app' }
  t.same(notFoundContextOf(holding(context)), { hooks: context, server: undefined }, 'a server that is not an instance is not named')
  const server = {}
  t.equal(notFoundContextOf(holding({ onRequest: null, onSend: null, server }))?.server, server)
})

test('coverNotFound: a Fastify without the context leaves 404s alone', async (t) => {
  let called = 0
  const hook = (): void => { called++ }
  coverNotFound(scopeOf({} as FastifyInstance), hook, hook)
  coverNotFound(scopeOf(holding('context')), hook, hook)
  t.equal(called, 0)
})

test('coverNotFound: a context that does not name its instance gets the hooks, after the ones it has, once; they run for covered URLs only', async (t) => {
  const existing = (() => {}) as ContextHook
  const context = { onRequest: [existing], onSend: null }
  const instance = holding(context)
  const calls: string[] = []
  const scope = scopeOf(instance)
  coverNotFound(scope, function (request, _reply, done) { calls.push(`onRequest ${request.url} ${String(this === instance)}`); done() },
    function (request, _reply, payload, done) { calls.push(`onSend ${request.url}`); done(null, payload) })
  coverNotFound(scope, () => { calls.push('second') }, () => { calls.push('second') })
  t.equal(context.onRequest.length, 2)
  t.equal(context.onRequest[0], existing, 'appended after the hooks Fastify put there')
  const onSend = context.onSend as unknown as ContextHook[]
  t.equal(onSend.length, 1, 'a null list becomes a list')

  const run = (url: string): unknown[] => {
    const results: unknown[] = []
    const request = { url } as FastifyRequest
    ;(context.onRequest[1] as unknown as (r: FastifyRequest, p: FastifyReply, d: () => void) => void)(request, {} as FastifyReply, () => { results.push('next') })
    ;(onSend[0] as unknown as (r: FastifyRequest, p: FastifyReply, payload: unknown, d: (e: null, p: unknown) => void) => void)(request, {} as FastifyReply, 'body', (_e, payload) => { results.push(payload) })
    return results
  }
  t.same(run('/api/nope'), ['next', 'body'])
  t.same(run('/nope'), ['next', 'body'])
  t.same(calls, ['onRequest /api/nope true', 'onSend /api/nope'], 'a URL no prefix covers passes by; the hooks run with the instance as this')
})

test('two prefixed registrations share the root\'s not-found context: hooks added once, each 404 by its own registration', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: string[] = []
  app.addHook('onRequest', async (request) => { seen.push(request.url) })
  for (const [prefix, origin] of [['/a', A], ['/b', 'https://b.com']] as const) {
    await app.register(async (scope) => {
      await scope.register(corsPolicy, { origin: [origin] })
      scope.get('/x', async () => 'x')
    }, { prefix })
  }
  await app.ready()
  const hooks = notFoundContextOf(app)?.hooks
  t.same([hooks?.onRequest?.length, hooks?.onSend?.length], [2, 1], "the root's own onRequest, then the plugin's")
  const a = await app.inject({ url: '/a/nope', headers: { origin: A } })
  t.same(corsHeadersOf(a), { 'access-control-allow-origin': A })
  const b = await app.inject({ url: '/b/nope', headers: { origin: A } })
  t.same(corsHeadersOf(b), {})
  t.equal(b.headers.vary, 'Origin')
  t.same(seen, ['/a/nope', '/b/nope'], "the root's hook still runs first")
})
