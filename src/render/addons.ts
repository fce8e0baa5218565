// The `AddonsStack` nested stack of a workload or environment stack, as Copilot declares it: the merged
// addon template at `TemplateURL` (uploaded by deploy), parameters App, Env (and Name for a workload)
// plus those of addons.parameters.yml. What its outputs feed in the workload is decided here too.

import type {AddonOutput} from '../addons/outputs.js'
import {getAtt, type Json, ref, type TemplateBuilder} from './template.js'

export const ADDONS_STACK = 'AddonsStack'
export const ADDONS_TEMPLATE_URL = 'AddonsTemplateURL'

/** What deploy (or package) knows about the addons of a workload or an environment. */
export interface AddonsWiring {
  /** Where the merged addons template was uploaded (an S3 URL), or what package shows in its place. */
  templateUrl: string
  /** Values of addons.parameters.yml, possibly intrinsics on the parent stack. */
  parameters: Json
  /** The addons template's outputs and what each feeds. */
  outputs: AddonOutput[]
}

export function renderAddonsStack(t: TemplateBuilder, wiring: AddonsWiring, reserved: Json): void {
  const url = t.parameter(ADDONS_TEMPLATE_URL, wiring.templateUrl, {description: 'URL of the addons template in S3'})
  t.resource(ADDONS_STACK, 'AWS::CloudFormation::Stack', 'An Addons CloudFormation Stack for your additional AWS resources', {
    Parameters: {...reserved, ...wiring.parameters},
    TemplateURL: url,
  })
}

/** `Fn::GetAtt: [AddonsStack, Outputs.<name>]` for the outputs of one kind. */
export function addonOutputs(wiring: AddonsWiring | undefined, kind: AddonOutput['kind']): {output: AddonOutput; value: Json}[] {
  return (wiring?.outputs ?? []).filter((o) => o.kind === kind).map((output) => ({output, value: getAtt(ADDONS_STACK, `Outputs.${output.name}`)}))
}

export const workloadAddonParameters = (): Json => ({App: ref('AppName'), Env: ref('EnvName'), Name: ref('WorkloadName')})
export const environmentAddonParameters = (): Json => ({App: ref('AppName'), Env: ref('EnvironmentName')})
