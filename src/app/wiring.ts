// Binds the use cases' ports to the manifest engine, the renderer and the scaffold. Loaded lazily by
// the commands so `--help` stays fast.
import type {ManifestPort, RenderPort, ScaffoldPort} from './ports.js'

export async function loadPorts(opts: {strict?: boolean} = {}): Promise<{manifest: ManifestPort; render: RenderPort; scaffold: ScaffoldPort}> {
  const [manifest, workspace, render, scaffold] = await Promise.all([
    import('../manifest/index.js'),
    import('../workspace/index.js'),
    import('../render/index.js'),
    import('../workspace/scaffold.js'),
  ])
  return {
    manifest: {
      loadWorkspace: (cwd) => workspace.loadWorkspace(cwd),
      resolveEnvironment: (ws, env) => workspace.resolveEnvironment(ws as never, env, {strict: opts.strict}),
      resolveWorkload: (ws, name, env) => workspace.resolveWorkload(ws as never, name, env, {strict: opts.strict}),
      formatDiagnostics: (d, opts) => manifest.formatDiagnostics(d as never, opts),
    },
    render: {
      renderEnvironmentStack: (input) => render.renderEnvironmentStack(input as never),
      environmentNeeds: (workloads) => render.environmentNeeds(workloads as never),
      renderWorkloadStack: (input) => render.renderWorkloadStack(input as never),
      httpRules: (m) => render.httpRules(m),
    },
    scaffold: {
      initApp: (dir, name) => scaffold.initApp(dir, name),
      writeEnvironmentManifest: (ws, env, opts) => scaffold.writeEnvironmentManifest(ws as never, env, opts as never),
      writeWorkloadManifest: (ws, opts) => scaffold.writeWorkloadManifest(ws as never, opts),
    },
  }
}
