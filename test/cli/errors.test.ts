import {describe, expect, it} from 'vitest'

import {reportFailure} from '../../src/cli/errors.js'
import {DeployError, ExitCode, UserError} from '../../src/errors.js'

function capture(error: unknown, debug = false): {code: number; text: string} {
  let text = ''
  const code = reportFailure(error, debug, (s) => (text += s))
  return {code, text}
}

describe('reportFailure', () => {
  it('prints a user error as a sentence and a hint, with no stack', () => {
    const r = capture(new UserError('no workspace found: Pier looks for copilot/.workspace', {hint: 'Run `pier app init`.'}))
    expect(r.code).toBe(1)
    expect(r.text).toBe('✘ no workspace found: Pier looks for copilot/.workspace\n  Run `pier app init`.\n')
  })

  it('lists the failed resources of a deploy error', () => {
    const r = capture(new DeployError('deploy failed', [{logicalId: 'Service', type: 'AWS::ECS::Service', reason: 'exit 1'}]))
    expect(r.text).toContain('  - Service (AWS::ECS::Service): exit 1\n')
  })

  it('says an unexpected error is a bug and hides the stack unless --debug', () => {
    const r = capture(new Error('boom'))
    expect(r.code).toBe(1)
    expect(r.text).toContain('internal error: boom')
    expect(r.text).not.toContain('at ')
    expect(capture(new Error('boom'), true).text).toMatch(/\n\s+at /)
  })

  it('passes an exit code through silently', () => {
    expect(capture(new ExitCode(42))).toEqual({code: 42, text: ''})
  })
})
