// The plugin owned `OPTIONS *`, so an app with its own catch-all (`app.all('*')` in SSR frameworks
// and proxies, or `app.options('*')`) could not start: FST_ERR_DUPLICATED_ROUTE, whichever was
// declared first (issue 10, case 8). Both must coexist in either order: the application's catch-all
// receives every OPTIONS request that is not a preflight (Fetch#http-requests: a preflight is an
// OPTIONS request with Origin and Access-Control-Request-Method), and the plugin still answers
// preflights, without running the catch-all's handler.
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { corsHeadersOf, preflightHeaders } from '../helpers/build-app.js'
import { CachingPage, allowedMethodsOf } from '../helpers/page-fetch.js'

const FRONT = 'https://app.example.com'
const EVIL = 'https://evil.example'
const METHODS = ['GET', 'PUT', 'DELETE']

type Kind = 'all' | 'options' | 'all cors: false'

function declareCatchAll (app: FastifyInstance, kind: Kind, runs: { catchAll: number }): void {
  const handler = async (): Promise<string> => { runs.catchAll++; return 'catch-all' }
  if (kind === 'all') app.all('*', handler)
  else if (kind === 'options') app.options('*', handler)
  else app.all('*', { config: { cors: false } }, handler)
}

async function catchAllApp (t: Test, kind: Kind, before: boolean) {
  const app = Fastify()
  t.teardown(() => app.close())
  const runs = { catchAll: 0 }
  if (before) declareCatchAll(app, kind, runs)
  await app.register(corsPolicy, { origin: [FRONT], methods: METHODS })
  if (!before) declareCatchAll(app, kind, runs)
  await app.ready()
  return { app, runs }
}

for (const kind of ['all', 'options', 'all cors: false'] as const) {
  for (const before of [true, false]) {
    const name = `${kind === 'options' ? "app.options('*')" : kind === 'all' ? "app.all('*')" : "app.all('*') with cors: false"} declared ${before ? 'before' : 'after'} the plugin`
    const disabled = kind === 'all cors: false'

    test(`${name}: the app starts`, async (t) => {
      await t.resolves(catchAllApp(t, kind, before))
    })

    test(`${name}: OPTIONS requests that are not preflights reach the catch-all`, async (t) => {
      const { app, runs } = await catchAllApp(t, kind, before)
      const bare = await app.inject({ method: 'OPTIONS', url: '/anything' })
      t.equal(bare.statusCode, 200)
      t.equal(bare.body, 'catch-all')
      const withOrigin = await app.inject({ method: 'OPTIONS', url: '/anything/deeper', headers: { origin: FRONT } })
      t.equal(withOrigin.statusCode, 200, 'Origin without Access-Control-Request-Method is not a preflight')
      t.equal(withOrigin.body, 'catch-all')
      t.same(corsHeadersOf(withOrigin), disabled ? {} : { 'access-control-allow-origin': FRONT }, 'an actual CORS request')
      const method = await app.inject({ method: 'OPTIONS', url: '/anything', headers: { 'access-control-request-method': 'PUT' } })
      t.equal(method.statusCode, 200, 'Access-Control-Request-Method without Origin is not a preflight')
      t.equal(runs.catchAll, 3)
    })

    test(`${name}: preflights are answered by the plugin, never by the catch-all`, async (t) => {
      const { app, runs } = await catchAllApp(t, kind, before)
      for (const url of ['/anything', '/a/b/c', '/']) {
        const res = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(FRONT, 'PUT', 'content-type') })
        if (disabled) {
          t.equal(res.statusCode, 403, url)
          t.same(corsHeadersOf(res), {}, url)
        } else {
          t.equal(res.statusCode, 204, url)
          t.equal(res.headers['access-control-allow-origin'], FRONT, url)
          t.same(allowedMethodsOf(res), [...METHODS].sort(), url)
          t.equal(res.headers['access-control-allow-headers'], 'content-type', url)
          t.equal(res.body, '', url)
        }
        const refused = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(EVIL, 'PUT') })
        t.equal(refused.statusCode, 403, `${url} for another origin`)
        t.same(corsHeadersOf(refused), {}, `${url} for another origin`)
      }
      t.equal(runs.catchAll, 0)
    })

    test(`${name}: a page's preflighted request reaches the catch-all only when its policy allows it`, async (t) => {
      const { app, runs } = await catchAllApp(t, kind, before)
      const page = new CachingPage(app)
      const result = await page.fetch({ origin: FRONT, method: 'DELETE', url: '/page', headers: { 'x-custom': '1' } })
      t.equal(result.preflight?.statusCode, disabled ? 403 : 204)
      t.equal(result.sent, !disabled)
      if (kind === 'all') {
        t.equal(result.actual?.statusCode, 200)
        t.equal(result.actual?.headers['access-control-allow-origin'], FRONT)
      }
      t.equal(runs.catchAll, kind === 'all' ? 1 : 0)
    })
  }
}
