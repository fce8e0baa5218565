// The files `package` writes for a rendered stack: the template as YAML, the parameters and tags in
// CloudFormation's template configuration format (what CodePipeline takes), and the task definition.

import type {RenderedStack} from '../render/index.js'
import {toYaml} from '../render/template-yaml.js'

export interface PackagedFile {
  name: string
  content: string
}

export function templateYaml(template: Record<string, unknown>): string {
  return toYaml(template)
}

export function paramsJson(stack: RenderedStack): string {
  return JSON.stringify({Parameters: stack.parameters, Tags: stack.tags}, null, 2) + '\n'
}

export function workloadFiles(name: string, env: string, stack: RenderedStack & {taskDefinition: Record<string, unknown>}): PackagedFile[] {
  return [
    {name: `${name}-${env}.stack.yml`, content: templateYaml(stack.template)},
    {name: `${name}-${env}.params.json`, content: paramsJson(stack)},
    {name: `${name}-${env}.taskdef.json`, content: JSON.stringify(stack.taskDefinition, null, 2) + '\n'},
  ]
}

/** Named like Copilot's `env package` output, so pipeline manifests that point at it keep working. */
export function environmentFiles(env: string, stack: RenderedStack): PackagedFile[] {
  return [
    {name: `${env}.env.yml`, content: templateYaml(stack.template)},
    {name: `${env}.env.params.json`, content: paramsJson(stack)},
  ]
}
