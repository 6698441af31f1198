/**
 * The type names @fastify/cors exports, so migrating code keeps its imports. Each is typed the way
 * @fastify/cors types it where the meaning is the same; origin functions also receive the request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CorsDelegatorCallback, FastifyCorsDelegatedOptions, OriginAnswer, OriginCallback } from './schema.js'

/** An origin function that answers through its callback: `cb(null, true)`. */
export type OriginFunction = (this: FastifyInstance, origin: string | undefined, callback: OriginCallback, request: FastifyRequest) => void

/** An origin function that answers with a promise: `async (origin) => origin === 'https://a.com'`. */
export type AsyncOriginFunction = (this: FastifyInstance, origin: string | undefined, callback: OriginCallback, request: FastifyRequest) => Promise<OriginAnswer | undefined>

/** A delegator that answers through its callback: `(request, cb) => cb(null, { origin: … })`. */
export type FastifyCorsOptionsDelegateCallback = (request: FastifyRequest, callback: CorsDelegatorCallback) => void

/** A delegator that answers with a promise of the options. */
export type FastifyCorsOptionsDelegatePromise = (request: FastifyRequest) => Promise<FastifyCorsDelegatedOptions>

export type FastifyCorsOptionsDelegate = FastifyCorsOptionsDelegateCallback | FastifyCorsOptionsDelegatePromise

/** Options given as a function of the instance the plugin is registered in, returning a delegator. */
export type FastifyPluginOptionsDelegate<T = FastifyCorsOptionsDelegate> = (instance: FastifyInstance) => T
