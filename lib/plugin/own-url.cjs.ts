/**
 * own-url.ts for the CommonJS build (dist/cjs/own-url.js): the same URL, from CommonJS's `__filename`.
 * Only tsconfig.cjs.json compiles this file.
 */
import { pathToFileURL } from 'node:url'

export const ownUrl: string = pathToFileURL(__filename).href
