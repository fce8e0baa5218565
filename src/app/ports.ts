// What the use cases need from the manifest engine and the renderer, by the shared API's names. The
// commands pass the real modules; tests pass small fakes.
import type {EcsWorkloadManifest, EnvironmentManifest, WorkloadManifest, WorkloadType} from '../manifest/types.js'
import type {Diagnostic, Resolved} from '../manifest/index.js'
import type {Workspace as WorkspaceInfo} from '../workspace/index.js'
import type {AddonsWiring, EnvironmentNeeds, RenderedStack, WorkloadDeployInputs} from '../render/index.js'

// One definition of each shape: the manifest engine's and the renderer's own types.
export type {Diagnostic, EnvironmentNeeds, RenderedStack, Resolved, WorkloadDeployInputs, WorkspaceInfo}

export interface ManifestPort {
  loadWorkspace(cwd: string): WorkspaceInfo
  resolveEnvironment(ws: WorkspaceInfo, env: string): Resolved<EnvironmentManifest>
  resolveWorkload(ws: WorkspaceInfo, name: string, env: string): Resolved<WorkloadManifest>
  formatDiagnostics(diags: Diagnostic[], opts?: {color?: boolean}): string
}

export interface RenderPort {
  renderEnvironmentStack(input: {app: string; env: string; manifest: EnvironmentManifest; needs: EnvironmentNeeds; addons?: AddonsWiring}): RenderedStack
  environmentNeeds(workloads: {name: string; manifest: WorkloadManifest}[]): EnvironmentNeeds
  renderWorkloadStack(input: {app: string; env: string; name: string; manifest: EcsWorkloadManifest; inputs: WorkloadDeployInputs}): RenderedStack & {taskDefinition: Record<string, any>}
  /** Listener rules of a workload, `http` first then `http.additional_rules`. */
  httpRules(m: EcsWorkloadManifest): unknown[]
}

/** Writes manifests (the manifest engine's scaffold). */
export interface ScaffoldPort {
  initApp(dir: string, name: string): unknown
  writeEnvironmentManifest(ws: WorkspaceInfo, env: string, opts?: Record<string, unknown>): unknown
  writeWorkloadManifest(ws: WorkspaceInfo, opts: {name: string; type: WorkloadType; dockerfile?: string; image?: string; port?: number; schedule?: string}): unknown
}

export const environmentStackName = (app: string, env: string): string => `${app}-${env}`
export const workloadStackName = (app: string, env: string, name: string): string => `${app}-${env}-${name}`
export const logGroupName = (app: string, env: string, name: string): string => `/copilot/${app}-${env}-${name}`
export const copilotTags = (app: string, env: string, workload?: string): Record<string, string> => ({
  'copilot-application': app,
  'copilot-environment': env,
  ...(workload ? {'copilot-service': workload} : {}),
})

/** The environment stack's outputs, as Copilot named them. */
export const ENV_OUTPUTS = {
  publicSubnets: 'PublicSubnets',
  privateSubnets: 'PrivateSubnets',
  cluster: 'ClusterId',
  environmentSecurityGroup: 'EnvironmentSecurityGroup',
  publicLbDns: 'PublicLoadBalancerDNSName',
  httpListener: 'HTTPListenerArn',
  httpsListener: 'HTTPSListenerArn',
  internalLbDns: 'InternalLoadBalancerDNSName',
  internalHttpListener: 'InternalHTTPListenerArn',
} as const
