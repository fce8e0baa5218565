// The template writer must read back as exactly the data it was given, whatever the strings hold.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {toYaml} from '../../src/render/template-yaml.js'
import {APP, ENV, web, webInputs, worker, job} from '../render/fixtures.js'
import {renderWorkloadStack} from '../../src/render/index.js'

const normal = (v: unknown) => JSON.parse(JSON.stringify(v))

describe('toYaml', () => {
  it('round-trips any JSON document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (doc) => {
        expect(normal(parse(toYaml(doc)))).toEqual(normal(doc))
      }),
      {numRuns: 300},
    )
  })

  it.each([
    ['strings that would read as other types', {a: 'true', b: 'No', c: '10', d: '2012-10-17', e: '1e3', f: 'null', g: '0x1F', h: '~', i: ''}],
    ['indicators and comments', {a: '- x', b: 'a: b', c: 'x #y', d: '#x', e: '*', f: '&a', g: '!t', h: '|', i: '>', j: '@x', k: '`x', l: '%x', m: 'a:', n: ' lead', o: 'trail '}],
    ['multi-line text', {a: 'line1\nline2', b: 'ends\n', c: '\nstarts', d: '{\n  "x": 1\n}', e: 'a\n\n\nb', f: 'tab\there\nx', g: 'trail \nx'}],
    ['nesting', {a: [[1, [2]], [], {}, [{}], {b: [{c: [{d: 1}]}]}], e: {'Fn::Sub': ['${X}', {X: 'y'}]}}],
  ])('%s', (_l, doc) => {
    expect(parse(toYaml(doc))).toEqual(doc)
  })

  it('writes rendered templates readably and losslessly', () => {
    for (const m of [web, worker, job]) {
      const t = renderWorkloadStack({app: APP, env: ENV, name: m.name, manifest: m, inputs: m === web ? webInputs : {}}).template
      const text = toYaml(t)
      expect(parse(text)).toEqual(normal(t))
      expect(text).toContain('AWSTemplateFormatVersion: "2010-09-09"')
      expect(text).toContain('      Type: AWS::ECS::TaskDefinition'.trim())
    }
  })
})
