// A user callback must never crash the process: these spies record what would have.

/** The process events through which an escaped error would end the process. */
export type CrashEvent = 'uncaughtException' | 'unhandledRejection'

/**
 * Records every error the process emits on `events` while the test runs, and removes the listeners
 * when it ends; the test asserts the returned array is empty. A listener stops the event from ending
 * the process, so watch only the events the test asserts on: an unwatched one still fails the run.
 */
export function watchCrashes (
  t: { teardown: (fn: () => unknown) => void },
  events: readonly CrashEvent[] = ['uncaughtException', 'unhandledRejection']
): unknown[] {
  const caught: unknown[] = []
  const onError = (error: unknown): void => { caught.push(error) }
  for (const event of events) process.on(event, onError)
  t.teardown(() => {
    for (const event of events) process.off(event, onError)
  })
  return caught
}
