import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { clickDemoCase, openDemoPage } from '../../../demo/clicker.js'
import { startDemo } from '../../../demo/start.js'
import { actionTimeoutMs } from './support/chromium.js'
import { chromiumSuite } from './support/suite.js'

// `npm run demo`: the demo starts, serves its pages, and shows in Chromium what its README promises.

const caseOptions = { timeout: 30_000 }

test('demo/server.ts prints its URLs, serves, and stops cleanly on SIGTERM', caseOptions, async (t) => {
  const entry = fileURLToPath(new URL('../../../demo/server.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import=tsx', entry], {
    env: { ...process.env, API_PORT: '0', WEB_PORT: '0', OTHER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stdout = ''
  child.stdout.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URLs printed within 15 s; output so far: ${stdout}`)), 15_000)
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.includes('Ctrl-C stops.')) { clearTimeout(timer); resolve() }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited early with ${String(code)}`)) })
  })
  const web = /web app \(allowed origin\): +(http:\/\/localhost:\d+)/.exec(stdout)?.[1]
  const api = /API \(policy allows (http:\/\/localhost:\d+), credentials on\): +(http:\/\/localhost:\d+)/.exec(stdout)
  t.ok(web, 'the web app URL is printed')
  t.equal(api?.[1], web, 'the API allows the printed web origin')
  const page = await fetch(`${web ?? ''}/`)
  t.equal(page.status, 200)
  t.match(await page.text(), /<title>fastify-cors-policy demo<\/title>/)
  const items = await fetch(`${api?.[2] ?? ''}/api/items`, { headers: { origin: web ?? '' } })
  t.equal(items.headers.get('access-control-allow-origin'), web)

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM stops every server and exits 0')
})

chromiumSuite('test/browser/demo.test.ts', 'in Chromium: the demo page', async (suite, { browser }) => {
  const demo = await startDemo({ apiPort: 0, webPort: 0, otherPort: 0 })
  suite.teardown(() => demo.close())

  suite.test('on the web app, GET, PUT and the credentialed calls are read; DELETE is refused', caseOptions, async (t) => {
    const context = await browser.newContext()
    t.teardown(() => context.close())
    context.setDefaultTimeout(actionTimeoutMs)
    const page = await context.newPage()
    await openDemoPage(page, demo.web)

    const get = await clickDemoCase(page, 'get')
    t.match(get, [{ step: 'GET /api/items', outcome: 'read 200', text: /"name":"teapot"[\s\S]*reason: 'allowed'/ }])

    const put = await clickDemoCase(page, 'put')
    t.match(put, [{ step: 'PUT /api/items/42', outcome: 'read 200', text: /"name":"kettle"[\s\S]*x-request-id: demo-1/ }])
    t.match(put[0]?.text, /OPTIONS \/api\/items\/42 → 204 +request\.cors \{ allowed: true, reason: 'allowed' \}/)
    t.match(put[0]?.text, /PUT \/api\/items\/42 → 200 +request\.cors \{ allowed: true, reason: 'allowed' \}/)

    const del = await clickDemoCase(page, 'delete')
    t.match(del, [{ step: 'DELETE /api/items/42', outcome: 'blocked', text: /TypeError: Failed to fetch/ }])
    t.match(del[0]?.text, /OPTIONS \/api\/items\/42 → 204 +request\.cors \{ allowed: false, reason: 'method-not-allowed' \}/)
    t.notMatch(del[0]?.text, /DELETE \/api\/items\/42 →/, 'the browser never sent the DELETE')

    const credentials = await clickDemoCase(page, 'credentials')
    t.match(credentials, [
      { step: 'POST /api/login', outcome: 'read 200', text: /"loggedIn":"ada"/ },
      { step: 'GET /api/me', outcome: 'read 200', text: /\{"user":"ada"\}/ }
    ])
  })

  suite.test('on the other origin, the API hides its answers and the page shows why', caseOptions, async (t) => {
    const context = await browser.newContext()
    t.teardown(() => context.close())
    context.setDefaultTimeout(actionTimeoutMs)
    const page = await context.newPage()
    await openDemoPage(page, demo.other)
    t.equal(await page.textContent('#page-verdict'), 'not in the allow-list')

    const get = await clickDemoCase(page, 'get')
    t.match(get, [{ step: 'GET /api/items', outcome: 'blocked', text: /GET \/api\/items → 200 +request\.cors \{ allowed: false, reason: 'origin-not-allowed' \}/ }])
    const put = await clickDemoCase(page, 'put')
    t.match(put, [{ step: 'PUT /api/items/42', outcome: 'blocked', text: /OPTIONS \/api\/items\/42 → 403 +request\.cors \{ allowed: false, reason: 'origin-not-allowed' \}/ }])
  })
})
