import type { Browser, BrowserContext, Page } from 'playwright-core'
import { actionTimeoutMs } from './chromium.js'

/** A request the probe page makes with its own `fetch` or `XMLHttpRequest`. */
export interface ProbeRequest {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
  credentials?: 'omit' | 'same-origin' | 'include'
  /** fetch's cache mode (ignored by XMLHttpRequest) */
  cache?: 'default' | 'no-store' | 'reload'
  via?: 'fetch' | 'xhr'
}

/** What the page could read: the response, or only the browser's error. */
export type ProbeResult =
  | { ok: true, status: number, body: string, headers: Record<string, string> }
  | { ok: false, error: string }

/** The message Chromium prints when it blocks a response; the page itself only sees a bare error. */
const corsConsoleMarker = 'has been blocked by CORS policy'

export interface ProbePage {
  context: BrowserContext
  page: Page
  /** every console message, in order */
  console: string[]
  probe: (request: ProbeRequest) => Promise<ProbeResult>
  /** the CORS console errors, waiting (bounded) until at least `count` have arrived */
  corsErrors: (count?: number) => Promise<string[]>
}

async function withTimeout<T> (promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${actionTimeoutMs * 2} ms`)), actionTimeoutMs * 2)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Opens the probe page at `pageOrigin` in a fresh context (empty cookie jar and preflight cache). */
export async function openProbePage (browser: Browser, pageOrigin: string, path = '/'): Promise<ProbePage> {
  const context = await browser.newContext()
  context.setDefaultTimeout(actionTimeoutMs)
  context.setDefaultNavigationTimeout(actionTimeoutMs)
  const page = await context.newPage()
  const messages: string[] = []
  page.on('console', (message) => { messages.push(message.text()) })
  await page.goto(`${pageOrigin}${path}`)

  const corsErrors = async (count = 1): Promise<string[]> => {
    const select = (): string[] => messages.filter((m) => m.includes(corsConsoleMarker))
    const deadline = Date.now() + actionTimeoutMs
    // Console events travel separately from the page's promise, so they can arrive just after it settles.
    while (select().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return select()
  }

  const probe = (request: ProbeRequest): Promise<ProbeResult> => withTimeout(page.evaluate(
    (r) => (window as unknown as { probe: (r: unknown) => Promise<ProbeResult> }).probe(r),
    {
      url: request.url,
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      body: request.body,
      credentials: request.credentials ?? 'same-origin',
      cache: request.cache ?? 'default',
      via: request.via ?? 'fetch',
      timeoutMs: actionTimeoutMs
    }
  ), `${request.method ?? 'GET'} ${request.url}`)

  return { context, page, console: messages, probe, corsErrors }
}
