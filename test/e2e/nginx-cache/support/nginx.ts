/**
 * A real nginx caching reverse proxy on loopback, configured in a temporary directory and stopped
 * (its own process, by pid) when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/usr/bin/nginx']

/** The nginx binary, or undefined when it is not installed. */
export function findNginx (): string | undefined {
  return CANDIDATES.find((candidate) => existsSync(candidate))
}

export interface RunningNginx {
  readonly port: number
  /** everything nginx wrote to stderr (its error log), for failure messages */
  readonly log: () => string
  readonly stop: () => Promise<void>
}

async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitForPort (port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${log()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true) })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s: ${log()}`)
}

/**
 * Starts nginx in front of `upstreamPort`: every GET/HEAD is cached for a minute when the upstream
 * allows it (`proxy_cache_valid 200 1m`), keyed by URL and (nginx ≥ 1.7.7) by the request headers
 * the response's Vary names; `X-Cache-Status` tells MISS from HIT.
 */
export async function startNginx (binary: string, upstreamPort: number): Promise<RunningNginx> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cors-nginx-'))
  for (const sub of ['cache', 'client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(dir, sub))
  const port = await freePort()
  const conf = path.join(dir, 'nginx.conf')
  await writeFile(conf, `
# one process, running as the invoking user, so the temporary directory needs no ownership changes
master_process off;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=cors_test:1m max_size=16m inactive=10m use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_cache cors_test;
      proxy_cache_valid 200 1m;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`)
  let stderr = ''
  const child = spawn(binary, ['-p', dir, '-c', conf, '-g', `daemon off; pid ${dir}/nginx.pid; error_log stderr;`], { stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => { stderr += chunk })
  const log = (): string => stderr
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForPort(port, child, log)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, log, stop }
}
