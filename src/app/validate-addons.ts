// `pier validate` for what extends the stacks: each workload's and the environments' addons (YAML,
// merge, parameters, the CloudFormation specification, outputs colliding with the manifest's variables
// and secrets) and the form of their cfn.patches.yml, located at file:line:col like manifest problems.
import {relative} from 'node:path'

import {buildAddonsStack, checkPatchFile} from '../addons/index.js'
import type {Diagnostic} from '../manifest/diagnostics.js'
import type {Workspace} from '../workspace/find.js'
import {readAddonFiles, readOverrides} from '../workspace/addons.js'
import {type ResolveOptions, resolveWorkload} from '../workspace/read.js'

type Owner = {workload: string} | 'environments'

type Checks = typeof import('../addons/check.js')

async function ownerDiagnostics(ws: Workspace, owner: Owner, envs: string[], checks: () => Promise<Checks>, opts: ResolveOptions): Promise<Diagnostic[]> {
  const out: Diagnostic[] = []
  const overrides = readOverrides(ws, owner)
  if (overrides?.kind === 'patch') out.push(...checkPatchFile(overrides.file))
  const files = readAddonFiles(ws, owner)
  if (!files) return out
  const {stack, problems} = buildAddonsStack(owner === 'environments' ? 'environment' : 'workload', files)
  out.push(...problems)
  if (!stack) return out
  // The resource specification is large: loaded only for workspaces that have addons.
  const {checkAgainstSpec, outputCollisions} = await checks()
  out.push(...checkAgainstSpec(stack))
  if (owner === 'environments') return out
  const w = ws.workloads.find((x) => x.name === owner.workload)
  for (const env of envs.length ? envs : [undefined]) {
    const r = resolveWorkload(ws, owner.workload, env, opts)
    if (!r.ok || !w) continue
    const m = r.manifest as {variables?: Record<string, unknown>; secrets?: Record<string, unknown>}
    out.push(...outputCollisions(stack, stack.outputs, m, relative(ws.root, w.path)).map((d) => (env ? {...d, env} : d)))
  }
  return out
}

export async function addonDiagnostics(ws: Workspace, opts: {names?: string[]; envs?: string[]} & ResolveOptions): Promise<Diagnostic[]> {
  const names = opts.names?.length ? opts.names : ws.workloads.map((w) => w.name)
  const envs = opts.envs?.length ? opts.envs : ws.environments
  let loaded: Promise<Checks> | undefined
  const checks = () => (loaded ??= import('../addons/check.js'))
  const owners: Owner[] = [...names.map((name) => ({workload: name})), ...(opts.names?.length ? [] : ['environments' as const])]
  const out: Diagnostic[] = []
  for (const owner of owners) out.push(...(await ownerDiagnostics(ws, owner, envs, checks, opts.vars ? {vars: opts.vars} : {})))
  return out
}
