import {describe, expect, it} from 'vitest'

import {templateDiff} from '../../src/deploy/template-diff.js'

describe('templateDiff', () => {
  const before = {Resources: {Service: {Type: 'AWS::ECS::Service', Properties: {DesiredCount: 1, Name: 'web'}}, Log: {Type: 'AWS::Logs::LogGroup'}}}

  it('is empty for the same template, whatever the key order', () => {
    expect(templateDiff(before, {Resources: {Log: {Type: 'AWS::Logs::LogGroup'}, Service: {Properties: {Name: 'web', DesiredCount: 1}, Type: 'AWS::ECS::Service'}}})).toBe('')
  })

  it('shows changed lines with context', () => {
    const after = structuredClone(before)
    after.Resources.Service.Properties.DesiredCount = 3
    expect(templateDiff(before, after, 1)).toBe(['      Properties:', '-       DesiredCount: 1', '+       DesiredCount: 3', '        Name: web'].join('\n'))
  })

  it('shows a whole new template as additions', () => {
    const diff = templateDiff(undefined, {Resources: {Log: {Type: 'AWS::Logs::LogGroup'}}})
    expect(diff.split('\n').every((l) => l.startsWith('+ '))).toBe(true)
  })
})
