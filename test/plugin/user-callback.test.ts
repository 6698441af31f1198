import { test } from 'tap'
import { settleUserFunction, type UserAnswer, type UserCallback } from '../../lib/plugin/user-callback.js'
import { watchCrashes } from '../helpers/crash-watch.js'

/** Settles `fn` and resolves with every answer and late report, once nothing more can arrive. */
async function settle (fn: (callback: UserCallback) => unknown, takesCallback: boolean, timeoutMs = 30): Promise<{ answers: UserAnswer[], late: string[] }> {
  const answers: UserAnswer[] = []
  const late: string[] = []
  settleUserFunction(fn, takesCallback, timeoutMs, (answer) => { answers.push(answer) }, (why) => { late.push(why) })
  await new Promise((resolve) => setTimeout(resolve, timeoutMs + 30))
  return { answers, late }
}

test('each way of answering settles exactly once', async (t) => {
  t.same(await settle((cb) => { cb(null, true) }, true), { answers: [{ ok: true, value: true }], late: [] }, 'synchronous callback')
  t.same(await settle(() => 'https://a.com', false), { answers: [{ ok: true, value: 'https://a.com' }], late: [] }, 'returned value')
  t.same(await settle(async () => false, false), { answers: [{ ok: true, value: false }], late: [] }, 'promise')
  t.same(await settle(() => undefined, false), { answers: [{ ok: true, value: undefined }], late: [] }, 'nothing returned, no callback parameter: answered nothing')
  t.same(await settle((cb) => { setImmediate(() => { cb(null, true) }) }, true), { answers: [{ ok: true, value: true }], late: [] }, 'later callback')
  t.same(await settle(async (cb) => { cb(null, true) }, true), { answers: [{ ok: true, value: true }], late: [] }, 'an async function that calls back resolves to nothing: not a second answer')
})

test('failures settle as failures with the reason', async (t) => {
  const error = new Error('boom')
  t.same(await settle(() => { throw error }, false), { answers: [{ ok: false, error, why: 'threw' }], late: [] })
  t.same(await settle((cb) => { cb(error) }, true), { answers: [{ ok: false, error, why: 'called back with an error' }], late: [] })
  t.same(await settle(async () => { throw error }, false), { answers: [{ ok: false, error, why: 'rejected' }], late: [] })
  t.same(await settle(() => ({ then () { throw error } }), false), { answers: [{ ok: false, error, why: 'returned a thenable whose then() threw' }], late: [] })
  t.same(await settle(() => undefined, true), { answers: [{ ok: false, error: undefined, why: 'did not settle within 30 ms' }], late: [] })
  t.same(await settle((cb) => { cb(null, true); cb(null, false) }, true), { answers: [{ ok: false, error: undefined, why: 'answered more than once' }], late: [] }, 'two synchronous answers')
  t.same(await settle((cb) => { cb(null, true); return false }, true), { answers: [{ ok: false, error: undefined, why: 'answered more than once' }], late: [] }, 'a callback and a returned value')
})

test('answers after the first, or after the deadline, are reported late and ignored', async (t) => {
  t.same(await settle((cb) => { setImmediate(() => { cb(null, true); cb(null, false) }) }, true), {
    answers: [{ ok: true, value: true }], late: ['answered more than once; the first answer stands']
  })
  t.same(await settle((cb) => { setTimeout(() => { cb(null, true) }, 40) }, true, 10), {
    answers: [{ ok: false, error: undefined, why: 'did not settle within 10 ms' }], late: ['answered after the deadline; the answer is ignored']
  })
})

test('a continuation that throws is reported, never an unhandled rejection of the user promise', async (t) => {
  const rejections = watchCrashes(t, ['unhandledRejection'])
  const late: string[] = []
  settleUserFunction(async () => true, false, 50, () => { throw new Error('continuation') }, (why) => { late.push(why) })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(late, ['could not be handled: continuation'])
  t.equal(rejections.length, 0)
})
