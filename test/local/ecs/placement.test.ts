import {describe, expect, it} from 'vitest'
import {CapacityManager} from '../../../src/local/capacity/index.js'
import {placeTasks, validateStrategy} from '../../../src/local/capacity/strategy.js'
import {failureThreshold, planRollingStep} from '../../../src/local/cluster/deployments.js'
import {checkFargateSize, parseCpu, parseMemory} from '../../../src/local/ecs/fargate-sizes.js'

const tally = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({...m, [x]: (m[x] ?? 0) + 1}), {})

describe('placement by base and weight', () => {
  it.each([
    // strategy, tasks, expected counts
    [[{capacityProvider: 'FARGATE', base: 2, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 3}], 10, {FARGATE: 4, FARGATE_SPOT: 6}],
    [[{capacityProvider: 'FARGATE', base: 2, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 3}], 2, {FARGATE: 2}],
    [[{capacityProvider: 'FARGATE', base: 2, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 3}], 6, {FARGATE: 3, FARGATE_SPOT: 3}],
    [[{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 1}], 4, {FARGATE: 2, FARGATE_SPOT: 2}],
    [[{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 4}], 5, {FARGATE: 1, FARGATE_SPOT: 4}],
    [[{capacityProvider: 'FARGATE', base: 1, weight: 0}, {capacityProvider: 'FARGATE_SPOT', weight: 1}], 3, {FARGATE: 1, FARGATE_SPOT: 2}],
    [[{capacityProvider: 'FARGATE_SPOT', weight: 1}], 3, {FARGATE_SPOT: 3}],
    [[{capacityProvider: 'FARGATE', base: 3}], 5, {FARGATE: 5}],
  ])('%j places %i tasks as %j', (strategy, n, expected) => {
    expect(tally(placeTasks(strategy, n))).toEqual(expected)
  })

  it('counts the tasks already placed (a service scaling out)', () => {
    const strategy = [{capacityProvider: 'FARGATE', base: 2, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 3}]
    expect(tally(placeTasks(strategy, 4, {FARGATE: 2, FARGATE_SPOT: 0}))).toEqual({FARGATE: 1, FARGATE_SPOT: 3})
  })

  it('rejects strategies ECS rejects', () => {
    const both = ['FARGATE', 'FARGATE_SPOT']
    expect(() => validateStrategy([{capacityProvider: 'FARGATE', base: 1}, {capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1}], both)).toThrow(/base value can only be specified for one/)
    expect(() => validateStrategy([{capacityProvider: 'FARGATE'}, {capacityProvider: 'FARGATE_SPOT'}], both)).toThrow(/weight greater than zero/)
    expect(() => validateStrategy([{capacityProvider: 'EC2_ASG', weight: 1}], both)).toThrow(/does not exist/)
    expect(() => validateStrategy([{capacityProvider: 'FARGATE_SPOT', weight: 1}], ['FARGATE'])).toThrow(/not associated with the cluster/)
    expect(() => validateStrategy([{capacityProvider: 'FARGATE', weight: 1001}], both)).toThrow(/between 0 and 1000/)
    expect(() => validateStrategy([], both)).toThrow(/cannot be empty/)
  })
})

describe('capacity manager', () => {
  it('reserves, refuses when full, releases, and knows what can never fit', () => {
    const c = new CapacityManager({cpu: 1024, memory: 2048})
    expect(c.tryReserve('a', {cpu: 512, memory: 1024})).toBe(true)
    expect(c.tryReserve('b', {cpu: 512, memory: 1024})).toBe(true)
    expect(c.tryReserve('c', {cpu: 256, memory: 512})).toBe(false)
    c.release('a')
    expect(c.tryReserve('c', {cpu: 256, memory: 512})).toBe(true)
    expect(c.usage().free).toEqual({cpu: 256, memory: 512})
    expect(c.neverFits({cpu: 2048, memory: 512})).toBe('RESOURCE:CPU')
    expect(c.neverFits({cpu: 256, memory: 4096})).toBe('RESOURCE:MEMORY')
    expect(c.neverFits({cpu: 1024, memory: 2048})).toBeUndefined()
  })
})

describe('Fargate sizes', () => {
  it.each([
    [256, 512, true], [256, 2048, true], [256, 4096, false], [512, 1024, true], [512, 4096, true], [512, 5120, false],
    [1024, 8192, true], [2048, 16384, true], [4096, 30720, true], [4096, 31744, false], [8192, 20480, true], [8192, 18432, false],
    [16384, 122880, true], [16384, 36864, false], [128, 512, false],
  ])('%i CPU with %i MiB is valid: %s', (cpu, memory, ok) => {
    if (ok) expect(() => checkFargateSize(cpu, memory)).not.toThrow()
    else expect(() => checkFargateSize(cpu, memory)).toThrow(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`)
  })

  it('parses ECS size strings', () => {
    expect(parseCpu('1 vCPU')).toBe(1024)
    expect(parseCpu('0.25 vcpu')).toBe(256)
    expect(parseCpu('512')).toBe(512)
    expect(parseCpu('lots')).toBeUndefined()
    expect(parseMemory('2 GB')).toBe(2048)
    expect(parseMemory('0.5GB')).toBe(512)
    expect(parseMemory('1024')).toBe(1024)
  })
})

describe('circuit breaker threshold', () => {
  it.each([
    [1, 3], [4, 3], [7, 4], [10, 5], [100, 50], [400, 200], [1000, 200],
  ])('desired %i fails after %i tasks', (desired, threshold) => {
    expect(failureThreshold(desired)).toBe(threshold)
  })
  it('honours a configured minimum', () => {
    expect(failureThreshold(1, {minThreshold: 10, maxThreshold: 200})).toBe(10)
    expect(failureThreshold(1, {minThreshold: 1, maxThreshold: 200})).toBe(1)
  })
})

describe('rolling step', () => {
  const base = {desired: 4, minimumHealthyPercent: 100, maximumPercent: 200, canLaunch: true}
  it.each([
    ['100/200 starts all replacements first', {...base, primary: 0, primaryHealthy: 0, old: 4, oldHealthy: 4}, {start: 4, stopOldHealthy: 0}],
    ['100/200 stops old once new are healthy', {...base, primary: 4, primaryHealthy: 4, old: 4, oldHealthy: 4}, {start: 0, stopOldHealthy: 4}],
    ['100/200 stops as many old as new are healthy', {...base, primary: 4, primaryHealthy: 1, old: 4, oldHealthy: 4}, {start: 0, stopOldHealthy: 1}],
    ['50/100 stops half first', {...base, minimumHealthyPercent: 50, maximumPercent: 100, primary: 0, primaryHealthy: 0, old: 4, oldHealthy: 4}, {start: 0, stopOldHealthy: 2}],
    ['50/100 fills the room', {...base, minimumHealthyPercent: 50, maximumPercent: 100, primary: 0, primaryHealthy: 0, old: 2, oldHealthy: 2}, {start: 2, stopOldHealthy: 0}],
    ['0/100 recreates', {...base, minimumHealthyPercent: 0, maximumPercent: 100, primary: 0, primaryHealthy: 0, old: 4, oldHealthy: 4}, {start: 0, stopOldHealthy: 4}],
    ['halted keeps old tasks', {...base, canLaunch: false, primary: 0, primaryHealthy: 0, old: 4, oldHealthy: 4, minimumHealthyPercent: 50}, {start: 0, stopOldHealthy: 0}],
    ['replaces a missing task', {...base, primary: 3, primaryHealthy: 3, old: 0, oldHealthy: 0}, {start: 1, stopOldHealthy: 0}],
    ['counts stopping tasks toward the maximum', {...base, maximumPercent: 100, minimumHealthyPercent: 50, primary: 0, primaryHealthy: 0, old: 2, oldHealthy: 2, stopping: 2}, {start: 0}],
    ['starts once stopped tasks are gone', {...base, maximumPercent: 100, minimumHealthyPercent: 50, primary: 0, primaryHealthy: 0, old: 2, oldHealthy: 2, stopping: 0}, {start: 2}],
  ])('%s', (_name, input, expected) => {
    expect(planRollingStep(input)).toMatchObject(expected)
  })
  it('scales in the primary beyond desired', () => {
    expect(planRollingStep({...base, primary: 6, primaryHealthy: 6, old: 0, oldHealthy: 0}).stopPrimaryExtra).toBe(2)
  })
})
