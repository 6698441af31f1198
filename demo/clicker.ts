import type { Page } from 'playwright-core'

/** The demo's cases, in the order of its buttons. */
export const demoCases = ['get', 'put', 'delete', 'credentials'] as const
export type DemoCase = typeof demoCases[number]

/** One step of a case as the page shows it: its label and 'read <status>' or 'blocked'. */
export interface ShownStep {
  step: string
  outcome: string
  text: string
}

/** Clicks one case's button and returns what the page then shows for it. */
export async function clickDemoCase (page: Page, name: DemoCase): Promise<ShownStep[]> {
  await page.click(`button[data-case="${name}"]`)
  await page.waitForSelector(`#case-${name}[data-state="done"]`)
  return page.$$eval(`#case-${name} .step`, (steps) => steps.map((s) => ({
    step: (s as HTMLElement).dataset.step ?? '',
    outcome: (s as HTMLElement).dataset.outcome ?? '',
    text: (s as HTMLElement).innerText
  })))
}

/** Opens a demo page and waits until its script is ready for clicks. */
export async function openDemoPage (page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.waitForSelector('body[data-ready="true"]')
}
