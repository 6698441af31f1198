import { test } from 'tap'
import { settleUserFunction } from '../../lib/plugin/user-callback.js'
import { watchCrashes } from '../helpers/crash-watch.js'

test('a continuation that throws something other than an Error is reported with its value', async (t) => {
  const crashes = watchCrashes(t, ['unhandledRejection', 'uncaughtException'])
  const late: string[] = []
  const answers: unknown[] = []
  settleUserFunction(() => 'https://app.example.com', false, 50, (answer) => {
    answers.push(answer)
    throw 'continuation failed' // eslint-disable-line no-throw-literal
  }, (why) => { late.push(why) })
  t.same(answers, [{ ok: true, value: 'https://app.example.com' }], 'answered synchronously, once')
  t.same(late, ['could not be handled: continuation failed'])
  await new Promise((resolve) => setTimeout(resolve, 70))
  t.same(late, ['could not be handled: continuation failed'], 'no deadline fires after the answer')
  t.equal(crashes.length, 0)
})
