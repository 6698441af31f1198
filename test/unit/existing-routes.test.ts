import { test } from 'tap'
import { parseRouteTree } from '../../lib/existing-routes.js'

test('parseRouteTree reads Fastify printRoutes({ commonPrefix: false })', async (t) => {
  const tree = '├── /items (GET, HEAD)\n│   └── /:id (PUT)\n└── /v1/x (GET, HEAD)\n    └── /deep (POST)\n'
  t.same(parseRouteTree(tree), [
    { url: '/items', methods: ['GET', 'HEAD'] },
    { url: '/items/:id', methods: ['PUT'] },
    { url: '/v1/x', methods: ['GET', 'HEAD'] },
    { url: '/v1/x/deep', methods: ['POST'] }
  ])
  t.same(parseRouteTree(''), [], 'no routes')
  t.same(parseRouteTree('└── /a\n    └── /b (GET)\n'), [{ url: '/a/b', methods: ['GET'] }], 'an inner node without methods')
})
