// StrykerJS: mutation testing of the core that must not regress. Run it through `npm run mutate`
// (scripts/mutate.mjs, docs/reliability.md), which says what to mutate and which tests cover it.
const mutate = (process.env.PIER_MUTATE ?? '').split('\n').filter(Boolean)
if (mutate.length === 0) throw new Error('PIER_MUTATE is empty: run mutation testing through `npm run mutate -- <path>`')
const name = process.env.PIER_MUTATE_NAME ?? 'mutation'

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate,
  testRunner: 'vitest',
  vitest: {configFile: 'vitest.mutate.config.ts', related: false},
  // perTest runs each mutant against the tests that reached it; PIER_MUTATE_COVERAGE=all runs every test.
  coverageAnalysis: process.env.PIER_MUTATE_COVERAGE === 'all' ? 'all' : 'perTest',
  // Stryker rewrites the tsconfig's relative paths through TypeScript's JavaScript API, which TypeScript 7
  // no longer has; tsconfig.json has no extends or references to rewrite, so point it at no file.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  // Mutants that only run when a module loads (constant tables) would need every test each: left out.
  ignoreStatic: process.env.PIER_MUTATE_COVERAGE !== 'all',
  // The sandbox is a copy of the project: leave out what tests never read (node_modules is linked, not copied).
  ignorePatterns: ['dist', 'test-results.json', 'reports', 'coverage', 'bench/results', '.pier-state', '*.log', '.stryker-tmp'],
  // Two shared cores: a slow run is better than mutants misjudged as timeouts.
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2.5,
  // A re-run only tries mutants whose code or tests changed since the last run of the same target.
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: {fileName: `reports/mutation/${name}.html`},
  jsonReporter: {fileName: `reports/mutation/${name}.json`},
  clearTextReporter: {allowColor: false, logTests: false, maxTestsToLog: 0},
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
}
