// The lookup on its own, with stand-ins for Fastify's request and reply: the requests waiting for one
// call each get the answer even when the continuation of one of them throws.
import { test } from 'tap'
import { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { resolveOptions } from '../../lib/policy/options.js'
import { compilePolicy } from '../../lib/policy/compile.js'
import { lookUpOrigin } from '../../lib/plugin/origin-lookup.js'
import type { OriginLookupResult } from '../../lib/plugin/origin-cache.js'

const TENANT = 'https://tenant.example.net'

function standIns (): { request: FastifyRequest, reply: FastifyReply, errors: string[] } {
  const errors: string[] = []
  const request = { log: { error: (_fields: unknown, message: string) => { errors.push(message) }, debug: () => {} } } as unknown as FastifyRequest
  const raw = Object.assign(new EventEmitter(), { destroyed: false, writableEnded: false })
  return { request, reply: { raw } as unknown as FastifyReply, errors }
}

test('a continuation that throws is logged, and the other requests waiting still get the answer', async (t) => {
  let answer: (allowed: boolean) => void = () => {}
  let calls = 0
  const { options } = resolveOptions({ origin: async () => { calls++; return await new Promise<boolean>((resolve) => { answer = resolve }) }, originCache: true })
  const policy = compilePolicy(options, {})
  const first = standIns()
  const second = standIns()
  const results: OriginLookupResult[] = []
  lookUpOrigin(policy, TENANT, first.request, first.reply, () => { throw new Error('continuation') })
  lookUpOrigin(policy, TENANT, second.request, second.reply, (result) => { results.push(result) })
  answer(true)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(calls, 1)
  t.same(results, [{ ok: true, answer: { kind: 'allow' }, data: undefined }])
  t.same(first.errors, [`fastify-cors-policy: the origin function's answer for origin '${TENANT}' could not be handled`])
  t.same(second.errors, [])
  t.equal((first.reply.raw as unknown as EventEmitter).listenerCount('close'), 0, 'no longer watching the client')
})
