/**
 * Settles a user function that may answer in any of the ways @fastify/cors users write them: through
 * a callback `cb(error, value)`, by returning the value, or by returning a promise of it. Whatever the
 * function does (throws, rejects, returns a thenable whose `then` throws, calls back twice or never),
 * `done` is called exactly once, so a request is never answered twice and never left hanging.
 */

export type UserAnswer =
  | { readonly ok: true, readonly value: unknown }
  | { readonly ok: false, readonly error: unknown, readonly why: string }

export type UserCallback = (error?: unknown, value?: unknown) => void

/** A user function being waited for. */
export interface UserCall {
  /**
   * Stops waiting: aborts the function's signal with `reason`, and `done` is never called. Whatever
   * the function answers afterwards is ignored without a log line (it was told to stop).
   */
  cancel: (reason: unknown) => void
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function'
}

/**
 * @param invoke calls the user function with the callback and a signal that aborts when the deadline
 *   passes (a `TimeoutError` DOMException) or the call is cancelled
 * @param takesCallback the function declares the callback parameter, so returning nothing (or a
 *   promise of nothing, as an `async` function that calls back does) means "the callback will answer"
 * @param late told when an answer arrives after the first one (or after the deadline): it is ignored
 */
export function settleUserFunction (
  invoke: (callback: UserCallback, signal: AbortSignal) => unknown,
  takesCallback: boolean,
  timeoutMs: number,
  done: (answer: UserAnswer) => void,
  late: (why: string) => void
): UserCall {
  let settled = false
  let synchronous = true
  let syncAnswer: UserAnswer | undefined
  let answers = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const controller = new AbortController()
  let timedOut = false
  let cancelled = false

  const finish = (answer: UserAnswer): void => {
    if (settled) return
    settled = true
    if (timer !== undefined) clearTimeout(timer)
    try {
      done(answer)
    } catch (error) {
      // `done` is the plugin's own continuation; should it ever throw, it must not become an
      // unhandled rejection of the user's promise (which would end the process)
      late(`could not be handled: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const answer = (result: UserAnswer): void => {
    // a function that stops when told to (rejects with the signal's reason, calls back with an
    // error) does what it was asked: only a late success is worth a line
    if (cancelled || (timedOut && !result.ok)) return
    answers++
    if (answers > 1) {
      // two synchronous answers: which one the function meant is unknowable, so neither is trusted
      if (synchronous) syncAnswer = { ok: false, error: undefined, why: 'answered more than once' }
      else late(settled ? 'answered more than once; the first answer stands' : 'answered more than once')
      return
    }
    if (synchronous) syncAnswer = result
    else if (settled) late('answered after the deadline; the answer is ignored')
    else finish(result)
  }
  const callback: UserCallback = (error, value) => {
    answer(error !== null && error !== undefined ? { ok: false, error, why: 'called back with an error' } : { ok: true, value })
  }

  const call: UserCall = {
    cancel: (reason) => {
      if (settled) return
      settled = true
      cancelled = true
      clearTimeout(timer)
      controller.abort(reason)
    }
  }

  let returned: unknown
  try {
    returned = invoke(callback, controller.signal)
  } catch (error) {
    synchronous = false
    finish({ ok: false, error, why: 'threw' })
    return call
  }
  const promised = isThenable(returned)
  // a returned value is a synchronous answer too: with a callback already called, that is two
  if (!promised && returned !== undefined) answer({ ok: true, value: returned })
  else if (!promised && !takesCallback) answer({ ok: true, value: undefined })
  synchronous = false
  if (syncAnswer !== undefined) finish(syncAnswer)
  if (!settled) {
    timer = setTimeout(() => {
      const why = `did not settle within ${timeoutMs} ms`
      finish({ ok: false, error: undefined, why })
      timedOut = true
      controller.abort(new DOMException(`${why} (originCheckTimeout)`, 'TimeoutError'))
    }, timeoutMs)
  }
  if (!promised) return call
  try {
    (returned as PromiseLike<unknown>).then((value) => {
      // an async function that answers through its callback resolves to nothing: not an answer
      if (value === undefined && takesCallback) return
      answer({ ok: true, value })
    }, (error: unknown) => {
      answer({ ok: false, error, why: 'rejected' })
    })
  } catch (error) {
    answer({ ok: false, error, why: 'returned a thenable whose then() threw' })
  }
  return call
}
