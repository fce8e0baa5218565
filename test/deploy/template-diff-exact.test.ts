// The template diff, line for line: changes at the first and last line with one line of context and a
// gap between hunks, a removal at the end, keys sorted inside list items, nothing for equal templates.
import {describe, expect, it} from 'vitest'

import {templateDiff} from '../../src/deploy/template-diff.js'

describe('templateDiff, exactly', () => {
  it('shows hunks at both ends with their context and a gap marker', () => {
    const before = {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}
    const after = {...before, a: 0, h: 9}
    expect(templateDiff(before, after, 1)).toBe(['- a: 1', '+ a: 0', '  b: 2', '  ...', '  g: 7', '- h: 8', '+ h: 9'].join('\n'))
  })
  it('shows lines removed at the end', () => {
    expect(templateDiff({a: 1, b: 2, c: 3}, {a: 1, b: 2}, 0)).toBe('- c: 3')
    expect(templateDiff({a: 1, b: 2}, {a: 1, b: 2, c: 3}, 0)).toBe('+ c: 3')
  })
  it('sorts keys inside list items, so only the changed value shows', () => {
    expect(templateDiff({L: [{z: 1, y: 2}]}, {L: [{y: 2, z: 3}]}, 0)).toBe(['-     z: 1', '+     z: 3'].join('\n'))
  })
  it('is empty for equal templates', () => {
    expect(templateDiff({a: 1, L: [1, 2]}, {L: [1, 2], a: 1})).toBe('')
  })
})
