/**
 * Two ways a preflight's idea of the target differed from the router's:
 * - find-my-way falls back to a less specific route when no route on the matched path accepts the
 *   request's constraints (a version it does not carry, another host); the preflight only looked at
 *   the matched path, so a strict `/:id` route that the actual GET fell back to was not consulted.
 * - the plugin decided by the URL's spelling whether an OPTIONS request was in its prefix, while the
 *   router decodes `%61`, folds `//` and cuts at `;`: such a preflight escaped to another route.
 */
import { test } from 'tap'
import Fastify, { type FastifyServerOptions } from 'fastify'
import corsPolicy from '../../lib/index.js'
import { buildApp, preflightHeaders } from '../helpers/build-app.js'

const APP = 'https://app.example.com'

for (const constraints of [{ version: '1.0.0' }, { host: 'a.example' }]) {
  test(`the route the router falls back to is a candidate (${Object.keys(constraints)[0] as string} constraint)`, async (t) => {
    const runs: string[] = []
    const { app } = await buildApp(t, {
      cors: { origin: [APP] },
      routes: (instance) => {
        instance.get('/x', { constraints }, async () => { runs.push('constrained'); return 'x' })
        instance.get('/:id', { config: { cors: { origin: ['https://other.example'], allowedHeaders: [] } } }, async () => { runs.push('strict'); return 'id' })
        instance.delete('/x', { config: { cors: { allowedHeaders: ['x-h'] } } }, async () => 'delete')
      }
    })
    const host = { host: 'b.example' }
    const get = await app.inject({ method: 'OPTIONS', url: '/x', headers: { ...preflightHeaders(APP, 'GET', 'x-h'), ...host } })
    t.equal(get.statusCode, 403, 'the strict /:id route, which a GET without the constraint reaches, refuses the app')
    const del = await app.inject({ method: 'OPTIONS', url: '/x', headers: { ...preflightHeaders(APP, 'DELETE', 'x-h'), ...host } })
    t.equal(del.statusCode, 204)
    t.equal(del.headers['access-control-max-age'], '0', 'x-h would unlock a GET to the strict route: not cached')
    t.equal(del.headers['access-control-allow-methods'], 'DELETE')
    const actual = await app.inject({ method: 'GET', url: '/x', headers: host })
    t.equal(actual.body, 'id', 'the router agrees: the GET falls back to /:id')
  })
}

const spellings: Array<[string, FastifyServerOptions, string]> = [
  ['percent-encoded prefix', {}, '/%61pi/x'],
  ['duplicate slashes', { routerOptions: { ignoreDuplicateSlashes: true } }, '//api/x'],
  ['semicolon', { routerOptions: { useSemicolonDelimiter: true } as FastifyServerOptions['routerOptions'] }, '/api;a=b']
]
for (const [label, options, url] of spellings) {
  test(`a preflight spelled differently still reaches the plugin: ${label}`, async (t) => {
    const app = Fastify(options)
    t.teardown(() => app.close())
    let outside = 0
    // an application catch-all outside the plugin's scope that would grant anything
    app.all('*', async (_request, reply) => { outside++; return reply.header('access-control-allow-origin', APP).header('access-control-allow-methods', 'PUT').send('root') })
    app.register(async (api) => {
      await api.register(corsPolicy, { origin: [APP] })
      api.put('/x', { config: { cors: false } }, async () => 'x')
      api.put('/', { config: { cors: false } }, async () => 'index')
    }, { prefix: '/api' })
    await app.ready()
    const preflight = await app.inject({ method: 'OPTIONS', url, headers: preflightHeaders(APP, 'PUT') })
    t.equal(preflight.statusCode, 403, 'the cors: false route refuses it')
    t.equal(outside, 0, 'the catch-all outside the scope never saw it')
  })
}

test('a preflight: false route next to a candidate that answers through the plugin: refused, whatever the order', async (t) => {
  for (const order of ['self first', 'self last']) {
    const { app } = await buildApp(t, {
      cors: { origin: [APP] },
      routes: (instance) => {
        instance.options('/x', async () => 'mine')
        const self = (): void => { instance.put('/x', { config: { cors: { preflight: false } } }, async () => 'self') }
        if (order === 'self first') self()
        instance.put('/x', { constraints: { version: '2.0.0' }, config: { cors: false } }, async () => 'v2')
        if (order === 'self last') self()
      }
    })
    const preflight = await app.inject({ method: 'OPTIONS', url: '/x', headers: preflightHeaders(APP, 'PUT') })
    t.equal(preflight.statusCode, 403, order)
  }
})
