// The Resource Groups Tagging API of the local control plane: GetResources finds ECS clusters, services
// and task definitions by type and tags, through the AWS SDK's own client, as Copilot's desired-count
// custom resource looks up a service.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, ECSClient, RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {GetResourcesCommand, ResourceGroupsTaggingAPIClient} from '@aws-sdk/client-resource-groups-tagging-api'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLocalControlPlane, type LocalControlPlane} from '../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {resourceType} from '../../src/local/tagging/index.js'

describe('Resource Groups Tagging API', () => {
  let cp: LocalControlPlane
  let ecs: ECSClient
  let tagging: ResourceGroupsTaggingAPIClient
  const dir = mkdtempSync(join(tmpdir(), 'pier-tagging-'))
  const copilot = (svc: string) => [{key: 'copilot-application', value: 'app'}, {key: 'copilot-environment', value: 'test'}, {key: 'copilot-service', value: svc}]
  let web = ''
  let api = ''

  beforeAll(async () => {
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    const config = {endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}}
    ecs = new ECSClient(config)
    tagging = new ResourceGroupsTaggingAPIClient(config)
    await ecs.send(new CreateClusterCommand({clusterName: 'app-test', tags: [{key: 'copilot-application', value: 'app'}]}))
    await ecs.send(new RegisterTaskDefinitionCommand({family: 'app-test-web', containerDefinitions: [{name: 'web', image: 'busybox', command: ['sleep', '1'], memory: 64}]}))
    const service = (name: string) => ecs.send(new CreateServiceCommand({cluster: 'app-test', serviceName: name, taskDefinition: 'app-test-web', desiredCount: 0, tags: copilot(name)}))
    web = (await service('web')).service!.serviceArn!
    api = (await service('api')).service!.serviceArn!
    await service('gone')
    await ecs.send(new DeleteServiceCommand({cluster: 'app-test', service: 'gone', force: true}))
  })
  afterAll(async () => {
    await cp.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('names resource types as the API filters them', () => {
    expect(resourceType('arn:aws:ecs:us-east-1:000000000000:service/app-test/web')).toBe('ecs:service')
    expect(resourceType('arn:aws:ecs:us-east-1:000000000000:task-definition/app-test-web:1')).toBe('ecs:task-definition')
    expect(resourceType('arn:aws:sns:us-east-1:000000000000:topic')).toBe('sns')
  })

  it('finds the one service with all the tags asked for, and no deleted one', async () => {
    const filters = (svc: string) => [{Key: 'copilot-application', Values: ['app']}, {Key: 'copilot-environment', Values: ['test']}, {Key: 'copilot-service', Values: [svc]}]
    const one = await tagging.send(new GetResourcesCommand({ResourceTypeFilters: ['ecs:service'], TagFilters: filters('web')}))
    expect(one.ResourceTagMappingList).toEqual([{ResourceARN: web, Tags: [{Key: 'copilot-application', Value: 'app'}, {Key: 'copilot-environment', Value: 'test'}, {Key: 'copilot-service', Value: 'web'}]}])
    expect((await tagging.send(new GetResourcesCommand({ResourceTypeFilters: ['ecs:service'], TagFilters: filters('gone')}))).ResourceTagMappingList).toEqual([])
    // Values of one filter are alternatives; a filter without values asks for the key only.
    const both = await tagging.send(new GetResourcesCommand({TagFilters: [{Key: 'copilot-service', Values: ['web', 'api']}]}))
    expect(both.ResourceTagMappingList?.map((r) => r.ResourceARN)).toEqual([api, web].sort())
    const app = await tagging.send(new GetResourcesCommand({ResourceTypeFilters: ['ecs'], TagFilters: [{Key: 'copilot-application'}]}))
    expect(app.ResourceTagMappingList?.map((r) => resourceType(r.ResourceARN!)).sort()).toEqual(['ecs:cluster', 'ecs:service', 'ecs:service'])
  })

  it('pages, and refuses what AWS refuses', async () => {
    const first = await tagging.send(new GetResourcesCommand({ResourcesPerPage: 1, TagFilters: [{Key: 'copilot-application'}]}))
    expect(first.ResourceTagMappingList).toHaveLength(1)
    expect(first.PaginationToken).toBeTruthy()
    const rest = await tagging.send(new GetResourcesCommand({ResourcesPerPage: 100, PaginationToken: first.PaginationToken, TagFilters: [{Key: 'copilot-application'}]}))
    expect(rest.ResourceTagMappingList).toHaveLength(2)
    expect(rest.PaginationToken).toBe('')
    await expect(tagging.send(new GetResourcesCommand({ResourcesPerPage: 101}))).rejects.toMatchObject({name: 'InvalidParameterException'})
    await expect(tagging.send(new GetResourcesCommand({ResourceARNList: [web], ResourceTypeFilters: ['ecs:service']}))).rejects.toMatchObject({name: 'InvalidParameterException'})
    expect((await tagging.send(new GetResourcesCommand({ResourceARNList: [web]}))).ResourceTagMappingList?.map((r) => r.ResourceARN)).toEqual([web])
  })
})
