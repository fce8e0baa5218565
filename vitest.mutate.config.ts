// The vitest configuration Stryker runs (stryker.config.mjs): the unit tests that cover the code being
// mutated, named by scripts/mutate.mjs in PIER_MUTATE_TESTS (comma-separated globs).
import {defineConfig} from 'vitest/config'

const include = (process.env.PIER_MUTATE_TESTS ?? '').split(',').filter(Boolean)
if (include.length === 0) throw new Error('PIER_MUTATE_TESTS is empty: run mutation testing through `npm run mutate`')

export default defineConfig({
  test: {
    include,
    exclude: ['test/reliability/**', 'test/e2e/**', 'node_modules/**'],
    // Pure targets (scripts/mutate.mjs says which) share one module graph across test files: each
    // mutant's run then imports the code once instead of once per file, about three times faster.
    isolate: process.env.PIER_MUTATE_ISOLATE !== 'false',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
