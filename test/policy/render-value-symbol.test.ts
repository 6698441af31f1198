import { test } from 'tap'
import { renderValue } from '../../lib/policy/options.js'
import { validateCorsOptions } from '../../lib/index.js'

test('a value JSON cannot render (a symbol) is named by String()', async (t) => {
  t.equal(renderValue(Symbol('tenant')), 'Symbol(tenant)')
  t.equal(renderValue([Symbol.iterator]), '[Symbol(Symbol.iterator)]')
  const problems = validateCorsOptions({ maxAge: Symbol('x') })
  t.equal(problems.length, 1)
  t.equal(problems[0]?.path, '/maxAge')
  t.equal(problems[0]?.message, 'expected an integer from 0 to 86400 (seconds), received Symbol(x)')
})
