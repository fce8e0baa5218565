// Tables of cases for the small conversions rendering relies on.
import {describe, expect, it} from 'vitest'

import {durationSeconds} from '../../src/render/duration.js'
import {pathPatterns, scheduleExpression} from '../../src/render/index.js'
import {capacityProviderStrategy} from '../../src/render/workload/capacity.js'
import {commandList} from '../../src/render/workload/commands.js'
import {initialDesiredCount, scalingRange} from '../../src/render/workload/count.js'
import {applyTaskDefOverrides} from '../../src/render/workload/overrides.js'

describe('scheduleExpression', () => {
  it.each([
    ['0 */2 * * *', 'cron(0 */2 * * ? *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['30 6 1 * *', 'cron(30 6 1 * ? *)'],
    ['0 0 * * 0', 'cron(0 0 ? * 1 *)'],
    ['@hourly', 'cron(0 * * * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * 1 *)'],
    ['@monthly', 'cron(0 0 1 * ? *)'],
    ['@yearly', 'cron(0 0 1 1 ? *)'],
    ['@every 5h', 'rate(5 hours)'],
    ['@every 1h30m', 'rate(90 minutes)'],
    ['@every 1m', 'rate(1 minute)'],
    ['@every 24h', 'rate(1 day)'],
    ['rate(3 days)', 'rate(3 days)'],
    ['cron(0 12 * * ? *)', 'cron(0 12 * * ? *)'],
    ['none', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(scheduleExpression(input)).toBe(expected)
  })

  it.each([['@every 30s'], ['every day'], ['@every soon']])('rejects %s with a reason', (input) => {
    expect(() => scheduleExpression(input)).toThrow(/on\.schedule/)
  })
})

describe('durationSeconds', () => {
  it.each([
    ['30s', 30],
    ['1h30m', 5400],
    ['250ms', 0.25],
    ['2m', 120],
    [45, 45],
  ] as const)('%s -> %s', (input, seconds) => {
    expect(durationSeconds(input, 'f')).toBe(seconds)
  })
  it('rejects units Go does not know', () => {
    expect(() => durationSeconds('2d', 'queue.retention')).toThrow('queue.retention "2d" is not a duration')
  })
})

describe('capacityProviderStrategy', () => {
  it.each([
    ['a plain count uses the cluster default', 3, undefined, undefined],
    ['count.spot puts every task on Spot', {spot: 2}, undefined, [{CapacityProvider: 'FARGATE_SPOT', Weight: 1}]],
    [
      'spot_from keeps the first tasks on Fargate',
      {range: {min: 1, max: 10, spot_from: 3}},
      undefined,
      [{CapacityProvider: 'FARGATE', Base: 2, Weight: 0}, {CapacityProvider: 'FARGATE_SPOT', Weight: 1}],
    ],
    [
      'capacity_providers is taken as written',
      {spot: 2},
      [{capacity_provider: 'FARGATE', base: 2, weight: 1}, {capacity_provider: 'FARGATE_SPOT', weight: 3}],
      [{CapacityProvider: 'FARGATE', Base: 2, Weight: 1}, {CapacityProvider: 'FARGATE_SPOT', Weight: 3}],
    ],
  ] as const)('%s', (_label, count, explicit, expected) => {
    expect(capacityProviderStrategy(count as never, explicit as never)).toEqual(expected)
  })

  it.each([
    [[{capacity_provider: 'FARGATE', base: 1, weight: 1}, {capacity_provider: 'FARGATE_SPOT', base: 1, weight: 1}], 'base on more than one provider'],
    [[{capacity_provider: 'FARGATE', weight: 0}], 'weight of 0'],
    [[{capacity_provider: 'FARGATE', weight: 1}, {capacity_provider: 'FARGATE', weight: 2}], 'lists FARGATE twice'],
  ] as const)('rejects an invalid strategy (%#)', (explicit, message) => {
    expect(() => capacityProviderStrategy(undefined, explicit as never)).toThrow(message)
  })

  it('needs one provider with weight, not all of them', () => {
    const mixed = [{capacity_provider: 'FARGATE', base: 1}, {capacity_provider: 'FARGATE_SPOT', weight: 2}]
    expect(capacityProviderStrategy(undefined, mixed as never)).toEqual([{CapacityProvider: 'FARGATE', Base: 1, Weight: 0}, {CapacityProvider: 'FARGATE_SPOT', Weight: 2}])
  })

  it('reads no strategy from a null count or a range written as text', () => {
    expect(capacityProviderStrategy(null as never, undefined)).toBeUndefined()
    expect(capacityProviderStrategy({range: '1-10'} as never, undefined)).toBeUndefined()
  })
})

describe('count', () => {
  it.each([
    [undefined, 1],
    [0, 0],
    [3, 3],
    [{spot: 4}, 4],
    [{range: '2-8'}, 2],
    [{range: {min: 5, max: 9}}, 5],
  ] as const)('%j starts with %i tasks', (count, n) => {
    expect(initialDesiredCount(count as never)).toBe(n)
  })
  it('rejects a malformed range', () => {
    expect(() => scalingRange({range: '10'})).toThrow('count.range "10" is not a range')
  })
})

describe('pathPatterns and commands', () => {
  it.each([
    ['', ['/*']],
    ['/', ['/*']],
    ['api', ['/api', '/api/*']],
    ['/api/v1/', ['/api/v1', '/api/v1/*']],
  ])('path %j', (path, expected) => {
    expect(pathPatterns(path)).toEqual(expected)
  })
  it.each([
    ['nginx -g "daemon off;"', ['nginx', '-g', 'daemon off;']],
    ["sh -c 'echo hi'", ['sh', '-c', 'echo hi']],
    ['a  b', ['a', 'b']],
    ['x ""', ['x', '']],
  ])('command %j', (input, expected) => {
    expect(commandList(input)).toEqual(expected)
  })
})

describe('applyTaskDefOverrides', () => {
  const props = () => ({ContainerDefinitions: [{Name: 'web', Ulimits: [{Name: 'core'}]}], Cpu: '256'})

  it('sets, appends and creates nested values without touching the input', () => {
    const input = props()
    const out = applyTaskDefOverrides(input, [
      {path: 'ContainerDefinitions[0].Ulimits[-]', value: {Name: 'nofile', HardLimit: 10}},
      {path: 'ContainerDefinitions[0].Ulimits[0].HardLimit', value: 5},
      {path: 'ContainerDefinitions[0].LinuxParameters.Capabilities.Add', value: ['SYS_PTRACE']},
      {path: 'Cpu', value: '512'},
    ])
    expect(out).toEqual({
      ContainerDefinitions: [{Name: 'web', Ulimits: [{Name: 'core', HardLimit: 5}, {Name: 'nofile', HardLimit: 10}], LinuxParameters: {Capabilities: {Add: ['SYS_PTRACE']}}}],
      Cpu: '512',
    })
    expect(input).toEqual(props())
  })

  it.each([
    ['Family', 'cannot change Family'],
    ['ContainerDefinitions[5].Image', 'past the end'],
    ['Cpu[0]', 'not a list'],
    ['ContainerDefinitions..Image', 'is not valid'],
  ])('rejects %s', (path, message) => {
    expect(() => applyTaskDefOverrides(props(), [{path, value: 1}])).toThrow(message)
  })
})
