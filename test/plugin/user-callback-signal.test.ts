// settleUserFunction's signal: aborted at the deadline (TimeoutError) or by cancel(reason); what the
// function does once told to stop is ignored, and only a late success is reported.
import { test } from 'tap'
import { settleUserFunction, type UserAnswer, type UserCallback } from '../../lib/plugin/user-callback.js'

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

interface Run { answers: UserAnswer[], late: string[], signal: AbortSignal | undefined, cancel: (reason: unknown) => void }

function run (fn: (callback: UserCallback, signal: AbortSignal) => unknown, takesCallback: boolean, timeoutMs: number): Run {
  const result: Run = { answers: [], late: [], signal: undefined, cancel: () => {} }
  const call = settleUserFunction((callback, signal) => { result.signal = signal; return fn(callback, signal) }, takesCallback, timeoutMs,
    (answer) => { result.answers.push(answer) }, (why) => { result.late.push(why) })
  result.cancel = call.cancel
  return result
}

test('the deadline aborts the signal with a TimeoutError; a rejection that follows is not reported', async (t) => {
  const stopping = run(async (_cb, signal) => await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) }), false, 10)
  await sleep(40)
  t.same(stopping.answers, [{ ok: false, error: undefined, why: 'did not settle within 10 ms' }])
  t.same(stopping.late, [])
  t.equal(stopping.signal?.aborted, true)
  t.equal((stopping.signal?.reason as DOMException).name, 'TimeoutError')
  t.equal((stopping.signal?.reason as DOMException).message, 'did not settle within 10 ms (originCheckTimeout)')

  const callingBack = run((cb, signal) => { signal.addEventListener('abort', () => { cb(signal.reason) }) }, true, 10)
  await sleep(40)
  t.same(callingBack.late, [], 'an error callback on abort is not reported either')

  const lateSuccess = run((cb) => { setTimeout(() => { cb(null, true) }, 30) }, true, 10)
  await sleep(60)
  t.same(lateSuccess.late, ['answered after the deadline; the answer is ignored'], 'a late success still is')
})

test('an answer in time leaves the signal alone', async (t) => {
  const answered = run(async () => true, false, 20)
  await sleep(40)
  t.same(answered.answers, [{ ok: true, value: true }])
  t.equal(answered.signal?.aborted, false)
  answered.cancel(new Error('too late to cancel'))
  t.equal(answered.signal?.aborted, false, 'cancel after the answer does nothing')
})

test('cancel aborts the signal with its reason; done is not called; later answers are ignored silently', async (t) => {
  const reason = new DOMException('gone', 'AbortError')
  const cancelled = run((cb) => { setTimeout(() => { cb(null, true); cb(null, false) }, 20) }, true, 1000)
  cancelled.cancel(reason)
  t.equal(cancelled.signal?.aborted, true)
  t.equal(cancelled.signal?.reason, reason)
  await sleep(40)
  t.same(cancelled.answers, [])
  t.same(cancelled.late, [])

  const rejecting = run(async (_cb, signal) => await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) }), false, 1000)
  rejecting.cancel(reason)
  await sleep(20)
  t.same(rejecting.answers, [])
  t.same(rejecting.late, [])
})
