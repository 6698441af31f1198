import { fileURLToPath } from 'node:url'
import { clickDemoCase, demoCases, openDemoPage } from '../demo/clicker.js'
import { startDemo } from '../demo/start.js'
import { launchChromium } from '../test/e2e/chromium/support/chromium.js'

// Renders the demo's web app in headless Chromium, presses every button and saves docs/demo.png.

const output = fileURLToPath(new URL('../docs/demo.png', import.meta.url))
const demo = await startDemo({ apiPort: 0, webPort: 0, otherPort: 0 })
const browser = await launchChromium()
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  await openDemoPage(page, demo.web)
  for (const name of demoCases) await clickDemoCase(page, name)
  await page.screenshot({ path: output, fullPage: true })
  process.stdout.write(`saved ${output}\n`)
} finally {
  await browser.close()
  await demo.close()
}
