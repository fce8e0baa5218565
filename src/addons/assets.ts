// Local code in addon templates: the properties Copilot packages (Lambda `Code`, Serverless `CodeUri`,
// nested stack `TemplateURL`, `AWS::Include` locations ...) may name a file or directory of the
// workspace; deploy zips or copies it to S3 and writes the object's location in its place. This module
// finds those paths and rewrites the template; reading and uploading files is the caller's.

import type {Json} from './cfn-yaml.js'

interface PackagedProperty {
  path: string[]
  /** Replaced by `{<bucket>: ..., <key>: ...}`; otherwise by an `s3://bucket/key` string. */
  bucketKey?: [string, string]
  /** Always zipped (a directory is zipped whatever this says). */
  zip?: boolean
}

/** Copilot's table of packaged properties. */
const PACKAGED: Record<string, PackagedProperty[]> = {
  'AWS::ApiGateway::RestApi': [{path: ['BodyS3Location'], bucketKey: ['Bucket', 'Key']}],
  'AWS::Lambda::Function': [{path: ['Code'], bucketKey: ['S3Bucket', 'S3Key'], zip: true}],
  'AWS::Lambda::LayerVersion': [{path: ['Content'], bucketKey: ['S3Bucket', 'S3Key'], zip: true}],
  'AWS::Serverless::Function': [{path: ['CodeUri'], zip: true}],
  'AWS::Serverless::LayerVersion': [{path: ['ContentUri'], zip: true}],
  'AWS::Serverless::Application': [{path: ['Location']}],
  'AWS::AppSync::GraphQLSchema': [{path: ['DefinitionS3Location']}],
  'AWS::AppSync::Resolver': [{path: ['RequestMappingTemplateS3Location']}, {path: ['ResponseMappingTemplateS3Location']}],
  'AWS::AppSync::FunctionConfiguration': [{path: ['RequestMappingTemplateS3Location']}, {path: ['ResponseMappingTemplateS3Location']}],
  'AWS::Serverless::Api': [{path: ['DefinitionUri']}],
  'AWS::ElasticBeanstalk::ApplicationVersion': [{path: ['SourceBundle'], bucketKey: ['S3Bucket', 'S3Key']}],
  'AWS::CloudFormation::Stack': [{path: ['TemplateURL']}],
  'AWS::Glue::Job': [{path: ['Command', 'ScriptLocation']}],
  'AWS::StepFunctions::StateMachine': [{path: ['DefinitionS3Location'], bucketKey: ['Bucket', 'Key']}],
  'AWS::Serverless::StateMachine': [{path: ['DefinitionUri'], bucketKey: ['Bucket', 'Key']}],
  'AWS::CodeCommit::Repository': [{path: ['Code', 'S3'], bucketKey: ['Bucket', 'Key'], zip: true}],
}

export interface LocalAsset {
  /** The path as written (relative to the workspace root, or absolute). */
  path: string
  zip: boolean
  /** Where it is written, for messages: `Resources.Fn.Properties.Code`. */
  where: string
}

export interface S3Object {
  bucket: string
  key: string
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Not a local path: empty, or already a location in S3 or on the web. */
export const isLocalPath = (s: string): boolean => s !== '' && !/^(s3|https?):\/\//.test(s)

type Visit = (value: string, where: string, zip: boolean, replace: (obj: S3Object) => void) => void

function visit(template: Json, fn: Visit): void {
  const resources = isMap(template.Resources) ? template.Resources : {}
  for (const [id, res] of Object.entries(resources)) {
    if (!isMap(res) || typeof res.Type !== 'string' || !isMap(res.Properties)) continue
    for (const prop of PACKAGED[res.Type] ?? []) {
      let holder: Json = res.Properties
      for (const key of prop.path.slice(0, -1)) holder = isMap(holder[key]) ? holder[key] : {}
      const last = prop.path[prop.path.length - 1]!
      const value = holder[last]
      if (typeof value !== 'string' || !isLocalPath(value)) continue
      fn(value, `Resources.${id}.Properties.${prop.path.join('.')}`, prop.zip ?? false, (obj) => {
        holder[last] = prop.bucketKey ? {[prop.bucketKey[0]]: obj.bucket, [prop.bucketKey[1]]: obj.key} : `s3://${obj.bucket}/${obj.key}`
      })
    }
  }
  // `Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./file.yml}}` anywhere in the template.
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`))
    if (!isMap(node)) return
    const tf = node['Fn::Transform']
    if (isMap(tf) && tf.Name === 'AWS::Include' && isMap(tf.Parameters) && typeof tf.Parameters.Location === 'string' && isLocalPath(tf.Parameters.Location)) {
      const params = tf.Parameters
      fn(params.Location, `${where}.Fn::Transform`, false, (obj) => (params.Location = `s3://${obj.bucket}/${obj.key}`))
    }
    for (const [k, v] of Object.entries(node)) walk(v, where ? `${where}.${k}` : k)
  }
  walk(template, '')
}

/** The local paths an addons template names, in the order they appear. */
export function localAssets(template: Json): LocalAsset[] {
  const out: LocalAsset[] = []
  visit(template, (path, where, zip) => out.push({path, where, zip}))
  return out
}

/** A copy of the template with each local path replaced by its uploaded object. */
export function withUploadedAssets(template: Json, uploaded: (path: string) => S3Object): Json {
  const copy = structuredClone(template)
  visit(copy, (path, _where, _zip, replace) => replace(uploaded(path)))
  return copy
}
