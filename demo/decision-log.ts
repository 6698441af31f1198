import type { FastifyRequest } from 'fastify'

type CorsDecision = NonNullable<FastifyRequest['cors']>

/** One request the API answered, with the plugin's decision for it. */
export interface LoggedDecision {
  seq: number
  method: string
  url: string
  status: number
  cors: CorsDecision | null
}

/** The API's recent `request.cors` decisions, for the demo page to show next to each result. */
export class DecisionLog {
  private readonly entries: LoggedDecision[] = []
  private next = 0

  constructor (private readonly capacity = 200) {}

  add (entry: Omit<LoggedDecision, 'seq'>): void {
    this.entries.push({ seq: this.next++, ...entry })
    if (this.entries.length > this.capacity) this.entries.shift()
  }

  /** The sequence number the next entry will get: a page reads it before acting, then asks `since`. */
  cursor (): number {
    return this.next
  }

  since (seq: number): LoggedDecision[] {
    return this.entries.filter((e) => e.seq >= seq)
  }
}
