/**
 * Real HTTP(S) servers on 127.0.0.1 for the cors-check tests, each closed in teardown.
 */
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse, Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface Running {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string
  /** Each request's method, URL and raw header lines, in arrival order. */
  seen: Array<{ method: string, url: string, rawHeaders: string[] }>
  close: () => Promise<void>
}

export const TLS_CERT = new URL('../fixtures/tls/cert.pem', import.meta.url)
const TLS_KEY = new URL('../fixtures/tls/key.pem', import.meta.url)

async function listen (server: Server, scheme: string, seen: Running['seen']): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** Starts an HTTP server whose handler sees every request (recorded in `seen`). */
export async function startServer (handler: Handler): Promise<Running> {
  const seen: Running['seen'] = []
  const server = createServer((req, res) => {
    seen.push({ method: req.method as string, url: req.url as string, rawHeaders: req.rawHeaders })
    handler(req, res)
  })
  return await listen(server, 'http', seen)
}

/** Same, over TLS with the self-signed fixture certificate for 127.0.0.1. */
export async function startHttpsServer (handler: Handler): Promise<Running> {
  const seen: Running['seen'] = []
  const server = createHttpsServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) }, (req, res) => {
    seen.push({ method: req.method as string, url: req.url as string, rawHeaders: req.rawHeaders })
    handler(req, res)
  })
  return await listen(server as unknown as Server, 'https', seen)
}

export const PAGE = 'http://localhost:8080'

/** A correct hand-written CORS layer: allow-list, credentials, explicit methods and headers. */
export const correctServer: Handler = (req, res) => {
  res.setHeader('Vary', 'Origin')
  if (req.headers.origin === PAGE) {
    res.setHeader('Access-Control-Allow-Origin', PAGE)
    res.setHeader('Access-Control-Allow-Credentials', 'true')
  }
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE')
    res.setHeader('Access-Control-Allow-Headers', 'content-type, x-custom')
    res.writeHead(204, { 'Content-Length': '0' }).end()
    return
  }
  res.setHeader('Access-Control-Expose-Headers', 'x-request-id')
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1' }).end('{"ok":true}')
}

/** The classic hand-written middleware: echo whatever Origin arrives, with credentials. */
export const reflectAnyServer: Handler = (req, res) => {
  if (req.headers.origin !== undefined) {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin)
    res.setHeader('Access-Control-Allow-Credentials', 'true')
  }
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE')
    res.setHeader('Access-Control-Allow-Headers', 'content-type, x-custom')
    res.writeHead(204).end()
    return
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
}

/** Allows the page's origin but only GET and POST. */
export const methodsGetPostServer: Handler = (req, res) => {
  res.setHeader('Access-Control-Allow-Origin', PAGE)
  if (req.method === 'OPTIONS') res.setHeader('Access-Control-Allow-Methods', 'GET, POST')
  res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end()
}
