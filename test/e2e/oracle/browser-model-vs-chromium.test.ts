import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { chromiumSuite } from '../chromium/support/suite.js'
import { checkCors } from '../../../lib/check/cors-check.js'
import { preflightRequest } from '../../../lib/browser/model.js'

// The browser model is the oracle of the plugin's tests and the engine of cors-check, so it is
// held to the real thing: for each misconfiguration, Chromium's console line for a page's fetch()
// must be exactly the line the model predicts.

/** What the API answers: `PAGE` in a value stands for the page's origin. */
interface Answer {
  preflight?: Record<string, string>
  preflightStatus?: number
  preflightRedirect?: boolean
  actual?: Record<string, string>
}

interface OracleCase {
  desc: string
  answer: Answer
  method: string
  headers?: Record<string, string>
  credentials?: boolean
  /** Set where the model deliberately follows the Fetch standard rather than today's Chromium. */
  chromiumAllows?: boolean
}

const allow = { 'access-control-allow-origin': 'PAGE' }
const cases: OracleCase[] = [
  { desc: 'missing ACAO', answer: {}, method: 'GET' },
  { desc: 'method missing from ACAM', answer: { preflight: { ...allow, 'access-control-allow-methods': 'GET, POST' } }, method: 'PUT' },
  { desc: 'header missing from ACAH', answer: { preflight: { ...allow, 'access-control-allow-headers': 'content-type' } }, method: 'GET', headers: { 'X-Custom': '1' } },
  { desc: 'wildcard with credentials', answer: { actual: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' } }, method: 'GET', credentials: true },
  { desc: 'ACAC missing', answer: { actual: allow }, method: 'GET', credentials: true },
  { desc: 'ACAC True', answer: { actual: { ...allow, 'access-control-allow-credentials': 'True' } }, method: 'GET', credentials: true },
  { desc: 'two ACAO values', answer: { actual: { 'access-control-allow-origin': 'PAGE, PAGE' } }, method: 'GET' },
  { desc: 'ACAO with a trailing slash', answer: { actual: { 'access-control-allow-origin': 'PAGE/' } }, method: 'GET' },
  { desc: 'ACAO null', answer: { actual: { 'access-control-allow-origin': 'null' } }, method: 'GET' },
  { desc: 'ACAO not an origin', answer: { actual: { 'access-control-allow-origin': 'app.example.com' } }, method: 'GET' },
  { desc: '401 preflight with CORS headers', answer: { preflight: { ...allow, 'access-control-allow-methods': 'PUT' }, preflightStatus: 401 }, method: 'PUT' },
  { desc: '401 preflight without CORS headers', answer: { preflightStatus: 401 }, method: 'PUT' },
  { desc: 'redirected preflight', answer: { preflight: allow, preflightRedirect: true }, method: 'PUT' },
  { desc: 'unparsable ACAM', answer: { preflight: { ...allow, 'access-control-allow-methods': 'GET PUT' } }, method: 'PUT' },
  { desc: 'patch is not PATCH', answer: { preflight: { ...allow, 'access-control-allow-methods': 'PATCH' }, actual: allow }, method: 'patch' },
  { desc: 'two content types are not safelisted', answer: { actual: allow }, method: 'POST', headers: { 'Content-Type': 'text/plain, text/html' } },
  { desc: 'an allowed PUT', answer: { preflight: { ...allow, 'access-control-allow-methods': 'PUT' }, actual: allow }, method: 'PUT' },
  { desc: 'ACAH * with Authorization', answer: { preflight: { ...allow, 'access-control-allow-headers': '*' }, actual: allow }, method: 'GET', headers: { Authorization: 'Bearer t' }, chromiumAllows: true }
]

async function listen (server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

chromiumSuite('test/oracle/browser-model-vs-chromium.test.ts', 'the browser model predicts Chromium\'s console line', async (suite, { browser }) => {
  const pageServer = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>page</title>') })
  const PAGE = `http://localhost:${await listen(pageServer)}`
  const preflightsSeen: string[][] = []
  const api = createServer((req, res) => {
    if (req.method === 'OPTIONS') preflightsSeen.push(req.rawHeaders)
    const answer = JSON.parse(Buffer.from((req.url as string).split('/')[2] as string, 'base64url').toString()) as Answer
    const fill = (headers: Record<string, string> = {}): Record<string, string> =>
      Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.replaceAll('PAGE', PAGE)]))
    if (req.method === 'OPTIONS') {
      if (answer.preflightRedirect === true) res.writeHead(307, { ...fill(answer.preflight), location: '/elsewhere' }).end()
      else res.writeHead(answer.preflightStatus ?? 204, fill(answer.preflight)).end()
      return
    }
    res.writeHead(200, fill(answer.actual)).end('ok')
  })
  const API = `http://127.0.0.1:${await listen(api)}`
  suite.teardown(() => {
    api.closeAllConnections()
    api.close()
    pageServer.close()
  })
  const page = await browser.newPage()
  page.setDefaultTimeout(5_000)
  await page.goto(PAGE)

  suite.test('the preflight carries the headers the model builds, in the same order', async (t) => {
    const answer: Answer = { preflight: { ...allow, 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': '*' } }
    const url = `${API}/api/${Buffer.from(JSON.stringify(answer)).toString('base64url')}`
    const headers: Array<[string, string]> = [['X-Zeta', '1'], ['Content-Type', 'application/json'], ['x-alpha', '2'], ['Accept', 'text/plain'], ['x-zeta', '3']]
    preflightsSeen.length = 0
    // Only the preflight matters here; the actual request may fail.
    await page.evaluate(async ({ url, headers }) => { await fetch(url, { method: 'put', headers }).catch(() => undefined) }, { url, headers })
    const model = preflightRequest({ url, origin: PAGE, method: 'put', headers }).headers
    const names = new Set(model.map(([name]) => name))
    const raw = preflightsSeen[0] as string[]
    const sent: Array<[string, string]> = []
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase()
      if (names.has(name)) sent.push([name, raw[i + 1] as string])
    }
    t.same(sent, model)
    t.same(model.find(([name]) => name === 'access-control-request-headers'), ['access-control-request-headers', 'content-type,x-alpha,x-zeta'])
  })

  for (const c of cases) {
    suite.test(c.desc, async (t) => {
      const url = `${API}/api/${Buffer.from(JSON.stringify(c.answer)).toString('base64url')}`
      const corsLines: string[] = []
      let announced = (): void => {}
      const onConsole = (message: { text: () => string }): void => {
        if (!message.text().includes('has been blocked by CORS policy')) return
        corsLines.push(message.text())
        announced()
      }
      page.on('console', onConsole)
      const outcome = await page.evaluate(async ({ url, method, headers, credentials }) => {
        try {
          const response = await fetch(url, { method, headers, credentials: credentials ? 'include' : 'same-origin' })
          return `read ${response.status}`
        } catch (error) {
          return String(error)
        }
      }, { url, method: c.method, headers: c.headers ?? {}, credentials: c.credentials === true })
      // The console message may arrive after the rejection: wait for it, boundedly.
      if (outcome !== 'read 200' && corsLines.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2_000)
          announced = () => { clearTimeout(timer); resolve() }
        })
      }
      page.off('console', onConsole)

      const report = await checkCors({ url, origin: PAGE, method: c.method, headers: Object.entries(c.headers ?? {}), credentials: c.credentials === true, privateNetwork: false, json: true, timeoutMs: 5_000 })
      if (c.chromiumAllows === true) {
        t.equal(outcome, 'read 200', 'Chromium lets it through')
        t.same(corsLines, [])
        t.equal(report.verdict, 'blocked', 'the model follows the Fetch standard')
        return
      }
      if (report.verdict === 'allowed') {
        t.equal(outcome, 'read 200', 'Chromium allows it too')
        t.same(corsLines, [], 'and prints nothing')
        return
      }
      t.equal(outcome, 'TypeError: Failed to fetch', 'Chromium blocks it')
      t.same(corsLines, [report.console], 'with the console line the model predicts')
    })
  }
})
