import {describe, expect, it} from 'vitest'
import {parseTemplate} from '../../../src/local/cloudformation/template.js'

describe('template parsing', () => {
  it('turns YAML short forms into their long forms', () => {
    const t = parseTemplate(`
AWSTemplateFormatVersion: 2010-09-09
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Parameters:
  Env: {Type: String}
Resources:
  Thing:
    Type: Test::Thing
    Properties:
      A: !Ref Env
      B: !GetAtt Other.Endpoint.Address
      C: !Sub '\${AWS::StackName}-x'
      D: !Sub
        - '\${X}'
        - X: !GetAtt [Other, Arn]
      E: !If [IsProd, !Ref AWS::NoValue, !Join ['', [a, b]]]
      F: !Select [0, !GetAZs '']
      G: !Split [',', 'a,b']
      H: !FindInMap [M, K, V]
      I: !ImportValue shared-vpc
      J: !Base64 hello
      K: !Cidr [10.0.0.0/16, 2, 8]
      L: !And [!Condition IsProd, !Or [!Equals [a, b], !Equals [c, c]]]
`)
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09')
    expect(t.Conditions).toEqual({
      IsProd: {'Fn::Equals': [{Ref: 'Env'}, 'prod']},
      NotProd: {'Fn::Not': [{Condition: 'IsProd'}]},
    })
    expect(t.Resources.Thing!.Properties).toEqual({
      A: {Ref: 'Env'},
      B: {'Fn::GetAtt': ['Other', 'Endpoint.Address']},
      C: {'Fn::Sub': '${AWS::StackName}-x'},
      D: {'Fn::Sub': ['${X}', {X: {'Fn::GetAtt': ['Other', 'Arn']}}]},
      E: {'Fn::If': ['IsProd', {Ref: 'AWS::NoValue'}, {'Fn::Join': ['', ['a', 'b']]}]},
      F: {'Fn::Select': [0, {'Fn::GetAZs': ''}]},
      G: {'Fn::Split': [',', 'a,b']},
      H: {'Fn::FindInMap': ['M', 'K', 'V']},
      I: {'Fn::ImportValue': 'shared-vpc'},
      J: {'Fn::Base64': 'hello'},
      K: {'Fn::Cidr': ['10.0.0.0/16', 2, 8]},
      L: {'Fn::And': [{Condition: 'IsProd'}, {'Fn::Or': [{'Fn::Equals': ['a', 'b']}, {'Fn::Equals': ['c', 'c']}]}]},
    })
  })

  it('reads JSON templates', () => {
    const t = parseTemplate('{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"Value": {"Ref": "AWS::Region"}}}}}')
    expect(t.Resources.A!.Properties).toEqual({Value: {Ref: 'AWS::Region'}})
  })

  it('resolves YAML anchors and aliases', () => {
    const t = parseTemplate('Resources:\n  A:\n    Type: Test::Thing\n    Properties: &p {Value: x}\n  B:\n    Type: Test::Thing\n    Properties: *p\n')
    expect(t.Resources.B!.Properties).toEqual({Value: 'x'})
  })

  const errors: [string, string, string][] = [
    ['no resources', 'Description: x\n', 'Template format error: At least one Resources member must be defined.'],
    ['a resource without Type', 'Resources:\n  A: {Properties: {}}\n', 'Template format error: [/Resources/A] Every Resources object must contain a Type member.'],
    ['an unknown section', 'Resources:\n  A: {Type: X}\nBogus: 1\n', 'Template format error: Invalid template property or properties [Bogus]'],
    ['a bad version', "AWSTemplateFormatVersion: '2011-01-01'\nResources:\n  A: {Type: X}\n", "Template format error: '2011-01-01' is not a valid template version."],
    ['a non-alphanumeric resource name', 'Resources:\n  my-thing: {Type: X}\n', 'Template format error: Resource name my-thing is non alphanumeric.'],
    ['broken YAML', 'Resources:\n  A: {Type: X\n', 'Template format error: YAML not well-formed.'],
    ['an unknown tag', 'Resources:\n  A: {Type: X, Properties: {V: !Bogus x}}\n', 'Template format error: Unsupported YAML tag !Bogus'],
  ]
  it.each(errors)('rejects %s', (_name, body, message) => {
    expect(() => parseTemplate(body)).toThrow(message)
  })
})
