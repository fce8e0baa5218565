// `npm run test:reliability`: the abuse the normal suite is too short for (10,000 mutated manifests,
// crashes and interrupts, load, secrets, the local endpoint's security). PIER_RELIABILITY=ci runs the
// shorter subset CI runs; see docs/reliability.md.
import {defineConfig} from 'vitest/config'

// The CI profile (npm test) runs a shorter variant of each file: 1,000 mutated manifests, secrets, the
// endpoint's security and 100 concurrent RunTasks, a crash of the control plane during one moment of a
// deploy, and two interrupted deploys. Sustained load measures the machine: it runs in the full suite only.
const ci = process.env.PIER_RELIABILITY === 'ci'

export default defineConfig({
  test: {
    include: ci
      ? ['test/reliability/manifests.test.ts', 'test/reliability/secrets.test.ts', 'test/reliability/endpoint.test.ts',
          'test/reliability/crash-deploy.test.ts', 'test/reliability/interrupt.test.ts']
      : ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests written for the process driver pin it; those of the container driver ask for it themselves.
    env: {PIER_LOCAL_DRIVER: 'process'},
    fileParallelism: false,
  },
})
