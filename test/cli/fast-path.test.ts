import {describe, expect, it} from 'vitest'

import {parseValidateArgs} from '../../src/cli/fast-path.js'

describe('the validate fast path', () => {
  it('parses the flags oclif would, in every spelling', () => {
    expect(parseValidateArgs([])).toEqual({debug: false})
    expect(parseValidateArgs(['-n', 'web', '--name=api', '-e', 'prod', '--env', 'test', '--json', '-a', 'demo', '--debug'])).toEqual({
      name: ['web', 'api'], env: ['prod', 'test'], json: true, app: 'demo', debug: true,
    })
  })

  it('leaves help, unknown flags and missing values to oclif', () => {
    for (const args of [['--help'], ['-h'], ['--bogus'], ['-n'], ['-n', '--json'], ['extra'], ['--env=']]) {
      expect(parseValidateArgs(args), args.join(' ')).toBeUndefined()
    }
  })
})
