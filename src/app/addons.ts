// Addons and overrides for package and deploy: read the files (src/workspace), merge and check them
// (src/addons), and turn every problem into one UserError that lists them at file:line:col.
import {join} from 'node:path'

import {type AddonDiagnostic, type AddonsStack, applyPatches, buildAddonsStack, checkParentReferences, type Json} from '../addons/index.js'
import {UserError} from '../errors.js'
import {formatDiagnostics, sortAndDedupe} from '../manifest/diagnostics.js'
import type {AddonsWiring} from '../render/index.js'
import {readAddonFiles, readOverrides} from '../workspace/addons.js'
import {runCdkOverride} from './cdk-override.js'
import {toYaml} from '../render/template-yaml.js'

export type Owner = {workload: string} | 'environments'

const ownerLabel = (owner: Owner): string => (owner === 'environments' ? 'copilot/environments' : `copilot/${owner.workload}`)

function fail(what: string, problems: AddonDiagnostic[], hint: string): never {
  throw new UserError(`${what}:\n${formatDiagnostics(sortAndDedupe(problems))}`, {hint})
}

const at = (root: string) => ({root, copilotDir: join(root, 'copilot')})

/** The addons of a workload or of the environments, merged and checked; undefined when there are none. */
export function loadAddons(root: string, owner: Owner): AddonsStack | undefined {
  const files = readAddonFiles(at(root), owner)
  if (!files) return undefined
  if (files.parameterFiles.length > 1) {
    throw new UserError(`${ownerLabel(owner)}/addons has both addons.parameters.yml and addons.parameters.yaml: only one parameters file is read`, {hint: 'Merge them into addons.parameters.yml.'})
  }
  const {stack, problems} = buildAddonsStack(owner === 'environments' ? 'environment' : 'workload', files)
  const errors = problems.filter((p) => p.severity === 'error')
  if (!stack || errors.length > 0) fail(`the addons in ${ownerLabel(owner)}/addons cannot be deployed`, errors, 'Fix the addon templates; `pier validate` lists the same problems.')
  return stack
}

/** The merged addons template as deploy uploads it and package writes it. */
export const addonsTemplateBody = (stack: AddonsStack): string => toYaml(stack.template)

export function addonsWiring(stack: AddonsStack, templateUrl: string): AddonsWiring {
  return {templateUrl, parameters: stack.parameters, outputs: stack.outputs}
}

/** Fails when addons.parameters.yml refers to what the rendered parent stack does not have. */
export function checkAddonsParent(stack: AddonsStack | undefined, owner: Owner, parent: Json): void {
  if (!stack?.parametersFile) return
  const problems = checkParentReferences(stack.parameters, stack.parametersFile, parent, owner === 'environments' ? 'environment' : 'workload')
  if (problems.length) fail(`the addons in ${ownerLabel(owner)}/addons cannot be deployed`, problems, 'Fix addons.parameters.yml.')
}

export interface OverrideResult {
  template: Json
  /** How the template was overridden, for the user: `3 YAML patches`, `the CDK application`. */
  applied?: string
}

/** Applies `overrides/` (cfn.patches.yml or a CDK application) to a rendered template. */
export function applyOverrides(root: string, owner: Owner, template: Json, vars: {app: string; env: string}): OverrideResult {
  const overrides = readOverrides(at(root), owner)
  if (!overrides) return {template}
  if (overrides.kind === 'cdk') {
    return {template: runCdkOverride(overrides.dir, template, vars), applied: 'the CDK application in overrides/'}
  }
  const result = applyPatches(template, overrides.file)
  if (result.problems.length > 0) fail(`${overrides.file.file} cannot be applied`, result.problems, 'Fix the patch; `pier svc package` shows the template the patches apply to.')
  return {template: result.template, ...(result.applied ? {applied: `${result.applied} YAML patch${result.applied === 1 ? '' : 'es'} from ${overrides.file.file}`} : {})}
}
