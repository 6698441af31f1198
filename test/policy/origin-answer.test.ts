import { test } from 'tap'
import { compileOriginAnswer, originAnswerVerdict } from '../../lib/policy/origin-answer.js'

test('an origin function answer is matched as a configured origin value', async (t) => {
  const cases: Array<[unknown, string, string]> = [
    [true, 'https://x.com', 'allowed'],
    [false, 'https://x.com', 'not-allowed'],
    [undefined, 'https://x.com', 'not-allowed'],
    [null, 'https://x.com', 'not-allowed'],
    ['*', 'https://x.com', 'allowed'],
    [['*'], 'https://x.com', 'allowed'],
    ['https://x.com', 'https://x.com', 'allowed'],
    ['HTTPS://X.com:443', 'https://x.com', 'allowed'],
    ['https://x.com', 'https://y.com', 'not-allowed'],
    ['https://*.x.com', 'https://a.x.com', 'allowed'],
    ['https://*.x.com', 'https://x.com', 'not-allowed'],
    [/^https:\/\/x\.com$/g, 'https://x.com', 'allowed'],
    [['https://y.com', /^https:\/\/x\.com$/], 'https://x.com', 'allowed'],
    ['https://x.com/', 'https://x.com', 'invalid'],
    [/x\.com/, 'https://x.com', 'invalid'],
    [['*', 'https://x.com'], 'https://x.com', 'invalid'],
    [5, 'https://x.com', 'invalid'],
    [{}, 'https://x.com', 'invalid']
  ]
  for (const [answer, origin, expected] of cases) {
    t.equal(originAnswerVerdict(compileOriginAnswer(answer), origin), expected, `${String(answer)} for ${origin}`)
  }
  t.equal(compileOriginAnswer('*').kind, 'any', "'*' is answered with ACAO '*'")
  t.match(compileOriginAnswer('https://x.com/'), { kind: 'invalid', problem: /did you mean 'https:\/\/x\.com'/ })
})

test('strings and RegExps are compiled once; arrays are read as they are now', async (t) => {
  t.equal(compileOriginAnswer('https://cached.example'), compileOriginAnswer('https://cached.example'))
  const re = /^https:\/\/r\.example$/
  t.equal(compileOriginAnswer(re), compileOriginAnswer(re))
  const list = ['https://a.example']
  t.equal(originAnswerVerdict(compileOriginAnswer(list), 'https://b.example'), 'not-allowed')
  list.push('https://b.example')
  t.equal(originAnswerVerdict(compileOriginAnswer(list), 'https://b.example'), 'allowed')
  for (let i = 0; i < 1100; i++) compileOriginAnswer(`https://n${i}.example`)
  t.equal(originAnswerVerdict(compileOriginAnswer('https://n0.example'), 'https://n0.example'), 'allowed', 'the bounded cache is emptied when full and still answers')
})
