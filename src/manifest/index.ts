// The manifest engine's public API, pure (no I/O): resolve a manifest's text for an environment
// (interpolated, defaults and overrides applied, validated) and format diagnostics. Reading files is
// src/workspace's job.
export {type Diagnostic, formatDiagnostics, formatPath} from './diagnostics.js'
export {type Resolved, type ResolveInput, resolveEnvironmentText, resolveWorkloadText} from './resolve.js'
export {applyOverride, removeUnset} from './merge.js'
export {UNSET} from './source.js'
export {FARGATE_SIZES} from './rules/fargate-size.js'
export {scheduleProblem} from './rules/schedule.js'
export {parseDuration} from './rules/duration.js'
export * from './types.js'

/** Types Pier can deploy to ECS; the others load and validate, and deploy commands refuse them. */
export function isDeployableType(type: string): boolean {
  return type === 'Load Balanced Web Service' || type === 'Backend Service' || type === 'Worker Service' || type === 'Scheduled Job'
}
