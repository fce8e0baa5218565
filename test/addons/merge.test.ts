import {describe, expect, it} from 'vitest'

import {buildAddonsStack, classifyOutputs, mergeTemplates, parseCfnYaml, toSnakeCase} from '../../src/addons/index.js'

const y = (file: string, text: string) => parseCfnYaml(file, text)

const BUCKET = `Parameters:
  App: {Type: String}
  Env: {Type: String}
  Name: {Type: String}
Resources:
  AssetsBucket:
    Type: AWS::S3::Bucket
  AssetsAccessPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:*
            Resource: !GetAtt AssetsBucket.Arn
Outputs:
  assetsBucketName:
    Value: !Ref AssetsBucket
  AssetsAccessPolicy:
    Value: !Ref AssetsAccessPolicy
`

const DB = `Parameters:
  App: {Type: String}
  Env: {Type: String}
  Name: {Type: String}
Resources:
  apidbSecret:
    Type: AWS::SecretsManager::Secret
  apidbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub '\${App}-\${Env} db'
Outputs:
  apidbSecret:
    Value: !Ref apidbSecret
  apidbSecurityGroup:
    Value: !Ref apidbSecurityGroup
  apidbEndpoint:
    Value: !GetAtt apidbSecret.Id
`

describe('parsing CloudFormation YAML', () => {
  it('turns short-form tags into their long form and remembers positions', () => {
    const p = y('a.yml', BUCKET)
    const doc = p.value as any
    expect(doc.Outputs.assetsBucketName.Value).toEqual({Ref: 'AssetsBucket'})
    expect(doc.Resources.AssetsAccessPolicy.Properties.PolicyDocument.Statement[0].Resource).toEqual({'Fn::GetAtt': ['AssetsBucket', 'Arn']})
    expect(p.at('/Resources/AssetsBucket')).toEqual({line: 6, col: 3})
    // a missing key is located at its nearest ancestor
    expect(p.at('/Resources/AssetsBucket/Nope')).toEqual({line: 6, col: 3})
  })
  it('reports syntax errors with positions', () => {
    const p = y('bad.yml', 'Resources:\n  A: [\n')
    expect(p.errors.length).toBeGreaterThan(0)
    expect(p.value).toBeUndefined()
  })
})

describe('merging addon templates', () => {
  it('merges sections by key and keeps identical shared parameters', () => {
    const {merged, problems} = mergeTemplates([y('copilot/web/addons/bucket.yml', BUCKET), y('copilot/web/addons/db.yml', DB)])
    expect(problems).toEqual([])
    expect(Object.keys(merged.template.Parameters)).toEqual(['App', 'Env', 'Name'])
    expect(Object.keys(merged.template.Resources)).toEqual(['AssetsBucket', 'AssetsAccessPolicy', 'apidbSecret', 'apidbSecurityGroup'])
    expect(merged.origin.get('Resources/apidbSecret')?.src.file).toBe('copilot/web/addons/db.yml')
  })

  it('refuses the same logical id declared differently, located at both places', () => {
    const other = `Resources:\n  AssetsBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: other\n`
    const {problems} = mergeTemplates([y('copilot/web/addons/a.yml', BUCKET), y('copilot/web/addons/b.yml', other)])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({file: 'copilot/web/addons/b.yml', line: 2, col: 3, code: 'addon-conflict'})
    expect(problems[0]!.message).toContain('resource "AssetsBucket" is declared differently in copilot/web/addons/a.yml:6:3')
  })

  it('merges Mappings two levels deep and refuses a conflicting second-level key', () => {
    const a = 'Mappings:\n  Sizes:\n    test: {cpu: 1}\nResources:\n  A: {Type: AWS::S3::Bucket}\n'
    const b = 'Mappings:\n  Sizes:\n    prod: {cpu: 2}\nResources:\n  B: {Type: AWS::S3::Bucket}\n'
    const c = 'Mappings:\n  Sizes:\n    test: {cpu: 4}\nResources:\n  C: {Type: AWS::S3::Bucket}\n'
    expect(mergeTemplates([y('a.yml', a), y('b.yml', b)]).merged.template.Mappings).toEqual({Sizes: {test: {cpu: 1}, prod: {cpu: 2}}})
    const {problems} = mergeTemplates([y('a.yml', a), y('c.yml', c)])
    expect(problems[0]).toMatchObject({file: 'c.yml', line: 3, col: 5})
  })

  it('collects Transform as a set and refuses a template without Resources', () => {
    const a = 'Transform: AWS::Serverless-2016-10-31\nResources:\n  A: {Type: AWS::S3::Bucket}\n'
    const b = 'Transform: [AWS::Serverless-2016-10-31]\nResources:\n  B: {Type: AWS::S3::Bucket}\n'
    expect(mergeTemplates([y('a.yml', a), y('b.yml', b)]).merged.template.Transform).toBe('AWS::Serverless-2016-10-31')
    const {problems} = mergeTemplates([y('c.yml', 'Outputs: {}\n')])
    expect(problems[0]).toMatchObject({code: 'addon-template', file: 'c.yml'})
  })
})

describe('parameters', () => {
  it('requires App, Env and Name in the template', () => {
    const {problems} = buildAddonsStack('workload', {templates: [y('t.yml', 'Parameters:\n  App: {Type: String}\nResources:\n  A: {Type: AWS::S3::Bucket}\n')]})
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('does not declare parameter "Env"'),
      expect.stringContaining('does not declare parameter "Name"'),
    ])
  })
  it('environment addons need only App and Env', () => {
    const {stack, problems} = buildAddonsStack('environment', {templates: [y('t.yml', 'Parameters:\n  App: {Type: String}\n  Env: {Type: String}\nResources:\n  A: {Type: AWS::S3::Bucket}\n')]})
    expect(problems).toEqual([])
    expect(stack?.outputs).toEqual([])
  })
  it('passes addons.parameters.yml values and checks them against the template', () => {
    const tpl = y('t.yml', `${BUCKET.split('Resources:')[0]}  DiscoveryServiceArn: {Type: String}\n  NoDefault: {Type: String}\nResources:\n  A: {Type: AWS::S3::Bucket}\n`)
    const params = y('addons.parameters.yml', 'Parameters:\n  DiscoveryServiceArn: !GetAtt DiscoveryService.Arn\n  Name: web\n  Extra: 1\n')
    const {problems} = buildAddonsStack('workload', {templates: [tpl], parameters: params})
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message.split(':')[0]}`)).toEqual([
      'addons.parameters.yml:3:3 "Name" cannot be set in the parameters file',
      'addons.parameters.yml:4:3 the addons template does not declare parameter "Extra"',
      't.yml:6:3 parameter "NoDefault" has no Default and no value in addons.parameters.yml',
    ])
    const ok = buildAddonsStack('workload', {templates: [tpl], parameters: y('p.yml', 'Parameters:\n  DiscoveryServiceArn: !GetAtt DiscoveryService.Arn\n  NoDefault: x\n')})
    expect(ok.problems).toEqual([])
    expect(ok.stack?.parameters).toEqual({DiscoveryServiceArn: {'Fn::GetAtt': ['DiscoveryService', 'Arn']}, NoDefault: 'x'})
  })
})

describe('outputs', () => {
  it('names outputs in Copilot upper snake case', () => {
    expect(toSnakeCase('assetsBucketName')).toBe('ASSETS_BUCKET_NAME')
    expect(toSnakeCase('apidbSecret')).toBe('APIDB_SECRET')
    expect(toSnakeCase('MyDDBTableWithLSI')).toBe('MY_DDB_TABLE_WITH_LSI')
    expect(toSnakeCase('usersDdbTableName')).toBe('USERS_DDB_TABLE_NAME')
    expect(toSnakeCase('My2ndCamel')).toBe('MY2ND_CAMEL')
  })
  it('classifies outputs by the type of the resource they refer to', () => {
    const {merged} = mergeTemplates([y('a.yml', BUCKET), y('b.yml', DB)])
    expect(classifyOutputs(merged.template)).toEqual([
      {name: 'assetsBucketName', kind: 'variable', envName: 'ASSETS_BUCKET_NAME'},
      {name: 'AssetsAccessPolicy', kind: 'managedPolicy', envName: 'ASSETS_ACCESS_POLICY'},
      {name: 'apidbSecret', kind: 'secret', envName: 'APIDB_SECRET'},
      {name: 'apidbSecurityGroup', kind: 'securityGroup', envName: 'APIDB_SECURITY_GROUP'},
      {name: 'apidbEndpoint', kind: 'variable', envName: 'APIDB_ENDPOINT'},
    ])
  })
})
