// A small builder for CloudFormation templates: every resource gets its human description in
// Metadata (the progress view's label) and, where the type takes a tag list, the copilot-* tags.
// Pure: it only assembles plain objects, in insertion order, so the same calls give the same template.

export type Json = Record<string, any>

export const DESCRIPTION_KEY = 'aws:copilot:description'

/** Resource types whose `Tags` property is a list of {Key, Value}. */
const TAG_LIST_TYPES = new Set([
  'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::InternetGateway', 'AWS::EC2::RouteTable', 'AWS::EC2::NatGateway',
  'AWS::EC2::EIP', 'AWS::EC2::SecurityGroup', 'AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition',
  'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::CloudWatch::Alarm', 'AWS::Logs::LogGroup',
  'AWS::IAM::Role', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::ServiceDiscovery::PrivateDnsNamespace',
  'AWS::ServiceDiscovery::Service', 'AWS::Events::Rule', 'AWS::StepFunctions::StateMachine',
  'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::KMS::Key',
])

export interface ResourceOptions {
  condition?: string
  dependsOn?: string[]
  deletionPolicy?: 'Delete' | 'Retain' | 'Snapshot'
}

export class TemplateBuilder {
  readonly parameters: Json = {}
  readonly parameterValues: Record<string, string> = {}
  readonly conditions: Json = {}
  readonly resources: Json = {}
  readonly outputs: Json = {}

  constructor(
    private readonly description: string,
    private readonly tags: Record<string, string>,
  ) {}

  /** Declares a parameter and records the value Pier passes for it. */
  parameter(name: string, value: string, opts: {type?: 'String' | 'Number'; description?: string} = {}): Json {
    this.parameters[name] = {Type: opts.type ?? 'String', ...(opts.description ? {Description: opts.description} : {})}
    this.parameterValues[name] = value
    return ref(name)
  }

  condition(name: string, expr: Json): void {
    this.conditions[name] = expr
  }

  resource(logicalId: string, type: string, description: string, properties: Json, opts: ResourceOptions = {}): Json {
    if (this.resources[logicalId]) throw new Error(`duplicate logical id ${logicalId}`)
    const props = {...properties}
    if (TAG_LIST_TYPES.has(type)) {
      const own = Array.isArray(props.Tags) ? props.Tags : []
      // The resource's own tags first: Copilot's templates list only their own (a Name), and overrides
      // written for them patch `Tags/0`.
      props.Tags = [...own.filter((t: Json) => !(t.Key in this.tags)), ...tagList(this.tags)]
    }
    this.resources[logicalId] = {
      Type: type,
      ...(opts.condition ? {Condition: opts.condition} : {}),
      ...(opts.dependsOn?.length ? {DependsOn: opts.dependsOn} : {}),
      ...(opts.deletionPolicy ? {DeletionPolicy: opts.deletionPolicy} : {}),
      Metadata: {[DESCRIPTION_KEY]: description},
      Properties: props,
    }
    return ref(logicalId)
  }

  output(name: string, value: unknown, opts: {exportName?: string; condition?: string; description?: string} = {}): void {
    this.outputs[name] = {
      ...(opts.description ? {Description: opts.description} : {}),
      ...(opts.condition ? {Condition: opts.condition} : {}),
      Value: value,
      ...(opts.exportName ? {Export: {Name: opts.exportName}} : {}),
    }
  }

  has(logicalId: string): boolean {
    return logicalId in this.resources
  }

  build(): Json {
    return {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: this.description,
      ...(Object.keys(this.parameters).length ? {Parameters: this.parameters} : {}),
      ...(Object.keys(this.conditions).length ? {Conditions: this.conditions} : {}),
      Resources: this.resources,
      ...(Object.keys(this.outputs).length ? {Outputs: this.outputs} : {}),
    }
  }
}

export function tagList(tags: Record<string, string>): {Key: string; Value: string}[] {
  return Object.keys(tags).map((Key) => ({Key, Value: tags[Key]!}))
}

export const ref = (name: string): Json => ({Ref: name})
export const getAtt = (logicalId: string, attr: string): Json => ({'Fn::GetAtt': [logicalId, attr]})
export const sub = (text: string, vars?: Json): Json => (vars ? {'Fn::Sub': [text, vars]} : {'Fn::Sub': text})
export const importValue = (name: string): Json => ({'Fn::ImportValue': name})
export const join = (sep: string, parts: unknown): Json => ({'Fn::Join': [sep, parts]})
export const split = (sep: string, value: unknown): Json => ({'Fn::Split': [sep, value]})
export const select = (i: number, list: unknown): Json => ({'Fn::Select': [String(i), list]})
export const ifCond = (cond: string, a: unknown, b: unknown): Json => ({'Fn::If': [cond, a, b]})
export const NO_VALUE: Json = {Ref: 'AWS::NoValue'}

/** `web-api` -> `WebApi`: a name usable inside a logical id. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('')
}

/** Removes keys whose value is undefined, so optional manifest fields leave no trace. */
export function compact<T extends Json>(obj: T): T {
  const out: Json = {}
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v
  return out as T
}

/** Trust policy letting one AWS service assume a role. */
export function assumeRolePolicy(service: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [{Effect: 'Allow', Principal: {Service: service}, Action: 'sts:AssumeRole'}],
  }
}
