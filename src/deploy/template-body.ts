// Reads a deployed template's body as data: JSON, or YAML with CloudFormation's short-form tags
// (`!Ref`, `!Sub`, `!GetAtt a.b` ...), as Copilot writes its templates.
import {parseCfnYaml} from '../addons/cfn-yaml.js'

export function parseTemplateBody(body: string): Record<string, any> {
  const parsed = parseCfnYaml('template', body)
  const first = parsed.errors[0]
  if (first) throw new Error(`the deployed template could not be read: ${first.message} (line ${first.position.line})`)
  return (parsed.value ?? {}) as Record<string, any>
}
