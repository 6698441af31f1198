// lib/browser/index.ts is the public entry of the browser model (`fastify-cors-policy/browser`): its
// runtime exports are a deliberate list, and the folder imports nothing from outside itself, so the
// oracle of the suite shares no code with the plugin it judges.
import { test } from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import ts from 'typescript'
import * as browser from '../../lib/browser/index.js'

const folder = new URL('../../lib/browser/', import.meta.url)

test('the entry exports the helpers and the model\'s public functions, nothing else', async (t) => {
  t.same(Object.keys(browser).sort(), [
    'DEFAULT_PREFLIGHT_MAX_AGE', 'MAX_PREFLIGHT_MAX_AGE', 'MAX_REDIRECTS', 'PreflightCache',
    'actualRequest', 'browserVerdict', 'checkActualResponse', 'checkPreflightResponse', 'consoleMessage',
    'corsUnsafeRequestHeaderNames', 'failureMessage', 'fetchFromPage', 'followRedirect', 'ignoredHeaders',
    'isSafelistedRequestHeader', 'isSameOrigin', 'needsPreflight', 'normalizeMethod', 'preflightMaxAge',
    'preflightReasons', 'preflightRequest', 'requestProblems'
  ])
})

test('lib/browser/ imports only its own files', async (t) => {
  const files = readdirSync(folder).filter((name) => name.endsWith('.ts'))
  t.ok(files.includes('index.ts'))
  for (const file of files) {
    // TypeScript's own scan: static imports and re-exports, import() and require() calls
    const specifiers = ts.preProcessFile(readFileSync(new URL(file, folder), 'utf8'), true, true).importedFiles.map((imported) => imported.fileName)
    const outside = specifiers.filter((specifier) => !/^\.\/[\w-]+\.js$/.test(specifier))
    t.same(outside, [], `${file} imports only ./<file>.js siblings`)
  }
})
