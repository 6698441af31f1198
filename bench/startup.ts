// Start-up cost of a large allow-list: `startup.ts <variant> <count>` prints the milliseconds of
// `app.register(cors, { origin: [count origins] })` + one route + `await app.ready()` as JSON. Run in a fresh
// process per measurement so that no JIT or cache from an earlier run helps.
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

const origin = exactOrigins(count)
const app = Fastify({ logger: false })

const started = process.hrtime.bigint()
if (variant === 'plugin') await app.register(corsPolicy, { origin, credentials: true })
if (variant === 'fastify-cors') await app.register(fastifyCors, { origin, credentials: true })
app.get('/items', async () => ({ hello: 'world' }))
await app.ready()
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6
await app.close()
process.stdout.write(JSON.stringify({ variant, count, elapsedMs }) + '\n')
