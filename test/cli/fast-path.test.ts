import {describe, expect, it} from 'vitest'

import {parsePackageArgs, parseValidateArgs} from '../../src/cli/fast-path.js'

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

describe('the package fast path', () => {
  it('takes a name or --all, an environment, and the output flags', () => {
    expect(parsePackageArgs(['-n', 'web', '-e', 'test'])).toEqual({name: 'web', env: 'test', tag: 'latest', all: false, debug: false})
    expect(parsePackageArgs(['--all', '--env=prod', '--output-dir', 'out', '--tag', 'v2', '-a', 'demo'])).toEqual({
      all: true, env: 'prod', 'output-dir': 'out', tag: 'v2', app: 'demo', debug: false,
    })
  })

  it('leaves prompts, conflicts, help and unknown flags to oclif', () => {
    for (const args of [['-n', 'web'], ['-e', 'test'], ['-n', 'web', '--all', '-e', 'test'], ['-n', 'web', '-n', 'api', '-e', 'test'], ['--help'], ['-n', 'web', '-e', 'test', '--bogus'], ['--all=yes', '-e', 'test']]) {
      expect(parsePackageArgs(args), args.join(' ')).toBeUndefined()
    }
  })
})
