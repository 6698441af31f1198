/**
 * `originCache`: what an origin function answered, kept per key (the origin, or `originCache.key`'s
 * string) in an LRU with an expiry per answer, and the lookups in flight that requests with the same
 * key join instead of calling the function again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LruMap } from 'toad-cache'
import type { CorsPolicy } from '../policy/compile.js'
import type { OriginCacheSettings } from '../policy/origin-cache-settings.js'
import { originAnswerVerdict, type CompiledOriginAnswer } from '../policy/origin-answer.js'
import { renderValue } from '../policy/options.js'

/** What a lookup gives each request waiting for it: the function's answer compiled, with its data, or a failure (already logged). */
export type OriginLookupResult =
  | { readonly ok: true, readonly answer: Exclude<CompiledOriginAnswer, { kind: 'invalid' }>, readonly data: unknown }
  | { readonly ok: false }

export const LOOKUP_FAILED: OriginLookupResult = Object.freeze({ ok: false })

/** A lookup in flight: a request with the same key waits for its answer. */
export interface PendingLookup {
  join: (request: FastifyRequest, reply: FastifyReply, done: (result: OriginLookupResult) => void) => void
}

interface KeptAnswer {
  readonly result: OriginLookupResult
  /** Date.now() after which the answer is not used */
  readonly expiresAt: number
}

/** One cache: of one origin function, in one registration, with one set of settings and one deadline. */
export class OriginAnswerCache {
  readonly settings: OriginCacheSettings
  /** the lookups in flight, by key; a lookup removes itself when it settles or is abandoned */
  readonly pending = new Map<string, PendingLookup>()
  // the answers' own expiry (an answer that allows the origin lives longer than one that does not)
  // is checked here, so the LRU itself keeps entries until they are evicted or found expired
  readonly #answers: LruMap<KeptAnswer>
  readonly #owner: unknown
  readonly #timeout: number

  constructor (owner: unknown, timeout: number, settings: OriginCacheSettings) {
    this.#owner = owner
    this.#timeout = timeout
    this.settings = settings
    this.#answers = new LruMap<KeptAnswer>(settings.max, 0)
  }

  /** The answer kept for `key`, if it has not expired. */
  get (key: string): OriginLookupResult | undefined {
    const kept = this.#answers.get(key)
    if (kept === undefined) return undefined
    if (kept.expiresAt <= Date.now()) {
      this.#answers.delete(key)
      return undefined
    }
    return kept.result
  }

  /**
   * Keeps a successful answer: for `ttl` when it allows the origin it was asked about, else for
   * `negativeTtl`. Failures are never kept, so the next request asks again.
   */
  keep (key: string, result: OriginLookupResult, askedOrigin: string): void {
    if (!result.ok) return
    const ttl = originAnswerVerdict(result.answer, askedOrigin) === 'allowed' ? this.settings.ttl : this.settings.negativeTtl
    if (ttl === 0) return
    this.#answers.set(key, { result, expiresAt: Date.now() + ttl })
  }

  /**
   * The key of a request's origin: the origin, or what `originCache.key` returns. A key function that
   * throws or returns something else than a string denies the request (logged), never a 500.
   */
  keyOf (origin: string, request: FastifyRequest): string | undefined {
    const keyFunction = this.settings.key
    if (keyFunction === undefined) return origin
    let key: unknown
    try {
      key = keyFunction(origin, request)
    } catch (error) {
      request.log.error({ err: error }, `fastify-cors-policy: originCache.key threw for origin '${origin}'; the request is denied`)
      return undefined
    }
    if (typeof key === 'string') return key
    request.log.error(`fastify-cors-policy: originCache.key returned ${renderValue(key)} for origin '${origin}', expected a string; the request is denied`)
    return undefined
  }

  /** Is this the cache a policy with these settings should use? */
  serves (owner: unknown, timeout: number, settings: OriginCacheSettings): boolean {
    const own = this.settings
    return this.#owner === owner && this.#timeout === timeout && own.max === settings.max && own.ttl === settings.ttl &&
      own.negativeTtl === settings.negativeTtl && own.key === settings.key
  }
}

/** Caches shared per origin function; past this many for one function, a policy gets a cache of its own. */
const SHARED_CACHES_PER_FUNCTION = 32
const sharedCaches = new WeakMap<object, OriginAnswerCache[]>()
const cacheOfPolicy = new WeakMap<CorsPolicy, OriginAnswerCache>()

/**
 * The cache of a policy whose origin function's answers are kept, undefined for any other. Policies
 * of one registration with the same function, `originCache` settings and `originCheckTimeout` (the
 * plugin's and those of the routes that inherit them, a delegator's answers) share one cache.
 */
export function originCacheOf (policy: CorsPolicy): OriginAnswerCache | undefined {
  const settings = policy.originCache
  if (settings === undefined) return undefined
  let cache = cacheOfPolicy.get(policy)
  if (cache === undefined) {
    cache = sharedCache(policy, settings)
    cacheOfPolicy.set(policy, cache)
  }
  return cache
}

function sharedCache (policy: CorsPolicy, settings: OriginCacheSettings): OriginAnswerCache {
  const check = policy.originCheck as object
  let caches = sharedCaches.get(check)
  if (caches === undefined) {
    caches = []
    sharedCaches.set(check, caches)
  }
  for (const cache of caches) {
    if (cache.serves(policy.originThis, policy.originCheckTimeout, settings)) return cache
  }
  const cache = new OriginAnswerCache(policy.originThis, policy.originCheckTimeout, settings)
  // a delegator answering fresh settings per request must not pile up caches that are never released
  if (caches.length < SHARED_CACHES_PER_FUNCTION) caches.push(cache)
  return cache
}
