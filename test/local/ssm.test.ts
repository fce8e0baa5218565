import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startControlPlane, type Harness} from './helpers.js'

let h: Harness
let ssm: SSMClient
beforeAll(async () => {
  h = await startControlPlane()
  ssm = new SSMClient(h.config)
})
afterAll(() => h.close())

describe('SSM Parameter Store', () => {
  it('keeps SecureString values encrypted at rest and decrypts them only on request', async () => {
    await ssm.send(new PutParameterCommand({Name: '/app/test/DB_PASSWORD', Value: 'hunter2', Type: 'SecureString'}))
    const sealed = (await ssm.send(new GetParameterCommand({Name: '/app/test/DB_PASSWORD'}))).Parameter!
    expect(sealed.Value).not.toBe('hunter2')
    expect(sealed.ARN).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/app/test/DB_PASSWORD')
    const clear = (await ssm.send(new GetParameterCommand({Name: '/app/test/DB_PASSWORD', WithDecryption: true}))).Parameter!
    expect(clear).toMatchObject({Value: 'hunter2', Type: 'SecureString', Version: 1})
    expect(readFileSync(join(h.stateDir, 'ssm.json'), 'utf8')).not.toContain('hunter2')
  })

  it('refuses to overwrite without Overwrite, and versions each overwrite', async () => {
    await ssm.send(new PutParameterCommand({Name: 'plain', Value: 'one', Type: 'String'}))
    await expect(ssm.send(new PutParameterCommand({Name: 'plain', Value: 'two', Type: 'String'}))).rejects.toMatchObject({name: 'ParameterAlreadyExists'})
    const put = await ssm.send(new PutParameterCommand({Name: 'plain', Value: 'two', Overwrite: true}))
    expect(put.Version).toBe(2)
    expect((await ssm.send(new GetParameterCommand({Name: 'plain:1'}))).Parameter).toMatchObject({Value: 'one', Selector: ':1'})
    expect((await ssm.send(new GetParameterCommand({Name: 'plain'}))).Parameter?.Value).toBe('two')
    const hist = await ssm.send(new GetParameterHistoryCommand({Name: 'plain'}))
    expect(hist.Parameters?.map((p) => p.Value)).toEqual(['one', 'two'])
    await expect(ssm.send(new GetParameterCommand({Name: 'plain:9'}))).rejects.toMatchObject({name: 'ParameterVersionNotFound'})
  })

  it('reports missing parameters with ParameterNotFound and in InvalidParameters', async () => {
    await expect(ssm.send(new GetParameterCommand({Name: '/nope'}))).rejects.toMatchObject({name: 'ParameterNotFound', $metadata: {httpStatusCode: 400}})
    const many = await ssm.send(new GetParametersCommand({Names: ['plain', '/nope']}))
    expect(many.Parameters?.map((p) => p.Name)).toEqual(['plain'])
    expect(many.InvalidParameters).toEqual(['/nope'])
    await expect(ssm.send(new DeleteParameterCommand({Name: '/nope'}))).rejects.toMatchObject({name: 'ParameterNotFound'})
  })

  it('validates names and types like AWS', async () => {
    await expect(ssm.send(new PutParameterCommand({Name: 'a/b', Value: 'x', Type: 'String'}))).rejects.toMatchObject({name: 'ValidationException'})
    await expect(ssm.send(new PutParameterCommand({Name: '/new', Value: 'x'}))).rejects.toMatchObject({name: 'ValidationException'})
    await expect(ssm.send(new PutParameterCommand({Name: '/t', Value: 'x', Type: 'String', Overwrite: true, Tags: [{Key: 'a', Value: 'b'}]}))).rejects.toMatchObject({
      name: 'ValidationException',
    })
    await expect(ssm.send(new PutParameterCommand({Name: '/pat', Value: 'abc', Type: 'String', AllowedPattern: '^\\d+$'}))).rejects.toMatchObject({
      name: 'ParameterPatternMismatchException',
    })
  })

  it('walks a path recursively with pagination', async () => {
    for (let i = 0; i < 13; i++) await ssm.send(new PutParameterCommand({Name: `/tree/svc/k${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: 'StringList'}))
    await ssm.send(new PutParameterCommand({Name: '/tree/top', Value: 'top', Type: 'String'}))
    await ssm.send(new PutParameterCommand({Name: '/tree/s', Value: 's', Type: 'SecureString'}))
    const oneLevel = await ssm.send(new GetParametersByPathCommand({Path: '/tree'}))
    expect(oneLevel.Parameters?.map((p) => p.Name)).toEqual(['/tree/s', '/tree/top'])
    const names: string[] = []
    let NextToken: string | undefined
    let pages = 0
    do {
      const page = await ssm.send(new GetParametersByPathCommand({Path: '/tree/', Recursive: true, WithDecryption: true, MaxResults: 5, NextToken}))
      names.push(...page.Parameters!.map((p) => `${p.Name}=${p.Value}`))
      NextToken = page.NextToken
      pages++
    } while (NextToken)
    expect(pages).toBe(3)
    expect(names).toHaveLength(15)
    expect(names).toContain('/tree/s=s')
    expect(names[0]).toBe('/tree/s=s')
  })

  it('describes parameters with filters, and deletes several at once', async () => {
    const d = await ssm.send(new DescribeParametersCommand({ParameterFilters: [{Key: 'Type', Values: ['SecureString']}], MaxResults: 50}))
    expect(d.Parameters?.map((p) => p.Name)).toEqual(['/app/test/DB_PASSWORD', '/tree/s'])
    expect(d.Parameters?.[0]).toMatchObject({KeyId: 'alias/aws/ssm', Tier: 'Standard', Version: 1})
    const path = await ssm.send(new DescribeParametersCommand({ParameterFilters: [{Key: 'Path', Option: 'OneLevel', Values: ['/tree']}]}))
    expect(path.Parameters?.map((p) => p.Name)).toEqual(['/tree/s', '/tree/top'])
    const del = await ssm.send(new DeleteParametersCommand({Names: ['/tree/s', '/tree/top', '/missing']}))
    expect(del).toMatchObject({DeletedParameters: ['/tree/s', '/tree/top'], InvalidParameters: ['/missing']})
  })

  it('adds, lists and removes tags', async () => {
    await ssm.send(new PutParameterCommand({Name: '/tagged', Value: 'x', Type: 'String', Tags: [{Key: 'copilot-application', Value: 'app'}]}))
    await ssm.send(new AddTagsToResourceCommand({ResourceType: 'Parameter', ResourceId: '/tagged', Tags: [{Key: 'env', Value: 'test'}]}))
    const tags = await ssm.send(new ListTagsForResourceCommand({ResourceType: 'Parameter', ResourceId: '/tagged'}))
    expect(tags.TagList).toEqual([
      {Key: 'copilot-application', Value: 'app'},
      {Key: 'env', Value: 'test'},
    ])
    await ssm.send(new RemoveTagsFromResourceCommand({ResourceType: 'Parameter', ResourceId: '/tagged', TagKeys: ['env']}))
    const after = await ssm.send(new ListTagsForResourceCommand({ResourceType: 'Parameter', ResourceId: '/tagged'}))
    expect(after.TagList).toEqual([{Key: 'copilot-application', Value: 'app'}])
    const byTag = await ssm.send(new DescribeParametersCommand({ParameterFilters: [{Key: 'tag:copilot-application', Values: ['app']}]}))
    expect(byTag.Parameters?.map((p) => p.Name)).toEqual(['/tagged'])
    await expect(ssm.send(new ListTagsForResourceCommand({ResourceType: 'Parameter', ResourceId: '/gone'}))).rejects.toMatchObject({name: 'InvalidResourceId'})
  })

  it('keeps parameters across a restart', async () => {
    await h.cp.close()
    const {createControlPlane} = await import('../../src/local/control-plane.js')
    const again = await createControlPlane({stateDir: h.stateDir, port: 0, log: () => undefined})
    try {
      const client = new SSMClient({...h.config, endpoint: again.endpoint})
      expect((await client.send(new GetParameterCommand({Name: '/app/test/DB_PASSWORD', WithDecryption: true}))).Parameter?.Value).toBe('hunter2')
    } finally {
      await again.close()
    }
  })
})
