import type { Browser } from 'playwright-core'
import type { Test } from 'tap'
import { startApi, type ApiServer, type ApiRecorder } from './api-server.js'
import { openProbePage, type ProbePage } from './browser-page.js'
import type { FastifyInstance } from 'fastify'

/** Starts an API for one case and closes it when the case ends. */
export async function apiForCase (
  t: Test,
  setup: (app: FastifyInstance, recorder: ApiRecorder) => Promise<void> | void
): Promise<ApiServer> {
  const api = await startApi(setup)
  t.teardown(() => api.app.close())
  return api
}

/** Opens the probe page in a fresh browser context for one case and closes it when the case ends. */
export async function pageForCase (t: Test, browser: Browser, pageOrigin: string, path?: string): Promise<ProbePage> {
  const page = await openProbePage(browser, pageOrigin, path)
  t.teardown(() => page.context.close())
  return page
}

/** The page's view of a request the browser refused. */
export const blockedByFetch = { ok: false, error: 'TypeError: Failed to fetch' } as const
export const blockedByXhr = { ok: false, error: 'XMLHttpRequest error, status 0' } as const
