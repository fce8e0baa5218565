// Addons and overrides read from a workspace on disk: validate's diagnostics, and package's output.
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {packageEnvironment, packageWorkload} from '../../src/app/package.js'
import {validateManifests} from '../../src/app/validate.js'
import {workspaceManifests} from '../../src/app/workspace-manifests.js'
import {UserError} from '../../src/errors.js'

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pier-addons-ws-'))
  const all: Record<string, string> = {
    'copilot/.workspace': 'application: shop\n',
    'copilot/environments/test/manifest.yml': 'name: test\ntype: Environment\n',
    'copilot/api/manifest.yml': 'name: api\ntype: Backend Service\nimage:\n  location: nginx\nvariables:\n  QUEUE_URL: x\n',
    ...files,
  }
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, p)), {recursive: true})
    writeFileSync(join(root, p), text)
  }
  return root
}

const PARAMS = 'Parameters:\n  App: {Type: String}\n  Env: {Type: String}\n  Name: {Type: String}\n'

describe('validate with addons', () => {
  it('reports addon problems with the manifests’, each located', async () => {
    const root = workspace({
      'copilot/api/addons/a.yml': `${PARAMS}Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueNme: x\nOutputs:\n  queueUrl:\n    Value: !GetAtt Queue.QueueUrl\n`,
      'copilot/api/addons/b.yml': 'Resources:\n  Queue:\n    Type: AWS::SNS::Topic\n',
      'copilot/api/addons/addons.parameters.yml': 'Parameters:\n  Missing: 1\n',
      'copilot/api/overrides/cfn.patches.yml': '- op: copy\n  path: /Resources\n',
      'copilot/environments/addons/env.yml': 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n',
    })
    const r = await validateManifests({cwd: root})
    expect(r.ok).toBe(false)
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'copilot/api/addons/addons.parameters.yml:2:3 addon-parameters',
      'copilot/api/addons/b.yml:2:3 addon-conflict',
      'copilot/api/overrides/cfn.patches.yml:1:3 patch',
      'copilot/environments/addons/env.yml:1:1 addon-parameters',
      'copilot/environments/addons/env.yml:1:1 addon-parameters',
    ])
    // Fix the conflict and the parameters: the specification and the manifest are checked next.
    const fixed = workspace({
      'copilot/api/addons/a.yml': `${PARAMS}Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueNme: x\nOutputs:\n  queueUrl:\n    Value: !GetAtt Queue.QueueUrl\n`,
    })
    const again = await validateManifests({cwd: fixed})
    expect(again.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.hint ?? ''}`)).toEqual([
      'copilot/api/addons/a.yml:9:7 addon-property Did you mean QueueName?',
      'copilot/api/addons/a.yml:11:3 addon-output Rename the output, or remove QUEUE_URL from variables in the manifest.',
    ])
  })
})

describe('package with addons and patches', () => {
  const root = workspace({
    'copilot/api/addons/q.yml': `${PARAMS}  Retention: {Type: Number}\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      MessageRetentionPeriod: !Ref Retention\nOutputs:\n  workQueueUrl:\n    Value: !Ref Queue\n`,
    'copilot/api/addons/addons.parameters.yml': 'Parameters:\n  Retention: 600\n',
    'copilot/api/overrides/cfn.patches.yml': '- op: replace\n  path: /Resources/LogGroup/Properties/RetentionInDays\n  value: 7\n',
    'copilot/environments/addons/b.yml': 'Parameters:\n  App: {Type: String}\n  Env: {Type: String}\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n',
  })
  const src = workspaceManifests(root)

  it('renders the nested stack, applies the patch and writes the addons template', () => {
    const r = packageWorkload(src, {name: 'api', env: 'test', kind: 'service'})
    expect(r.files.map((f) => f.name)).toEqual(['api-test.stack.yml', 'api-test.params.json', 'api-test.taskdef.json', 'api-test.addons.stack.yml'])
    const t = parse(r.files[0]!.content)
    expect(t.Resources.AddonsStack.Properties.Parameters).toEqual({App: {Ref: 'AppName'}, Env: {Ref: 'EnvName'}, Name: {Ref: 'WorkloadName'}, Retention: 600})
    expect(t.Resources.LogGroup.Properties.RetentionInDays).toBe(7)
    expect(t.Description).toMatch(/with YAML patches\.$/)
    expect(JSON.parse(r.files[1]!.content).Parameters.AddonsTemplateURL).toBe('api-test.addons.stack.yml')
    expect(parse(r.files[3]!.content).Resources.Queue.Properties.MessageRetentionPeriod).toEqual({Ref: 'Retention'})
    expect(r.notes).toEqual(['Addons: 1 resource from copilot/api/addons, deployed as the nested stack AddonsStack.', 'Overrides: applied 1 YAML patch from copilot/api/overrides/cfn.patches.yml.'])
    const env = packageEnvironment(src, 'test')
    expect(env.files.map((f) => f.name)).toEqual(['test.env.yml', 'test.env.params.json', 'test.env.addons.stack.yml'])
    expect(parse(env.files[0]!.content).Resources.AddonsStack.Properties.Parameters).toEqual({App: {Ref: 'AppName'}, Env: {Ref: 'EnvironmentName'}})
  })

  it('a broken addon stops package with every problem, located', () => {
    const bad = workspaceManifests(workspace({'copilot/api/addons/q.yml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n'}))
    let caught: unknown
    try {
      packageWorkload(bad, {name: 'api', env: 'test', kind: 'service'})
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(UserError)
    expect((caught as Error).message).toContain('the addons in copilot/api/addons cannot be deployed:')
    expect((caught as Error).message).toContain('copilot/api/addons/q.yml:1:1: error [addon-parameters] the addons template does not declare parameter "App"')
  })
})

describe('addons.parameters.yml against the parent stack', () => {
  it('refuses a value that refers to what the rendered stack does not have, located in the file', () => {
    const src = workspaceManifests(workspace({
      'copilot/environments/test/manifest.yml': 'name: test\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-1\n    subnets:\n      private:\n        - id: subnet-1\n        - id: subnet-2\n',
      'copilot/environments/addons/db.yml': 'Parameters:\n  App: {Type: String}\n  Env: {Type: String}\n  VPCID: {Type: String}\n  Sg: {Type: String}\nResources:\n  B: {Type: AWS::S3::Bucket}\n',
      'copilot/environments/addons/addons.parameters.yml': "Parameters:\n  VPCID: !Ref VPC\n  Sg: !Sub '${EnvironmentSecurityGroup}-${AWS::Region}'\n",
    }))
    expect(() => packageEnvironment(src, 'test')).toThrow(/addons.parameters.yml:2:3: error \[addon-parameters\] parameter "VPCID" refers to VPC, which the environment stack does not have/)
  })
})
