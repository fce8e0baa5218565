import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'src/**/*.test.ts'],
    // The reliability suite has its own run (npm run test:reliability, vitest.reliability.config.ts).
    exclude: ['test/reliability/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests written for the process driver pin it; those of the container driver ask for it themselves.
    env: {PIER_LOCAL_DRIVER: 'process'},
  },
})
