import { test } from 'tap'
import type { Test } from 'tap'
import { createServer as createNetServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { runCorsCheck } from '../../lib/check/cors-check.js'
import { describeFailure } from '../../lib/check/http.js'
import type { CheckReport } from '../../lib/check/cors-check.js'
import { correctServer, methodsGetPostServer, PAGE, reflectAnyServer, startHttpsServer, startServer } from './servers.js'
import type { Handler, Running } from './servers.js'

class Capture {
  text = ''
  write (chunk: string): boolean {
    this.text += chunk
    return true
  }
}

async function run (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = new Capture()
  const err = new Capture()
  const code = await runCorsCheck(argv, out, err)
  return { code, out: out.text, err: err.text }
}

async function runJson (argv: string[]): Promise<{ code: number, report: CheckReport }> {
  const { code, out } = await run([...argv, '--json'])
  return { code, report: JSON.parse(out) as CheckReport }
}

/** Header lines as the server received them, as [name, value] pairs. */
function pairs (rawHeaders: string[]): Array<[string, string]> {
  const list: Array<[string, string]> = []
  for (let i = 0; i < rawHeaders.length; i += 2) list.push([rawHeaders[i] as string, rawHeaders[i + 1] as string])
  return list
}

async function serve (t: Test, handler: Handler): Promise<Running> {
  const server = await startServer(handler)
  t.teardown(server.close)
  return server
}

interface ServerCase {
  desc: string
  handler: Handler
  args: string[]
  exitCode: 0 | 1
  failure?: string
  message?: string
  fix?: string
  kinds: string[]
  actualSent: boolean
  dangerous: string[]
}

const noCors: Handler = (req, res) => { res.writeHead(req.method === 'OPTIONS' ? 405 : 200).end() }
const wildcardWithCredentials: Handler = (req, res) => {
  res.setHeader('Access-Control-Allow-Origin', '*')
  res.setHeader('Access-Control-Allow-Credentials', 'true')
  res.writeHead(200).end()
}
const headersContentTypeOnly: Handler = (req, res) => {
  res.setHeader('Access-Control-Allow-Origin', PAGE)
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, PUT')
    res.setHeader('Access-Control-Allow-Headers', 'content-type')
  }
  res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end()
}
const noAllowCredentials: Handler = (req, res) => {
  if (req.headers.origin === PAGE) res.setHeader('Access-Control-Allow-Origin', PAGE)
  res.writeHead(200).end()
}
/** CORS headers first, then an auth check that refuses everything without a token, preflights included. */
const authBeforePreflight: Handler = (req, res) => {
  if (req.headers.origin === PAGE) {
    res.setHeader('Access-Control-Allow-Origin', PAGE)
    res.setHeader('Access-Control-Allow-Credentials', 'true')
    res.setHeader('Access-Control-Allow-Methods', 'GET, PUT')
  }
  if (req.headers.authorization === undefined) {
    res.writeHead(401, { 'www-authenticate': 'Bearer' }).end()
    return
  }
  res.writeHead(200).end()
}

test('cors-check against real servers', async (t) => {
  const cases: ServerCase[] = [
    {
      desc: 'a correct server allows a credentialed PUT with a custom header',
      handler: correctServer,
      args: ['--method', 'PUT', '--header', 'X-Custom: 1', '--header', 'Content-Type: application/json', '--credentials'],
      exitCode: 0,
      kinds: ['preflight', 'actual'],
      actualSent: true,
      dangerous: []
    },
    {
      desc: 'reflecting any origin with credentials is allowed by the browser but flagged',
      handler: reflectAnyServer,
      args: ['--credentials'],
      exitCode: 0,
      kinds: ['actual'],
      actualSent: true,
      dangerous: ['reflects-any-origin-with-credentials', 'allows-null-origin-with-credentials']
    },
    {
      desc: 'no Access-Control-Allow-Origin on a simple GET',
      handler: noCors,
      args: [],
      exitCode: 1,
      failure: 'MissingAllowOriginHeader',
      message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      fix: 'the server must answer with `Access-Control-Allow-Origin: http://localhost:8080` (or `*` if the resource is public)',
      kinds: ['actual'],
      actualSent: true,
      dangerous: []
    },
    {
      desc: 'no CORS at all on a preflighted request',
      handler: noCors,
      args: ['--method', 'DELETE'],
      exitCode: 1,
      failure: 'PreflightMissingAllowOriginHeader',
      message: "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      fix: 'the server must answer the preflight with `Access-Control-Allow-Origin: http://localhost:8080` (or `*` if the resource is public) and a 2xx status (it answered 405)',
      kinds: ['preflight'],
      actualSent: false,
      dangerous: []
    },
    {
      desc: '`*` with credentials',
      handler: wildcardWithCredentials,
      args: ['--credentials'],
      exitCode: 1,
      failure: 'WildcardOriginNotAllowed',
      message: "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
      fix: 'the server must answer with `Access-Control-Allow-Origin: http://localhost:8080` instead of `*` (and `Vary: Origin`), because the request includes credentials',
      kinds: ['actual'],
      actualSent: true,
      dangerous: []
    },
    {
      desc: 'method missing from Access-Control-Allow-Methods',
      handler: methodsGetPostServer,
      args: ['--method', 'put'],
      exitCode: 1,
      failure: 'MethodDisallowedByPreflightResponse',
      message: 'Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Methods` containing `PUT`',
      kinds: ['preflight'],
      actualSent: false,
      dangerous: []
    },
    {
      desc: 'header missing from Access-Control-Allow-Headers',
      handler: headersContentTypeOnly,
      args: ['--method', 'PUT', '--header', 'X-Custom'],
      exitCode: 1,
      failure: 'HeaderDisallowedByPreflightResponse',
      message: 'Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.',
      fix: 'the server must answer the preflight with `Access-Control-Allow-Headers` containing `x-custom`',
      kinds: ['preflight'],
      actualSent: false,
      dangerous: []
    },
    {
      desc: 'Access-Control-Allow-Credentials missing',
      handler: noAllowCredentials,
      args: ['--credentials'],
      exitCode: 1,
      failure: 'InvalidAllowCredentials',
      message: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
      fix: 'the server must answer with `Access-Control-Allow-Credentials: true` (exactly, lower-case) because the request includes credentials; it sent none',
      kinds: ['actual'],
      actualSent: true,
      dangerous: []
    },
    {
      desc: 'a 401 from an auth check on the preflight',
      handler: authBeforePreflight,
      args: ['--method', 'PUT', '--header', 'Authorization: Bearer t', '--credentials'],
      exitCode: 1,
      failure: 'PreflightInvalidStatus',
      message: "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
      fix: 'the server must answer the preflight (OPTIONS /items) with a 2xx status; it answered 401. Preflights never carry cookies or Authorization, so answer OPTIONS before authentication or routing checks',
      kinds: ['preflight'],
      actualSent: false,
      dangerous: []
    }
  ]
  for (const c of cases) {
    t.test(c.desc, async (t) => {
      const server = await serve(t, c.handler)
      const { code, report } = await runJson([`${server.url}/items`, '--origin', PAGE, ...c.args])
      t.equal(code, c.exitCode, 'exit code')
      t.equal(report.exitCode, c.exitCode, 'exit code in the report')
      t.equal(report.verdict, c.exitCode === 0 ? 'allowed' : 'blocked', 'verdict')
      t.equal(report.failure, c.failure, 'failure')
      t.equal(report.message, c.message, 'message')
      t.equal(report.fix, c.fix, 'fix')
      if (c.message !== undefined) {
        t.equal(report.console?.startsWith(`Access to fetch at '${server.url}/items' from origin '${PAGE}' has been blocked by CORS policy: ${c.message}`), true, 'console line')
      }
      t.same(report.exchanges.map((e) => e.kind), c.kinds, 'exchanges')
      t.equal(report.actualSent, c.actualSent, 'actual request sent')
      t.same(report.warnings.map((w) => w.code), c.dangerous, 'dangerous configurations')
      t.same(report.probes.map((p) => [p.origin, p.allowedWithCredentials]), [
        ['https://cors-check-probe.invalid', c.dangerous.includes('reflects-any-origin-with-credentials')],
        ['null', c.dangerous.includes('allows-null-origin-with-credentials')]
      ], 'probes')
    })
  }
})

test('the preflight goes on the wire as Chromium sends it', async (t) => {
  const server = await serve(t, correctServer)
  const { code } = await run([`${server.url}/items?x=1`, '--origin', PAGE, '--method', 'PUT', '--header', 'X-Zeta: 1', '--header', 'Content-Type: application/json', '--header', 'x-zeta: 2', '--private-network'])
  t.equal(code, 1, 'PNA is not granted by this server')
  const preflight = server.seen[0] as Running['seen'][number]
  t.equal(preflight.method, 'OPTIONS')
  t.equal(preflight.url, '/items?x=1')
  t.same(pairs(preflight.rawHeaders), [
    ['Host', server.url.slice('http://'.length)],
    ['accept', '*/*'],
    ['access-control-request-method', 'PUT'],
    ['access-control-request-headers', 'content-type,x-zeta'],
    ['access-control-request-private-network', 'true'],
    ['origin', PAGE],
    ['sec-fetch-mode', 'cors'],
    ['Connection', 'close']
  ])
})

test('the text report shows the exchange, the console line and the fix', async (t) => {
  const server = await serve(t, methodsGetPostServer)
  const { code, out } = await run([`${server.url}/items`, '--origin', PAGE, '--method', 'PUT'])
  t.equal(code, 1)
  t.equal(out, [
    `cors-check  PUT ${server.url}/items`,
    `  from origin ${PAGE}, credentials same-origin`,
    '',
    'PREFLIGHT  sent because PUT is not a CORS-safelisted method (GET, HEAD, POST)',
    '  > OPTIONS /items HTTP/1.1',
    `  > Host: ${server.url.slice('http://'.length)}`,
    '  > accept: */*',
    '  > access-control-request-method: PUT',
    `  > origin: ${PAGE}`,
    '  > sec-fetch-mode: cors',
    '  < HTTP/1.1 204 No Content',
    `  < Access-Control-Allow-Origin: ${PAGE}`,
    '  < Access-Control-Allow-Methods: GET, POST',
    '  BLOCKED  Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.',
    `  Console: Access to fetch at '${server.url}/items' from origin '${PAGE}' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.`,
    '  Fix:     the server must answer the preflight with `Access-Control-Allow-Methods` containing `PUT`',
    '',
    'ACTUAL REQUEST  not sent: a browser stops after a failed preflight',
    '',
    'DANGER CHECKS  the same request from origins no server should trust with credentials',
    '  ok      https://cors-check-probe.invalid is not allowed with credentials',
    '  ok      null is not allowed with credentials',
    '',
    'RESULT  BLOCKED: MethodDisallowedByPreflightResponse (exit 1)',
    ''
  ].join('\n'))
})

test('the text report of an allowed request flags a dangerous configuration', async (t) => {
  const server = await serve(t, reflectAnyServer)
  const { code, out } = await run([`${server.url}/me`, '--origin', PAGE, '--credentials', '--header', 'Cookie: sid=1'])
  t.equal(code, 0)
  t.match(out, 'NOTE  a page cannot set `Cookie` (a forbidden request header): the browser drops it, so it is not sent\n\nPREFLIGHT  not needed')
  t.match(out, '  ALLOWED  the page can read this 200 response; readable headers: content-type\n')
  t.match(out, '  DANGER  the server reflects an arbitrary origin (https://cors-check-probe.invalid) together with `Access-Control-Allow-Credentials: true`')
  t.match(out, '  DANGER  the server allows the `null` origin with credentials')
  t.match(out, 'RESULT  ALLOWED: a browser would let the page read the response, but see DANGER above (exit 0)\n')
  t.equal(server.seen.some((r) => pairs(r.rawHeaders).some(([name]) => name.toLowerCase() === 'cookie')), false, 'the forbidden header is not sent')
})

test('redirects', async (t) => {
  t.test('a redirected preflight is blocked and the actual request is not sent', async (t) => {
    const server = await serve(t, (req, res) => {
      res.writeHead(301, { location: '/items/', 'access-control-allow-origin': PAGE }).end()
    })
    const { code, report } = await runJson([`${server.url}/items`, '--origin', PAGE, '--method', 'PUT'])
    t.equal(code, 1)
    t.equal(report.failure, 'PreflightDisallowedRedirect')
    t.equal(report.message, "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.")
    t.equal(report.fix, 'the server must answer the preflight itself with a 2xx status instead of redirecting (it answered 301 to /items/); point the page at the final URL')
    t.equal(report.actualSent, false)
    t.same(server.seen.map((r) => r.method), ['OPTIONS', 'OPTIONS', 'OPTIONS'], 'only the preflight and the two probe preflights')
  })

  t.test('a simple request follows a redirect to another origin, whose Origin becomes null', async (t) => {
    const final = await serve(t, (req, res) => {
      res.writeHead(200, { 'access-control-allow-origin': req.headers.origin ?? '' }).end()
    })
    const first = await serve(t, (req, res) => {
      res.writeHead(302, { location: `${final.url}/new`, 'access-control-allow-origin': PAGE }).end()
    })
    const { code, report } = await runJson([`${first.url}/old`, '--origin', PAGE])
    t.equal(code, 0)
    t.same(report.exchanges.map((e) => [e.kind, e.response.status]), [['redirect', 302], ['actual', 200]])
    t.same(report.exchanges[0]?.notes, ["after a redirect from one cross-origin URL to another origin, the request's Origin becomes `null`"])
    t.same(report.exchanges[1]?.request.headers, [['accept', '*/*'], ['origin', 'null'], ['sec-fetch-mode', 'cors']])
    const received = pairs((final.seen[0] as Running['seen'][number]).rawHeaders)
    t.same(received.find(([name]) => name === 'origin'), ['origin', 'null'], 'the second server saw Origin: null')
  })

  t.test('a redirect without CORS headers is blocked', async (t) => {
    const server = await serve(t, (req, res) => { res.writeHead(302, { location: '/elsewhere' }).end() })
    const { code, report } = await runJson([`${server.url}/old`, '--origin', PAGE])
    t.equal(code, 1)
    t.equal(report.failure, 'MissingAllowOriginHeader')
    t.equal(report.fix, 'the server must answer with `Access-Control-Allow-Origin: http://localhost:8080` (or `*` if the resource is public) on the 302 redirect response too, or point the page at the final URL')
    t.same(report.exchanges.map((e) => e.kind), ['redirect'])
  })
})

test('network and usage errors exit with 2', async (t) => {
  t.test('server down', async (t) => {
    const server = await startServer(correctServer)
    await server.close()
    const { code, report } = await runJson([`${server.url}/items`, '--origin', PAGE])
    t.equal(code, 2)
    t.same(report.error, { code: 'connection-refused', message: `connection refused by ${server.url.slice('http://'.length)}: is the server running and listening on that port?` })
    t.equal(report.verdict, 'error')
    const text = await run([`${server.url}/items`, '--origin', PAGE])
    t.match(text.out, `ERROR  connection refused by ${server.url.slice('http://'.length)}`)
    t.match(text.out, 'RESULT  ERROR (exit 2)')
  })

  t.test('DNS failure', async (t) => {
    const { code, report } = await runJson(['http://cors-check-test.invalid/', '--origin', PAGE])
    t.equal(code, 2)
    t.equal(report.error?.code, 'dns')
    t.match(report.error?.message, /^DNS lookup failed for cors-check-test\.invalid \(/)
  })

  t.test('timeout', async (t) => {
    const server = await serve(t, () => { /* never answers */ })
    const { code, report } = await runJson([`${server.url}/slow`, '--origin', PAGE, '--timeout', '200'])
    t.equal(code, 2)
    t.same(report.error, { code: 'timeout', message: `timed out after 200 ms waiting for ${server.url.slice('http://'.length)} (raise it with --timeout)` })
  })

  t.test('TLS: an untrusted self-signed certificate', async (t) => {
    const server = await startHttpsServer(correctServer)
    t.teardown(server.close)
    const { code, report } = await runJson([`${server.url}/items`, '--origin', PAGE])
    t.equal(code, 2)
    t.equal(report.error?.code, 'tls')
    t.match(report.error?.message, /^TLS error talking to 127\.0\.0\.1:\d+: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/)
  })

  t.test('TLS: https to a plain HTTP server', async (t) => {
    const server = await serve(t, correctServer)
    const { code, report } = await runJson([`${server.url.replace('http:', 'https:')}/items`, '--origin', PAGE])
    t.equal(code, 2)
    t.equal(report.error?.code, 'tls')
  })

  const usage: Array<{ desc: string, argv: string[], message: string }> = [
    { desc: 'no arguments', argv: [], message: 'expected exactly one <url>, got 0\n--origin is required (the origin of the page making the request)' },
    { desc: 'relative URL', argv: ['/items', '--origin', PAGE], message: "<url> must be an absolute http(s) URL; got '/items'" },
    { desc: 'ftp URL', argv: ['ftp://127.0.0.1/', '--origin', PAGE], message: "<url> must be an http(s) URL; got 'ftp://127.0.0.1/'" },
    { desc: 'origin with a trailing slash', argv: ['http://127.0.0.1/', '--origin', 'http://localhost:8080/'], message: "--origin must be exactly scheme://host[:port] as a browser sends it (lower-case, no default port, no path or trailing slash); did you mean 'http://localhost:8080'?" },
    { desc: 'origin that is not a URL', argv: ['http://127.0.0.1/', '--origin', 'localhost'], message: "--origin must be a serialised origin such as http://localhost:8080 (or null); got 'localhost'" },
    { desc: 'file origin', argv: ['http://127.0.0.1/', '--origin', 'file:///tmp/x.html'], message: "--origin must be an http or https origin (or null); got 'file:///tmp/x.html'" },
    { desc: 'bad timeout', argv: ['http://127.0.0.1/', '--origin', PAGE, '--timeout', '0'], message: "--timeout must be a whole number of milliseconds from 1 to 600000; got '0'" },
    { desc: 'unknown option', argv: ['http://127.0.0.1/', '--origin', PAGE, '--nope'], message: "Unknown option '--nope'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--nope\"" },
    { desc: 'forbidden method', argv: ['http://127.0.0.1/', '--origin', PAGE, '--method', 'TRACE'], message: "fetch() would throw a TypeError: 'TRACE' HTTP method is unsupported." },
    { desc: 'invalid header name', argv: ['http://127.0.0.1/', '--origin', PAGE, '--header', 'X Y: 1'], message: "fetch() would throw a TypeError: Invalid name: 'X Y'" }
  ]
  for (const c of usage) {
    t.test(`usage: ${c.desc}`, async (t) => {
      const text = await run(c.argv)
      t.equal(text.code, 2)
      t.equal(text.out, '')
      t.match(text.err, `cors-check: ${c.message}\n\nUsage: cors-check <url> --origin <origin> [options]`)
      const json = await run([...c.argv, '--json'])
      t.equal(json.code, 2)
      t.same(JSON.parse(json.out), { verdict: 'error', exitCode: 2, error: { code: 'usage', message: c.message } })
    })
  }

  t.test('--help', async (t) => {
    const { code, out } = await run(['--help'])
    t.equal(code, 0)
    t.match(out, /^Usage: cors-check <url> --origin <origin> \[options\]/)
    // outside a project that has the package, a bare `npx cors-check` looks for a package named cors-check
    t.match(out, 'npx -p fastify-cors-policy cors-check <url> --origin <origin>', 'says how to run it with npx anywhere')
    t.match(out, /npx cors-check <url> --origin <origin> in a project that has fastify-cors-policy installed/)
  })
})

test('same-origin requests involve no CORS', async (t) => {
  const server = await serve(t, (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2', 'set-cookie': 'a=b' }).end('ok') })
  const { code, report } = await runJson([`${server.url}/x`, '--origin', server.url, '--method', 'DELETE', '--header', 'X-A: 1'])
  t.equal(code, 0)
  t.equal(report.sameOrigin, true)
  t.same(report.exchanges.map((e) => e.kind), ['actual'])
  t.same(report.exchanges[0]?.exposedHeaders, ['content-type', 'content-length', 'date', 'connection'])
  const text = await run([`${server.url}/x`, '--origin', server.url])
  t.match(text.out, 'SAME ORIGIN  the page and the URL share an origin: no CORS applies\n')
})

test('text report of a preflighted request that is redirected with 303', async (t) => {
  const server = await serve(t, (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', PAGE)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'PUT' }).end()
      return
    }
    if (req.url === '/items') {
      res.writeHead(303, { location: '/items/1' }).end()
      return
    }
    res.writeHead(200).end()
  })
  const { code, out } = await run([`${server.url}/items`, '--origin', PAGE, '--method', 'PUT', '--header', 'Content-Type: text/plain', '--data', 'hello'])
  t.equal(code, 0)
  const blocks = out.split('\n\n')
  t.match(blocks[1], /^PREFLIGHT {2}sent because PUT is not a CORS-safelisted method \(GET, HEAD, POST\)\n[^]*\n {2}ALLOWED {2}the preflight passes$/)
  t.match(blocks[2], /^REQUEST \(redirected\)\n {2}> PUT \/items HTTP\/1\.1\n[^]*\n {2}> \(5-byte body\)\n {2}< HTTP\/1\.1 303 See Other\n {2}< Access-Control-Allow-Origin: http:\/\/localhost:8080\n {2}< location: \/items\/1\n {2}FOLLOWED {2}the browser follows this redirect\n {2}Note: 303 turns PUT into GET and drops the body$/)
  t.match(blocks[3], /^ACTUAL REQUEST\n {2}> GET \/items\/1 HTTP\/1\.1\n[^]*\n {2}ALLOWED {2}the page can read this 200 response; readable headers: \(none\)$/)
  t.notMatch(blocks[3], 'byte body', 'the 303 dropped the body')
  t.equal(server.seen.map((r) => `${r.method} ${r.url}`).slice(0, 3).join(', '), 'OPTIONS /items, PUT /items, GET /items/1')
})

test('a failing probe is noted without changing the verdict', async (t) => {
  const server = await serve(t, (req, res) => {
    if (req.headers.origin !== PAGE) {
      req.socket.destroy()
      return
    }
    res.writeHead(200, { 'access-control-allow-origin': PAGE }).end()
  })
  const { code, out } = await run([`${server.url}/items`, '--origin', PAGE])
  t.equal(code, 0)
  const host = server.url.slice('http://'.length)
  t.match(out, `  NOTE    the probe from origin https://cors-check-probe.invalid failed: the connection to ${host} was closed before a response arrived (ECONNRESET)\n`)
  t.match(out, `  NOTE    the probe from origin null failed: the connection to ${host} was closed before a response arrived (ECONNRESET)\n`)
  t.match(out, 'RESULT  ALLOWED: a browser would let the page read the response (exit 0)\n')
})

test('an invalid HTTP response is a network error', async (t) => {
  const server = createNetServer((socket) => { socket.end('garbage\r\n\r\n') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const { port } = server.address() as AddressInfo
  const { code, report } = await runJson([`http://127.0.0.1:${port}/`, '--origin', PAGE])
  t.equal(code, 2)
  t.same(report.error, { code: 'invalid-response', message: `127.0.0.1:${port} sent an invalid HTTP response (HPE_INVALID_CONSTANT)` })
})

test('describeFailure names each kind of network failure', async (t) => {
  const url = new URL('https://api.example.test:8443/x')
  const cases: Array<{ desc: string, code?: string, message: string, want: [string, string] }> = [
    { desc: 'temporary DNS failure', code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN', want: ['dns', 'DNS lookup failed for api.example.test (EAI_AGAIN)'] },
    { desc: 'broken pipe', code: 'EPIPE', message: 'write EPIPE', want: ['connection-reset', 'the connection to api.example.test:8443 was closed before a response arrived (EPIPE)'] },
    { desc: 'expired certificate', code: 'CERT_HAS_EXPIRED', message: 'certificate has expired', want: ['tls', 'TLS error talking to api.example.test:8443: certificate has expired (CERT_HAS_EXPIRED); a browser would refuse this too. For a private CA, set NODE_EXTRA_CA_CERTS'] },
    { desc: 'TLS alert without a TLS code', code: 'ECONNABORTED', message: 'SSL alert number 40', want: ['tls', 'TLS error talking to api.example.test:8443: SSL alert number 40 (ECONNABORTED); a browser would refuse this too. For a private CA, set NODE_EXTRA_CA_CERTS'] },
    { desc: 'anything else', code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH', want: ['network', 'network error talking to api.example.test:8443: connect EHOSTUNREACH (EHOSTUNREACH)'] },
    { desc: 'no code at all', message: 'boom', want: ['network', 'network error talking to api.example.test:8443: boom (UNKNOWN)'] }
  ]
  for (const c of cases) {
    const failure = describeFailure(Object.assign(new Error(c.message), c.code === undefined ? {} : { code: c.code }), url, 1000)
    t.same([failure.code, failure.message], c.want, c.desc)
  }
})

test('the null origin is accepted and sent as such', async (t) => {
  const server = await serve(t, (req, res) => { res.writeHead(200, { 'access-control-allow-origin': '*' }).end() })
  const { code, report } = await runJson([`${server.url}/public`, '--origin', 'null'])
  t.equal(code, 0)
  t.same(report.exchanges[0]?.request.headers, [['accept', '*/*'], ['origin', 'null'], ['sec-fetch-mode', 'cors']])
  const head = await runJson([`${server.url}/public`, '--origin', PAGE, '--method', 'head'])
  t.equal(head.code, 0)
  t.same(head.report.probes.map((p) => [p.exchange?.request.method, p.allowedWithCredentials]), [['HEAD', false], ['HEAD', false]], 'a HEAD is probed with HEAD requests')
})
