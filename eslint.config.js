// The style every @fastify plugin runs (neostandard: standard's rules for ESLint's flat config),
// with TypeScript's parser and rule adaptations for .ts files and the CommonJS consumer's .cts.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    filesTs: ['**/*.cts', '**/*.mts'],
    ignores: [
      // build output, coverage and tap's run data
      'dist/**',
      'coverage/**',
      '.tap/**',
      '.nyc_output/**',
      'node_modules/**',
      // source read as text, never run, by test/architecture.test.ts (its unused imports are the
      // point); tsconfig.json leaves it out too
      'test/fixtures/architecture/**',
      // benchmark output
      'bench/results/**'
    ]
  }),
  {
    // the demo page's own script runs in the browser
    files: ['demo/public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', location: 'readonly' } }
  },
  {
    // the CommonJS consumer run under Jest, which provides these as globals
    files: ['test/package/fixtures/jest/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { test: 'readonly', expect: 'readonly', beforeAll: 'readonly', afterAll: 'readonly' }
    }
  }
]
