// Nested stacks in the engine: parameters in, outputs out as `Outputs.X` attributes, names and ids as on
// AWS, updates (and their rollback) through the parent, deletion of the tree, recovery of a tree a stop
// interrupted; and dynamic references resolved for providers but never stored.
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createCloudFormation, type CloudFormation} from '../../../src/local/cloudformation/index.js'
import {ServiceError} from '../../../src/local/frontend/types.js'
import {fakeApi, flat, registerThing, type FakeApi, type ThingWorld} from './helpers.js'

const CHILD = `
Parameters:
  Value: {Type: String}
  Fail: {Type: String, Default: 'false'}
  Hang: {Type: String, Default: 'false'}
Resources:
  Inner: {Type: Test::Thing, Properties: {Value: !Ref Value, FailUpdate: !Ref Fail, Hang: !Ref Hang}}
Outputs:
  Upper: {Value: !GetAtt Inner.Upper}
`

const parent = (value: string, extra: Record<string, string> = {}) => `
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://templates.s3.us-east-1.amazonaws.com/child.yml
      Parameters: {Value: ${value}${Object.entries(extra).map(([k, v]) => `, ${k}: '${v}'`).join('')}}
  User: {Type: Test::Thing, Properties: {Value: !GetAtt Child.Outputs.Upper}}
Outputs:
  FromChild: {Value: !GetAtt Child.Outputs.Upper}
  ChildId: {Value: !Ref Child}
`

describe('nested stacks', () => {
  let dir: string
  let api: FakeApi
  let cfn: CloudFormation
  let world: ThingWorld
  const templates = new Map<string, string>([['https://templates.s3.us-east-1.amazonaws.com/child.yml', CHILD]])

  const start = () => {
    cfn = createCloudFormation({stateDir: dir, api, region: 'us-east-1', accountId: '000000000000', minuteMs: 50,
      fetchTemplate: async (url) => {
        const t = templates.get(url)
        if (!t) throw new ServiceError('ValidationError', 'S3 error: Access Denied')
        return t
      }})
    world = registerThing(cfn.registry)
  }
  const call = (action: string, input: Record<string, unknown> = {}) => cfn.service.handle(action, flat(input), api.context()) as Promise<any>
  const describe1 = async (name: string) => (await call('DescribeStacks', {StackName: name})).Stacks[0]
  const events = async (name: string) => [...(await call('DescribeStackEvents', {StackName: name})).StackEvents].reverse()

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pier-nested-'))
    api = fakeApi()
    start()
  })
  afterEach(async () => {
    await cfn.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('creates the child with parameters, names and ids as on AWS, and gives its outputs to the parent', async () => {
    await call('CreateStack', {StackName: 'web', TemplateBody: parent('hello')})
    await cfn.idle()
    const stack = await describe1('web')
    expect(stack.StackStatus).toBe('CREATE_COMPLETE')
    const out = Object.fromEntries(stack.Outputs.map((o: any) => [o.OutputKey, o.OutputValue]))
    expect(out.FromChild).toBe('HELLO')
    const child = await describe1(out.ChildId)
    expect(child).toMatchObject({StackStatus: 'CREATE_COMPLETE', ParentId: stack.StackId, RootId: stack.StackId})
    expect(child.StackName).toMatch(/^web-Child-[A-Z0-9]{13}$/)
    expect(child.Parameters).toEqual(expect.arrayContaining([{ParameterKey: 'Value', ParameterValue: 'hello'}]))
    expect((await events(out.ChildId)).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toContain('Inner CREATE_COMPLETE')
    expect((await call('ListStacks')).StackSummaries.find((s: any) => s.StackId === out.ChildId).ParentId).toBe(stack.StackId)
  })

  it('updates the child through the parent, and rolls both back when the child fails', async () => {
    await call('CreateStack', {StackName: 'web', TemplateBody: parent('one')})
    await cfn.idle()
    await call('UpdateStack', {StackName: 'web', TemplateBody: parent('two')})
    await cfn.idle()
    let stack = await describe1('web')
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE')
    expect(stack.Outputs.find((o: any) => o.OutputKey === 'FromChild').OutputValue).toBe('TWO')
    const childId = stack.Outputs.find((o: any) => o.OutputKey === 'ChildId').OutputValue

    await call('UpdateStack', {StackName: 'web', TemplateBody: parent('three', {Fail: 'true'})})
    await cfn.idle()
    stack = await describe1('web')
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    const reason = (await events('web')).find((e) => e.LogicalResourceId === 'Child' && e.ResourceStatus === 'UPDATE_FAILED').ResourceStatusReason
    expect(reason).toMatch(/^Embedded stack arn:aws:cloudformation:us-east-1:000000000000:stack\/web-Child-.* was not successfully updated. Currently in UPDATE_ROLLBACK_COMPLETE/)
    expect((await describe1(childId)).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE')
    expect([...world.live.values()].map((p) => p.Value).sort()).toEqual(['TWO', 'two'])
  })

  it('deletes the tree with the parent', async () => {
    await call('CreateStack', {StackName: 'web', TemplateBody: parent('x')})
    await cfn.idle()
    const childId = (await describe1('web')).Outputs.find((o: any) => o.OutputKey === 'ChildId').OutputValue
    await call('DeleteStack', {StackName: 'web'})
    await cfn.idle()
    expect((await describe1(childId)).StackStatus).toBe('DELETE_COMPLETE')
    expect(world.live.size).toBe(0)
  })

  it('fails a child whose TemplateURL cannot be read, and rolls the parent back', async () => {
    await call('CreateStack', {StackName: 'web', TemplateBody: parent('x').replace('child.yml', 'missing.yml')})
    await cfn.idle()
    expect((await describe1('web')).StackStatus).toBe('ROLLBACK_COMPLETE')
    const failed = (await events('web')).find((e) => e.ResourceStatus === 'CREATE_FAILED')
    expect(failed.ResourceStatusReason).toMatch(/TemplateURL https:\/\/templates.*missing.yml could not be read: S3 error: Access Denied/)
  })

  it('rolls back a tree whose creation a stop interrupted', async () => {
    await call('CreateStack', {StackName: 'web', TemplateBody: parent('x', {Hang: 'true'})})
    for (let i = 0; i < 100 && world.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(world.inFlight).toBe(1)
    await cfn.close()
    start()
    await new Promise((r) => setImmediate(r))
    for (let i = 0; i < 100; i++) {
      await cfn.idle()
      if (!(await describe1('web')).StackStatus.endsWith('IN_PROGRESS')) break
    }
    expect((await describe1('web')).StackStatus).toBe('ROLLBACK_COMPLETE')
    const all = (await call('ListStacks')).StackSummaries
    expect(all.find((s: any) => s.ParentId).StackStatus).toBe('DELETE_COMPLETE')
  })
})

describe('dynamic references', () => {
  it('gives providers the value and keeps the reference in the stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pier-dynref-'))
    const api = fakeApi()
    api.handlers.set('secretsmanager.GetSecretValue', (i) => {
      if (i.SecretId !== 'db-secret') throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
      return {ARN: 'arn:x', SecretString: JSON.stringify({password: 'pa55word'})}
    })
    api.ssm.set('/app/colour', 'blue')
    const cfn = createCloudFormation({stateDir: dir, api, region: 'us-east-1', accountId: '000000000000'})
    const world = registerThing(cfn.registry)
    const call = (action: string, input: Record<string, unknown> = {}) => cfn.service.handle(action, flat(input), api.context()) as Promise<any>
    try {
      await call('CreateStack', {StackName: 'refs', TemplateBody: `
Resources:
  A: {Type: Test::Thing, Properties: {Value: 'pw={{resolve:secretsmanager:db-secret:SecretString:password}} colour={{resolve:ssm:/app/colour}} again={{resolve:secretsmanager:db-secret::password}}'}}
`})
      await cfn.idle()
      expect([...world.live.values()][0]!.Value).toBe('pw=pa55word colour=blue again=pa55word')
      // The stack keeps the reference (what a provider returns as attributes is its own business).
      const files = readdirSync(join(dir, 'cloudformation', 'stacks'))
      const events = files.filter((f) => f.endsWith('.ndjson')).map((f) => readFileSync(join(dir, 'cloudformation', 'stacks', f), 'utf8')).join('')
      expect(events).toContain('{{resolve:secretsmanager:db-secret:SecretString:password}}')
      expect(events).not.toContain('pa55word')
      const doc = JSON.parse(readFileSync(join(dir, 'cloudformation', 'stacks', files.find((f) => !f.endsWith('.ndjson'))!), 'utf8'))
      expect(doc.resources.A.properties.Value).toBe('pw={{resolve:secretsmanager:db-secret:SecretString:password}} colour={{resolve:ssm:/app/colour}} again={{resolve:secretsmanager:db-secret::password}}')

      await call('CreateStack', {StackName: 'bad', TemplateBody: `
Resources:
  A: {Type: Test::Thing, Properties: {Value: '{{resolve:secretsmanager:db-secret:SecretString:user}}'}}
`})
      await cfn.idle()
      const ev = (await call('DescribeStackEvents', {StackName: 'bad'})).StackEvents.find((e: any) => e.ResourceStatus === 'CREATE_FAILED')
      expect(ev.ResourceStatusReason).toBe('Could not find SecretString key user in secret db-secret')
    } finally {
      await cfn.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
