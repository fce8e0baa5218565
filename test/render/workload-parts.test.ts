// The small rules of a workload's rendering, each at its own unit: Copilot's `count` ranges, secret
// references (names and ARNs turned into what ECS and IAM want), the platform a task runs on.
import {describe, expect, it} from 'vitest'

import type {Count} from '../../src/manifest/types.js'
import {RenderError} from '../../src/render/index.js'
import {initialDesiredCount, scalingRange} from '../../src/render/workload/count.js'
import {containerSecrets, secretRef} from '../../src/render/workload/secrets.js'
import {runtimePlatform} from '../../src/render/workload/taskdef.js'

describe('count ranges', () => {
  it('reads "min-max", with blanks anywhere around the numbers', () => {
    expect(scalingRange({range: '1-10'})).toEqual({min: 1, max: 10})
    expect(scalingRange({range: ' 12 - 30 '})).toEqual({min: 12, max: 30})
    expect(scalingRange({range: '\t2-\t4'})).toEqual({min: 2, max: 4})
  })

  it('refuses a range with anything else around it', () => {
    for (const range of ['x1-10', '1-10x', '1 - 10 s', 'a 1-2', '1-', '-3']) {
      expect(() => scalingRange({range})).toThrow(new RenderError(`count.range "${range}" is not a range: write it as min-max, like 1-10`))
    }
  })

  it('reads {min, max} and refuses one without the other', () => {
    expect(scalingRange({range: {min: 2, max: 5}})).toEqual({min: 2, max: 5})
    expect(() => scalingRange({range: {min: 2}} as Count)).toThrow(new RenderError('count.range needs both min and max'))
    expect(() => scalingRange({range: {max: 2}} as Count)).toThrow(new RenderError('count.range needs both min and max'))
  })

  it('has no range for a plain count, an absent one, or autoscaling without a range', () => {
    expect(scalingRange(3)).toBeUndefined()
    expect(scalingRange(undefined)).toBeUndefined()
    expect(scalingRange(null as unknown as Count)).toBeUndefined()
    expect(scalingRange({cpu_percentage: 50})).toBeUndefined()
  })

  it('starts the service with the count, the spot count, the range minimum, or one', () => {
    expect(initialDesiredCount(undefined)).toBe(1)
    expect(initialDesiredCount(4)).toBe(4)
    expect(initialDesiredCount({spot: 2})).toBe(2)
    expect(initialDesiredCount({range: '3-9'})).toBe(3)
    expect(initialDesiredCount({cpu_percentage: 50})).toBe(1)
  })
})

const sub = (s: string) => ({'Fn::Sub': s})
const SM = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:'

describe('secret references', () => {
  it('turns an SSM parameter name into its ARN, and keeps an SSM parameter ARN as it is', () => {
    const arn = sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db')
    expect(secretRef('app/db')).toEqual({valueFrom: arn, kind: 'ssm', resource: arn})
    expect(secretRef('/app/db')).toEqual({valueFrom: arn, kind: 'ssm', resource: arn})
    const given = 'arn:aws:ssm:us-east-1:111111111111:parameter/token'
    expect(secretRef(given)).toEqual({valueFrom: given, kind: 'ssm', resource: given})
  })

  it('reads a Secrets Manager ARN given as a plain secret as a Secrets Manager secret', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:password::'
    expect(secretRef(arn)).toEqual({valueFrom: arn, kind: 'secretsmanager', resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf*'})
  })

  it('lets the role read the whole secret of a Secrets Manager ARN with a JSON key, stage or version', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:username:AWSCURRENT:'
    expect(secretRef({secretsmanager: arn})).toEqual({valueFrom: arn, kind: 'secretsmanager', resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf*'})
    const plain = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf'
    expect(secretRef({secretsmanager: plain}).resource).toBe(`${plain}*`)
  })

  it('turns a Secrets Manager name into its ARN, any random suffix allowed to the role', () => {
    expect(secretRef({secretsmanager: 'shop/json:username::'})).toEqual({valueFrom: sub(`${SM}shop/json:username::`), kind: 'secretsmanager', resource: sub(`${SM}shop/json-*`)})
  })

  it('imports a secret from another stack', () => {
    expect(secretRef({from_cfn: 'shop-secret'})).toEqual({valueFrom: {'Fn::ImportValue': 'shop-secret'}, kind: 'import', resource: {'Fn::ImportValue': 'shop-secret'}})
  })

  it('lists container secrets by name', () => {
    expect(containerSecrets({Z: 'arn:aws:ssm:r:1:parameter/z', A: 'arn:aws:ssm:r:1:parameter/a'}).entries).toEqual([
      {Name: 'A', ValueFrom: 'arn:aws:ssm:r:1:parameter/a'},
      {Name: 'Z', ValueFrom: 'arn:aws:ssm:r:1:parameter/z'},
    ])
  })
})

describe('runtime platform', () => {
  it('upper-cases the object form', () => {
    expect(runtimePlatform({osfamily: 'linux', architecture: 'x86_64'})).toEqual({OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64'})
    expect(runtimePlatform({osfamily: 'windows_server_2019_full', architecture: 'x86_64'})).toEqual({OperatingSystemFamily: 'WINDOWS_SERVER_2019_FULL', CpuArchitecture: 'X86_64'})
  })

  it('reads os/arch strings, with arm and amd64 as aliases', () => {
    expect(runtimePlatform('linux/arm64')).toEqual({OperatingSystemFamily: 'LINUX', CpuArchitecture: 'ARM64'})
    expect(runtimePlatform('linux/arm')).toEqual({OperatingSystemFamily: 'LINUX', CpuArchitecture: 'ARM64'})
    expect(runtimePlatform('linux/x86_64')).toEqual({OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64'})
    expect(runtimePlatform('Linux/AMD64')).toEqual({OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64'})
    expect(runtimePlatform('windows/x86_64')).toEqual({OperatingSystemFamily: 'WINDOWS_SERVER_2019_CORE', CpuArchitecture: 'X86_64'})
    expect(runtimePlatform(undefined)).toBeUndefined()
  })

  it('refuses an architecture or an operating system Fargate does not run', () => {
    for (const p of ['linux/mips', 'linux', 'darwin/arm64', 'darwin/x86_64']) {
      expect(() => runtimePlatform(p)).toThrow(new RenderError(`platform "${p}" is not supported: use linux/x86_64, linux/arm64 or windows/x86_64`))
    }
  })
})
