// Reading a workspace from disk: find its root, load its files, and hand their text to the pure
// manifest core (src/manifest) to resolve for an environment.
export {type Workspace, type WorkloadEntry, findWorkspaceRoot, loadWorkspace} from './find.js'
export {
  type ResolveOptions,
  checkEnvironment,
  environmentManifestPath,
  findWorkload,
  resolveEnvironment,
  resolveWorkload,
  validateWorkspace,
} from './read.js'
