// `.taskdef.json`: the task definition in the ECS API's shape, parameters resolved.
import {describe, expect, it} from 'vitest'

import {toEcsTaskDefinition} from '../../src/render/workload/ecs-shape.js'

describe('toEcsTaskDefinition', () => {
  it('camel-cases members, keeps user map keys, resolves parameters and conditions on them', () => {
    const props = {
      Family: 'shop-test-web',
      Volumes: [{Name: 'data', EFSVolumeConfiguration: {FilesystemId: 'fs-1', AuthorizationConfig: {IAM: 'ENABLED'}}}],
      ContainerDefinitions: [
        {
          Name: 'web',
          Image: {Ref: 'ContainerImage'},
          DockerLabels: {'pier.build.context': '/src', Team: 'a'},
          LogConfiguration: {LogDriver: 'awslogs', Options: {'awslogs-group': {Ref: 'LogGroup'}}},
          EnvironmentFiles: [{'Fn::If': ['HasEnvFileARN', {Type: 's3', Value: {Ref: 'EnvFileARN'}}, {Ref: 'AWS::NoValue'}]}],
          Secrets: [{Name: 'X', ValueFrom: {'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x'}}],
        },
      ],
      ExecutionRoleArn: {'Fn::GetAtt': ['ExecutionRole', 'Arn']},
    }
    const withFile = toEcsTaskDefinition(props, {ContainerImage: 'img:1', EnvFileARN: 'arn:aws:s3:::b/k'})
    expect(withFile).toEqual({
      family: 'shop-test-web',
      volumes: [{name: 'data', efsVolumeConfiguration: {fileSystemId: 'fs-1', authorizationConfig: {iam: 'ENABLED'}}}],
      containerDefinitions: [
        {
          name: 'web',
          image: 'img:1',
          dockerLabels: {'pier.build.context': '/src', Team: 'a'},
          logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': {Ref: 'LogGroup'}}},
          environmentFiles: [{type: 's3', value: 'arn:aws:s3:::b/k'}],
          secrets: [{name: 'X', valueFrom: {'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x'}}],
        },
      ],
      executionRoleArn: {'Fn::GetAtt': ['ExecutionRole', 'Arn']},
    })
    const without = toEcsTaskDefinition(props, {ContainerImage: 'img:1', EnvFileARN: ''})
    expect(without.containerDefinitions[0].environmentFiles).toBeUndefined()
  })
})

describe('toEcsTaskDefinition, edge shapes', () => {
  it('keeps nulls, one-key objects that are not intrinsics, and conditions it cannot decide', () => {
    const out = toEcsTaskDefinition({
      Cpu: null,
      Proxy: {Type: 'APPMESH'},
      Tags: [{Ref: 'Unknown'}],
      Mode: {'Fn::If': ['IsProd', 'a', 'b']},
      Other: {'Fn::If': ['HasMissing', 'a', 'b']},
      Labelled: {'Fn::If': ['Has', 'a', 'b']},
      Both: {'Fn::Join': ['', ['a', 'b']], Extra: 1},
      Plain: {Fn: 1, Value: 2},
      RefAndMore: {Ref: 'Size', Extra: 1},
      IfAndMore: {'Fn::If': ['HasSize', 'a', 'b'], Extra: 1},
      NotHas: {'Fn::If': ['NotSize', 'a', 'b']},
    } as never, {'': 'x', Size: '512'})
    expect(out).toEqual({
      cpu: null,
      proxy: {type: 'APPMESH'},
      tags: [{Ref: 'Unknown'}],
      mode: {'Fn::If': ['IsProd', 'a', 'b']},
      other: {'Fn::If': ['HasMissing', 'a', 'b']},
      labelled: {'Fn::If': ['Has', 'a', 'b']},
      both: {'Fn::Join': ['', ['a', 'b']], Extra: 1},
      plain: {fn: 1, value: 2},
      refAndMore: {ref: 'Size', extra: 1},
      ifAndMore: {'Fn::If': ['HasSize', 'a', 'b'], Extra: 1},
      notHas: {'Fn::If': ['NotSize', 'a', 'b']},
    })
  })

  it('drops a member a condition removes, inside objects and lists', () => {
    const props = {Memory: {'Fn::If': ['HasSize', {Ref: 'Size'}, {Ref: 'AWS::NoValue'}]}, Links: [{Ref: 'AWS::NoValue'}, 'db']}
    expect(toEcsTaskDefinition(props as never, {Size: ''})).toEqual({links: ['db']})
    expect(toEcsTaskDefinition(props as never, {Size: '512'})).toEqual({memory: '512', links: ['db']})
  })
})
