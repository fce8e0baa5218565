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
