// Ctrl-C plumbing: the terminal's SIGINT reaches a subscriber until it unsubscribes, presses made before
// anyone watched are replayed to a late subscriber, closing the latch stops listening, and a wakeable
// sleep ends early on wake() and on its own otherwise.
import {describe, expect, it} from 'vitest'

import {latchInterrupts, manualInterrupts, processInterrupts} from '../../src/deploy/interrupts.js'
import {realTiming, wakeableSleep} from '../../src/deploy/timing.js'

describe('interrupts', () => {
  it('delivers SIGINT to a subscriber until it unsubscribes', () => {
    let presses = 0
    const before = process.listenerCount('SIGINT')
    const off = processInterrupts.onInterrupt(() => presses++)
    expect(process.listenerCount('SIGINT')).toBe(before + 1)
    process.emit('SIGINT', 'SIGINT')
    expect(presses).toBe(1)
    off()
    expect(process.listenerCount('SIGINT')).toBe(before)
  })

  it('stops calling a manual subscriber that unsubscribed', () => {
    const source = manualInterrupts()
    let a = 0
    let b = 0
    const offA = source.onInterrupt(() => a++)
    source.onInterrupt(() => b++)
    source.interrupt()
    offA()
    source.interrupt()
    expect([a, b]).toEqual([1, 2])
  })

  it('replays earlier presses to a late subscriber, and stops listening once closed', () => {
    const source = manualInterrupts()
    const latch = latchInterrupts(source)
    source.interrupt()
    source.interrupt()
    expect(latch.presses()).toBe(2)
    let seen = 0
    const off = latch.onInterrupt(() => seen++)
    expect(seen).toBe(2)
    source.interrupt()
    expect(seen).toBe(3)
    off()
    source.interrupt()
    expect(seen).toBe(3)
    const other = latch.onInterrupt(() => seen++)
    expect(seen).toBe(7) // four presses replayed
    latch.close()
    source.interrupt()
    expect(latch.presses()).toBe(4)
    expect(seen).toBe(7)
    other()
  })
})

describe('wakeable sleep', () => {
  it('ends at once on wake(), and by itself after its time', async () => {
    const s = wakeableSleep(realTiming)
    const t0 = Date.now()
    const long = s.sleep(60_000)
    s.wake()
    await long
    expect(Date.now() - t0).toBeLessThan(30_000)
    const t1 = Date.now()
    await s.sleep(20)
    expect(Date.now() - t1).toBeGreaterThanOrEqual(15)
  })
})
