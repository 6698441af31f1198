// What a Fastify app logs, captured: pino writes one JSON line per entry into a stream of ours,
// and the tests read the parsed lines back.

/** One line written by the app's pino logger, parsed. */
export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

export const LOG_LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const

export type LogLevelName = keyof typeof LOG_LEVEL

export interface LogCapture {
  /** Fastify's `logger` option: pino at `level`, writing every line into `lines` */
  readonly logger: { level: LogLevelName, stream: { write: (line: string) => void } }
  /** every line logged so far, parsed, in order (the same array throughout: it grows as the app logs) */
  readonly lines: LogLine[]
  /** the `msg` of every line, in order */
  messages: () => string[]
  /** the lines at `level` or above */
  atLeast: (level: LogLevelName) => LogLine[]
}

/** A log capture at `level`: pass `capture.logger` as Fastify's `logger` option. */
export function captureLogs (level: LogLevelName): LogCapture {
  const lines: LogLine[] = []
  return {
    logger: { level, stream: { write: (line: string) => { lines.push(JSON.parse(line) as LogLine) } } },
    lines,
    messages: () => lines.map((line) => line.msg),
    atLeast: (min) => lines.filter((line) => line.level >= LOG_LEVEL[min])
  }
}
