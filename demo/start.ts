import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildDemoApi } from './api.js'
import { DecisionLog } from './decision-log.js'
import { buildPageServer } from './web.js'

export interface DemoPorts {
  apiPort: number
  webPort: number
  otherPort: number
}

/** The demo's servers, as PortInUseError names them. */
export type DemoServer = 'api' | 'web' | 'other'

/** Another process already listens on the port one of the demo's servers was given. */
export class PortInUseError extends Error {
  constructor (readonly server: DemoServer, readonly port: number, options: { cause: unknown }) {
    super(`port ${port} of the demo's ${server} server is already in use`, options)
    this.name = 'PortInUseError'
  }
}

export interface RunningDemo {
  api: string
  web: string
  other: string
  log: DecisionLog
  close: () => Promise<void>
}

async function listenOnLocalhost (app: FastifyInstance, port: number, server: DemoServer): Promise<string> {
  try {
    await app.listen({ host: 'localhost', port })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(server, port, { cause: error })
    throw error
  }
  return `http://localhost:${(app.server.address() as AddressInfo).port}`
}

/**
 * Starts the demo: the web app (allowed by the API's policy), another origin (not allowed) and the
 * API. Port 0 picks a free port; the API's allow-list is built from the web app's actual origin. A
 * port another process holds rejects with a PortInUseError, once the servers already started are closed.
 */
export async function startDemo (ports: DemoPorts): Promise<RunningDemo> {
  const log = new DecisionLog()
  let apiOrigin = ''
  const web = buildPageServer({ apiOrigin: () => apiOrigin, allowed: true }, log)
  const other = buildPageServer({ apiOrigin: () => apiOrigin, allowed: false }, log)
  const started: FastifyInstance[] = []
  const close = async (): Promise<void> => { await Promise.all(started.map((app) => app.close())) }
  try {
    const webOrigin = await listenOnLocalhost(web, ports.webPort, 'web')
    started.push(web)
    const otherOrigin = await listenOnLocalhost(other, ports.otherPort, 'other')
    started.push(other)
    const api = await buildDemoApi(webOrigin, log)
    apiOrigin = await listenOnLocalhost(api, ports.apiPort, 'api')
    started.push(api)
    return { api: apiOrigin, web: webOrigin, other: otherOrigin, log, close }
  } catch (error) {
    await close()
    throw error
  }
}
