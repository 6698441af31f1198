// Start-up cost of a large allow-list: `startup.ts <variant> <count>` prints, as JSON, the
// milliseconds of `app.register(cors, { origin: [count origins] })` + one route + `await app.ready()`,
// and the heap still in use afterwards (after a full GC, the caller's own array dropped): what
// every later major GC has to mark. Run in a fresh process per measurement so that no JIT helps.
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Fastify from 'fastify'
import fastifyCors from '@fastify/cors'
import corsPolicy from '../lib/index.js'
import { exactOrigins, isVariant } from './scenarios.js'

const [variant, countText] = process.argv.slice(2)
const count = Number(countText)
if (variant === undefined || !isVariant(variant) || !Number.isInteger(count)) {
  process.stderr.write('usage: startup.ts <bare|plugin|fastify-cors> <origin count>\n')
  process.exit(2)
}

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

let origin: string[] | undefined = exactOrigins(count)
const app = Fastify({ logger: false })

const started = process.hrtime.bigint()
if (variant === 'plugin') await app.register(corsPolicy, { origin, credentials: true })
if (variant === 'fastify-cors') await app.register(fastifyCors, { origin, credentials: true })
app.get('/items', async () => ({ hello: 'world' }))
await app.ready()
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6

origin = undefined
collectGarbage()
collectGarbage()
const heapMiB = getHeapStatistics().used_heap_size / 2 ** 20
await app.close()
process.stdout.write(JSON.stringify({ variant, count, elapsedMs, heapMiB }) + '\n')
