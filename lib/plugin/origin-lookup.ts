/**
 * Asks a policy's origin function about a request's origin: from its cache when `originCache` keeps
 * the answer, else by calling it, `origin.call(instance, origin, cb, request, signal)`. Requests with
 * one cache key wait for one call. The signal aborts when `originCheckTimeout` passes, and when the
 * client disconnects (with a shared call: when every request waiting for it has).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { CorsPolicy } from '../policy/compile.js'
import { renderValue } from '../policy/options.js'
import { allowanceOf, compileOriginAnswer, originDataOf, type CompiledOriginAnswer } from '../policy/origin-answer.js'
import type { OriginCallback } from '../policy/schema.js'
import { clientGone, watchDisconnect } from './client-disconnect.js'
import { LOOKUP_FAILED, originCacheOf, type OriginAnswerCache, type OriginLookupResult, type PendingLookup } from './origin-cache.js'
import { settleUserFunction, type UserAnswer, type UserCall } from './user-callback.js'

/** Calls `done` once with what the policy's origin function answers for `origin` (a failure is logged). */
export function lookUpOrigin (policy: CorsPolicy, origin: string, request: FastifyRequest, reply: FastifyReply,
  done: (result: OriginLookupResult) => void): void {
  if (clientGone(reply)) {
    request.log.debug(`fastify-cors-policy: the client disconnected before the origin function was asked about origin '${origin}'`)
    done(LOOKUP_FAILED)
    return
  }
  const cache = originCacheOf(policy)
  if (cache === undefined) {
    new Lookup(policy, origin, undefined, undefined).start(request, reply, done)
    return
  }
  const key = cache.keyOf(origin, request)
  if (key === undefined) {
    done(LOOKUP_FAILED)
    return
  }
  const kept = cache.get(key)
  if (kept !== undefined) {
    done(kept)
    return
  }
  const pending = cache.pending.get(key)
  if (pending !== undefined) {
    pending.join(request, reply, done)
    return
  }
  const lookup = new Lookup(policy, origin, cache, key)
  cache.pending.set(key, lookup)
  lookup.start(request, reply, done)
}

interface Waiter {
  readonly request: FastifyRequest
  readonly done: (result: OriginLookupResult) => void
  stopWatching: () => void
}

/** One call of an origin function and the requests waiting for its answer. */
class Lookup implements PendingLookup {
  readonly #policy: CorsPolicy
  readonly #origin: string
  readonly #cache: OriginAnswerCache | undefined
  readonly #key: string | undefined
  readonly #waiters: Waiter[] = []
  /** requests that waited for this call, those that left included */
  #joined = 0
  #call: UserCall | undefined

  constructor (policy: CorsPolicy, origin: string, cache: OriginAnswerCache | undefined, key: string | undefined) {
    this.#policy = policy
    this.#origin = origin
    this.#cache = cache
    this.#key = key
  }

  /** Calls the function for the first request; the function is called with that request. */
  start (request: FastifyRequest, reply: FastifyReply, done: (result: OriginLookupResult) => void): void {
    const policy = this.#policy
    const check = policy.originCheck!
    const origin = this.#origin
    this.join(request, reply, done)
    this.#call = settleUserFunction(
      (callback, signal) => check.call(policy.originThis as FastifyInstance, origin, callback as OriginCallback, request, signal),
      policy.originCheckTakesCallback,
      policy.originCheckTimeout,
      (answer) => { this.#settle(answer) },
      (why) => { request.log.error(`fastify-cors-policy: the origin function ${why} (origin '${origin}')`) }
    )
  }

  join (request: FastifyRequest, reply: FastifyReply, done: (result: OriginLookupResult) => void): void {
    const waiter = { request, done } as Waiter
    waiter.stopWatching = watchDisconnect(reply, () => { this.#leave(waiter) })
    this.#waiters.push(waiter)
    this.#joined++
  }

  /** A waiting request's client disconnected: it goes on denied; the last one to leave cancels the call. */
  #leave (waiter: Waiter): void {
    this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
    waiter.request.log.debug(`fastify-cors-policy: the client disconnected before the origin function answered for origin '${this.#origin}'`)
    this.#hand(waiter, LOOKUP_FAILED)
    if (this.#waiters.length > 0) return
    this.#forget()
    const why = this.#joined === 1 ? 'the client disconnected before the origin function answered' : `all ${this.#joined} clients waiting for the origin function disconnected`
    ;(this.#call as UserCall).cancel(new DOMException(why, 'AbortError'))
  }

  // never after the last request left: the call was cancelled then, and a cancelled call does not answer
  #settle (answer: UserAnswer): void {
    this.#forget()
    const result = this.#read(answer)
    this.#cache?.keep(this.#key as string, result, this.#origin)
    for (const waiter of this.#waiters.splice(0)) {
      waiter.stopWatching()
      this.#hand(waiter, result)
    }
  }

  /**
   * Gives a request the result. The continuation is the plugin's own; should it ever throw, the other
   * requests waiting still get theirs, and a disconnect's event handler never throws.
   */
  #hand (waiter: Waiter, result: OriginLookupResult): void {
    try {
      waiter.done(result)
    } catch (error) {
      waiter.request.log.error({ err: error }, `fastify-cors-policy: the origin function's answer for origin '${this.#origin}' could not be handled`)
    }
  }

  /** The answer compiled with its data; a failed or unusable answer is logged once, for every request waiting. */
  #read (answer: UserAnswer): OriginLookupResult {
    const origin = this.#origin
    const log = (this.#waiters[0] as Waiter).request.log
    const denied = this.#waiters.length === 1 ? 'the request is denied' : `the ${this.#waiters.length} requests waiting for it are denied`
    if (!answer.ok) {
      log.error({ err: answer.error }, `fastify-cors-policy: the origin function ${answer.why} for origin '${origin}'; ${denied}`)
      return LOOKUP_FAILED
    }
    let data: unknown
    let compiled: CompiledOriginAnswer
    try {
      data = originDataOf(answer.value)
      compiled = compileOriginAnswer(allowanceOf(answer.value))
    } catch (error) {
      // an answer whose reading throws (a getter, a Proxy trap) is a failed check, not a 500
      log.error({ err: error }, `fastify-cors-policy: the origin function answered a value that could not be read for origin '${origin}'; ${denied}`)
      return LOOKUP_FAILED
    }
    if (compiled.kind === 'invalid') {
      log.error(`fastify-cors-policy: the origin function answered ${renderValue(answer.value)} for origin '${origin}', which cannot be used: ${compiled.problem}; ${denied}`)
      return LOOKUP_FAILED
    }
    return { ok: true, answer: compiled, data }
  }

  /** Later requests with this key start a call of their own. */
  #forget (): void {
    // only this lookup is under its key until it settles or its last request leaves, which happens once
    this.#cache?.pending.delete(this.#key as string)
  }
}
