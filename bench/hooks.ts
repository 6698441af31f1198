// The CORS layer's own request-time code, in process: `hooks.ts [--quick] [--scenario=<name>] [--transport=http]` prints a JSON array of
// HookResult. For each scenario with a headers floor, the apps are built in this process: the plugin's,
// the headers floor's (bench/app.ts) and, where the scenario has one, the SPEC minimum's
// (bench/spec-minimum.ts); every request-time hook each adds, and every OPTIONS route
// handler (the plugin answers preflights from its own routes), is wrapped with a timer that runs from
// the call until the function returns or calls its `done` (what runs after `done` is Fastify's, not the
// hook's), less the time inside `reply.send()`. Requests go one at a time, through `app.inject()` (the
// default: everything stays hot in the caches; light-my-request's mock response keeps a header map a
// server's response does not have, which makes reading the response's headers dearer), or with
// `--transport=http` over loopback HTTP with one kept-alive connection (the request and response objects
// a server gives its hooks, and the caches as a server that waits for its next request leaves them). One
// transport per process: code that has read both kinds of request and response objects reads either
// more slowly than a server's code, which only ever sees one. Batches of the apps
// take turns, each batch gives the median request's hook time (ns), and the differences from the floor
// are taken batch by batch. A bare Fastify app's whole request is timed in the same process through `app.inject()`
// (from Fastify's router entry until the response ends, light-my-request's socketless request and
// response), so the difference can be read as a share of a bare request measured under the same
// conditions, not of an HTTP request inflated by the machine's load; a bare request over HTTP costs more.
import type { FastifyInstance } from 'fastify'
import { Agent, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import inject from 'light-my-request'
import { buildApp } from './app.js'
import { SCENARIOS } from './scenarios.js'
import { SPEC_MINIMUM_SCENARIOS, buildSpecMinimum } from './spec-minimum.js'
import type { BenchRequest, Scenario } from './scenarios.js'
import { bootstrapMedian, median } from './stats.js'
import type { Estimate } from './stats.js'

const quick = process.argv.includes('--quick')
/** `--scenario=<name>` (repeatable) measures only those scenarios, for profiling one path. */
const only = process.argv.filter((arg) => arg.startsWith('--scenario=')).map((arg) => arg.slice('--scenario='.length))
const transport: HookTransport = process.argv.includes('--transport=http') ? 'http' : 'inject'
const BATCHES = quick ? 7 : 25
const REQUESTS_PER_BATCH = quick ? 200 : 400
const WARMUP_REQUESTS = quick ? 1000 : 3000

/** How the requests reach the apps: `app.inject()`, or loopback HTTP. */
export type HookTransport = 'inject' | 'http'

export interface HookResult {
  readonly scenario: string
  readonly transport: HookTransport
  /** ns of hook time per request, median over batches. */
  readonly pluginNs: Estimate
  readonly floorNs: Estimate
  /** plugin − floor, batch by batch. */
  readonly differenceNs: Estimate
  /** A bare Fastify request in process (router entry to response end), median over batches. */
  readonly bareNs: Estimate
  /** bench/spec-minimum.ts's hooks − floor, batch by batch, where the scenario has a SPEC minimum. */
  readonly specMinimumNs?: Estimate
  /** the same as a fraction of a bare request in process. */
  readonly specMinimumOfBare?: Estimate
  /** plugin − floor as a fraction of a bare request in process, batch by batch. */
  readonly differenceOfBare: Estimate
  readonly requestsPerBatch: number
  readonly batches: number
}

const REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onError'])

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown

const now = (): bigint => process.hrtime.bigint()

/** The wrapped function being timed now, if any: one at a time, a wrapped function called from another counts for the outer one. */
let running: { readonly timer: HookTimer, started: bigint } | undefined

/** Sums the time spent in the wrapped functions, less the time in `reply.send()` (Fastify's, the same for every layer). */
class HookTimer {
  totalNs = 0

  wrap (fn: AnyFunction): AnyFunction {
    const timer = this
    const timed = function (this: unknown, ...args: unknown[]): unknown {
      if (running !== undefined) return fn.apply(this, args)
      const mine = { timer, started: now() }
      running = mine
      const stop = (): void => {
        if (running !== mine) return
        timer.totalNs += Number(now() - mine.started)
        running = undefined
      }
      const last = args.length - 1
      const done = args[last]
      // a callback-style hook: what its `done` runs (the next hook, the handler) is not the hook's own time
      if (typeof done === 'function' && fn.length === args.length) {
        args[last] = function (this: unknown, ...doneArgs: unknown[]): unknown {
          stop()
          return (done as AnyFunction).apply(this, doneArgs)
        }
      }
      try {
        return fn.apply(this, args)
      } finally {
        stop()
      }
    }
    // Fastify tells callback hooks from async ones by their arity
    Object.defineProperty(timed, 'length', { value: fn.length })
    return timed
  }

  instrument (app: FastifyInstance): void {
    const addHook = app.addHook as unknown as AnyFunction
    const timer = this
    addHook.call(app, 'onRequest', untimeSend)
    addHook.call(app, 'onRoute', (route: { method: string | string[], handler: AnyFunction }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      if (methods.includes('OPTIONS')) route.handler = timer.wrap(route.handler)
    })
    ;(app as unknown as { addHook: AnyFunction }).addHook = function (this: unknown, name: unknown, fn: unknown): unknown {
      return addHook.call(this, name, REQUEST_HOOKS.has(name as string) ? timer.wrap(fn as AnyFunction) : fn)
    }
  }
}

const UNTIMED = Symbol('untimed send')

/**
 * Pauses the timer while `reply.send()` runs: serialising and writing an answer is Fastify's work, the
 * same whichever layer calls it (hooks it runs, such as onSend, are timed on their own). Patched once,
 * on the prototype that holds `send`, from a hook that runs before any timed one.
 */
function untimeSend (_request: unknown, reply: object, done: () => void): void {
  let owner: Record<string | symbol, unknown> | null = reply as Record<string | symbol, unknown>
  while (owner !== null && !Object.hasOwn(owner, 'send')) owner = Object.getPrototypeOf(owner) as Record<string | symbol, unknown> | null
  if (owner !== null && owner[UNTIMED] !== true) {
    const send = owner.send as AnyFunction
    owner.send = function (this: unknown, ...args: unknown[]): unknown {
      const outer = running
      if (outer === undefined) return send.apply(this, args)
      outer.timer.totalNs += Number(now() - outer.started)
      running = undefined
      try {
        return send.apply(this, args)
      } finally {
        outer.started = now()
        running = outer
      }
    }
    owner[UNTIMED] = true
  }
  done()
}

/** A request header arrives as a fresh flat string whose hash V8 has not computed yet. */
function freshHeaders (request: BenchRequest): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Buffer.from(value, 'latin1').toString('latin1')
  return headers
}

/** One request over the agent's kept-alive connection, its body read to the end. */
async function send (agent: Agent, port: number, request: BenchRequest): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const outgoing = httpRequest({ agent, host: '127.0.0.1', port, method: request.method, path: request.path, headers: request.headers }, (response) => {
      response.on('data', () => {})
      response.on('end', resolve)
      response.on('error', reject)
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/** An app under test and how one request reaches it. */
interface Served {
  readonly send: () => Promise<unknown>
  readonly close: () => Promise<void>
}

/** Through `app.inject()`, or listening on loopback with one kept-alive connection to it. */
async function serve (app: FastifyInstance, transport: HookTransport, request: BenchRequest): Promise<Served> {
  if (transport === 'inject') {
    await app.ready()
    return { send: async () => await app.inject({ method: request.method as 'GET', url: request.path, headers: freshHeaders(request) }), close: async () => { await app.close() } }
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const port = (app.server.address() as AddressInfo).port
  return {
    send: async () => { await send(agent, port, request) },
    close: async () => {
      agent.destroy()
      await app.close()
    }
  }
}

/** Hook time of each request (ns), one request at a time. */
async function run (served: Served, timer: HookTimer, count: number): Promise<Float64Array> {
  const perRequest = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    timer.totalNs = 0
    await served.send()
    perRequest[i] = timer.totalNs
  }
  return perRequest
}

/** Whole-request time of a bare app (ns), from Fastify's router entry until the response ends. */
async function runBare (app: FastifyInstance, scenario: Scenario, count: number): Promise<Float64Array> {
  const { method, path } = scenario.request
  const perRequest = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    let started = 0n
    let ended = 0n
    await inject((req, res) => {
      res.once('finish', () => { ended = now() })
      started = now()
      app.routing(req, res)
    }, { method: method as 'GET', url: path, headers: freshHeaders(scenario.request) })
    perRequest[i] = Number(ended - started)
  }
  return perRequest
}

type Timed = 'plugin' | 'floor' | 'minimum'

async function measure (scenario: Scenario, transport: HookTransport): Promise<HookResult> {
  const timers: Record<Timed, HookTimer> = { plugin: new HookTimer(), floor: new HookTimer(), minimum: new HookTimer() }
  const apps: Partial<Record<Timed, Served>> = {
    plugin: await serve(await buildApp('plugin', scenario, (app) => { timers.plugin.instrument(app) }), transport, scenario.request),
    floor: await serve(await buildApp('headers-floor', scenario, (app) => { timers.floor.instrument(app) }), transport, scenario.request)
  }
  if (SPEC_MINIMUM_SCENARIOS.has(scenario.name)) apps.minimum = await serve(await buildSpecMinimum((app) => { timers.minimum.instrument(app) }), transport, scenario.request)
  const timed = Object.keys(apps) as Timed[]
  const bare = await buildApp('bare', scenario)
  await bare.ready()
  for (const which of timed) await run(apps[which] as Served, timers[which], WARMUP_REQUESTS)
  await runBare(bare, scenario, WARMUP_REQUESTS)
  // Per batch, the median request: a request preempted by the shared machine, or one in which a
  // garbage collection ran, is left out (allocation is measured on its own, over HTTP).
  const batch = async (which: Timed): Promise<number> => median([...await run(apps[which] as Served, timers[which], REQUESTS_PER_BATCH)])
  const perBatch: Record<Timed, number[]> = { plugin: [], floor: [], minimum: [] }
  const differences: number[] = []
  const minimumDifferences: number[] = []
  const bareNs: number[] = []
  const fractions: number[] = []
  const minimumFractions: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    // rotate which goes first, so that a drift in the machine's speed favours none
    const ns: Partial<Record<Timed, number>> = {}
    for (let i = 0; i < timed.length; i++) {
      const which = timed[(b + i) % timed.length] as Timed
      ns[which] = await batch(which)
      perBatch[which].push(ns[which])
    }
    const bareBatch = median([...await runBare(bare, scenario, REQUESTS_PER_BATCH)])
    bareNs.push(bareBatch)
    const floor = ns.floor as number
    differences.push((ns.plugin as number) - floor)
    fractions.push(((ns.plugin as number) - floor) / bareBatch)
    if (ns.minimum !== undefined) {
      minimumDifferences.push(ns.minimum - floor)
      minimumFractions.push((ns.minimum - floor) / bareBatch)
    }
  }
  await Promise.all([...timed.map(async (which) => { await (apps[which] as Served).close() }), bare.close()])
  return {
    scenario: scenario.name,
    transport,
    pluginNs: bootstrapMedian(perBatch.plugin),
    floorNs: bootstrapMedian(perBatch.floor),
    differenceNs: bootstrapMedian(differences),
    bareNs: bootstrapMedian(bareNs),
    differenceOfBare: bootstrapMedian(fractions),
    ...(minimumDifferences.length === 0 ? {} : { specMinimumNs: bootstrapMedian(minimumDifferences), specMinimumOfBare: bootstrapMedian(minimumFractions) }),
    requestsPerBatch: REQUESTS_PER_BATCH,
    batches: BATCHES
  }
}

const results: HookResult[] = []
for (const scenario of SCENARIOS) {
  if (scenario.headersFloor !== true || (only.length !== 0 && !only.includes(scenario.name))) continue
  results.push(await measure(scenario, transport))
}
process.stdout.write(JSON.stringify(results) + '\n')
