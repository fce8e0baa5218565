// The manifest engine's public API: find and load a workspace, resolve a manifest for an
// environment (interpolated, defaults and overrides applied, validated), format diagnostics.
export {type Workspace, type WorkloadEntry, findWorkspaceRoot, loadWorkspace} from '../workspace/find.js'
export {
  type ResolveOptions,
  checkEnvironment,
  environmentManifestPath,
  findWorkload,
  resolveEnvironment,
  resolveWorkload,
  validateWorkspace,
} from '../workspace/read.js'
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
