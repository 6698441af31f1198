import { test } from 'tap'
import { followRedirect, MAX_REDIRECTS } from '../../lib/browser/redirect.js'
import type { PageRequest, ResponseHead } from '../../lib/browser/model.js'

const PAGE = 'http://localhost:8080'
const API = 'http://127.0.0.1:3000/old'
const ALLOW = { 'access-control-allow-origin': PAGE }

function page (over: Partial<PageRequest> = {}): PageRequest {
  return { url: API, origin: PAGE, method: 'GET', ...over }
}

function redirect (status: number, location: string, headers: ResponseHead['headers'] = ALLOW): ResponseHead {
  return { status, headers: { ...headers, location } }
}

test('followRedirect applies Fetch#http-redirect-fetch', async (t) => {
  const cases: Array<{ desc: string, req: PageRequest, res: ResponseHead, count?: number, want: unknown }> = [
    { desc: 'a 200 is final', req: page(), res: { status: 200, headers: ALLOW }, want: { kind: 'final' } },
    { desc: 'a 302 without Location is final', req: page(), res: { status: 302, headers: ALLOW }, want: { kind: 'final' } },
    {
      desc: 'same-origin hop keeps the origin',
      req: page(),
      res: redirect(307, '/new'),
      want: { kind: 'follow', next: page({ url: 'http://127.0.0.1:3000/new', headers: [] }), notes: [] }
    },
    {
      desc: 'cross-origin to another origin taints the Origin',
      req: page({ headers: { 'X-A': '1' } }),
      res: redirect(308, 'http://127.0.0.2:4000/new'),
      want: {
        kind: 'follow',
        next: page({ url: 'http://127.0.0.2:4000/new', headers: [['X-A', '1']], origin: 'null' }),
        notes: ["after a redirect from one cross-origin URL to another origin, the request's Origin becomes `null`"]
      }
    },
    {
      desc: 'redirect back to the page origin also taints',
      req: page(),
      res: redirect(302, 'http://localhost:8080/back'),
      want: { kind: 'follow', next: page({ url: 'http://localhost:8080/back', headers: [], origin: 'null' }), notes: ["after a redirect from one cross-origin URL to another origin, the request's Origin becomes `null`"] }
    },
    {
      desc: 'a same-origin request redirected away keeps its origin and needs no CORS check on the hop',
      req: page({ url: 'http://localhost:8080/start' }),
      res: redirect(302, API, {}),
      want: { kind: 'follow', next: page({ url: API, headers: [] }), notes: [] }
    },
    {
      desc: 'an already-null origin stays null without a new note',
      req: page({ origin: 'null' }),
      res: redirect(302, 'http://127.0.0.2/', { 'access-control-allow-origin': '*' }),
      want: { kind: 'follow', next: page({ url: 'http://127.0.0.2/', headers: [], origin: 'null' }), notes: [] }
    },
    {
      desc: '303 turns PUT into GET and drops body headers',
      req: page({ method: 'put', headers: [['Content-Type', 'application/json'], ['X-A', '1']] }),
      res: redirect(303, '/done'),
      want: { kind: 'follow', next: page({ url: 'http://127.0.0.1:3000/done', headers: [['X-A', '1']] }), notes: ['303 turns PUT into GET and drops the body'] }
    },
    {
      desc: '303 keeps HEAD',
      req: page({ method: 'HEAD' }),
      res: redirect(303, '/done'),
      want: { kind: 'follow', next: page({ url: 'http://127.0.0.1:3000/done', method: 'HEAD', headers: [] }), notes: [] }
    },
    {
      desc: '301 turns POST into GET',
      req: page({ method: 'post', headers: { 'Content-Type': 'text/plain' } }),
      res: redirect(301, '/done'),
      want: { kind: 'follow', next: page({ url: 'http://127.0.0.1:3000/done', headers: [] }), notes: ['301 turns POST into GET and drops the body'] }
    },
    {
      desc: '307 keeps POST and its body',
      req: page({ method: 'POST', headers: { 'Content-Type': 'text/plain' } }),
      res: redirect(307, '/done'),
      want: { kind: 'follow', next: page({ url: 'http://127.0.0.1:3000/done', method: 'POST', headers: [['Content-Type', 'text/plain']] }), notes: [] }
    },
    {
      desc: 'Authorization is dropped on a cross-origin hop',
      req: page({ url: 'http://localhost:8080/start', headers: { Authorization: 'Bearer t' } }),
      res: redirect(302, API, {}),
      want: { kind: 'follow', next: page({ url: API, headers: [] }), notes: ['Authorization is removed on a cross-origin redirect'] }
    },
    {
      desc: 'the redirect response must pass the CORS check',
      req: page(),
      res: redirect(302, '/new', {}),
      want: {
        kind: 'blocked',
        verdict: {
          allowed: false,
          failure: 'MissingAllowOriginHeader',
          message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
          fix: 'the server must answer with `Access-Control-Allow-Origin: http://localhost:8080` (or `*` if the resource is public) on the 302 redirect response too, or point the page at the final URL'
        }
      }
    },
    {
      desc: 'credentials in the Location',
      req: page(),
      res: redirect(302, 'http://user:pw@127.0.0.2/'),
      want: {
        kind: 'blocked',
        verdict: {
          allowed: false,
          failure: 'RedirectContainsCredentials',
          message: "Redirect location 'http://user:pw@127.0.0.2/' contains a username and password, which is disallowed for cross-origin requests.",
          fix: 'the server must redirect to a URL without user name or password'
        }
      }
    },
    {
      desc: 'credentials in a same-origin Location of a same-origin request are fine',
      req: page({ url: 'http://localhost:8080/start' }),
      res: redirect(302, 'http://u@localhost:8080/next', {}),
      want: { kind: 'follow', next: page({ url: 'http://u@localhost:8080/next', headers: [] }), notes: [] }
    },
    {
      desc: 'unparsable Location',
      req: page(),
      res: redirect(302, 'http://[oops/'),
      want: { kind: 'blocked', verdict: { allowed: false, failure: 'InvalidRedirect', message: 'net::ERR_INVALID_REDIRECT', fix: "the server must redirect to a valid URL; it sent Location 'http://[oops/'" } }
    },
    {
      desc: 'non-HTTP Location',
      req: page(),
      res: redirect(302, 'ftp://example.com/'),
      want: { kind: 'blocked', verdict: { allowed: false, failure: 'InvalidRedirect', message: 'net::ERR_INVALID_REDIRECT', fix: "the server must redirect to an http(s) URL; it sent Location 'ftp://example.com/'" } }
    },
    {
      desc: 'the twenty-first redirect',
      req: page(),
      res: redirect(302, '/again'),
      count: MAX_REDIRECTS,
      want: { kind: 'blocked', verdict: { allowed: false, failure: 'TooManyRedirects', message: 'net::ERR_TOO_MANY_REDIRECTS', fix: 'the server must stop redirecting: a browser gives up after 20 redirects' } }
    }
  ]
  for (const c of cases) t.same(followRedirect(c.req, c.res, c.count ?? 0), c.want, c.desc)
})
