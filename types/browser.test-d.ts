import Fastify from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import {
  browserVerdict, fetchFromPage, needsPreflight, preflightRequest, PreflightCache,
  type BrowserExchange, type FailureCode, type FetchResult, type InjectableApp, type PageFetch, type PageResponse
} from 'fastify-cors-policy/browser'

const app = Fastify()
const page: PageFetch = { origin: 'https://app.example.com', url: '/items/1', method: 'PUT', headers: { 'X-Request-Id': '1' }, credentials: 'include' }

// a Fastify instance is an InjectableApp, and so is anything with the same inject()
expectAssignable<InjectableApp>(app)
expectAssignable<InjectableApp>({ inject: async () => ({ statusCode: 204, headers: { 'content-length': 0, vary: ['Origin'] } }) })
expectNotAssignable<InjectableApp>({ inject: () => ({ statusCode: 204, headers: {} }) })

const result = await fetchFromPage(app, page)
expectType<FetchResult>(result)
expectType<boolean>(result.allowed)
expectType<string | undefined>(result.consoleMessage)
expectType<FailureCode | undefined>(result.failure)
expectType<BrowserExchange | undefined>(result.preflight)
expectType<PageResponse | undefined>(result.response)
expectType<boolean>(result.actualSent)
expectType<Array<[name: string, value: string]>>(result.exchanges[0]!.request.headers)
await fetchFromPage(app, page, { preflightCache: new PreflightCache(), now: 10 })

// browserVerdict takes an inject() response as it is
const verdict = browserVerdict(page, await app.inject({ method: 'OPTIONS', url: '/items/1' }), { preflight: true })
expectType<string | undefined>(verdict.consoleMessage)
expectType<string[] | undefined>(verdict.exposedHeaders)

// the model's building blocks take an absolute URL and a method
expectType<boolean>(needsPreflight({ origin: 'https://app.example.com', url: 'https://api.example.com/x', method: 'GET' }))
expectType<string>(preflightRequest({ origin: 'https://app.example.com', url: 'https://api.example.com/x', method: 'PUT' }).method)

expectError(fetchFromPage(app, { origin: 'https://app.example.com', url: '/x', credentials: 'always' }))
expectError(fetchFromPage(app, { url: '/x' }))
expectError(browserVerdict(page, { status: 200, headers: {} }))
