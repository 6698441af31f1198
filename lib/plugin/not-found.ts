import type { onRequestHookHandler, onSendHookHandler } from 'fastify'
import { notFoundContextOf, type ContextHook } from './fastify-internals.js'
import type { PluginScope } from './request-context.js'

// shared through the global symbol registry, as the dispatchers are, so that an app loading both the
// ESM and the CommonJS build still adds the hooks to a not-found context once
const kCovered = Symbol.for('fastify-cors-policy.notFoundContexts')
const covered: WeakSet<object> = ((globalThis as Record<symbol, unknown>)[kCovered] ??= new WeakSet()) as WeakSet<object>

/**
 * Makes the 404s under a registration's prefix carry the headers its preflights promised: the page
 * reads a 404 only if it has them. A prefixed scope without a not-found handler of its own has its
 * 404s answered by a parent's not-found context, which runs the parent's hooks, not the plugin's; so
 * when no registration's hooks run in that context, the registration's own `onRequest` and `onSend`
 * are added to it (once per context), for the URLs some registration's prefix covers. Fastify's
 * `setNotFoundHandler` is left to the application (a scope may call it once). Called once the app
 * is ready, when every registration is known and Fastify has filled the context's hooks.
 */
export function coverNotFound (scope: PluginScope, onRequest: onRequestHookHandler, onSend: onSendHookHandler): void {
  const { dispatcher, registration } = scope
  const context = notFoundContextOf(registration.scope)
  if (context === undefined || covered.has(context.hooks)) return
  covered.add(context.hooks)
  // the hooks of a registration in the context's instance, or above it, already run there
  if (context.server !== undefined && dispatcher.ownerOf(context.server) !== undefined) return
  const instance = registration.scope
  const hooks = context.hooks
  const notFoundOnRequest: onRequestHookHandler = function corsNotFoundOnRequest (request, reply, done) {
    if (dispatcher.scopeFor(request.url) === undefined) {
      done()
      return
    }
    onRequest.call(instance, request, reply, done)
  }
  const notFoundOnSend: onSendHookHandler = function corsNotFoundOnSend (request, reply, payload, done) {
    if (dispatcher.scopeFor(request.url) === undefined) {
      done(null, payload)
      return
    }
    onSend.call(instance, request, reply, payload, done)
  }
  hooks.onRequest = [...(hooks.onRequest ?? []), notFoundOnRequest as ContextHook]
  hooks.onSend = [...(hooks.onSend ?? []), notFoundOnSend as ContextHook]
}
