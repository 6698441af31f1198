import type { FastifyReply } from 'fastify'

/**
 * Has the client gone away before its response was written? The response's 'close' also follows a
 * response that was written in full, and since Node 16 the request's 'close' follows a fully read
 * body whatever the client does next, so only a response closed before its end counts.
 */
export function clientGone (reply: FastifyReply): boolean {
  const raw = reply.raw
  return raw.destroyed && !raw.writableEnded
}

/**
 * Calls `onGone` once if the client disconnects before the response is written (HTTP/1 and HTTP/2:
 * the response's 'close' comes with its connection's or stream's); returns the function that stops
 * watching. The caller checks `clientGone` first: a response already closed emits nothing more.
 */
export function watchDisconnect (reply: FastifyReply, onGone: () => void): () => void {
  const raw = reply.raw
  const onClose = (): void => {
    if (!raw.writableEnded) onGone()
  }
  raw.once('close', onClose)
  return () => { raw.removeListener('close', onClose) }
}
