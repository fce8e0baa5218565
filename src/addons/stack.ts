// One workload's (or the environments') addons, from parsed files to what the parent stack needs:
// the merged template, the extra parameters and the outputs' wiring. Every problem is collected.

import type {Json, ParsedYaml} from './cfn-yaml.js'
import {mergeTemplates} from './merge.js'
import {type AddonOutput, classifyOutputs} from './outputs.js'
import {checkParameters, ENVIRONMENT_RESERVED, parameterValues, WORKLOAD_RESERVED} from './parameters.js'
import type {AddonDiagnostic} from './problems.js'

export interface AddonFiles {
  /** The template files, in name order. */
  templates: ParsedYaml[]
  /** addons.parameters.yml (or .yaml), when present. */
  parameters?: ParsedYaml
}

export interface AddonsStack {
  template: Json
  parameters: Json
  outputs: AddonOutput[]
  /** Where each entry of the merged template came from: `Resources/<id>` -> file and JSON pointer. */
  origin: Map<string, {src: ParsedYaml; pointer: string}>
  /** addons.parameters.yml, when present. */
  parametersFile?: ParsedYaml
}

export function buildAddonsStack(kind: 'workload' | 'environment', files: AddonFiles): {stack?: AddonsStack; problems: AddonDiagnostic[]} {
  const {merged, problems} = mergeTemplates(files.templates)
  const params = files.parameters ? parameterValues(files.parameters) : {values: {}, problems: []}
  problems.push(...params.problems)
  // Checked even when the merge found conflicts, so every problem shows at once; not over unreadable files.
  if (files.templates.length > 0 && files.templates.every((t) => t.errors.length === 0)) {
    problems.push(...checkParameters({
      template: merged.template,
      locate: (id) => merged.origin.get(id),
      values: params.values,
      ...(files.parameters ? {valuesSrc: files.parameters} : {}),
      reserved: kind === 'workload' ? WORKLOAD_RESERVED : ENVIRONMENT_RESERVED,
      firstFile: files.templates[0]!,
    }))
  }
  if (problems.some((p) => p.severity === 'error')) return {problems}
  return {stack: {template: merged.template, parameters: params.values, outputs: classifyOutputs(merged.template), origin: merged.origin, ...(files.parameters ? {parametersFile: files.parameters} : {})}, problems}
}
