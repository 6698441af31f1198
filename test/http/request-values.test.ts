import { test } from 'tap'
import Fastify from 'fastify'
import corsPolicy from '../../lib/index.js'
import { pathOf, singleHeader } from '../../lib/http/request-values.js'
import { corsHeadersOf } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

test('singleHeader: one value as a string', async (t) => {
  t.equal(singleHeader(undefined), undefined)
  t.equal(singleHeader(''), '')
  t.equal(singleHeader(APP), APP)
  t.equal(singleHeader([APP]), APP, 'one line')
  t.equal(singleHeader([APP, 'https://b.example']), `${APP}, https://b.example`, 'repeated lines joined as Node joins them')
  t.equal(singleHeader([]), '', 'no line at all')
})

test('pathOf: the URL without its query', async (t) => {
  t.equal(pathOf('/items/7'), '/items/7')
  t.equal(pathOf('/items/7?draft=1&x=?'), '/items/7', 'from the first ?')
  t.equal(pathOf('/?'), '/')
  t.equal(pathOf(''), '')
})

test('a repeated Origin header is one invalid origin: never reflected', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corsPolicy, { origin: [APP] })
  app.get('/x', async (request) => request.cors)
  // light-my-request hands the array to Fastify as it is, as a proxy that keeps repeated lines would
  const res = await app.inject({ method: 'GET', url: '/x', headers: { origin: [APP, APP] as unknown as string } })
  t.equal(res.statusCode, 200, 'CORS hides the response, it does not fail the request')
  t.same(corsHeadersOf(res), {})
  t.equal(res.headers.vary, 'Origin')
  t.same(res.json(), {
    origin: `${APP}, ${APP}`,
    preflight: false,
    allowed: false,
    credentialed: false,
    reason: 'invalid-origin',
    detail: `the Origin header "${APP}, ${APP}" is not a valid serialised origin (scheme://host[:port]) for GET /x; it is never reflected`
  })
})
