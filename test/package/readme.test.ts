import { test } from 'tap'
import { readFileSync } from 'node:fs'

// What a newcomer copies from the README: how to install the package, how to run its CLI with npx,
// and the repository's own quick start.

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const { name } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string }

/** The text of the `## ` section whose heading starts with `heading`, up to the next `## ` heading. */
function section (heading: string): string {
  const found = readme.split(/^(?=## )/m).find((part) => part.startsWith(`## ${heading}`))
  if (found === undefined) throw new Error(`README.md has no '## ${heading}' section`)
  return found
}

/** The fenced code blocks of a text, with their language. */
const codeBlocks = (text: string): Array<{ lang: string, code: string }> =>
  [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? '', code: m[2] ?? '' }))

test('Usage opens with the install command of the published package', async (t) => {
  const first = codeBlocks(section('Usage'))[0]
  t.equal(first?.lang, 'sh', 'the first block of Usage is a shell command')
  t.match(first?.code, new RegExp(`^npm install ${name}(?:\\s|$)`, 'm'), `npm install ${name}`)
  t.match(section('Quick start'), `\`npm install ${name}\``, 'Quick start points an app author to it too')
})

test("the repository's own quick start stays: npm install && npm run demo, npm test", async (t) => {
  const commands = codeBlocks(section('Quick start')).filter((block) => block.lang === 'sh').map((block) => block.code).join('')
  t.match(commands, /^npm install && npm run demo +#/m)
  t.match(commands, /^npm test +#/m)
})

test('cors-check: npx -p names the package for use outside a project that has it', async (t) => {
  const text = section('`cors-check`')
  const commands = codeBlocks(text).filter((block) => block.lang === 'sh').map((block) => block.code).join('')
  // a bare `npx cors-check` outside such a project looks for a package named cors-check
  t.match(commands, new RegExp(`^npx -p ${name} cors-check <url> --origin <origin>`, 'm'), `npx -p ${name} cors-check`)
  t.match(text, new RegExp(`\`npx cors-check\` works in a project that has ${name} installed`), 'says where the short form works')
})

test('the demo port variables the README names are the ones demo/server.ts reads', async (t) => {
  const read = [...new Set(readFileSync(new URL('../../demo/server.ts', import.meta.url), 'utf8').match(/\b[A-Z]+_PORT\b/g))].sort()
  t.same(read, ['API_PORT', 'OTHER_PORT', 'WEB_PORT'])
  for (const variable of read) t.match(section('Quick start'), `\`${variable}\``, `README names ${variable}`)
})
