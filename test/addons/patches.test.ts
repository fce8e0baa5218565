import {describe, expect, it} from 'vitest'

import {applyPatches, parseCfnYaml, parsePointer} from '../../src/addons/index.js'

const template = () => ({
  Description: 'Pier backend service api.',
  Resources: {
    TaskRole: {Type: 'AWS::IAM::Role', Properties: {Policies: [{PolicyName: 'A'}]}},
    'a/b': {Type: 'AWS::S3::Bucket', Properties: {'x~y': 1}},
  },
})

const patch = (text: string) => parseCfnYaml('copilot/api/overrides/cfn.patches.yml', text)

describe('JSON pointers', () => {
  it('unescapes ~1 and ~0 in that order', () => {
    expect(parsePointer('/Resources/a~1b/Properties/x~0y')).toEqual(['Resources', 'a/b', 'Properties', 'x~y'])
    expect(parsePointer('/a/~01')).toEqual(['a', '~1'])
  })
})

describe('cfn.patches.yml', () => {
  it('adds, appends with /-, replaces and removes, in order, with short-form tags in values', () => {
    const t = template()
    const {template: out, problems, applied} = applyPatches(t, patch(`
- op: add
  path: /Resources/TaskRole/Properties/Policies/-
  value:
    PolicyName: Logs
    Resource: !Sub 'arn:aws:logs:\${AWS::Region}:*'
- op: add
  path: /Resources/TaskRole/Properties/Policies/0
  value: {PolicyName: First}
- op: replace
  path: /Resources/a~1b/Properties/x~0y
  value: 2
- op: remove
  path: /Resources/TaskRole/Properties/Policies/1
- op: add
  path: /Resources/TaskRole/Properties/PermissionsBoundary
  value: arn:aws:iam::1:policy/b
`))
    expect(problems).toEqual([])
    expect(applied).toBe(5)
    expect(out.Resources.TaskRole.Properties).toEqual({
      Policies: [{PolicyName: 'First'}, {PolicyName: 'Logs', Resource: {'Fn::Sub': 'arn:aws:logs:${AWS::Region}:*'}}],
      PermissionsBoundary: 'arn:aws:iam::1:policy/b',
    })
    expect(out.Resources['a/b'].Properties['x~y']).toBe(2)
    expect(out.Description).toBe('Pier backend service api with YAML patches.')
    // the input is left alone
    expect(t.Resources.TaskRole.Properties.Policies).toHaveLength(1)
  })

  it('locates each failure in the patch file and says what was found', () => {
    const {problems} = applyPatches(template(), patch(`- op: remove
  path: /Resources/LogResourcePolicy
- op: replace
  path: /Resources/TaskRole/Properties/Policies/3
  value: x
- op: move
  path: /Resources
- op: add
  path: /Resources/TaskRole/Properties/Missing/-
  value: 1
- op: add
  path: /Resources/TaskRole
`))
    expect(problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      '2:3 cannot remove /Resources/LogResourcePolicy: /Resources has no key "LogResourcePolicy" (it has "TaskRole", "a/b")',
      '4:3 cannot replace /Resources/TaskRole/Properties/Policies/3: "3" is not an index of the list at /Resources/TaskRole/Properties/Policies (1 item)',
      '6:3 patch 2 has op "move": the supported operations are add, remove and replace',
      '9:3 cannot add /Resources/TaskRole/Properties/Missing/-: /Resources/TaskRole/Properties has no key "Missing" (it has "Policies")',
      '11:3 patch 4 (add /Resources/TaskRole) has no value: add needs one',
    ])
    expect(problems[0]!.frame).toContain('> 2 |   path: /Resources/LogResourcePolicy')
  })

  it('refuses a file that is not a list, and accepts an empty one (only comments)', () => {
    expect(applyPatches(template(), patch('op: add\n')).problems[0]!.message).toContain('must be a list of patches')
    const empty = applyPatches(template(), patch('# - op: remove\n#   path: /Resources/TaskRole\n'))
    expect(empty).toMatchObject({problems: [], applied: 0})
    expect(empty.template.Description).toBe('Pier backend service api.')
  })
})
