import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The page whose own script makes the requests under test (see `window.probe`). */
export const probePage = readFileSync(new URL('./probe-page.html', import.meta.url))

/** The origins the probe page is served from; each is a distinct origin to the browser. */
export interface PageOrigins {
  /** the origin the API policies allow */
  web: string
  /** the same server by IP: a different origin from `web` */
  webByIp: string
  /** an origin no policy lists */
  other: string
}

export interface PageServers {
  origins: PageOrigins
  close: () => Promise<void>
}

function listenOnLoopback (): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      response.end(probePage)
      return
    }
    if (request.url === '/sandboxed') {
      // A sandboxed document has an opaque origin, so its requests carry `Origin: null` (Fetch#serializing-a-request-origin).
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': 'sandbox allow-scripts'
      })
      response.end(probePage)
      return
    }
    response.writeHead(404).end()
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

function closeServer (server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** Serves the probe page on two loopback ports (the web app's and the other origin's), at `/` and, sandboxed, at `/sandboxed`. */
export async function startPageServers (): Promise<PageServers> {
  const web = await listenOnLoopback()
  const other = await listenOnLoopback()
  const webPort = (web.address() as AddressInfo).port
  const otherPort = (other.address() as AddressInfo).port
  return {
    origins: {
      web: `http://localhost:${webPort}`,
      webByIp: `http://127.0.0.1:${webPort}`,
      other: `http://localhost:${otherPort}`
    },
    close: async () => { await Promise.all([closeServer(web), closeServer(other)]) }
  }
}
