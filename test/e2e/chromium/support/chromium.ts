import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium; the suite never downloads a browser. */
export const chromiumPath = '/usr/bin/chromium'

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** Bounds every browser action so a hung page fails its case instead of the whole run. */
export const actionTimeoutMs = 5_000

/**
 * Why the browser suite cannot run here, or undefined when it can.
 * Under CI=true a missing Chromium is not a reason to skip: the caller turns it into a failure.
 */
export function chromiumMissing (): string | undefined {
  if (existsSync(chromiumPath)) return undefined
  return `chromium not found at ${chromiumPath}; install it with \`apt-get install -y chromium\` to run the browser tests`
}

/** Prints the skip so it is not lost among passing test lines. */
export function announceChromiumSkip (file: string, reason: string): void {
  const bar = '!'.repeat(78)
  process.stderr.write(`\n${bar}\n!! SKIPPING ${file}: ${reason}\n${bar}\n\n`)
}

export async function launchChromium (): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 })
}
