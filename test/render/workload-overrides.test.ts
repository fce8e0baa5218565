// taskdef_overrides paths in Copilot's syntax, applied to the task definition's properties.
import {describe, expect, it} from 'vitest'

import {applyTaskDefOverrides} from '../../src/render/workload/overrides.js'

const props = () => ({Cpu: '256', ContainerDefinitions: [{Name: 'web', Ulimits: [{Name: 'nofile'}]}]})
const apply = (path: string, value: unknown) => applyTaskDefOverrides(props() as never, [{path, value}] as never) as any

describe('taskdef_overrides', () => {
  it('reads indexes of more than one digit, appends with [-], and nests lists of lists', () => {
    const many = {ContainerDefinitions: Array.from({length: 12}, (_, i) => ({Name: `c${i}`}))}
    const out = applyTaskDefOverrides(many as never, [{path: 'ContainerDefinitions[11].Essential', value: false}] as never) as any
    expect(out.ContainerDefinitions[11]).toEqual({Name: 'c11', Essential: false})
    expect(apply('ContainerDefinitions[0].Ulimits[-].HardLimit', 10).ContainerDefinitions[0].Ulimits).toEqual([{Name: 'nofile'}, {HardLimit: 10}])
    expect(apply('Matrix[0][-]', 'x').Matrix).toEqual([['x']])
    expect(apply('ContainerDefinitions[0].Links[-]', 'db').ContainerDefinitions[0].Links).toEqual(['db'])
    expect(apply('Volumes[0].Name', 'data').Volumes).toEqual([{Name: 'data'}])
  })

  it('leaves the properties it was given unchanged', () => {
    const given = props()
    applyTaskDefOverrides(given as never, [{path: 'Cpu', value: '512'}] as never)
    expect(given).toEqual(props())
  })

  it('refuses a path that is not in Copilot\'s syntax, whole', () => {
    for (const path of ['Cpu]', 'x[0]y', 'a[b]', 'ContainerDefinitions[0]]', 'a.', 'a[0]x']) {
      expect(() => apply(path, 1), path).toThrow(`taskdef_overrides path "${path}" is not valid: write it like ContainerDefinitions[0].Ulimits[-].HardLimit`)
    }
  })

  it('refuses a key under a list or a value, and an index under an object', () => {
    expect(() => apply('ContainerDefinitions.Name', 'x')).toThrow('taskdef_overrides path "ContainerDefinitions.Name": Name is not inside an object')
    expect(() => apply('Cpu.Units', 'x')).toThrow('taskdef_overrides path "Cpu.Units": Units is not inside an object')
    // A null on the way is replaced, as an absent value is.
    expect((applyTaskDefOverrides({Proxy: null} as never, [{path: 'Proxy.Type', value: 'APPMESH'}] as never) as any).Proxy).toEqual({Type: 'APPMESH'})
    expect(() => apply('[0]', 'x')).toThrow('taskdef_overrides path "[0]": an index is used on something that is not a list')
    expect(() => apply('Cpu[0]', 'x')).toThrow('taskdef_overrides path "Cpu[0]": an index is used on something that is not a list')
    expect(() => apply('ContainerDefinitions[2].Name', 'x')).toThrow('taskdef_overrides path "ContainerDefinitions[2].Name": index 2 is past the end of a list of 1')
  })
})
