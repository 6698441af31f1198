// What counts as a disconnect: a response closed before it was written. The 'close' that follows
// a response written in full is not one (the real-socket cases are in origin-check-signal.test.ts).
import { test } from 'tap'
import { EventEmitter } from 'node:events'
import type { FastifyReply } from 'fastify'
import { clientGone, watchDisconnect } from '../../lib/plugin/client-disconnect.js'

function fakeReply (state: { destroyed: boolean, writableEnded: boolean }): { reply: FastifyReply, raw: EventEmitter & typeof state } {
  const raw = Object.assign(new EventEmitter(), state)
  return { reply: { raw } as unknown as FastifyReply, raw }
}

test('clientGone: only a response destroyed before its end', async (t) => {
  t.equal(clientGone(fakeReply({ destroyed: false, writableEnded: false }).reply), false, 'open')
  t.equal(clientGone(fakeReply({ destroyed: true, writableEnded: true }).reply), false, 'written, then closed')
  t.equal(clientGone(fakeReply({ destroyed: true, writableEnded: false }).reply), true, 'closed before its end')
})

test('watchDisconnect: calls back for a close before the end, never after the end, never once stopped', async (t) => {
  const gone = fakeReply({ destroyed: false, writableEnded: false })
  let calls = 0
  watchDisconnect(gone.reply, () => { calls++ })
  gone.raw.emit('close')
  gone.raw.emit('close')
  t.equal(calls, 1, 'once')

  const written = fakeReply({ destroyed: false, writableEnded: true })
  watchDisconnect(written.reply, () => { calls++ })
  written.raw.emit('close')
  t.equal(calls, 1, 'the close of a written response is no disconnect')

  const stopped = fakeReply({ destroyed: false, writableEnded: false })
  const stop = watchDisconnect(stopped.reply, () => { calls++ })
  stop()
  stopped.raw.emit('close')
  t.equal(calls, 1, 'stopped')
  t.equal(stopped.raw.listenerCount('close'), 0, 'and its listener removed')
})
