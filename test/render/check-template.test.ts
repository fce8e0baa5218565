// The checks must catch what they claim to: each broken template below yields the expected problem.
import {describe, expect, it} from 'vitest'

import {checkTemplate} from './check-template.js'

const base = () => ({
  Parameters: {Name: {Type: 'String'}},
  Resources: {
    Group: {Type: 'AWS::Logs::LogGroup', Properties: {LogGroupName: {Ref: 'Name'}, RetentionInDays: 30}},
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}},
    },
  },
})

describe('checkTemplate', () => {
  it('accepts a valid template', () => {
    expect(checkTemplate(base(), {Name: 'x'})).toEqual([])
  })

  it.each([
    ['an unknown resource type', (t: any) => (t.Resources.Group.Type = 'AWS::Logs::LogGroupp'), 'unknown resource type'],
    ['an unknown property', (t: any) => (t.Resources.Group.Properties.Retention = 3), 'unknown property Retention'],
    ['a wrong value type', (t: any) => (t.Resources.Group.Properties.RetentionInDays = 'thirty'), 'expected a number'],
    ['a missing required property', (t: any) => delete t.Resources.Role.Properties.AssumeRolePolicyDocument, 'required property AssumeRolePolicyDocument'],
    ['a Ref to nothing', (t: any) => (t.Resources.Group.Properties.LogGroupName = {Ref: 'Nope'}), 'Ref to Nope'],
    ['a GetAtt of a missing attribute', (t: any) => (t.Resources.Group.Properties.LogGroupName = {'Fn::GetAtt': ['Role', 'Nope']}), 'has no attribute Nope'],
    ['a Sub naming nothing', (t: any) => (t.Resources.Group.Properties.LogGroupName = {'Fn::Sub': '/x/${Missing}'}), 'Ref to Missing'],
    ['a DependsOn on nothing', (t: any) => (t.Resources.Group.DependsOn = ['Ghost']), 'DependsOn Ghost'],
    ['an undeclared condition', (t: any) => (t.Resources.Group.Condition = 'Maybe'), 'Condition Maybe is not declared'],
    [
      'a dependency cycle',
      (t: any) => {
        t.Resources.Group.DependsOn = ['Role']
        t.Resources.Role.Properties.Description = {Ref: 'Group'}
      },
      'dependency cycle',
    ],
    ['a nested wrong type', (t: any) => (t.Resources.Role.Properties.Policies = [{PolicyName: 1, PolicyDocument: {}, Extra: true}]), 'unknown property Extra'],
  ])('reports %s', (_label, mutate, expected) => {
    const t = base()
    mutate(t)
    expect(checkTemplate(t, {Name: 'x'}).join('\n')).toContain(expected)
  })

  it('reports parameters without values and values without parameters', () => {
    expect(checkTemplate(base(), {Other: 'x'})).toEqual([
      'parameter Name is declared but has no value',
      'parameter Other has a value but is not declared',
    ])
  })

  it('reports a template too large to pass without S3', () => {
    const t: any = base()
    t.Description = 'x'.repeat(52_000)
    expect(checkTemplate(t, {Name: 'x'}).join('\n')).toContain('over the 51,200 bytes')
  })

  it('reports more than 500 resources', () => {
    const t: any = {Resources: {}}
    for (let i = 0; i < 501; i++) t.Resources[`G${i}`] = {Type: 'AWS::Logs::LogGroup', Properties: {}}
    expect(checkTemplate(t)).toContain('501 resources: CloudFormation allows at most 500')
  })
})
