// How hard the reliability suite pushes: the full run on demand, a shorter one in CI.
export const CI_PROFILE = process.env.PIER_RELIABILITY === 'ci'

export const profile = {
  /** Mutated manifests checked. */
  manifests: CI_PROFILE ? 1000 : 10_000,
  /** Seconds of sustained API load. */
  loadSeconds: CI_PROFILE ? 5 : 30,
  /** API calls per second of the sustained load. */
  loadRate: 1000,
  /** Concurrent RunTask calls. */
  concurrentRunTasks: 100,
  /** Random interrupts of `pier deploy`. */
  interrupts: CI_PROFILE ? 2 : 6,
  /** Moments of a deploy the control plane is killed at (crash-deploy.test.ts names them); CI: the rollout. */
  crashMoments: CI_PROFILE ? ['service-rollout'] : ['environment-stack', 'service-stack', 'service-rollout'],
}

/** Reliability results are printed as one line each, so a run's figures can be quoted. */
export function report(name: string, figures: Record<string, number | string>): void {
  process.stdout.write(`reliability ${name}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}\n`)
}
