// What the parent stack does with each output of an addons stack, by the type of the resource the
// output refers to (`!Ref Resource`): a managed policy joins the task role, a security group joins the
// service's groups, a secret becomes a container secret, anything else an environment variable, named
// in Copilot's upper snake case.

import type {Json} from './cfn-yaml.js'

export type OutputKind = 'managedPolicy' | 'securityGroup' | 'secret' | 'variable'

export interface AddonOutput {
  /** The output's logical name in the addons template. */
  name: string
  kind: OutputKind
  /** The name the container sees (secrets and variables). */
  envName: string
}

const KIND_OF_TYPE: Record<string, OutputKind> = {
  'AWS::IAM::ManagedPolicy': 'managedPolicy',
  'AWS::EC2::SecurityGroup': 'securityGroup',
  'AWS::SecretsManager::Secret': 'secret',
}

/** `assetsBucketName` -> `ASSETS_BUCKET_NAME`, `MyDDBTableWithLSI` -> `MY_DDB_TABLE_WITH_LSI` (Copilot's rule). */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9]+)([A-Z])/g, '$1_$2')
    .replace(/([A-Z0-9])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase()
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export function classifyOutputs(template: Json): AddonOutput[] {
  const resources = isMap(template.Resources) ? template.Resources : {}
  const outputs = isMap(template.Outputs) ? template.Outputs : {}
  return Object.entries(outputs).map(([name, decl]) => {
    const value = isMap(decl) ? decl.Value : undefined
    const target = isMap(value) && Object.keys(value).length === 1 && typeof value.Ref === 'string' ? value.Ref : undefined
    const type = target !== undefined && isMap(resources[target]) ? resources[target].Type : undefined
    return {name, kind: (typeof type === 'string' ? KIND_OF_TYPE[type] : undefined) ?? 'variable', envName: toSnakeCase(name)}
  })
}
