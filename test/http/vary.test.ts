import { test } from 'tap'
import { mergeVary } from '../../lib/http/vary.js'

test('mergeVary', async (t) => {
  const cases = [
    { desc: 'no existing value', existing: undefined, want: 'Origin' },
    { desc: 'empty existing value', existing: '', want: 'Origin' },
    { desc: 'keeps the handler entry', existing: 'Accept-Encoding', want: 'Accept-Encoding, Origin' },
    { desc: 'no duplicate, any case', existing: 'accept-encoding, ORIGIN', want: undefined },
    { desc: '* stays *', existing: '*', want: undefined },
    { desc: '* among others', existing: 'Accept, *', want: undefined },
    { desc: 'array value', existing: ['Accept', 'Cookie'], want: 'Accept, Cookie, Origin' }
  ]
  for (const c of cases) t.equal(mergeVary(c.existing, ['Origin']), c.want, c.desc)
  t.equal(mergeVary('Origin', ['Origin', 'Access-Control-Request-Method']), 'Origin, Access-Control-Request-Method', 'several names')
})
