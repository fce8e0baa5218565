// Parsing secret values the way Copilot's flags and input file take them.
import {describe, expect, it} from 'vitest'

import {checkSecretName, manifestReference, parseInputYaml, parseValues, secretParameterName} from '../../src/app/secret-init.js'
import {UserError} from '../../src/errors.js'

describe('secret init inputs', () => {
  it('reads --values, keeping commas that belong to a value', () => {
    expect(parseValues('test=abc,prod=x,y=z')).toEqual({test: 'abc', prod: 'x', y: 'z'})
    expect(parseValues('test=a,b,c')).toEqual({test: 'a,b,c'})
    expect(parseValues('test=postgres://u:p@h/db?x=1')).toEqual({test: 'postgres://u:p@h/db?x=1'})
    expect(() => parseValues('abc')).toThrow(UserError)
  })

  it('reads --cli-input-yaml as name -> environment -> value', () => {
    expect(parseInputYaml('s.yml', 'db_password:\n  test: abc\n  prod: 123\napi_key:\n  test: k\n')).toEqual({db_password: {test: 'abc', prod: '123'}, api_key: {test: 'k'}})
    expect(() => parseInputYaml('s.yml', '- a\n')).toThrow(/not a map of secrets/)
    expect(() => parseInputYaml('s.yml', 'a: b\n')).toThrow(/secret a in s.yml is not a map of environments/)
  })

  it('names parameters and manifest references as Copilot does', () => {
    expect(secretParameterName('shop', 'test', 'db_password')).toBe('/copilot/shop/test/secrets/db_password')
    expect(manifestReference(['db_password'])).toBe('secrets:\n  db_password: /copilot/${COPILOT_APPLICATION_NAME}/${COPILOT_ENVIRONMENT_NAME}/secrets/db_password')
    expect(() => checkSecretName('has space')).toThrow(UserError)
    checkSecretName('db.password-2_x')
  })
})
