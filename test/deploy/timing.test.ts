import {describe, expect, it} from 'vitest'

import {backoff} from '../../src/deploy/timing.js'

describe('backoff', () => {
  it('grows from the minimum to the maximum, jittered between half and all of the delay', () => {
    const low = backoff({minDelayMs: 1000, maxDelayMs: 4000}, () => 0)
    const high = backoff({minDelayMs: 1000, maxDelayMs: 4000}, () => 0.999999)
    const lows = Array.from({length: 8}, () => low.next())
    const highs = Array.from({length: 8}, () => high.next())
    expect(lows[0]).toBe(500)
    expect(highs[0]).toBe(1000)
    expect(highs.at(-1)).toBe(4000)
    expect(lows.at(-1)).toBe(2000)
    for (let i = 1; i < highs.length; i++) expect(highs[i]!).toBeGreaterThanOrEqual(highs[i - 1]!)
  })

  it('starts again from the minimum after progress', () => {
    const b = backoff({minDelayMs: 100, maxDelayMs: 400}, () => 0.999999)
    for (let i = 0; i < 6; i++) b.next()
    expect(b.next()).toBe(400)
    b.reset()
    expect(b.next()).toBe(100)
  })
})
