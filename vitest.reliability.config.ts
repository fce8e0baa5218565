// `npm run test:reliability`: the abuse the normal suite is too short for (10,000 mutated manifests,
// crashes and interrupts, load, secrets, the local endpoint's security). PIER_RELIABILITY=ci runs the
// shorter subset CI runs; see docs/reliability.md.
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
