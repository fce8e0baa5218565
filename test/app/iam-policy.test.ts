import {describe, expect, it} from 'vitest'

import {evaluatePolicy, partitionOf, resolveStatic, roleStatements, UNKNOWN, wildcardMatch, type AccessRequest} from '../../src/app/iam-policy.js'
import {renderWorkloadStack} from '../../src/render/index.js'

const ARN = 'arn:aws:ssm:us-east-1:111122223333:parameter/copilot/demo/test/secrets/db'
const tagged = (tags: Record<string, string>, action = 'ssm:GetParameters', resource = ARN): AccessRequest => ({
  action,
  resource,
  context: Object.fromEntries(Object.entries(tags).flatMap(([k, v]) => [[`ssm:ResourceTag/${k}`, v], [`aws:ResourceTag/${k}`, v]])),
  knownPrefixes: ['ssm:ResourceTag/', 'aws:ResourceTag/'],
})
const copilotTagged = {
  Sid: 'Tagged', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: ['arn:aws:ssm:us-east-1:111122223333:parameter/*'],
  Condition: {StringEquals: {'ssm:ResourceTag/copilot-application': 'demo', 'ssm:ResourceTag/copilot-environment': 'test'}},
}

describe('wildcardMatch', () => {
  it.each([
    ['arn:aws:ssm:*:*:parameter/*', ARN, true],
    ['arn:aws:ssm:us-east-1:111122223333:parameter/copilot/demo/*', ARN, true],
    ['arn:aws:ssm:us-east-1:111122223333:parameter/copilot/other/*', ARN, false],
    ['arn:aws:secretsmanager:us-east-1:1:secret:db-??????', 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf', true],
    ['arn:aws:secretsmanager:us-east-1:1:secret:db-??????', 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdE', false],
    ['a.b+c', 'a.b+c', true],
    ['a.b', 'axb', false],
  ])('%s ~ %s = %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected)
  })

  it('matches actions without regard to case', () => {
    const allow = [{Effect: 'Allow', Action: 'SSM:getparameters', Resource: '*'}]
    expect(evaluatePolicy(allow, tagged({})).decision).toBe('allowed')
    expect(evaluatePolicy([{Effect: 'Allow', Action: 'ssm:Get*', Resource: '*'}], tagged({})).decision).toBe('allowed')
    expect(evaluatePolicy([{Effect: 'Allow', Action: 'ssm:Put*', Resource: '*'}], tagged({})).decision).toBe('implicit-deny')
  })
})

describe('evaluatePolicy', () => {
  it('allows only when the resource tags satisfy the conditions, and says which one fails', () => {
    expect(evaluatePolicy([copilotTagged], tagged({'copilot-application': 'demo', 'copilot-environment': 'test'})).decision).toBe('allowed')
    const wrong = evaluatePolicy([copilotTagged], tagged({'copilot-application': 'demo', 'copilot-environment': 'prod'}))
    expect(wrong.decision).toBe('implicit-deny')
    expect(wrong.statements[0]!.mismatches).toEqual([{operator: 'StringEquals', key: 'ssm:ResourceTag/copilot-environment', expected: ['test'], actual: ['prod']}])
    const untagged = evaluatePolicy([copilotTagged], tagged({}))
    expect(untagged.statements[0]!.mismatches.map((m) => [m.key, m.actual])).toEqual([
      ['ssm:ResourceTag/copilot-application', undefined], ['ssm:ResourceTag/copilot-environment', undefined],
    ])
  })

  it('treats condition keys it cannot know as unknown, not as absent', () => {
    const bySource = {Effect: 'Allow', Action: '*', Resource: '*', Condition: {IpAddress: {'aws:SourceIp': '10.0.0.0/8'}}}
    expect(evaluatePolicy([bySource], tagged({})).decision).toBe('unknown')
    const byVpc = {Effect: 'Allow', Action: '*', Resource: '*', Condition: {StringEquals: {'aws:SourceVpc': 'vpc-1'}}}
    expect(evaluatePolicy([byVpc], tagged({})).decision).toBe('unknown')
  })

  it('gives absent keys the IAM meaning: negated operators and IfExists hold, Null tells', () => {
    const cond = (Condition: Record<string, Record<string, unknown>>) => evaluatePolicy([{Effect: 'Allow', Action: '*', Resource: '*', Condition}], tagged({})).decision
    expect(cond({StringNotEquals: {'aws:ResourceTag/team': 'x'}})).toBe('allowed')
    expect(cond({StringEqualsIfExists: {'aws:ResourceTag/team': 'x'}})).toBe('allowed')
    expect(cond({Null: {'aws:ResourceTag/team': 'true'}})).toBe('allowed')
    expect(cond({Null: {'aws:ResourceTag/team': 'false'}})).toBe('implicit-deny')
    expect(cond({StringLike: {'aws:ResourceTag/team': '*'}})).toBe('implicit-deny')
  })

  it('compares with StringLike, IgnoreCase and set operators', () => {
    const req = tagged({team: 'Payments', 'copilot-environment': 'test'})
    const with_ = (Condition: Record<string, Record<string, unknown>>) => evaluatePolicy([{Effect: 'Allow', Action: '*', Resource: '*', Condition}], req).decision
    expect(with_({StringLike: {'ssm:ResourceTag/team': 'Pay*'}})).toBe('allowed')
    expect(with_({StringEquals: {'ssm:ResourceTag/team': 'payments'}})).toBe('implicit-deny')
    expect(with_({StringEqualsIgnoreCase: {'ssm:ResourceTag/team': 'payments'}})).toBe('allowed')
    expect(with_({StringEquals: {'ssm:ResourceTag/team': ['Billing', 'Payments']}})).toBe('allowed')
    expect(with_({'ForAnyValue:StringEquals': {'aws:ResourceTag/team': ['Payments']}})).toBe('allowed')
    expect(with_({ArnLike: {'aws:SourceArn': 'arn:*'}})).toBe('unknown')
    expect(with_({NumericLessThan: {'aws:ResourceTag/team': '3'}})).toBe('unknown')
  })

  it('lets an explicit Deny win over any Allow', () => {
    const deny = {Sid: 'NoProd', Effect: 'Deny', Action: 'ssm:*', Resource: 'arn:aws:ssm:*:*:parameter/copilot/*'}
    const result = evaluatePolicy([{Effect: 'Allow', Action: '*', Resource: '*'}, deny], tagged({}))
    expect(result.decision).toBe('denied')
    expect(result.statements.find((s) => s.matches === true && s.effect === 'Deny')?.sid).toBe('NoProd')
    // A Deny that may apply makes an Allow uncertain.
    const maybe = {Effect: 'Deny', Action: '*', Resource: '*', Condition: {Bool: {'aws:SecureTransport': 'false'}}}
    expect(evaluatePolicy([{Effect: 'Allow', Action: '*', Resource: '*'}, maybe], tagged({})).decision).toBe('unknown')
  })

  it('reads NotAction and NotResource', () => {
    expect(evaluatePolicy([{Effect: 'Allow', NotAction: 'iam:*', Resource: '*'}], tagged({})).decision).toBe('allowed')
    expect(evaluatePolicy([{Effect: 'Allow', Action: '*', NotResource: 'arn:aws:ssm:*'}], tagged({})).decision).toBe('implicit-deny')
    expect(evaluatePolicy([{Effect: 'Deny', NotAction: 'ssm:GetParameters', Resource: '*'}, {Effect: 'Allow', Action: '*', Resource: '*'}], tagged({})).decision).toBe('allowed')
  })

  it('is unknown when part of the policy could not be resolved', () => {
    expect(evaluatePolicy([{Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [UNKNOWN]}], tagged({})).decision).toBe('unknown')
    expect(evaluatePolicy([UNKNOWN], tagged({})).decision).toBe('unknown')
    // ...but not when the unresolved part cannot concern this request.
    expect(evaluatePolicy([{Effect: 'Allow', Action: 's3:GetObject', Resource: [UNKNOWN]}], tagged({})).decision).toBe('implicit-deny')
  })
})

describe('resolveStatic', () => {
  const known = {refs: {'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111122223333', AppName: 'demo'}}
  it('resolves Ref, Fn::Sub (with its own variables), Fn::Join and drops AWS::NoValue', () => {
    expect(resolveStatic({'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/*'}, known)).toBe('arn:aws:ssm:us-east-1:111122223333:parameter/*')
    expect(resolveStatic({'Fn::Sub': ['${App}-${AWS::Region}-${!Literal}', {App: {Ref: 'AppName'}}]}, known)).toBe('demo-us-east-1-${Literal}')
    expect(resolveStatic({'Fn::Join': ['/', ['a', {Ref: 'AppName'}]]}, known)).toBe('a/demo')
    expect(resolveStatic(['x', {Ref: 'AWS::NoValue'}], known)).toEqual(['x'])
  })
  it('leaves what depends on deployment unknown', () => {
    expect(resolveStatic({'Fn::ImportValue': 'demo-test-Secret'}, known)).toBe(UNKNOWN)
    expect(resolveStatic({'Fn::GetAtt': ['Role', 'Arn']}, known)).toBe(UNKNOWN)
    expect(resolveStatic({'Fn::Sub': '${Missing}'}, known)).toBe(UNKNOWN)
  })
  it('evaluates both branches of a statement-level Fn::If whose condition is unknown', () => {
    const s3 = {'Fn::If': ['HasEnvFile', {Effect: 'Allow', Action: ['s3:GetObject'], Resource: [{Ref: 'EnvFile'}]}, {Ref: 'AWS::NoValue'}]}
    const ssm = {'Fn::If': ['Maybe', {Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: '*'}, {Ref: 'AWS::NoValue'}]}
    expect(evaluatePolicy([resolveStatic(s3, known)], tagged({})).decision).toBe('implicit-deny')
    expect(evaluatePolicy([resolveStatic(ssm, known)], tagged({})).decision).toBe('unknown')
    expect(evaluatePolicy([resolveStatic(ssm, {...known, conditions: {Maybe: true}})], tagged({})).decision).toBe('allowed')
  })
  it('knows the partition of a region', () => {
    expect([partitionOf('eu-west-1'), partitionOf('cn-north-1'), partitionOf('us-gov-west-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov'])
  })
})

describe('roleStatements on a rendered execution role', () => {
  const manifest = {
    name: 'api', type: 'Backend Service', image: {location: 'public.ecr.aws/nginx/nginx:latest'}, cpu: 256, memory: 512, count: 1, exec: false,
    secrets: {DB: '/copilot/demo/test/secrets/db', TOKEN: {secretsmanager: 'demo/token'}},
  }
  const stack = renderWorkloadStack({app: 'demo', env: 'test', name: 'api', manifest: manifest as never, inputs: {images: {}, environment: {}} as never})
  const known = {refs: {'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111122223333', ...stack.parameters}}
  const statements = roleStatements(stack.template, 'ExecutionRole', known)

  it('grants the referenced parameter and secret, and others only when tagged for the app and environment', () => {
    expect(evaluatePolicy(statements, tagged({})).decision).toBe('allowed')
    const other = 'arn:aws:ssm:us-east-1:111122223333:parameter/unrelated'
    expect(evaluatePolicy(statements, tagged({}, 'ssm:GetParameters', other)).decision).toBe('implicit-deny')
    expect(evaluatePolicy(statements, tagged({'copilot-application': 'demo', 'copilot-environment': 'test'}, 'ssm:GetParameters', other)).decision).toBe('allowed')
    const secret = (name: string): AccessRequest => ({action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}`, context: {}, knownPrefixes: ['secretsmanager:ResourceTag/', 'aws:ResourceTag/']})
    expect(evaluatePolicy(statements, secret('demo/token-AbCdEf')).decision).toBe('allowed')
    expect(evaluatePolicy(statements, secret('demo/other-AbCdEf')).decision).toBe('implicit-deny')
  })

  it('may decrypt with keys of its own account and region only', () => {
    const kms = (resource: string): AccessRequest => ({action: 'kms:Decrypt', resource, context: {}, knownPrefixes: ['aws:ResourceTag/']})
    expect(evaluatePolicy(statements, kms('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).decision).toBe('allowed')
    expect(evaluatePolicy(statements, kms('arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab')).decision).toBe('implicit-deny')
  })

  it('counts a managed policy it cannot read as one that may allow', () => {
    const template = {Resources: {R: {Type: 'AWS::IAM::Role', Properties: {ManagedPolicyArns: ['arn:aws:iam::111122223333:policy/Custom']}}}}
    expect(evaluatePolicy(roleStatements(template, 'R', known), tagged({})).decision).toBe('unknown')
  })
})
