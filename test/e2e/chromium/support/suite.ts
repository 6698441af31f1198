import type { Browser } from 'playwright-core'
import { test, type Test } from 'tap'
import { startApi, type ApiServer, type ApiRecorder } from './api-server.js'
import { openProbePage, type ProbePage } from './browser-page.js'
import { announceChromiumSkip, chromiumMissing, launchChromium } from './chromium.js'
import { startPageServers, type PageServers } from './page-server.js'
import type { FastifyInstance } from 'fastify'

export interface ChromiumSuiteContext {
  browser: Browser
}

export interface PageServersSuiteContext extends ChromiumSuiteContext {
  pages: PageServers
}

type SuiteBody<Context> = (suite: Test, context: Context) => Promise<void>

/**
 * Runs a file's browser cases as one parent test that owns one Chromium (and, when asked, one pair
 * of page servers) for all of them; every case opens its own context.
 * Without Chromium the file is skipped, loudly, with the reason; under CI=true it fails instead,
 * because there a missing browser means the suite did not run.
 */
export function chromiumSuite (file: string, title: string, body: SuiteBody<ChromiumSuiteContext>): void
export function chromiumSuite (file: string, title: string, body: SuiteBody<PageServersSuiteContext>, options: { pageServers: true }): void
export function chromiumSuite (
  file: string,
  title: string,
  body: SuiteBody<PageServersSuiteContext>,
  options: { pageServers?: boolean } = {}
): void {
  const missing = chromiumMissing()
  if (missing !== undefined && process.env.CI === 'true') {
    test('chromium is installed (required when CI=true)', async (t) => {
      t.fail(`the browser tests must run in CI: ${missing}`)
    })
    return
  }
  if (missing !== undefined) {
    announceChromiumSkip(file, missing)
    test(title, { skip: missing }, async () => {})
    return
  }
  test(title, async (suite) => {
    const browser = await launchChromium()
    if (options.pageServers !== true) {
      suite.teardown(() => browser.close())
      await (body as SuiteBody<ChromiumSuiteContext>)(suite, { browser })
      return
    }
    const pages = await startPageServers()
    suite.teardown(async () => {
      await browser.close()
      await pages.close()
    })
    await body(suite, { browser, pages })
  })
}

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
