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

  it('reads PIER_LOCAL and AWS_PROFILE as oclif reads them for --local and --profile', () => {
    const saved = {local: process.env.PIER_LOCAL, profile: process.env.AWS_PROFILE}
    try {
      process.env.PIER_LOCAL = '1'
      process.env.AWS_PROFILE = 'team'
      expect(parsePackageArgs(['-n', 'web', '-e', 'test'])).toMatchObject({local: true, profile: 'team'})
      process.env.PIER_LOCAL = 'false'
      process.env.AWS_PROFILE = ''
      expect(parsePackageArgs(['-n', 'web', '-e', 'test'])).not.toHaveProperty('local')
      expect(parsePackageArgs(['-n', 'web', '-e', 'test'])).not.toHaveProperty('profile')
    } finally {
      for (const [k, v] of [['PIER_LOCAL', saved.local], ['AWS_PROFILE', saved.profile]] as const) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })

  it('leaves prompts, conflicts, help and unknown flags to oclif', () => {
    for (const args of [['-n', 'web'], ['-e', 'test'], ['-n', 'web', '--all', '-e', 'test'], ['-n', 'web', '-n', 'api', '-e', 'test'], ['--help'], ['-n', 'web', '-e', 'test', '--bogus'], ['--all=yes', '-e', 'test']]) {
      expect(parsePackageArgs(args), args.join(' ')).toBeUndefined()
    }
  })
})
