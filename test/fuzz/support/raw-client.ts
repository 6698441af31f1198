/**
 * Raw HTTP/1.1 over a real socket: write exactly the bytes given, read until the server closes,
 * and split the answer into status and field lines (repeated lines kept apart).
 */
import net from 'node:net'

export interface RawResponse {
  /** 0 when the server closed the connection without a status line */
  readonly status: number
  /** field lines in order, names lower-cased, values as sent */
  readonly lines: ReadonlyArray<readonly [name: string, value: string]>
  readonly raw: string
}

/** The values of every field line with this (lower-case) name. */
export function linesOf (response: RawResponse, name: string): string[] {
  return response.lines.filter(([n]) => n === name).map(([, value]) => value)
}

/** Sends one request (which should carry `Connection: close`) and resolves with the whole answer. */
export function sendRaw (port: number, request: Buffer | string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no complete answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // the server may reset a connection it refused mid-write; what it sent before still counts
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
        clearTimeout(timer)
        reject(error)
      }
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')))
    })
    socket.end(request)
  })
}

function parseResponse (raw: string): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n')
  const head = headEnd === -1 ? raw : raw.slice(0, headEnd)
  const [statusLine = '', ...fieldLines] = head.split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)
  const lines = fieldLines.map((line): [string, string] => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')]
  })
  return { status: match === null ? 0 : Number(match[1]), lines, raw }
}

/**
 * A value as it travels: code units up to 0xFF as single bytes; anything beyond as its UTF-8 bytes,
 * which Node reads back one byte per character (latin1). The result is what the server sees.
 */
export function wireValue (value: string): string {
  return /[^\0-\xff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/** A request head: the request line, the field lines as given (bytes preserved), `Connection: close`. */
export function rawRequest (method: string, path: string, fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, 'Host: api.example', ...fields.map(([name, value]) => `${name}: ${wireValue(value)}`), 'Connection: close', 'Content-Length: 0', '', '']
  return Buffer.from(head.join('\r\n'), 'latin1')
}
