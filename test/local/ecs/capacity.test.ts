// Capacity at its edges: strategies ECS accepts and refuses at each limit, placement ties, and the capacity
// manager's accounting when a task fits exactly, is reserved twice or released unknown.
import {cpus, totalmem} from 'node:os'
import {describe, expect, it} from 'vitest'
import {CapacityManager, machineCapacity, placeTasks, PROVIDER_NAMES, validateStrategy} from '../../../src/local/capacity/index.js'

const both = ['FARGATE', 'FARGATE_SPOT']
const refuses = (strategy: Parameters<typeof validateStrategy>[0], message: string, available = both) => {
  let error: unknown
  try {
    validateStrategy(strategy, available)
  } catch (e) {
    error = e
  }
  expect(error, JSON.stringify(strategy)).toMatchObject({code: 'InvalidParameterException', message})
}

describe('capacity provider strategy validation', () => {
  it('accepts each limit', () => {
    expect(() => validateStrategy([{capacityProvider: 'FARGATE', weight: 1000, base: 100000}], both)).not.toThrow()
    expect(() => validateStrategy([{capacityProvider: 'FARGATE', weight: 0, base: 0}], both)).not.toThrow()
    expect(() => validateStrategy([{capacityProvider: 'FARGATE'}], both)).not.toThrow()
    expect(() => validateStrategy([{capacityProvider: 'FARGATE', base: 5}, {capacityProvider: 'FARGATE_SPOT', weight: 1}], both)).not.toThrow()
    expect(PROVIDER_NAMES).toEqual(['FARGATE', 'FARGATE_SPOT'])
  })

  it('refuses what is past each limit, in ECS words', () => {
    refuses([], 'The capacity provider strategy cannot be empty.')
    refuses(Array.from({length: 21}, () => ({capacityProvider: 'FARGATE', weight: 1})), 'The capacity provider strategy cannot contain more than 20 capacity providers.')
    // Twenty is allowed by count: what is wrong with these twenty is the duplicate.
    refuses(Array.from({length: 20}, () => ({capacityProvider: 'FARGATE', weight: 1})), 'The capacity provider strategy contains duplicate capacity provider FARGATE.')
    refuses([{capacityProvider: ''}], 'The capacity provider name cannot be empty.')
    refuses([{capacityProvider: 7 as unknown as string}], 'The capacity provider name cannot be empty.')
    refuses([{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE', weight: 1}], 'The capacity provider strategy contains duplicate capacity provider FARGATE.')
    refuses([{capacityProvider: 'EC2', weight: 1}], 'The specified capacity provider EC2 does not exist. Specify a valid name or ARN and try again.')
    refuses([{capacityProvider: 'FARGATE_SPOT', weight: 1}], 'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.', ['FARGATE'])
    for (const weight of [-1, 1001, 1.5]) refuses([{capacityProvider: 'FARGATE', weight}], 'The weight of a capacity provider must be between 0 and 1000.')
    for (const base of [-1, 100001, 0.5]) refuses([{capacityProvider: 'FARGATE', base}], 'The base of a capacity provider must be between 0 and 100000.')
    refuses([{capacityProvider: 'FARGATE', base: 1, weight: 1}, {capacityProvider: 'FARGATE_SPOT', base: 2, weight: 1}], 'A base value can only be specified for one capacity provider in a capacity provider strategy.')
    refuses([{capacityProvider: 'FARGATE', base: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 0}], 'At least one capacity provider in a capacity provider strategy must have a weight greater than zero.')
  })
})

describe('placement', () => {
  it('gives ties to the heavier weight, then to the strategy’s order', () => {
    expect(placeTasks([{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 2}], 1)).toEqual(['FARGATE_SPOT'])
    // FARGATE at 1/1 and FARGATE_SPOT at 2/2 are level: the heavier weight takes the task.
    expect(placeTasks([{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 2}], 1, {FARGATE_SPOT: 1})).toEqual(['FARGATE_SPOT'])
    expect(placeTasks([{capacityProvider: 'FARGATE_SPOT', weight: 1}, {capacityProvider: 'FARGATE', weight: 1}], 2)).toEqual(['FARGATE_SPOT', 'FARGATE'])
    expect(placeTasks([{capacityProvider: 'FARGATE', weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 1}], 3)).toEqual(['FARGATE', 'FARGATE_SPOT', 'FARGATE'])
  })
  it('fills the base first, in order, then splits by weight counting only tasks beyond the base', () => {
    expect(placeTasks([{capacityProvider: 'FARGATE_SPOT', weight: 1}, {capacityProvider: 'FARGATE', base: 2, weight: 1}], 4)).toEqual(['FARGATE', 'FARGATE', 'FARGATE_SPOT', 'FARGATE'])
    expect(placeTasks([{capacityProvider: 'FARGATE', base: 1, weight: 1}, {capacityProvider: 'FARGATE_SPOT', weight: 1}], 3, {FARGATE: 3})).toEqual(['FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE'])
  })
  it('puts everything on the first provider when none has a weight', () => {
    expect(placeTasks([{capacityProvider: 'FARGATE_SPOT', base: 1}], 3)).toEqual(['FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE_SPOT'])
    expect(placeTasks([{capacityProvider: 'FARGATE', weight: 1}], 0)).toEqual([])
  })
})

describe('capacity manager accounting', () => {
  it('reserves a task that fits exactly, and neither CPU nor memory past the total', () => {
    const c = new CapacityManager({cpu: 1024, memory: 2048})
    expect(c.tryReserve('cpu-over', {cpu: 1025, memory: 512})).toBe(false)
    expect(c.tryReserve('mem-over', {cpu: 256, memory: 2049})).toBe(false)
    expect(c.tryReserve('exact', {cpu: 1024, memory: 2048})).toBe(true)
    expect(c.usage()).toEqual({total: {cpu: 1024, memory: 2048}, used: {cpu: 1024, memory: 2048}, free: {cpu: 0, memory: 0}, tasks: 1})
    expect(c.isReserved('exact')).toBe(true)
    expect(c.isReserved('cpu-over')).toBe(false)
  })
  it('counts a second reservation of the same task once, and ignores releasing an unknown one', () => {
    const c = new CapacityManager({cpu: 1024, memory: 2048})
    expect(c.tryReserve('a', {cpu: 512, memory: 1024})).toBe(true)
    expect(c.tryReserve('a', {cpu: 512, memory: 1024})).toBe(true)
    c.release('nope')
    expect(c.usage()).toMatchObject({used: {cpu: 512, memory: 1024}, tasks: 1})
    c.release('a')
    c.release('a')
    expect(c.usage()).toMatchObject({used: {cpu: 0, memory: 0}, free: {cpu: 1024, memory: 2048}, tasks: 0})
    expect(c.isReserved('a')).toBe(false)
  })
  it('knows what can never fit, at the limit and one past it', () => {
    const c = new CapacityManager({cpu: 1024, memory: 2048})
    expect(c.neverFits({cpu: 1024, memory: 2048})).toBeUndefined()
    expect(c.neverFits({cpu: 1025, memory: 2048})).toBe('RESOURCE:CPU')
    expect(c.neverFits({cpu: 1024, memory: 2049})).toBe('RESOURCE:MEMORY')
    expect(c.neverFits({cpu: 4096, memory: 8192})).toBe('RESOURCE:CPU')
  })
  it('does not share its total with the caller', () => {
    const total = {cpu: 1024, memory: 2048}
    const c = new CapacityManager(total)
    total.cpu = 1
    expect(c.total.cpu).toBe(1024)
    const u = c.usage()
    u.total.cpu = 5
    expect(c.usage().total.cpu).toBe(1024)
  })
  it('measures this machine: every core as 1024 units, all of its memory in MiB', () => {
    expect(machineCapacity()).toEqual({cpu: Math.max(1, cpus().length) * 1024, memory: Math.floor(totalmem() / (1024 * 1024))})
    expect(new CapacityManager().total).toEqual(machineCapacity())
  })
})
