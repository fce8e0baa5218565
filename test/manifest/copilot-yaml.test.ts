// The compat check classes a workspace Pier refuses as invalid for Copilot too when Copilot's YAML
// reader (gopkg.in/yaml.v3, a port of libyaml) refuses it: a node that starts with `*` is an alias there,
// and its name must be one or more of [0-9A-Za-z_-] followed by a blank or an indicator.
import {describe, expect, it} from 'vitest'

// @ts-expect-error: a plain ES module of the scripts folder, without type declarations
import {yamlV3Refusal} from '../../scripts/copilot-yaml.mjs'
import {parseSource} from '../../src/manifest/source.js'

describe('yamlV3Refusal', () => {
  it('finds a key that starts with `*` and has no alias name (a redacted secret name)', () => {
    const text = 'name: api\nsecrets:\n  ***REMOVED***: /copilot/app/secrets/x\n'
    expect(yamlV3Refusal(text)).toMatch(/^line 3: `\*` starts an alias/)
  })

  it('finds a value and a list item that start with a bare `*`', () => {
    expect(yamlV3Refusal('http:\n  path: *\n')).toMatch(/^line 2:/)
    expect(yamlV3Refusal('command:\n  - *.sh\n')).toMatch(/^line 2:/)
  })

  it('accepts aliases with names, quoted stars, stars inside text and comments', () => {
    expect(yamlV3Refusal('base: &b\n  cpu: 256\nprod: *b\nlist:\n  - *b\n')).toBeUndefined()
    expect(yamlV3Refusal("path: '*'\nother: \"*/api\"\n")).toBeUndefined()
    expect(yamlV3Refusal('command: echo a*b\nschedule: "*/5 * * * *"\n# ***REMOVED***: x\nx: 1 # *\n')).toBeUndefined()
  })
})

describe('Pier\'s message for it', () => {
  it('says that `*` starts an alias, where, and to quote it', () => {
    const text = 'name: api\ntype: Backend Service\nsecrets:\n  ***REMOVED***: /copilot/app/secrets/x\n  OTHER: /x\n'
    const [d, ...rest] = parseSource('m.yml', text).diagnostics
    expect(rest).toEqual([])
    expect(d).toMatchObject({line: 4, col: 3, severity: 'error', code: 'yaml-syntax', hint: 'Quote it: "***REMOVED***". Copilot\'s YAML reader refused it too.'})
    expect(d!.message).toBe('invalid YAML: `***REMOVED***` starts with `*`, which YAML reads as an alias (a reference to an `&anchor`), and no alias name follows')
  })

  it('leaves other syntax errors and real aliases as they were', () => {
    expect(parseSource('m.yml', 'a: &x 1\nb: *x\n').diagnostics).toEqual([])
    const [d] = parseSource('m.yml', 'a: [1, 2\nb: 3\n').diagnostics
    expect(d!.message).not.toContain('alias')
    expect(d!.hint).toBe('Fix the YAML syntax at this position (indentation, quotes, colons).')
  })
})
