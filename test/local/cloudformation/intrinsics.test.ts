import {describe, expect, it} from 'vitest'
import {cidr, evaluate, evaluateConditions, KNOWN_AFTER_APPLY, NO_VALUE, pseudoParameters, TemplateError, type EvalContext} from '../../../src/local/cloudformation/intrinsics.js'

function ctx(over: Partial<EvalContext> = {}): EvalContext {
  return {
    region: 'us-east-1',
    params: {Env: 'test', Subnets: ['subnet-a', 'subnet-b'], Port: '8080'},
    pseudo: pseudoParameters({region: 'us-east-1', accountId: '000000000000', stackName: 'demo-test', stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/demo-test/1'}),
    conditions: {IsProd: false, IsTest: true},
    mappings: {Sizes: {test: {Cpu: 256, Memory: 512}, prod: {Cpu: 1024}}},
    resource: (id) => id === 'Vpc' ? {physicalId: 'vpc-0abc', attributes: {CidrBlock: '10.0.0.0/16', 'Endpoint.Address': 'db.local'}}
      : id === 'Later' ? KNOWN_AFTER_APPLY : undefined,
    importValue: (name) => {
      if (name === 'demo-test-VpcId') return 'vpc-imported'
      throw new TemplateError(`No export named ${name} found`)
    },
    ...over,
  }
}

describe('intrinsic functions', () => {
  const cases: [string, unknown, unknown][] = [
    ['Ref to a parameter', {Ref: 'Env'}, 'test'],
    ['Ref to a list parameter', {Ref: 'Subnets'}, ['subnet-a', 'subnet-b']],
    ['Ref to a resource', {Ref: 'Vpc'}, 'vpc-0abc'],
    ['Ref to AWS::Region', {Ref: 'AWS::Region'}, 'us-east-1'],
    ['Ref to AWS::AccountId', {Ref: 'AWS::AccountId'}, '000000000000'],
    ['Ref to AWS::StackName', {Ref: 'AWS::StackName'}, 'demo-test'],
    ['Ref to AWS::Partition', {Ref: 'AWS::Partition'}, 'aws'],
    ['Ref to AWS::URLSuffix', {Ref: 'AWS::URLSuffix'}, 'amazonaws.com'],
    ['Ref to AWS::NotificationARNs', {Ref: 'AWS::NotificationARNs'}, []],
    ['GetAtt list form', {'Fn::GetAtt': ['Vpc', 'CidrBlock']}, '10.0.0.0/16'],
    ['GetAtt dotted attribute', {'Fn::GetAtt': ['Vpc', 'Endpoint.Address']}, 'db.local'],
    ['GetAtt string form', {'Fn::GetAtt': 'Vpc.Endpoint.Address'}, 'db.local'],
    ['Sub string form', {'Fn::Sub': '${AWS::StackName}-${Env}-${Vpc}-${Vpc.CidrBlock}'}, 'demo-test-test-vpc-0abc-10.0.0.0/16'],
    ['Sub literal', {'Fn::Sub': '${!NotAVar} ${Env}'}, '${NotAVar} test'],
    ['Sub with variables', {'Fn::Sub': ['${A}:${Port}', {A: {Ref: 'Env'}}]}, 'test:8080'],
    ['Sub of a list parameter', {'Fn::Sub': '${Subnets}'}, 'subnet-a,subnet-b'],
    ['Join', {'Fn::Join': ['-', ['a', {Ref: 'Env'}, 'c']]}, 'a-test-c'],
    ['Join of a list parameter', {'Fn::Join': [',', {Ref: 'Subnets'}]}, 'subnet-a,subnet-b'],
    ['Select', {'Fn::Select': ['1', {Ref: 'Subnets'}]}, 'subnet-b'],
    ['Split', {'Fn::Split': [',', 'a,b,c']}, ['a', 'b', 'c']],
    ['Select of Split', {'Fn::Select': [2, {'Fn::Split': ['/', '10.0.0.0/16/x']}]}, 'x'],
    ['If true', {'Fn::If': ['IsTest', 'yes', 'no']}, 'yes'],
    ['If false', {'Fn::If': ['IsProd', 'yes', 'no']}, 'no'],
    ['Equals', {'Fn::Equals': [{Ref: 'Env'}, 'test']}, true],
    ['Equals number and string', {'Fn::Equals': [8080, {Ref: 'Port'}]}, true],
    ['And', {'Fn::And': [{'Fn::Equals': ['a', 'a']}, {Condition: 'IsProd'}]}, false],
    ['Or', {'Fn::Or': [{'Fn::Equals': ['a', 'b']}, {Condition: 'IsTest'}]}, true],
    ['Not', {'Fn::Not': [{Condition: 'IsProd'}]}, true],
    ['FindInMap', {'Fn::FindInMap': ['Sizes', {Ref: 'Env'}, 'Cpu']}, 256],
    ['ImportValue', {'Fn::ImportValue': {'Fn::Sub': '${AWS::StackName}-VpcId'}}, 'vpc-imported'],
    ['GetAZs current region', {'Fn::GetAZs': ''}, ['us-east-1a', 'us-east-1b', 'us-east-1c']],
    ['GetAZs of Ref region', {'Fn::Select': [0, {'Fn::GetAZs': {Ref: 'AWS::Region'}}]}, 'us-east-1a'],
    ['Base64', {'Fn::Base64': {'Fn::Sub': 'hi ${Env}'}}, Buffer.from('hi test').toString('base64')],
    ['Cidr', {'Fn::Cidr': ['10.0.0.0/16', 3, 8]}, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']],
    ['NoValue removes a key', {A: 1, B: {Ref: 'AWS::NoValue'}}, {A: 1}],
    ['NoValue through If removes a key', {A: {'Fn::If': ['IsProd', 'x', {Ref: 'AWS::NoValue'}]}}, {}],
    ['NoValue removes a list item', ['a', {'Fn::If': ['IsProd', 'b', {Ref: 'AWS::NoValue'}]}], ['a']],
    ['a resource not created yet', {'Fn::Sub': 'x-${Later}'}, KNOWN_AFTER_APPLY],
    ['nested objects evaluate deeply', {Outer: [{Inner: {Ref: 'Env'}}]}, {Outer: [{Inner: 'test'}]}],
  ]
  it.each(cases)('%s', (_name, input, expected) => {
    expect(evaluate(input, ctx())).toEqual(expected)
  })

  const errors: [string, unknown, string][] = [
    ['Ref to nothing', {Ref: 'Nope'}, 'Unresolved resource dependencies [Nope] in the Resources block of the template'],
    ['GetAtt of a missing attribute', {'Fn::GetAtt': ['Vpc', 'Nope']}, 'resource Vpc does not support attribute type Nope in Fn::GetAtt'],
    ['Select out of range', {'Fn::Select': [5, ['a']]}, 'Fn::Select cannot select nonexistent value at index 5'],
    ['FindInMap missing key', {'Fn::FindInMap': ['Sizes', 'prod', 'Memory']}, 'Unable to get mapping for Sizes::prod::Memory'],
    ['ImportValue of a missing export', {'Fn::ImportValue': 'nope'}, 'No export named nope found'],
    ['If of an unknown condition', {'Fn::If': ['Nope', 1, 2]}, 'Unresolved condition dependency Nope in Fn::If'],
    ['Join of a non-list', {'Fn::Join': [',', 'abc']}, 'Fn::Join requires a list of values to join'],
  ]
  it.each(errors)('fails on %s', (_name, input, message) => {
    expect(() => evaluate(input, ctx())).toThrow(message)
  })

  it('AWS::NoValue at the top is the removal marker', () => {
    expect(evaluate({Ref: 'AWS::NoValue'}, ctx())).toBe(NO_VALUE)
  })
})

describe('conditions', () => {
  it('evaluates conditions that name other conditions, in dependency order', () => {
    const out = evaluateConditions({
      Both: {'Fn::And': [{Condition: 'IsTest'}, {Condition: 'HasPort'}]},
      IsTest: {'Fn::Equals': [{Ref: 'Env'}, 'test']},
      HasPort: {'Fn::Not': [{'Fn::Equals': [{Ref: 'Port'}, '']}]},
    }, ctx())
    expect(out).toEqual({Both: true, IsTest: true, HasPort: true})
  })

  it('rejects a circular condition', () => {
    expect(() => evaluateConditions({A: {'Fn::Not': [{Condition: 'B'}]}, B: {'Fn::Not': [{Condition: 'A'}]}}, ctx())).toThrow(/Circular/)
  })
})

describe('Fn::Cidr', () => {
  it('carves consecutive blocks', () => {
    expect(cidr('10.1.0.0/16', 2, 12)).toEqual(['10.1.0.0/20', '10.1.16.0/20'])
    expect(cidr('192.168.0.0/24', 4, 6)).toEqual(['192.168.0.0/26', '192.168.0.64/26', '192.168.0.128/26', '192.168.0.192/26'])
  })
  it('refuses more blocks than fit', () => {
    expect(() => cidr('10.0.0.0/24', 3, 7)).toThrow(/cannot carve/)
  })
})
